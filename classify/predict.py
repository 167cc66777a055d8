"""Code documents with a model: segment, embed every clause, score, aggregate, quote evidence."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from .modelio import Model
from .features import LexicalSpec, featurize
from .segment import Clause, segment, segment_text

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


@dataclass
class Coding:
    """The coding of one document: every modelled category, present or not."""

    id: str
    document: str | None
    categories: list[CategoryResult]
    n_clauses: int

    @property
    def present(self) -> list[CategoryResult]:
        return [c for c in self.categories if c.present]


def document_units(text_or_pages) -> tuple[list[Clause], list[str]]:
    """The clauses of a document, and the texts to score: every clause, plus the whole text if it
    is short and one paragraph (split into clauses only at sentence ends)."""
    clauses = segment(text_or_pages)
    texts = [c.text for c in clauses]
    whole = text_or_pages if isinstance(text_or_pages, str) else "\n\n".join(text_or_pages)
    whole = whole.strip()
    if whole and len(whole) <= WHOLE_DOCUMENT_MAX_CHARS and texts != [whole] and is_one_paragraph(whole):
        texts.append(whole)
    return clauses, texts


def is_one_paragraph(text: str) -> bool:
    """True when ``text`` has no paragraph break and no numbered or bulleted provision."""
    return len(segment_text(text, max_chars=len(text) + 1, min_chars=1)) <= 1


def pool_units(unit_scores: np.ndarray, owner: np.ndarray, n_docs: int) -> np.ndarray:
    """Document scores from unit scores: (n_units, n_cat) with ``owner`` (n_units,) -> (n_docs, n_cat).

    The maximum: a category is present if some clause carries it (multiple-instance view).
    Training chooses thresholds on scores pooled by this same function.
    """
    out = np.zeros((n_docs, unit_scores.shape[1]), dtype=np.float32)
    np.maximum.at(out, owner, unit_scores)
    return out


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
    thresholds = np.array([threshold if threshold is not None else c.threshold for c in categories], dtype=np.float32)
    per_doc = [document_units(d.pages) for d in documents]
    all_texts = [t for _, texts in per_doc for t in texts]
    features = featurize(all_texts, encoder, LexicalSpec.from_dict(model.manifest.get("lexical"))) if all_texts else None
    scores = model.estimator.predict_proba(features) if len(all_texts) else np.zeros((0, len(categories)))
    owner = np.repeat(np.arange(len(documents)), [len(texts) for _, texts in per_doc])
    pooled = pool_units(scores, owner, len(documents))
    codings = []
    offset = 0
    for d, (doc, (clauses, texts)) in enumerate(zip(documents, per_doc)):
        clause_scores = scores[offset : offset + len(clauses)]
        offset += len(texts)
        doc_scores = pooled[d]
        results = []
        for j, cat in enumerate(categories):
            present = bool(doc_scores[j] >= thresholds[j])
            evidence = []
            if present and len(clauses):
                order = np.argsort(-clause_scores[:, j], kind="stable")[:top_k]
                for rank, i in enumerate(order):
                    s = float(clause_scores[i, j])
                    # the best clause always; the others only when they pass the threshold themselves
                    if rank == 0 or s >= thresholds[j]:
                        evidence.append(Evidence(clauses[i].text, round(s, 4), clauses[i].page))
            results.append(
                CategoryResult(cat.code, cat.name, cat.group, round(float(doc_scores[j]), 4), round(float(thresholds[j]), 4), present, evidence)
            )
        codings.append(Coding(doc.id, doc.source, results, len(clauses)))
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
