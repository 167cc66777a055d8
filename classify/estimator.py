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
