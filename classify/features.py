"""Features of a text for the classifier: its sentence embedding and hashed word n-gram counts.

Word 1-2-grams are hashed into a fixed number of buckets, so a fitted model stores weights per
bucket and no vocabulary: nothing in a model folder spells out a word of the training text. The
buckets are exactly those of scikit-learn's ``HashingVectorizer`` (lowercase, its default token
pattern, MurmurHash3 seed 0, ``alternate_sign=False``; a test holds the two equal), computed
with ``mmh3`` so that prediction does not import scikit-learn (2 s of every cold start).

The features of n texts are one sparse matrix of shape (n, dim + n_buckets): the embedding in
the first ``dim`` columns, raw n-gram counts after it. Rows can be selected like any
scikit-learn input (``F[mask]``), so training, evaluation and prediction pass it around as one
object. Weighting (TF-IDF) is fitted by the estimator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .names import mask_names

DEFAULT_BUCKETS = 2**18
NGRAM_RANGE = (1, 2)
TOKEN_PATTERN = r"(?u)\b\w\w+\b"


@dataclass(frozen=True)
class LexicalSpec:
    """How n-grams are hashed; recorded in the manifest so prediction hashes exactly as training did."""

    n_buckets: int = DEFAULT_BUCKETS
    ngram_min: int = NGRAM_RANGE[0]
    ngram_max: int = NGRAM_RANGE[1]

    def to_dict(self) -> dict:
        return {"hashing": "murmurhash3 word n-grams", "n_buckets": self.n_buckets, "ngram_range": [self.ngram_min, self.ngram_max]}

    @classmethod
    def from_dict(cls, d: dict | None) -> "LexicalSpec | None":
        if not d:
            return None
        lo, hi = d.get("ngram_range", NGRAM_RANGE)
        return cls(n_buckets=int(d["n_buckets"]), ngram_min=int(lo), ngram_max=int(hi))


def hashed_counts(texts: list[str], spec: LexicalSpec):
    """Raw n-gram counts, sparse (n_texts, spec.n_buckets) float32."""
    import mmh3
    import scipy.sparse as sp

    token = re.compile(TOKEN_PATTERN)
    n = spec.n_buckets
    indices, indptr = [], [0]
    for text in texts:
        words = token.findall(text.lower())
        for k in range(spec.ngram_min, spec.ngram_max + 1):
            indices.extend(abs(mmh3.hash(" ".join(words[i : i + k]))) % n for i in range(len(words) - k + 1))
        indptr.append(len(indices))
    counts = sp.csr_matrix(
        (np.ones(len(indices), dtype=np.float32), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(len(indptr) - 1, n),
    )
    counts.sum_duplicates()
    return counts


def combine(embeddings: np.ndarray, counts):
    """Embeddings (n, dim) and hashed counts (n, n_buckets) as one CSR matrix (n, dim + n_buckets)."""
    import scipy.sparse as sp

    return sp.hstack([sp.csr_matrix(np.asarray(embeddings, dtype=np.float32)), counts], format="csr", dtype=np.float32)


def featurize(texts: list[str], encoder, spec: LexicalSpec | None, *, names: str = "kept", progress: bool | str = False) -> np.ndarray:
    """Features of ``texts`` for a model: embeddings alone when ``spec`` is None (older models),
    else embeddings followed by hashed n-gram counts (a CSR matrix).

    encoder : anything with ``encode(texts) -> (n_texts, dim)`` (an Encoder or an embedding cache).
    names : "masked" to replace names by X first (:mod:`classify.names`), as the model was trained.
    """
    if names == "masked":
        texts = [mask_names(t) for t in texts]
    embeddings = encoder.encode(list(texts), progress=progress) if progress else encoder.encode(list(texts))  # a cache takes a label
    if spec is None:
        return embeddings
    return combine(embeddings, hashed_counts(texts, spec))
