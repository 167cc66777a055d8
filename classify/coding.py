"""What a document's coding is made of: the units scored (provisions, not titles or negated
sentences), how their scores pool, and the results (categories with evidence). The model that
produces them is :class:`classify.model.Model`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

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
    clause: int | None = None  # its position among the document's clauses (from 0)


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


def document_units(text_or_pages, *, whole_document_max_chars: int = WHOLE_DOCUMENT_MAX_CHARS) -> tuple[list[Clause], list[str]]:
    """The clauses that can be evidence, and the texts to score: each provision without its
    negated sentences, plus the whole text if it is short and one paragraph (split into clauses
    only at sentence ends). Titles, page furniture and wholly negated provisions are never scored."""
    units = [(c, affirmed(c.text)) for c in segment(text_or_pages) if c.kind == "provision"]
    clauses, texts = [c for c, t in units if t], [t for _, t in units if t]
    whole = text_or_pages if isinstance(text_or_pages, str) else "\n\n".join(text_or_pages)
    whole = affirmed(whole.strip())
    if texts and whole and len(whole) <= whole_document_max_chars and texts != [whole] and is_one_paragraph(whole):
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


def as_documents(items):
    """``Document``s as they are, strings as documents numbered by position from 1."""
    return (d if isinstance(d, Document) else Document(str(i + 1), d) for i, d in enumerate(items))


def batched(documents, batch_size: int, max_chars: int = BATCH_MAX_CHARS):
    """Lists of at most ``batch_size`` documents, a list also cut once it holds ``max_chars`` of
    text: the clause embeddings and scores of a batch are held together, so memory stays bounded."""
    batch, chars = [], 0
    for doc in documents:
        batch.append(doc)
        chars += len(doc.text)
        if len(batch) >= batch_size or chars >= max_chars:
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch
