"""The clause-role model: which clauses commit (operative), recite, report, quote or are furniture.

Its rows come from text the data already holds, labelled by where the text comes from:

- operative: provisions, quoted clauses and the provisions of full texts (a clause that opens
  like a recital, "Recalling ...", "Considering ...", is a recital);
- report: coders' descriptions, which are third-person accounts of agreements, whole and by sentence;
- furniture: agreement titles (the codings' ``Agt``), and the title and page-furniture lines of
  full texts;
- and :mod:`training.role_examples`: news prose, quoted remarks, signature blocks and lead-ins
  written for this project.

It is fitted on the same features as the categories (embedding and hashed n-grams), so
prediction scores a clause's role from the features it computes anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from classify.roles import FURNITURE, OPERATIVE, QUOTED, RECITAL, REPORT, ROLES
from classify.segment import RECITAL_OPENING as _RECITAL, segment, sentence_spans

from . import role_examples
from .sources import PaxData

OWN = "own-examples"  # the group of the examples written for this project
CLAUSE_KINDS = ("provision", "fulltext_clause", "quote")
_PARAPHRASE = re.compile(r"(?i)^\W*(?:(?:the|both|all|two|the\s+two)\s+)*(?:parties|signatories|sides|they|governments?|countries|states|leaders|participants)\b"
                         r"|\b(?:shall|will)\b")


@dataclass
class RoleSet:
    """Rows to fit the role model on.

    texts : list of str; role : int array (n_rows,), an index into ROLES
    groups : array of str: the peace process of a PA-X row, ``OWN-<template>`` for an example
        of ours (held out by template)
    source : array of str, where each row comes from
    training_row : int array (n_rows,), the row of the category training set with the same text
        (its features are reused), -1 for rows to featurise
    """

    texts: list
    role: np.ndarray
    groups: np.ndarray
    source: np.ndarray
    training_row: np.ndarray

    def summary(self) -> dict:
        return {ROLES[r]: int((self.role == r).sum()) for r in range(len(ROLES))}


def is_recital(text: str) -> bool:
    return bool(_RECITAL.match(text))


def build_role_set(data: PaxData, ts, *, seed: int = 0) -> RoleSet:
    """The role rows of ``data`` and of our own examples; ``ts`` is the category training set,
    whose clause and description rows are reused (with their features)."""
    texts, role, groups, source, row = [], [], [], [], []

    def add(text, r, group, src, i=-1):
        texts.append(text)
        role.append(r)
        groups.append(group)
        source.append(src)
        row.append(i)

    for i, (text, kind, group) in enumerate(zip(ts.texts, ts.kinds, ts.groups)):
        if kind == "description":
            # a sentence that paraphrases a provision in the agreement's own voice ("The parties
            # shall ...", "They commit to ...") reads like the provision, not like a report: it is
            # left out, and with it the whole description it is in
            sentences = [text[s:e] for s, e in sentence_spans(text)]
            paraphrase = [bool(_PARAPHRASE.search(x)) for x in sentences]
            if not any(paraphrase):
                add(text, REPORT, group, "description", i)
            for sentence, para in zip(sentences, paraphrase):
                if 40 <= len(sentence) < len(text) - 5 and not para:
                    add(sentence, REPORT, group, "description sentence")
        elif kind in CLAUSE_KINDS:
            add(text, RECITAL if is_recital(text) else OPERATIVE, group, kind, i)
    titles = getattr(data, "titles", None)
    if titles is not None:
        for agt, title in titles.items():
            if isinstance(title, str) and title.strip():
                add(title.strip(), FURNITURE, str(data.groups.get(agt)), "title")
    for agt, text in zip(data.fulltexts().AgtId, data.fulltexts().text):
        for c in segment(text):
            if c.kind != "provision":
                add(c.text, FURNITURE, str(data.groups.get(agt)), f"fulltext {c.kind}")
    names = {"report": REPORT, "quoted": QUOTED, "furniture": FURNITURE, "recital": RECITAL, "operative": OPERATIVE}
    for name, text, template in role_examples.examples(seed):
        add(text, names[name], f"{OWN}-{name}-{template}", "own example")
    return RoleSet(texts, np.array(role, dtype=np.int64), np.array(groups), np.array(source), np.array(row, dtype=np.int64))


def role_labels(rs: RoleSet) -> np.ndarray:
    """One-hot labels (n_rows, n_roles), int8, as the one-vs-rest estimator takes them."""
    Y = np.zeros((len(rs.role), len(ROLES)), dtype=np.int8)
    Y[np.arange(len(rs.role)), rs.role] = 1
    return Y


def role_weights(rs: RoleSet, rows: np.ndarray) -> np.ndarray:
    """Per row, the inverse frequency of its role among ``rows``: every role weighs the same
    (operative rows outnumber our news examples twenty to one)."""
    counts = np.bincount(rs.role[rows], minlength=len(ROLES)).astype(np.float64)
    w = np.where(counts > 0, counts.sum() / np.maximum(counts, 1) / len(ROLES), 0.0)
    return w[rs.role]


def fit_roles(make_estimator, F, rs: RoleSet, rows: np.ndarray):
    """The role estimator fitted on the role rows ``rows`` (bool mask) of features ``F``."""
    return make_estimator().fit(F[rows], role_labels(rs)[rows], sample_weight=role_weights(rs, rows)[rows])


def heldout_figures(truth: np.ndarray, probabilities: np.ndarray) -> dict:
    """Accuracy and per-role precision and recall of role predictions on held-out rows."""
    pred = probabilities.argmax(axis=1)
    out = {"rows": int(len(truth)), "accuracy": round(float((pred == truth).mean()), 4) if len(truth) else None, "per_role": {}}
    for r, name in enumerate(ROLES):
        tp = int(((pred == r) & (truth == r)).sum())
        n_pred, n_true = int((pred == r).sum()), int((truth == r).sum())
        out["per_role"][name] = {"rows": n_true, "precision": round(tp / n_pred, 4) if n_pred else None,
                                 "recall": round(tp / n_true, 4) if n_true else None}
    return out
