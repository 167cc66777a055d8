"""What prediction needs of a fitted model: its weights as plain arrays, scored with numpy.

A model folder stores these arrays in ``weights.npz``, read with ``allow_pickle=False``: loading
a model runs no code from the file, and imports neither scikit-learn nor joblib (2-3 s of a
cold start). The scikit-learn estimators that fit the weights live in :mod:`classify.estimator`
and score through this class too, so training, evaluation and prediction share one formula.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

DENSE = ("dense_coef", "dense_intercept", "dense_weight")
LEXICAL = ("idf", "lexical_data", "lexical_indices", "lexical_indptr", "lexical_intercept")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def tfidf(counts, idf: np.ndarray):
    """Raw hashed n-gram counts (CSR) -> log-scaled, idf-weighted, unit-length rows (CSR float32)."""
    T = counts.astype(np.float32, copy=True)
    np.log1p(T.data, out=T.data)
    T = T.multiply(idf.astype(np.float32)).tocsr()
    norms = np.sqrt(np.asarray(T.multiply(T).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    return T.multiply(1 / norms[:, None]).tocsr().astype(np.float32)


class LinearScorer:
    """Per category, the probability of a logistic regression over a clause's embedding, averaged
    with that of a logistic regression over its TF-IDF-weighted hashed n-grams when the model has one.

    arrays : dict of ndarrays
        ``dense_coef`` (n_labels, dim), ``dense_intercept`` (n_labels,), ``dense_weight`` (scalar,
        the embedding's share; 1 = embeddings only) and, with n-grams, ``idf`` (n_buckets,),
        ``lexical_intercept`` (n_labels,) and the CSR parts ``lexical_data``, ``lexical_indices``,
        ``lexical_indptr`` of the (n_labels, n_buckets) n-gram weights.
    """

    def __init__(self, arrays: dict):
        missing = [k for k in DENSE if k not in arrays]
        if missing:
            raise ValueError(f"missing arrays: {', '.join(missing)}")
        self.arrays = {k: np.asarray(v) for k, v in arrays.items()}
        a = self.arrays
        self.coef = a["dense_coef"].astype(np.float32)
        self.intercept = a["dense_intercept"].astype(np.float32)
        self.dense_weight = float(a["dense_weight"])
        self.lexical = None
        if all(k in a for k in LEXICAL):
            import scipy.sparse as sp

            n_labels, n_buckets = len(a["lexical_intercept"]), len(a["idf"])
            self.idf = a["idf"].astype(np.float32)
            self.lexical = sp.csr_matrix((a["lexical_data"], a["lexical_indices"], a["lexical_indptr"]), shape=(n_labels, n_buckets))
            self.lexical_intercept = a["lexical_intercept"].astype(np.float32)

    @property
    def n_labels(self) -> int:
        return self.coef.shape[0]

    @property
    def n_dense(self) -> int:
        return self.coef.shape[1]

    @property
    def n_buckets(self) -> int:
        return 0 if self.lexical is None else self.lexical.shape[1]

    def predict_proba(self, X) -> np.ndarray:
        """X : embeddings (n, dim), or CSR (n, dim + n_buckets) with the embedding first -> (n, n_labels)."""
        import scipy.sparse as sp

        if self.lexical is None:
            dense = X[:, : self.n_dense].toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float32)
            return _sigmoid(dense @ self.coef.T + self.intercept).astype(np.float32)
        if not sp.issparse(X) or X.shape[1] != self.n_dense + self.n_buckets:
            raise ValueError(f"expected CSR features of {self.n_dense} embedding columns and {self.n_buckets} n-gram buckets, got {getattr(X, 'shape', None)}")
        X = X.tocsr()
        dense = X[:, : self.n_dense].toarray()
        p_dense = _sigmoid(dense @ self.coef.T + self.intercept)
        z = np.asarray((tfidf(X[:, self.n_dense :], self.idf) @ self.lexical.T).todense()) + self.lexical_intercept
        w = self.dense_weight
        return (w * p_dense + (1 - w) * _sigmoid(z)).astype(np.float32)

    def save(self, path: Path) -> None:
        with open(path, "wb") as f:
            np.savez_compressed(f, **self.arrays)

    @classmethod
    def load(cls, path: Path) -> "LinearScorer":
        with np.load(path, allow_pickle=False) as z:
            return cls({k: z[k] for k in z.files})
