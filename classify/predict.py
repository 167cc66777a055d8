"""Code documents with a model: segment, embed every clause, score, aggregate, quote evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .decision import CountPrior, GradeTable, ancestor_lists, decide, with_ancestors
from .modelio import Model
from .features import LexicalSpec, featurize
from .segment import Clause, affirmed, segment, segment_text

# A short document of one paragraph is also scored as a whole: a summary of a few sentences is
# often coded by what it says across them (descriptions in the training data are of this kind).
# A document laid out in paragraphs or numbered provisions is coded provision by provision, as
# PA-X coders do: scoring it whole as well lets words of different provisions add up to
# categories that no provision carries.
WHOLE_DOCUMENT_MAX_CHARS = 1500
# A batch is also cut when its documents hold this much text, so memory stays bounded
# (clause embeddings and scores of a batch are held together).
BATCH_MAX_CHARS = 2_000_000


@dataclass
class Document:
    """A document to code: ``pages`` is one text, or a list of page texts."""

    id: str
    pages: str | list[str]
    source: str | None = None

    @property
    def text(self) -> str:
        return self.pages if isinstance(self.pages, str) else "\n\n".join(self.pages)


@dataclass
class Evidence:
    text: str
    score: float
    page: int | None = None


@dataclass
class CategoryResult:
    code: str
    name: str
    group: str
    probability: float
    threshold: float
    present: bool
    evidence: list[Evidence] = field(default_factory=list)
    # sub-codes whose presence made this category present (PA-X codes a parent with its sub-code)
    implied_by: list[str] = field(default_factory=list)
    # passes its threshold, but the document already has as many categories as its length carries
    capped: bool = False
    # the value PA-X would record in the category's column (1-3) where it grades it, else None
    grade: int | None = None


@dataclass
class Coding:
    """The coding of one document: every modelled category, present or not."""

    id: str
    document: str | None
    categories: list[CategoryResult]
    n_clauses: int
    warnings: list[str] = field(default_factory=list)
    # PA-X categories the model does not assess (too few examples to learn), with the reason
    not_assessed: list = field(default_factory=list)
    # every coded PA-X category in the codings file's column order (the pax-csv columns)
    pax_columns: list[str] = field(default_factory=list)

    @property
    def present(self) -> list[CategoryResult]:
        return [c for c in self.categories if c.present]


def document_units(text_or_pages) -> tuple[list[Clause], list[str]]:
    """The clauses that can be evidence, and the texts to score: each provision without its
    negated sentences, plus the whole text if it is short and one paragraph (split into clauses
    only at sentence ends). Titles, page furniture and wholly negated provisions are never scored."""
    units = [(c, affirmed(c.text)) for c in segment(text_or_pages) if c.kind == "provision"]
    clauses, texts = [c for c, t in units if t], [t for _, t in units if t]
    whole = text_or_pages if isinstance(text_or_pages, str) else "\n\n".join(text_or_pages)
    whole = affirmed(whole.strip())
    if texts and whole and len(whole) <= WHOLE_DOCUMENT_MAX_CHARS and texts != [whole] and is_one_paragraph(whole):
        texts.append(whole)
    return clauses, texts


# Words of commitment, found in nearly every provision of an agreement or joint statement
_COMMITS = re.compile(
    r"(?i)\b(?:shall|will|agree[sd]?|agreement|undertake[sn]?|undertook|commit(?:s|ted|ment)?|must|decide[sd]?|reaffirm(?:s|ed)?"
    r"|call(?:s|ed)?\s+(?:up)?on|welcome[sd]?|condemn(?:s|ed)?|urge[sd]?|resolve[sd]?|declare[sd]?|recogni[sz]e[sd]?"
    r"|accept(?:s|ed)?|pledge[sd]?|request(?:s|ed)?|ensure[sd]?|guarantee[sd]?|parties|party)\b"
)
# Words of a report about events: a news story, not the text of an agreement
_REPORTS = re.compile(
    r"(?i)\b(?:said|says|told|according\s+to|reported(?:ly)?|spokes(?:man|woman|person)|journalists?|reporters?|analysts?"
    r"|correspondent|interview|tweeted|press\s+conference|fans?|match|goals?|scored|league|season|coach|tournament)\b"
)


def reading_warnings(clauses: list[Clause]) -> list[str]:
    """Why a document may not be coded as PA-X would code it: it has no provision to score, or
    its clauses read like a report about events (a news story, a sports article) rather than the
    text of an agreement or statement."""
    if not clauses:
        return ["no provision to code: the text holds only titles, page furniture or negated sentences"]
    if len(clauses) < 3:
        return []
    commits = sum(bool(_COMMITS.search(c.text)) for c in clauses) / len(clauses)
    reports = sum(bool(_REPORTS.search(c.text)) for c in clauses) / len(clauses)
    if reports > commits or commits < 0.25:
        return [
            f"does not read like an agreement or statement ({commits:.0%} of its clauses commit to anything, "
            f"{reports:.0%} report what someone said or did); PA-X codes agreements, so these codes may be wrong"
        ]
    return []


def scored_chars(clauses: list[Clause]) -> int:
    """Characters of a document's scored clauses: the length the count prior is applied to."""
    return sum(len(c.text) for c in clauses)


def is_one_paragraph(text: str) -> bool:
    """True when ``text`` has no paragraph break and no numbered or bulleted provision."""
    return len(segment_text(text, max_chars=len(text) + 1, min_chars=1)) <= 1


