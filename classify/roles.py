"""What each clause does in its document, and what kind of document that makes it.

A clause is one of :data:`ROLES`: it commits or decides (``operative``), it is a recital or
preamble, a report (narrative about events, or about the text itself: "the document outlines
..."), quoted speech, or furniture (headings, signatures, datelines, page navigation). The roles
come from a model fitted at training time on the same features as the categories (see
``training/roles.py``); titles and page furniture that :mod:`classify.segment` recognises are
furniture without asking it.

Only operative clauses carry codes, and recitals the rhetorical ones: a clause's category scores
are multiplied by its :func:`carry` weight, so a reported remark or a headline is never evidence.
The document's type follows from its clauses' roles (:func:`document_type`).
"""

from __future__ import annotations

import numpy as np

ROLES = ("operative", "recital", "report", "quoted", "furniture")
OPERATIVE, RECITAL, REPORT, QUOTED, FURNITURE = range(len(ROLES))

AGREEMENT = "agreement"  # an agreement or a statement by the parties
NEWS_WITH_TEXT = "news-with-agreement"  # a news page that carries an agreement's text: coded from that text
NEWS = "news-about-talks"  # a report about talks: codes only from operative text it quotes
OTHER = "other"
DOCUMENT_TYPES = (AGREEMENT, NEWS_WITH_TEXT, NEWS, OTHER)


def normalise(probabilities: np.ndarray) -> np.ndarray:
    """One-vs-rest role probabilities (n, n_roles) -> rows that sum to 1."""
    p = np.asarray(probabilities, dtype=np.float64)
    total = p.sum(axis=1, keepdims=True)
    total[total == 0] = 1
    return (p / total).astype(np.float32)


def carry(roles: np.ndarray, rhetorical: np.ndarray, recital_weight: float) -> np.ndarray:
    """How much of a clause's category score counts, (n_units, n_categories).

    roles : (n_units, n_roles) normalised role probabilities
    rhetorical : bool (n_categories,), the categories a recital carries in full (PA-X codes a
        preamble's rhetorical commitments); the others count ``recital_weight`` of a recital.
    """
    operative, recital = roles[:, OPERATIVE][:, None], roles[:, RECITAL][:, None]
    return operative + recital * np.where(rhetorical[None, :], 1.0, recital_weight).astype(np.float32)


def document_type(roles: np.ndarray, chars: np.ndarray, *, min_block: int = 3) -> tuple[str, float]:
    """The document's type and its share of operative text (recitals count with it).

    roles : (n_clauses, n_roles) normalised, for the document's clauses in order (furniture too);
    chars : (n_clauses,) their lengths. A news page carries an agreement when its operative
    clauses form a run of at least ``min_block`` clauses, uninterrupted by reports or quotes.
    """
    if not len(roles):
        return OTHER, 0.0
    role = roles.argmax(axis=1)
    text = role != FURNITURE
    total = float(chars[text].sum()) or 1.0
    committing = np.isin(role, (OPERATIVE, RECITAL))
    share = float(chars[committing].sum()) / total
    narrative = float(chars[np.isin(role, (REPORT, QUOTED))].sum()) / total
    if narrative < 0.35:
        return AGREEMENT, share
    run = best = 0
    for r in role:
        if r in (OPERATIVE, RECITAL):
            run += 1
            best = max(best, run)
        elif r != FURNITURE:
            run = 0
    if best >= min_block:
        return NEWS_WITH_TEXT, share
    return NEWS, share
