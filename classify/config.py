"""Every environment variable paxclassify reads, with its default, in one place.

Read at call time, never at import: a test or a long-lived process that sets one sees it. The
command line also reads $PAXCLASSIFY_BACKEND (``--backend``), $PAXCLASSIFY_CODER (``classify
review --coder``) and the download addresses below through click's ``envvar``.
"""

from __future__ import annotations

import os
from pathlib import Path

BACKEND = "PAXCLASSIFY_BACKEND"
CODER = "PAXCLASSIFY_CODER"
_HERE = Path(__file__).resolve().parent.parent
_CACHE = Path.home() / ".cache" / "paxclassify"


def model_dir() -> Path:
    """The shipped model: $PAXCLASSIFY_MODEL, else the checkout's models/pax-default (an editable
    install), else the installed wheel's copy of it (the data package paxclassify_models)."""
    if os.environ.get("PAXCLASSIFY_MODEL"):
        return Path(os.environ["PAXCLASSIFY_MODEL"])
    candidates = (_HERE / "models" / "pax-default", _HERE / "paxclassify_models" / "pax-default")
    return next((d for d in candidates if d.is_dir()), candidates[0])


def data_dir() -> Path:
    """The PA-X data folder of train and evaluate: $PAXCLASSIFY_DATA, else data/labelled."""
    return Path(os.environ.get("PAXCLASSIFY_DATA", "data/labelled"))


def onnx_dir() -> Path:
    """Where ONNX exports of embedding models are kept: $PAXCLASSIFY_ONNX_DIR."""
    return Path(os.environ.get("PAXCLASSIFY_ONNX_DIR", _CACHE / "onnx"))


def embedding_cache_dir() -> Path:
    """Where training and evaluation keep embeddings: $PAXCLASSIFY_CACHE."""
    return Path(os.environ.get("PAXCLASSIFY_CACHE", _CACHE / "embeddings"))


def threads() -> int:
    """Threads of the onnx encoder: $PAXCLASSIFY_THREADS, 0 = onnxruntime's choice."""
    return int(os.environ.get("PAXCLASSIFY_THREADS") or 0)


# PA-X download addresses (classify data fetch): the site or a mirror, and per-file overrides
PAX_URL = "PAXCLASSIFY_PAX_URL"
PAX_FILE_URLS = {"codings": "PAXCLASSIFY_PAX_CODINGS_URL", "corpus": "PAXCLASSIFY_PAX_CORPUS_URL", "api": "PAXCLASSIFY_PAX_API_URL"}


def pax_url(source: str | None = None) -> str | None:
    """The download address set for ``source`` (None: the base address), or None."""
    return os.environ.get(PAX_FILE_URLS[source] if source else PAX_URL) or None
