"""Baselines that ``classify evaluate`` trains on the same folds as the model, in the same run.

Both take texts instead of embeddings (``X`` is an object array of str) and have the model's
interface: ``fit(X, Y)`` with Y of shape (n_rows, n_labels), 1 / 0 / -1 unknown, and
``predict_proba(X)`` of shape (n_texts, n_labels). So they go through the same
``fit_and_threshold`` as the model: same training rows, same threshold folds, same pooling.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from training.estimator import constant_logit, fit_labels, label_rows

from .dataset import definition_text

# Fixed, not tuned: a baseline is a reference point, so it must not move when the model does.
TFIDF_C = 4.0
TFIDF_MAX_FEATURES = 50_000


def _fit_label(Xs, y, sample_weight, j, C):
    known, weight = label_rows(y, sample_weight, j)
    yk = y[known]
    logit = constant_logit(yk)
    if logit is not None:
        return None, logit
    # the dual problem: same optimum, far faster where n-grams outnumber rows
    clf = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000, random_state=0)
    clf.fit(Xs[known], yk, sample_weight=weight)
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


class TfidfLogreg(BaseEstimator):
    """TF-IDF word 1-2-grams + one logistic regression per label.

    scikit-learn's ``OneVsRestClassifier`` would fit every label on every row; PA-X labels are
    partial (-1 unknown), so each label is fitted on its known rows, as the model does.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
    coef_ : ndarray of shape (n_features, n_labels)
    intercept_ : ndarray of shape (n_labels,)
    """

    def __init__(self, *, C: float = TFIDF_C, max_features: int = TFIDF_MAX_FEATURES, n_jobs=None):
        self.C = C
        self.max_features = max_features
        self.n_jobs = n_jobs

    def fit(self, X, Y, sample_weight=None):
        """X : array of str, shape (n_rows,); Y : int array of shape (n_rows, n_labels);
        sample_weight : (n_rows,) or (n_rows, n_labels), optional, as the model gets it."""
        Y = np.asarray(Y)
        sample_weight = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, max_features=self.max_features)
        Xs = self.vectorizer_.fit_transform(list(X)).tocsr()
        self.vectorizer_.stop_words_ = None  # every pruned n-gram, kept only for introspection; large
        results = fit_labels(_fit_label, Xs, Y, sample_weight, (self.C,), n_jobs=self.n_jobs)
        self.coef_ = np.zeros((Xs.shape[1], Y.shape[1]), dtype=np.float32)
        for j, (w, _) in enumerate(results):
            if w is not None:
                self.coef_[:, j] = w
        self.intercept_ = np.array([b for _, b in results], dtype=np.float32)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "coef_")
        z = np.asarray(self.vectorizer_.transform(list(X)) @ self.coef_) + self.intercept_
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


# Words of the codebook's framing, not of any topic.
FRAMING = frozenset(
    "agreement agreements provision provisions provide provides provided include includes including "
    "value values variable binary takes refer refers reference parties party specific specifically "
    "mention mentions general generally issue issues relating related relation regarding other "
    "measures measure state states also such which where whether".split()
)


def _stem(word: str) -> str:
    # a crude prefix stem: "prisoners"/"prisoner", "elections"/"electoral" meet; no extra dependency
    return word[:6]


def keyword_terms(text: str) -> set[str]:
    words = re.findall(r"[a-z]{3,}", text.lower())
    return {_stem(w) for w in words if w not in ENGLISH_STOP_WORDS and w not in FRAMING}


class KeywordScorer(BaseEstimator):
    """Scores a text for a category by the share of the category's name and definition terms it
    contains (name terms count twice). Nothing is learned: ``fit`` only checks shapes, and
    thresholds are chosen like the model's.

    Parameters
    ----------
    codes : list of str, the label columns
    categories : DataFrame indexed by code with ``name`` and ``definition``
    """

    def __init__(self, *, codes: list[str], categories: pd.DataFrame):
        self.codes = codes
        self.categories = categories

    def fit(self, X=None, Y=None, sample_weight=None):
        terms = []
        for code in self.codes:
            known = code in self.categories.index
            name = str(self.categories.at[code, "name"]) if known else code
            name_terms = keyword_terms(name)
            definition = (definition_text(code, self.categories) or "") if known else ""
            terms.append({**{t: 1.0 for t in keyword_terms(definition)}, **{t: 2.0 for t in name_terms}})
        vocab = sorted({t for ts in terms for t in ts})
        index = {t: i for i, t in enumerate(vocab)}
        W = np.zeros((len(vocab), len(self.codes)), dtype=np.float32)
        for j, ts in enumerate(terms):
            for t, w in ts.items():
                W[index[t], j] = w
        self.coef_ = W / np.maximum(W.sum(axis=0, keepdims=True), 1e-9)
        self.vectorizer_ = CountVectorizer(analyzer=lambda text: list(keyword_terms(text)), vocabulary=vocab, binary=True)
        return self

    def predict_proba(self, X):
        check_is_fitted(self, "coef_")
        return np.asarray(self.vectorizer_.transform(list(X)) @ self.coef_, dtype=np.float32)