def pool_units(unit_scores: np.ndarray, owner: np.ndarray, n_docs: int) -> np.ndarray:
    """The best unit's score per document: (n_units, n_cat) with ``owner`` (n_units,) -> (n_docs, n_cat).

    A category is present if some clause carries it (multiple-instance view).
    Training chooses thresholds on scores pooled by this same function.
    """
    out = np.zeros((n_docs, unit_scores.shape[1]), dtype=np.float32)
    np.maximum.at(out, owner, unit_scores)
    return out


def decide_documents(model: Model, pooled: np.ndarray, thresholds: np.ndarray, chars, *, use_prior: bool = True):
    """Present categories of documents: ``thresholds`` (the model's, no higher than its
    ``max_threshold``), its count prior (unless ``use_prior`` is False, as with a user's
    ``--threshold``) and the hierarchy.

    Returns ``present``, bool (n_docs, n_cat), and ``implied_by``: (document, category) -> the
    present sub-codes that made a category present that was not present on its own.
    """
    decision = model.manifest.get("decision") or {}
    prior = CountPrior.from_dict(decision.get("count_prior")) if use_prior else None
    categories = model.categories
    codes = [c.code for c in categories]
    ancestors = ancestor_lists([c.parent for c in categories], codes)
    selected = decide(pooled, thresholds, chars=np.asarray(chars), prior=prior)
    present = with_ancestors(selected, ancestors)
    implied_by = {}
    for d, k in zip(*np.nonzero(selected)):
        for j in ancestors[k]:
            if not selected[d, j]:
                implied_by.setdefault((int(d), j), []).append(codes[k])
    return present, implied_by


def code_documents(
    model: Model,
    documents: list[Document],
    encoder,
    *,
    threshold: float | None = None,
    top_k: int = 3,
    progress=None,
) -> list[Coding]:
    """Code a batch of documents. Clauses of the whole batch are embedded together.

    Parameters
    ----------
    model : Model
    documents : list of Document
    encoder : object with ``encode(texts) -> array of shape (n_texts, dim)``
    threshold : float, optional
        One threshold for every category instead of the model's per-category thresholds.
    top_k : int
        At most this many evidence clauses per present category.
    """
    categories = model.categories
    decision = model.manifest.get("decision") or {}
    thresholds = np.array([threshold if threshold is not None else c.threshold for c in categories], dtype=np.float32)
    if threshold is None and decision.get("max_threshold") is not None:
        thresholds = np.minimum(thresholds, np.float32(decision["max_threshold"]))
    per_doc = [document_units(d.pages) for d in documents]
    all_texts = [t for _, texts in per_doc for t in texts]
    names = (model.manifest.get("text") or {}).get("names", "kept")
    features = featurize(all_texts, encoder, LexicalSpec.from_dict(model.manifest.get("lexical")), names=names) if all_texts else None
    scores = model.estimator.predict_proba(features) if len(all_texts) else np.zeros((0, len(categories)))
    owner = np.repeat(np.arange(len(documents)), [len(texts) for _, texts in per_doc])
    pooled = pool_units(scores, owner, len(documents))
    decided, implied_by = decide_documents(model, pooled, thresholds, [scored_chars(clauses) for clauses, _ in per_doc], use_prior=threshold is None)
    capped = (pooled >= thresholds) & ~decided
    codings = []
    offset = 0
    not_assessed = [c for c in model.uncovered if c.coded]
    grade_tables = {t.code: t for t in map(GradeTable.from_dict, decision.get("grades") or [])}
    pax_columns = model.manifest.get("pax_columns") or [c.code for c in categories] + [c.code for c in not_assessed]
    for d, (doc, (clauses, texts)) in enumerate(zip(documents, per_doc)):
        clause_scores = scores[offset : offset + len(clauses)]
        offset += len(texts)
        doc_scores = pooled[d]
        present_codes = {cat.code: bool(decided[d, j]) for j, cat in enumerate(categories)}
        results = []
        for j, cat in enumerate(categories):
            present = bool(decided[d, j])
            evidence = []
            if present and len(clauses):
                order = np.argsort(-clause_scores[:, j], kind="stable")[:top_k]
                for rank, i in enumerate(order):
                    s = float(clause_scores[i, j])
                    # the best clause always; the others only when they pass the threshold themselves
                    if rank == 0 or s >= thresholds[j]:
                        evidence.append(Evidence(clauses[i].text, round(s, 4), clauses[i].page))
            results.append(
                CategoryResult(cat.code, cat.name, cat.group, round(float(doc_scores[j]), 4), round(float(thresholds[j]), 4), present, evidence,
                               implied_by.get((d, j), []), bool(capped[d, j]),
                               grade_tables[cat.code].grade(present_codes) if present and cat.code in grade_tables else None)
            )
        codings.append(Coding(doc.id, doc.source, results, len(clauses), reading_warnings(clauses), not_assessed, pax_columns))
        if progress is not None:
            progress(1)
    return codings


def code_batches(model: Model, documents: Iterable[Document], encoder, *, batch_size: int = 64, **options) -> Iterator[list[Coding]]:
    """Code documents as they come, ``batch_size`` of them (or ``BATCH_MAX_CHARS`` of text) at a
    time: yields the codings of each batch, so a long run holds one batch at a time.
    ``options`` are ``code_documents``'."""
    batch, chars = [], 0
    for doc in documents:
        batch.append(doc)
        chars += len(doc.text)
        if len(batch) >= batch_size or chars >= BATCH_MAX_CHARS:
            yield code_documents(model, batch, encoder, **options)
            batch, chars = [], 0
    if batch:
        yield code_documents(model, batch, encoder, **options)
