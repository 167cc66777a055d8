"""On-disk embedding cache keyed by (embedding model, text hash): retraining embeds only new text."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from classify import config
from classify.atomic import write_npz_atomic


def default_cache_dir() -> Path:
    return config.embedding_cache_dir()


def encoder_key(encoder) -> str:
    """What identifies an encoder's vectors: the packaged default by name and version (not by the
    folder it happens to be installed in, so a fresh venv or CI clone reuses the cache), any
    other model by its resolved folder."""
    from importlib.metadata import PackageNotFoundError, version

    from classify.embed import DEFAULT_MODEL

    backend = getattr(encoder, "backend", "torch")
    suffix = "" if backend == "torch" else f" ({backend})"  # onnx vectors differ slightly: their own cache
    if encoder.name == DEFAULT_MODEL:
        try:
            return f"{DEFAULT_MODEL}=={version(DEFAULT_MODEL)}{suffix}"
        except PackageNotFoundError:
            return DEFAULT_MODEL + suffix
    return str(Path(encoder.path).resolve()) + suffix


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


class EmbeddingCache:
    """Embeds texts through ``encoder``, reusing vectors stored in ``directory``.

    Each batch of new vectors is one ``.npz`` shard written atomically, so an interrupted run
    loses at most the batch in progress and never corrupts earlier shards.
    """

    def __init__(self, encoder, directory: Path | None = None, *, model_key: str | None = None):
        self.encoder = encoder
        key = model_key or encoder_key(encoder)
        slug = hashlib.sha256(key.encode()).hexdigest()[:16]
        self.directory = Path(directory or default_cache_dir()) / slug
        self._index: dict[str, np.ndarray] | None = None
        self.hits = 0
        self.misses = 0

    def _load(self) -> dict[str, np.ndarray]:
        if self._index is None:
            self._index = {}
            if self.directory.is_dir():
                for shard in sorted(self.directory.glob("*.npz")):
                    try:
                        with np.load(shard, allow_pickle=False) as z:
                            self._index.update(zip(z["keys"].tolist(), z["vectors"]))
                    except Exception:
                        continue  # a damaged shard is recomputed, not fatal
        return self._index

    def encode(self, texts: list[str], *, progress: bool | str = False, chunk: int = 2048) -> np.ndarray:
        """Embeddings of ``texts``, array of shape (len(texts), dim); only unseen texts are embedded.

        progress : a label ("training rows") for a bar counting the texts embedded, or True.
        """
        from tqdm.auto import tqdm

        index = self._load()
        keys = [text_key(t) for t in texts]
        todo = {}
        for k, t in zip(keys, texts):
            if k not in index and k not in todo:
                todo[k] = t
        self.misses += len(todo)
        self.hits += len(keys) - len(todo)
        items = list(todo.items())
        label = progress if isinstance(progress, str) else "texts"
        with tqdm(total=len(items), desc=f"embedding {label}", unit=" texts", disable=not progress or not items, leave=False) as bar:
            for start in range(0, len(items), chunk):
                part = items[start : start + chunk]
                vectors = self.encoder.encode([t for _, t in part])
                self._write([k for k, _ in part], vectors)
                index.update(zip([k for k, _ in part], vectors))
                bar.update(len(part))
        if not keys:
            return np.zeros((0, self.encoder.dimension), dtype=np.float32)
        return np.vstack([index[k] for k in keys]).astype(np.float32)

    def _write(self, keys, vectors):
        write_npz_atomic(self.directory / f"{keys[0][:16]}-{len(keys)}.npz", keys=np.array(keys), vectors=np.asarray(vectors, dtype=np.float32))

    # the encoder interface, so a cache can stand in for an Encoder
    @property
    def name(self):
        return self.encoder.name

    @property
    def dimension(self):
        return self.encoder.dimension
