"""paxclassify: code peace agreements with PA-X categories, with the clauses as evidence.

The library never prints and never exits; see ``classify.cli`` for the command line.
"""

__version__ = "0.1.0"
