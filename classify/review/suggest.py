"""The one place the workbench asks the model for suggestions.

Everything model-specific the workbench needs goes through ``suggest`` and ``catalogue``: the
rest of the workbench knows clauses, codes and decisions, not models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


from ..codebook import grade_words
from ..coding import Document, document_units
from ..render import _groups

SUGGESTED, POSSIBLE = "suggested", "possible"


@dataclass
class Clue:
    """A clause as evidence for a category: its position among the clauses, its score, and
    whether the score passes the category's threshold on its own (strong) or is only the
    document's best (weak)."""

    clause: int
    score: float
    strong: bool


@dataclass
class Suggestion:
    """A category for the coder to decide, with its evidence, best first.

    tier : "suggested", a category the model finds present; "possible", one that passes its
        threshold but was cut by the count cap (the document already has as many categories
        as its length carries)
    """

    code: str
    name: str
    group: str
    probability: float
    threshold: float
    grade: int | None
    evidence: list[Clue]
    implied_by: list[str] = field(default_factory=list)
    tier: str = SUGGESTED


@dataclass
class Piece:
    """A stretch of a page as the document page shows it: a clause (``index`` set), or text the
    model never scores (titles, furniture, negated sentences), shown but not selectable."""

    text: str
    page: int | None
    index: int | None = None


@dataclass
class Suggested:
    """A document ready to review: its clauses, its layout, and the model's view of it."""

    id: str
    source: str | None
    clauses: list[str]
    pages: list[int | None]  # the page of each clause (PDFs), else None
    pieces: list[Piece]
    suggestions: list[Suggestion]
    groups: list[str]  # PA-X groups in agreement-page order
    scores: dict[str, tuple[float, float]]  # every modelled code -> (probability, threshold)
    warnings: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # the role of each clause (classify.roles.ROLES)
    document_type: str = "agreement"
    operative_share: float = 1.0


def _layout(pages, clauses) -> list[Piece]:
    """The whole text as clauses and the stretches between them, page by page: clauses are
    exact slices of their page's text, so nothing of the document is lost from the page."""
    texts = [pages] if isinstance(pages, str) else pages
    out: list[Piece] = []
    for number, text in enumerate(texts, start=1):
        page = None if isinstance(pages, str) else number
        at = 0
        for i, c in enumerate(clauses):
            if c.page != page:
                continue
            if text[at : c.start].strip():
                out.append(Piece(text[at : c.start].strip(), page))
            out.append(Piece(c.text, page, i))
            at = c.end
        if text[at:].strip():
            out.append(Piece(text[at:].strip(), page))
    return out


def suggest(model, documents: list[Document], *, top_k: int = 3, progress: Callable[[int], None] | None = None) -> list[Suggested]:
    """Code ``documents`` with ``model`` (a :class:`classify.model.Model`) and return each with its
    clauses and suggestions: the present categories, then the possible ones (cut by the count
    cap), evidence as positions among the clauses."""
    out = []
    whole_max = model.manifest.aggregation.whole_document_max_chars
    codings = (c for batch in model.code_batches(documents, batch_size=16, top_k=top_k) for c in batch)
    for doc, coding in zip(documents, codings):
        clauses = document_units(doc.pages, whole_document_max_chars=whole_max).clauses
        suggestions = []
        for group, categories in _groups(coding, show_all=True).items():
            for c in categories:
                if not (c.present or c.capped):
                    continue
                clues = [Clue(ev.clause, ev.score, ev.score >= c.threshold) for ev in c.evidence if ev.clause is not None]
                suggestions.append(Suggestion(c.code, c.name, group, c.probability, c.threshold, c.grade, list({e.clause: e for e in clues}.values()),
                                              c.implied_by, SUGGESTED if c.present else POSSIBLE))
        out.append(Suggested(
            doc.id, doc.source, [c.text for c in clauses], [c.page for c in clauses], _layout(doc.pages, clauses), suggestions,
            list(_groups(coding, show_all=True)), {c.code: (c.probability, c.threshold) for c in coding.categories}, coding.warnings,
            coding.clause_roles, coding.document_type, coding.operative_share,
        ))
        if progress is not None:
            progress(1)
    return out


def catalogue(model, definitions: dict[str, str] | None = None) -> list[dict]:
    """Every PA-X category a coder may add: the modelled ones and those the model does not assess,
    each with ``code``, ``name``, ``group``, ``parent``, ``graded`` (PA-X records 1-3 for it),
    ``grades`` (what 1, 2 and 3 mean, where graded) and ``definition`` (the codebook's short
    definition: the model's, else ``definitions``' (code -> text), else None), in the codings
    file's column order."""
    graded = {t.code for t in model.manifest.decision.grades}
    definitions = definitions or {}
    position = {code: i for i, code in enumerate(model.manifest.pax_columns)}
    rows = sorted(model.categories + [c for c in model.uncovered if c.coded], key=lambda c: position.get(c.code, len(position)))
    # a top-level category's parent is missing, or NaN in manifests written from a pandas frame
    return [{"code": c.code, "name": c.name, "group": c.group, "parent": c.parent if isinstance(c.parent, str) else None,
             "graded": c.code in graded, "grades": list(grade_words(c.code)) if c.code in graded else None,
             "definition": c.definition or definitions.get(c.code)}
            for c in rows]
