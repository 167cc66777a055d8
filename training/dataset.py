"""Turn PA-X gold into clause-level training rows with partial labels (1, 0, -1 unknown)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from classify.coding import about_women, document_units
from classify.decision import ancestors
from classify.segment import segment

from .sources import PaxData

DEFINITIONS_GROUP = "__definitions__"
# Row kinds whose text stands for a whole agreement (its labels are the agreement's codes)
AGREEMENT_KINDS = ("description",)
# A clause of a document reviewed in classify review that the coder made no decision on: it
# carries the document's codings as a full text's clause does (review_document_rows)
REVIEWED_TEXT_KIND = "reviewed_text"
# Row kinds of one clause each
CLAUSE_KINDS = ("quote", "provision", "fulltext_clause", REVIEWED_TEXT_KIND)
# A clause a coder decided in classify review: labelled only for the categories decided on it,
# never weak (TrainSettings.review_weight), and in no bag
REVIEWED_KIND = "reviewed_clause"


@dataclass
class TrainingSet:
    """Rows to fit on.

    texts : list of str, length n_rows
    Y : int8 array of shape (n_rows, n_categories); 1 carries the code, 0 does not, -1 unknown
    groups : array of str, the peace process of each row (definitions: their own group)
    kinds : array of str, where each row comes from (description, quote, provision, ...)
    agt : array of int, AgtId of each row (-1 for definitions)
    bags : bool array like Y: a clause row of an agreement that carries the code, unless a coder
        placed the code on a clause of it in classify review. The agreement's clauses are a bag of
        which at least one carries it (multiple-instance learning: see ``train.bag_positives``);
        False on rows that are no clause of a coded agreement.
    """

    texts: list
    Y: np.ndarray
    groups: np.ndarray
    kinds: np.ndarray
    agt: np.ndarray
    codes: list
    bags: np.ndarray = None

    def summary(self) -> dict:
        return {k: int(v) for k, v in pd.Series(self.kinds).value_counts().items()}


def select_categories(data: PaxData, min_positive: int) -> tuple[list[str], list[dict]]:
    """Codes with at least ``min_positive`` positive agreements, and the ones left out with why."""
    pos = (data.labels == 1).sum()
    cats = data.categories
    keep, dropped = [], []
    for code in data.labels.columns:
        if code not in cats.index and len(cats):
            continue  # a column the category table does not know (metadata, typos): not a category
        n = int(pos[code])
        if n >= min_positive:
            keep.append(code)
        else:
            dropped.append({"code": code, "n_positive": n, "coded": True, "reason": f"too few examples: {n} positive agreement{'' if n == 1 else 's'}, {min_positive} needed"})
    for code in cats.index.difference(data.labels.columns):
        dropped.append({"code": code, "n_positive": 0, "coded": False, "reason": "no coded column in the data (a heading, or coded in another dataset)"})
    return keep, dropped


def label_frame(data: PaxData, codes: list[str]) -> pd.DataFrame:
    """Agreements x ``codes``: 1 coded, 0 not, -1 where the codings file has no such column."""
    return data.labels.reindex(columns=codes).fillna(-1).astype(np.int8)


def mark_positive(y: np.ndarray, code: str, col: dict, parent_of: dict, only=None) -> None:
    """Set ``y`` to 1 for ``code`` and its ancestors (PA-X codes a parent with its sub-code), at
    their positions ``col`` (code -> column); with ``only``, at those columns alone."""
    for c in [code, *ancestors(code, parent_of)]:
        if c in col and (only is None or col[c] in only):
            y[col[c]] = 1


def definition_text(code: str, categories: pd.DataFrame) -> str | None:
    d = categories.at[code, "definition"] if code in categories.index else None
    if not isinstance(d, str) or not d.strip():
        return None
    # the codebook's framing says nothing about the topic; keep what the provision is about
    d = re.sub(r"(?i)^.*?takes? (?:the )?values? of 1(?:, 2,? or 3)? if\s*", "", d.strip())
    d = re.sub(r"(?i)\s*(?:otherwise 0|if no such provisions.*)$", "", d)
    return f"{categories.at[code, 'name']}: {d}"


def reviewed_rows(reviewed: pd.DataFrame, codes: list[str], parent_of: dict) -> list[tuple[int, str, np.ndarray]]:
    """(AgtId, clause text, labels) per clause a coder decided (``PaxData.reviewed``).

    What each decision teaches: accept and add, the category (and its ancestors) on that clause;
    reject, its absence there; nothing about the categories not decided on it. A later decision
    on the same clause text wins."""
    col = {c: j for j, c in enumerate(codes)}
    out = []
    for (agt, text), group in reviewed.sort_values("timestamp", kind="stable").groupby(["AgtId", "text"], sort=False):
        y = np.full(len(codes), -1, dtype=np.int8)
        for code, value in zip(group.code, group.value):
            if value > 0:  # an unmodelled sub-code still marks its modelled ancestors
                mark_positive(y, code, col, parent_of)
            elif code in col:
                y[col[code]] = 0
        if (y >= 0).any():
            out.append((int(agt), text, y))
    return out


def review_document_rows(documents: pd.DataFrame, decided: list, L: pd.DataFrame) -> list[tuple[int, str, np.ndarray, np.ndarray]]:
    """(AgtId, clause text, labels, bag) per clause of a reviewed document (``documents``: AgtId,
    text) that no decided clause (``decided``: :func:`reviewed_rows`) is: what the document's
    agreement-level codings ``L`` teach, as for a full text's clauses. A category the document
    lacks (for a document of its own, one rejected or left undecided when the coder marked it
    done) is absent from each of them, weakly where no clause gold of the category exists
    (``weak_negatives``); one it carries is a bag for multiple-instance learning unless a decided
    clause already carries it. A clause no category is known for is left out."""
    keys = {(agt, text) for agt, text, _ in decided}
    placed = placed_codes(decided, L.shape[1])
    out = []
    for agt, text in documents.drop_duplicates().itertuples(index=False, name=None):
        if (agt, text) in keys or agt not in L.index:
            continue
        label = L.loc[agt].to_numpy()
        bag = (label > 0) & ~placed.get(int(agt), False)
        y = np.where(label == 0, 0, -1).astype(np.int8)
        if (y == 0).any() or bag.any():
            out.append((int(agt), text, y, bag))
    return out


def placed_codes(decided: list, n_codes: int) -> dict:
    """AgtId -> bool array (n_codes,): the categories a decided clause of the document carries."""
    placed: dict = {}
    for agt, _, y in decided:
        placed[agt] = placed.get(agt, np.zeros(n_codes, dtype=bool)) | (y == 1)
    return placed


def build_training_set(data: PaxData, codes: list[str]) -> TrainingSet:
    L = label_frame(data, codes)
    col = {c: j for j, c in enumerate(codes)}
    texts, rows, groups, kinds, agts = [], [], [], [], []

    def add(text, y, agt, kind):
        texts.append(text)
        rows.append(y)
        groups.append(str(data.groups.get(agt, f"agt-{agt}")) if agt >= 0 else DEFINITIONS_GROUP)
        kinds.append(kind)
        agts.append(agt)

    for agt, text in zip(data.descriptions().AgtId, data.descriptions().text):
        add(text, L.loc[agt].values.copy(), agt, "description")

    # text with no per-clause codes: a clause of an agreement that lacks a code cannot carry it;
    # for the agreement's own codes the clause's label is unknown
    provisions = data.texts[data.texts.kind == "provision"]
    clause_texts = [(agt, text, "provision") for agt, text in zip(provisions.AgtId, provisions.text)]
    for agt, text in zip(data.fulltexts().AgtId, data.fulltexts().text):
        clause_texts += [(agt, c.text, "fulltext_clause") for c in segment(text) if c.kind == "provision"]
    quoted = data.quotes.groupby(["AgtId", "text"])["code"].apply(set)
    reviewed_keys = set(zip(data.reviewed.AgtId, data.reviewed.text))
    # a clause a coder decided is learned from what the coder said, not from its agreement's codes
    quoted_keys = set(quoted.index) | reviewed_keys
    for agt, text, kind in clause_texts:
        if (agt, text) in quoted_keys:
            continue
        add(text, np.where(L.loc[agt].values == 0, 0, -1).astype(np.int8), agt, kind)

    for (agt, text), qcodes in quoted.items():
        if (agt, text) in reviewed_keys:
            continue
        y = np.where(L.loc[agt].values == 0, 0, -1).astype(np.int8)
        for q in qcodes:
            mark_positive(y, q, col, data.parent_of)
        if (y == 1).any():
            add(text, y, agt, "quote")

    decided = reviewed_rows(data.reviewed, codes, data.parent_of)
    for agt, text, y in decided:
        add(text, y, agt, REVIEWED_KIND)
    review_bags = []
    # a reviewed PA-X agreement whose clauses PA-X's files hold is learned from those (under the
    # codings the review changed), not a second time from the review's own segmentation of it
    with_clauses = {agt for agt, _, _ in clause_texts} | {agt for agt, _ in quoted.index}
    for agt, text, y, bag in review_document_rows(data.review_clauses, decided, L):
        if agt not in with_clauses:
            add(text, y, agt, REVIEWED_TEXT_KIND)
            review_bags.append(bag)

    for code in codes:
        text = definition_text(code, data.categories)
        if text:
            y = np.full(len(codes), -1, dtype=np.int8)
            mark_positive(y, code, col, data.parent_of)
            add(text, y, -1, "definition")

    Y = np.vstack(rows).astype(np.int8) if rows else np.zeros((0, len(codes)), dtype=np.int8)
    kinds, agts = np.array(kinds), np.array(agts)
    clause_rows = np.isin(kinds, CLAUSE_KINDS) & np.isin(agts, L.index) & (kinds != REVIEWED_TEXT_KIND)
    bags = np.zeros(Y.shape, dtype=bool)
    bags[clause_rows] = L.loc[agts[clause_rows]].to_numpy() == 1
    for agt, carried in placed_codes(decided, len(codes)).items():  # a coder placed it: no bag left to search
        bags[clause_rows & (agts == agt)] &= ~carried
    if review_bags:
        bags[kinds == REVIEWED_TEXT_KIND] = np.vstack(review_bags)
    return TrainingSet(texts, Y, np.array(groups), kinds, agts, list(codes), bags)


def weak_negatives(Y: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """Where a clause-level row is negative for a code that no clause-level row is positive
    for, bool array like Y.

    Such a negative is true (a provision of an agreement without a ceasefire is no ceasefire
    clause) but lopsided: every positive of the code is an agreement description, so at full
    weight the regression learns that clause-style wording means "absent". Training weighs them
    down (``TrainSettings.weak_negative_weight``).
    """
    clause = np.isin(kinds, CLAUSE_KINDS)
    # reviewed clauses (REVIEWED_KIND) are not clause kinds here: a coder's accept does not turn
    # every other clause negative of its code to full weight, and a reject is never weak
    no_clause_positive = ~(Y[clause] == 1).any(axis=0)
    return clause[:, None] & no_clause_positive[None, :] & (Y == 0)


@dataclass
class DocumentSet:
    """Agreement-level documents used to choose thresholds and to evaluate.

    unit_texts : list of str, the scored units of all documents, concatenated
    owner : int array of shape (n_units,), the document each unit belongs to
    labels : int8 array of shape (n_docs, n_categories)
    groups, agt : arrays of shape (n_docs,)
    kinds : array of shape (n_docs,), "fulltext" or "description": what each document is
    chars : int array of shape (n_docs,), characters of each document's scored clauses
    agreement_chars : float array of shape (n_docs,), characters of the agreement's full text
        (PA-X's N_characters; NaN where unknown), which the count prior is fitted on
    grades : int8 array like labels, PA-X's values 0-3 (-1 unknown), which grade tables are fitted on
    parent_of : dict, code -> parent code, for every category known
    unit_chars : int array (n_units,), what each unit adds to its document's length (``Units.chars``)
    about_women : bool array (n_units,), units about women, girls or gender
    unit_clause : int array (n_units,), the clause of its document each unit is of (``Units.clause``)
    unit_announced : bool array (n_units,), units after a line that says an agreement's text follows (``Units.announced``)
    """

    unit_texts: list
    owner: np.ndarray
    labels: np.ndarray
    groups: np.ndarray
    agt: np.ndarray
    kinds: np.ndarray
    chars: np.ndarray
    agreement_chars: np.ndarray
    grades: np.ndarray
    parent_of: dict
    unit_chars: np.ndarray = None
    about_women: np.ndarray = None
    unit_clause: np.ndarray = None
    unit_announced: np.ndarray = None

    @property
    def gated(self) -> np.ndarray:
        """Bool (n_units,): units of real agreement text, whose roles decide what they carry (a
        description is a report by nature, and is coded whole)."""
        return self.kinds[self.owner] != "description" if len(self.owner) else np.zeros(0, dtype=bool)

    @property
    def kind(self) -> str:
        """The kinds of text the documents are, with counts: "description (2057), fulltext (13)"."""
        counts = pd.Series(self.kinds).value_counts()
        return ", ".join(f"{k} ({n})" for k, n in counts.items())


def documents_from_texts(items, data: PaxData, codes: list[str]) -> DocumentSet:
    """Documents from (AgtId, kind, text) items, each split into units as ``classify predict`` does."""
    L = label_frame(data, codes)
    unit_texts, owner, chars, unit_chars, unit_clause, unit_announced = [], [], [], [], [], []
    for i, (_, _, text) in enumerate(items):
        units = document_units(text)
        unit_texts += units.texts
        owner += [i] * len(units.texts)
        unit_chars.append(units.chars)
        unit_clause.append(units.clause)
        unit_announced.append(units.announced)
        chars.append(int(units.chars.sum()))
    agt = np.array([a for a, _, _ in items], dtype=np.int64)
    return DocumentSet(
        unit_texts,
        np.array(owner, dtype=np.int64),
        L.loc[agt].to_numpy() if len(agt) else np.zeros((0, len(codes)), dtype=np.int8),
        np.array([str(data.groups.get(a)) for a in agt]),
        agt,
        np.array([k for _, k, _ in items]),
        np.array(chars, dtype=np.int64),
        data.lengths.reindex(agt).to_numpy(dtype=np.float64),
        data.grades.reindex(index=agt, columns=codes).fillna(-1).to_numpy(dtype=np.int8) if len(agt) else np.zeros((0, len(codes)), dtype=np.int8),
        data.parent_of,
        np.concatenate(unit_chars) if unit_chars else np.zeros(0, dtype=np.int64),
        np.array([about_women(t) for t in unit_texts], dtype=bool),
        np.concatenate(unit_clause) if unit_clause else np.zeros(0, dtype=np.int64),
        np.concatenate(unit_announced) if unit_announced else np.zeros(0, dtype=bool),
    )


def build_documents(data: PaxData, codes: list[str], *, kind: str = "auto") -> DocumentSet:
    """One document per agreement. kind "auto": its full text where the data has one (a corpus
    may cover a few agreements), else its description; "fulltext" or "description": only
    agreements with that text."""
    texts = data.texts
    if kind == "auto":
        frame = texts[texts.kind.isin(["fulltext", "reviewed", "description"])].copy()
        # full text first, then a reviewed document's text (the clauses the coder saw), then the summary
        frame["order"] = frame.kind.map({"fulltext": 0, "reviewed": 1}).fillna(2).astype(int)
        frame = frame.sort_values(["order"], kind="stable").drop_duplicates("AgtId").sort_index()
    else:
        frame = texts[texts.kind == kind].drop_duplicates("AgtId")
    return documents_from_texts(list(zip(frame.AgtId, frame.kind, frame.text)), data, codes)
