"""paxclassify: code peace agreements with PA-X categories, with the clauses as evidence.

The library never prints and never exits; see ``classify.cli`` for the command line.
"""

__version__ = "0.1.0"

from .coding import Coding, Document
from .model import Model

__all__ = ["Coding", "Document", "Model"]
