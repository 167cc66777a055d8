"""One-vs-rest logistic regressions over clause embeddings and hashed n-grams, with unknown labels allowed.

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
from threadpoolctl import threadpool_limits

from classify.atomic import write_npz_atomic
from classify.scoring import LinearScorer, tfidf



def _weights_of(sample_weight, j):
    """Label ``j``'s row weights: sample_weight is None, (n_rows,) or (n_rows, n_labels)."""
    if sample_weight is None or sample_weight.ndim == 1:
        return sample_weight
    return sample_weight[:, j]


def label_rows(y, sample_weight, j):
    """The rows label ``j`` is fitted on (known, with weight > 0), and their weights."""
    w = _weights_of(sample_weight, j)
    if w is None:
        return y >= 0, None
    known = (y >= 0) & (w > 0)
    return known, w[known]


def constant_logit(yk) -> float | None:
    """For known labels that are all one class (or none), the constant score's logit; else None."""
    if yk.min(initial=1) != yk.max(initial=0):
        return None
    p = float(yk.mean()) if yk.size else 0.0
    return float(np.log((p + 1e-6) / (1 - p + 1e-6)))


def _digest(*arrays) -> "hashlib._Hash":
    import hashlib

    import scipy.sparse as sp

    h = hashlib.sha256()
    for a in arrays:
        parts = (a.data, a.indices, a.indptr) if sp.issparse(a) else (a,)
        for part in parts:
            part = np.ascontiguousarray(part)
            h.update(f"{part.dtype}{part.shape}".encode())
            h.update(part.tobytes())
    return h


def fit_labels(fit_one, X, Y, sample_weight, params: tuple, *, memory=None, n_jobs=None) -> list:
    """``fit_one(X, Y[:, j], sample_weight, j, *params)`` for every label j, in parallel.

    memory : folder or None. A label's result is stored there under a digest of everything it
        depends on (X, its label column, its weights, params, scikit-learn's version), and reused
        when all of that recurs: retraining after a few corrections refits only the categories
        whose labels changed.
    """
    n = Y.shape[1]
    results, paths = [None] * n, [None] * n
    if memory is not None:
        import sklearn

        from pathlib import Path

        folder = Path(memory)
        base = _digest(X)
        base.update(f"{fit_one.__name__}{params!r}{sklearn.__version__}".encode())
        for j in range(n):
            h = base.copy()
            w = _weights_of(sample_weight, j)
            h.update(_digest(np.asarray(Y[:, j]), *([] if w is None else [np.asarray(w)])).digest())
            paths[j] = folder / h.hexdigest()[:2] / f"{h.hexdigest()}.npz"
            try:
                with np.load(paths[j], allow_pickle=False) as z:
                    results[j] = tuple(z[k] if z[k].ndim else z[k].item() for k in sorted(z.files))
            except (OSError, ValueError, KeyError):
                pass
    todo = [j for j in range(n) if results[j] is None]
    # each problem is small: BLAS threads in this process would only contend with the label jobs
    with threadpool_limits(limits=1, user_api="blas"):
        fitted = Parallel(n_jobs=n_jobs)(delayed(fit_one)(X, Y[:, j], sample_weight, j, *params) for j in todo)
    for j, r in zip(todo, fitted):
        results[j] = r
        if paths[j] is not None:
            write_npz_atomic(paths[j], **{f"r{i}": np.asarray(v) for i, v in enumerate(r)})
    return results


def _fit_one(X, y, sample_weight, j, C, class_weight, max_iter, tol):
    known, weight = label_rows(y, sample_weight, j)
    yk = y[known]
    logit = constant_logit(yk)
    if logit is not None:  # a constant scorer, reported via constant_labels_
        return np.zeros(X.shape[1], dtype=np.float32), logit, True
    clf = LogisticRegression(C=C, class_weight=class_weight, max_iter=max_iter, tol=tol)
    clf.fit(X[known], yk, sample_weight=weight)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0]), False


def _fit_one_sparse(A, y, sample_weight, j, C, class_weight, max_iter, tol, keep):
    """One label on features A (CSR); liblinear's dual solver, fast when features outnumber rows.
    Returns (bucket indices, weights) of the ``keep`` largest weights, intercept, constant."""
    known, weight = label_rows(y, sample_weight, j)
    yk = y[known]
    logit = constant_logit(yk)
    if logit is not None:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32), logit, True
    clf = LogisticRegression(C=C, class_weight=class_weight, solver="liblinear", dual=True, max_iter=max_iter, tol=tol, random_state=0)
    clf.fit(A[known], yk, sample_weight=weight)
    w = clf.coef_[0].astype(np.float32)
    top = np.flatnonzero(w) if keep is None or keep >= w.size else np.argpartition(-np.abs(w), keep - 1)[:keep]
    top = np.sort(top[w[top] != 0]).astype(np.int32)
    return top, w[top], float(clf.intercept_[0]), False


