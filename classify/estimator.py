"""One-vs-rest logistic regression over clause embeddings, with unknown labels allowed.

scikit-learn's ``OneVsRestClassifier`` fits every label on every row. PA-X gold is partial at
clause level (a quoted clause is known positive for its code, but unknown for the agreement's
other codes), so each label here is fitted only on the rows where it is known (label >= 0).
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

UNKNOWN = -1


def _fit_one(X, y, sample_weight, C, class_weight, max_iter):
    known = y >= 0
    yk = y[known]
    if yk.min(initial=1) == yk.max(initial=0):
        # all-positive or all-negative: a constant scorer, reported via constant_labels_
        p = float(yk.mean()) if yk.size else 0.0
        return np.zeros(X.shape[1], dtype=np.float32), float(np.log((p + 1e-6) / (1 - p + 1e-6))), True
    clf = LogisticRegression(C=C, class_weight=class_weight, max_iter=max_iter)
    clf.fit(X[known], yk, sample_weight=None if sample_weight is None else sample_weight[known])
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), False


class ClauseClassifier(ClassifierMixin, BaseEstimator):
    """Independent binary logistic regressions, one per PA-X category.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of every logistic regression.
    class_weight : {"balanced", None}
    max_iter : int
    n_jobs : int or None
        Labels fitted in parallel (joblib).

    Attributes
    ----------
    coef_ : ndarray of shape (n_labels, n_features)
    intercept_ : ndarray of shape (n_labels,)
    constant_labels_ : ndarray of shape (n_labels,), bool
        Labels whose known rows were all one class; their score is constant.
    """

    def __init__(self, *, C: float = 4.0, class_weight="balanced", max_iter: int = 2000, n_jobs=None):
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def fit(self, X, Y, sample_weight=None):
        """X : array of shape (n_clauses, dim); Y : int array of shape (n_clauses, n_labels), -1 = unknown."""
        X = np.asarray(X, dtype=np.float32)
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[0] != X.shape[0]:
            raise ValueError(f"Found X with {X.shape[0]} rows and Y of shape {Y.shape}; expected (n_rows, n_labels)")
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one)(X, Y[:, j], sample_weight, self.C, self.class_weight, self.max_iter)
            for j in range(Y.shape[1])
        )
        self.coef_ = np.vstack([r[0] for r in results])
        self.intercept_ = np.array([r[1] for r in results], dtype=np.float32)
        self.constant_labels_ = np.array([r[2] for r in results])
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X):
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=np.float32) @ self.coef_.T + self.intercept_

    def predict_proba(self, X):
        """Probability that each clause carries each label, array of shape (n_clauses, n_labels)."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def predict(self, X, threshold: float = 0.5):
        return (self.predict_proba(X) >= threshold).astype(int)


def _fit_one_sparse(A, y, C, class_weight, max_iter):
    """One label on features A (CSR); liblinear's dual solver, fast when features outnumber rows."""
    known = y >= 0
    yk = y[known]
    if yk.min(initial=1) == yk.max(initial=0):
        p = float(yk.mean()) if yk.size else 0.0
        return None, float(np.log((p + 1e-6) / (1 - p + 1e-6))), True
    clf = LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=True, max_iter=max_iter, random_state=0)
    clf.fit(A[known], yk)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), False


class HybridClassifier(ClassifierMixin, BaseEstimator):
    """One logistic regression per PA-X category over a clause's embedding and the TF-IDF of
    its hashed word n-grams (see :mod:`classify.features`); unknown labels (-1) allowed.

    Input X : CSR matrix of shape (n_clauses, n_dense + n_buckets), embeddings first.

    Parameters
    ----------
    n_dense : int
        Columns of X that hold the embedding.
    C : float
        Inverse regularisation strength.
    dense_weight : float
        Scale of the (unit-length) embedding against the (unit-length) TF-IDF vector.
    class_weight : {"balanced", None}
    max_lexical_weights : int or None
        Per category, only the largest n-gram weights are kept (the model stays small).
    n_jobs : int or None

    Attributes
    ----------
    idf_ : ndarray of shape (n_buckets,), float16
    coef_dense_ : ndarray of shape (n_labels, n_dense), float32
    coef_lexical_ : CSR matrix of shape (n_labels, n_buckets), float32
    intercept_ : ndarray of shape (n_labels,)
    constant_labels_ : ndarray of shape (n_labels,), bool
    """

    def __init__(self, *, n_dense: int = 384, C: float = 4.0, dense_weight: float = 1.0, class_weight="balanced",
                 max_lexical_weights: int | None = 4000, max_iter: int = 2000, n_jobs=None):
        self.n_dense = n_dense
        self.C = C
        self.dense_weight = dense_weight
        self.class_weight = class_weight
        self.max_lexical_weights = max_lexical_weights
        self.max_iter = max_iter
        self.n_jobs = n_jobs

    def _split(self, X):
        import scipy.sparse as sp

        X = sp.csr_matrix(X, dtype=np.float32)
        if X.shape[1] <= self.n_dense:
            raise ValueError(f"Found X with {X.shape[1]} columns; expected {self.n_dense} embedding columns followed by hashed n-gram counts")
        return X[:, : self.n_dense].toarray(), X[:, self.n_dense :].tocsr()

    def _tfidf(self, counts):
        from sklearn.preprocessing import normalize

        T = counts.astype(np.float32, copy=True)
        np.log1p(T.data, out=T.data)
        T = T.multiply(self.idf_.astype(np.float32)).tocsr()
        return normalize(T, copy=False)

    def fit(self, X, Y, sample_weight=None):
        """X : CSR (n_clauses, n_dense + n_buckets); Y : int array (n_clauses, n_labels), -1 = unknown."""
        import scipy.sparse as sp

        dense, counts = self._split(X)
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[0] != dense.shape[0]:
            raise ValueError(f"Found X with {dense.shape[0]} rows and Y of shape {Y.shape}; expected (n_rows, n_labels)")
        n = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = (np.log((1 + n) / (1 + df)) + 1).astype(np.float16)
        A = sp.hstack([sp.csr_matrix(dense * self.dense_weight), self._tfidf(counts)], format="csr")
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_one_sparse)(A, Y[:, j], self.C, self.class_weight, self.max_iter) for j in range(Y.shape[1])
        )
        W = np.vstack([r[0] if r[0] is not None else np.zeros(A.shape[1], dtype=np.float32) for r in results])
        self.coef_dense_ = (W[:, : self.n_dense] * self.dense_weight).astype(np.float32)
        lexical = W[:, self.n_dense :]
        k = self.max_lexical_weights
        if k is not None and k < lexical.shape[1]:
            top = np.argpartition(-np.abs(lexical), k - 1, axis=1)[:, :k]
            kept = np.zeros_like(lexical)
            np.put_along_axis(kept, top, np.take_along_axis(lexical, top, axis=1), axis=1)
            lexical = kept
        self.coef_lexical_ = sp.csr_matrix(lexical.astype(np.float32))
        self.intercept_ = np.array([r[1] for r in results], dtype=np.float32)
        self.constant_labels_ = np.array([r[2] for r in results])
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X):
        check_is_fitted(self, "coef_dense_")
        dense, counts = self._split(X)
        z = dense @ self.coef_dense_.T + np.asarray((self._tfidf(counts) @ self.coef_lexical_.T).todense())
        return (z + self.intercept_).astype(np.float32)

    def predict_proba(self, X):
        """Probability that each clause carries each label, array of shape (n_clauses, n_labels)."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def predict(self, X, threshold: float = 0.5):
        return (self.predict_proba(X) >= threshold).astype(int)