class HybridClassifier(ClassifierMixin, BaseEstimator):
    """Per PA-X category, two logistic regressions whose probabilities are averaged: one over a
    clause's sentence embedding, one over the TF-IDF of its hashed word n-grams (see
    :mod:`classify.features`). Unknown labels (-1) allowed.

    Fitted apart and averaged rather than fitted jointly on the concatenated features: on PA-X
    descriptions that scores higher under grouped folds and fits far faster, because each solver
    gets the problem it is good at (lbfgs on 384 dense columns, liblinear's dual on 2^18 sparse
    ones). With ``dense_weight=1`` it is the embedding regressions alone.

    Input X : CSR matrix of shape (n_clauses, n_dense + n_buckets), embeddings first; with
    ``dense_weight=1``, also an array of embeddings alone.

    Parameters
    ----------
    n_dense : int
        Columns of X that hold the embedding.
    C : float
        Inverse regularisation strength of the embedding regressions.
    C_lexical : float
        Inverse regularisation strength of the n-gram regressions.
    dense_weight : float in [0, 1]
        Share of the embedding regression in the averaged probability.
    class_weight : {"balanced", None}
    max_lexical_weights : int or None
        Per category, only the largest n-gram weights are kept (the model stays small).
    tol, tol_lexical : float
        Stopping tolerances of lbfgs and liblinear; looser than scikit-learn's 1e-4, with the
        same grouped-fold scores and a third less fitting time.
    memory : path or None
        Folder caching each label's fit (see :func:`fit_labels`).
    n_jobs : int or None

    Attributes
    ----------
    coef_dense_ : ndarray of shape (n_labels, n_dense), intercept_dense_ : (n_labels,)
        The embedding regressions (zeros when dense_weight is 0).
    idf_ : ndarray of shape (n_buckets,), float16
    coef_lexical_ : CSR matrix of shape (n_labels, n_buckets), float32
    intercept_lexical_ : ndarray of shape (n_labels,)
    constant_labels_ : ndarray of shape (n_labels,), bool
    """

    def __init__(self, *, n_dense: int = 384, C: float = 1.0, C_lexical: float = 2.0, dense_weight: float = 0.5,
                 class_weight="balanced", max_lexical_weights: int | None = 2000, max_iter: int = 2000,
                 tol: float = 1e-3, tol_lexical: float = 1e-2, memory=None, n_jobs=None):
        self.n_dense = n_dense
        self.C = C
        self.C_lexical = C_lexical
        self.dense_weight = dense_weight
        self.class_weight = class_weight
        self.max_lexical_weights = max_lexical_weights
        self.max_iter = max_iter
        self.tol = tol
        self.tol_lexical = tol_lexical
        self.memory = memory
        self.n_jobs = n_jobs

    def _split(self, X):
        """The embeddings (dense) and the n-gram counts (CSR, None when X holds embeddings alone)."""
        import scipy.sparse as sp

        if not sp.issparse(X) and self.dense_weight == 1:
            return np.asarray(X, dtype=np.float32)[:, : self.n_dense], None
        X = sp.csr_matrix(X, dtype=np.float32)
        if X.shape[1] <= self.n_dense and self.dense_weight < 1:
            raise ValueError(f"Found X with {X.shape[1]} columns; expected {self.n_dense} embedding columns followed by hashed n-gram counts")
        return X[:, : self.n_dense].toarray(), X[:, self.n_dense :].tocsr()

    def fit(self, X, Y, sample_weight=None):
        """X : CSR (n_clauses, n_dense + n_buckets); Y : int array (n_clauses, n_labels), -1 = unknown.

        sample_weight : array of shape (n_clauses,) or (n_clauses, n_labels), optional
        """
        import scipy.sparse as sp

        dense, counts = self._split(X)
        Y = np.asarray(Y)
        if Y.ndim != 2 or Y.shape[0] != dense.shape[0]:
            raise ValueError(f"Found X with {dense.shape[0]} rows and Y of shape {Y.shape}; expected (n_rows, n_labels)")
        if sample_weight is not None:
            sample_weight = np.asarray(sample_weight, dtype=np.float64)
        # a half whose weight is 0 is not fitted (the ablations of ``classify evaluate``)
        self.coef_dense_ = np.zeros((Y.shape[1], dense.shape[1]), dtype=np.float32)
        self.intercept_dense_ = np.zeros(Y.shape[1], dtype=np.float32)
        constant = np.ones(Y.shape[1], dtype=bool)
        if self.dense_weight > 0:
            results = fit_labels(_fit_one, dense, Y, sample_weight, (self.C, self.class_weight, self.max_iter, self.tol),
                                 memory=self.memory, n_jobs=self.n_jobs)
            self.coef_dense_ = np.vstack([r[0] for r in results]).astype(np.float32)
            self.intercept_dense_ = np.array([r[1] for r in results], dtype=np.float32)
            constant &= np.array([bool(r[2]) for r in results])
        self.coef_lexical_ = None
        if self.dense_weight < 1:
            n = counts.shape[0]
            df = np.bincount(counts.indices, minlength=counts.shape[1])
            self.idf_ = (np.log((1 + n) / (1 + df)) + 1).astype(np.float16)
            A = tfidf(counts, self.idf_)
            results = fit_labels(_fit_one_sparse, A, Y, sample_weight,
                                 (self.C_lexical, self.class_weight, self.max_iter, self.tol_lexical, self.max_lexical_weights),
                                 memory=self.memory, n_jobs=self.n_jobs)
            indptr = np.cumsum([0] + [len(r[0]) for r in results])
            W = sp.csr_matrix((np.concatenate([r[1] for r in results]).astype(np.float32),
                               np.concatenate([r[0] for r in results]).astype(np.int32), indptr), shape=(Y.shape[1], A.shape[1]))
            self.coef_lexical_ = W
            self.intercept_lexical_ = np.array([r[2] for r in results], dtype=np.float32)
            constant &= np.array([bool(r[3]) for r in results])
        self.constant_labels_ = constant
        self.n_labels_ = Y.shape[1]
        self.n_features_in_ = X.shape[1]
        return self

    def refit(self, X, Y, labels, *, start: LinearScorer, sample_weight=None):
        """Take the fitted state of ``start`` (the scorer of a model fitted with these parameters
        on these features) and fit only the labels at positions ``labels`` again on X, Y.

        Incremental retraining: categories no new label touches keep their weights, and the
        n-gram IDF stays the start's, so the refitted and the kept regressions score the same
        features. X, Y, sample_weight as for :meth:`fit`; labels : int array of label positions.
        """
        import scipy.sparse as sp

        dense, counts = self._split(X)
        Y = np.asarray(Y)
        labels = np.asarray(labels, dtype=int)
        if Y.shape[1] != start.n_labels or dense.shape[1] != start.n_dense:
            raise ValueError(f"Found Y with {Y.shape[1]} labels and {dense.shape[1]} embedding columns; the start scores {start.n_labels} on {start.n_dense}")
        weight = None
        if sample_weight is not None:
            weight = np.asarray(sample_weight, dtype=np.float64)
            weight = weight[:, labels] if weight.ndim == 2 else weight
        self.coef_dense_ = start.coef.copy()
        self.intercept_dense_ = start.intercept.copy()
        # a kept label is constant when all its weights are 0 (how fit stores a constant scorer)
        constant = ~self.coef_dense_.any(axis=1)
        if self.dense_weight > 0 and len(labels):
            results = fit_labels(_fit_one, dense, Y[:, labels], weight, (self.C, self.class_weight, self.max_iter, self.tol),
                                 memory=self.memory, n_jobs=self.n_jobs)
            for j, r in zip(labels, results):
                self.coef_dense_[j], self.intercept_dense_[j], constant[j] = r[0], r[1], bool(r[2])
        self.coef_lexical_ = None
        if self.dense_weight < 1:
            self.idf_ = np.asarray(start.arrays["idf"]).astype(np.float16)
            W = start.lexical.tocsr().astype(np.float32)
            rows = [W[j] for j in range(W.shape[0])]
            self.intercept_lexical_ = start.lexical_intercept.copy()
            kept_constant = np.diff(W.indptr) == 0
            if len(labels):
                A = tfidf(counts, self.idf_)
                results = fit_labels(_fit_one_sparse, A, Y[:, labels], weight,
                                     (self.C_lexical, self.class_weight, self.max_iter, self.tol_lexical, self.max_lexical_weights),
                                     memory=self.memory, n_jobs=self.n_jobs)
                for j, r in zip(labels, results):
                    rows[j] = sp.csr_matrix((np.asarray(r[1], dtype=np.float32), np.asarray(r[0], dtype=np.int32), [0, len(r[0])]), shape=(1, W.shape[1]))
                    self.intercept_lexical_[j] = r[2]
                    kept_constant[j] = bool(r[3])
            self.coef_lexical_ = sp.vstack(rows, format="csr").astype(np.float32)
            constant &= kept_constant
        self.constant_labels_ = constant
        self.n_labels_ = Y.shape[1]
        self.n_features_in_ = X.shape[1]
        return self

    def to_scorer(self) -> LinearScorer:
        """The fitted weights as a :class:`~classify.scoring.LinearScorer` (what a model folder stores)."""
        check_is_fitted(self, "n_labels_")
        arrays = {"dense_coef": self.coef_dense_, "dense_intercept": self.intercept_dense_, "dense_weight": np.float32(self.dense_weight)}
        if self.coef_lexical_ is not None:
            W = self.coef_lexical_
            arrays.update(idf=self.idf_, lexical_data=W.data, lexical_indices=W.indices, lexical_indptr=W.indptr,
                          lexical_intercept=self.intercept_lexical_)
        return LinearScorer(arrays)

    def predict_proba(self, X):
        """Probability that each clause carries each label, array of shape (n_clauses, n_labels)."""
        return self.to_scorer().predict_proba(X)

    def predict(self, X, threshold: float = 0.5):
        return (self.predict_proba(X) >= threshold).astype(int)
