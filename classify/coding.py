"""What a document's coding is made of: the units scored (provisions, not titles or negated
sentences), how their scores pool, and the results (categories with evidence). The model that
produces them is :class:`classify.model.Model`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .roles import AGREEMENT, NEWS, OTHER
from .segment import affirmed, announces_text, is_heading, join_broken_words, names_document, segment, segment_text, sentence_spans

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
    role: str | None = None  # the clause's role (classify.roles.ROLES)


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
    # what the document is (classify.roles.DOCUMENT_TYPES) and the share of its text that commits
    document_type: str = AGREEMENT
    operative_share: float = 1.0
    # the role of each clause that can be evidence, by position (Evidence.clause)
    clause_roles: list[str] = field(default_factory=list)

    @property
    def present(self) -> list[CategoryResult]:
        return [c for c in self.categories if c.present]


@dataclass
class Units:
    """What of a document is scored.

    clauses : the provisions, which may be evidence (titles, page furniture and wholly negated
        provisions are never scored)
    texts : the scored units: each clause without its negated sentences; the sentences of a
        clause of several sentences, each on its own (a clause that joins two subjects is scored
        by sentence too, and the sentence that carries a code is its evidence); a clause a page
        break cut, joined to its continuation; and the whole text when it is short and one paragraph
    clause : int array (n_units,), the clause each unit is of; -1 for the whole text
    span : (start, end) of each unit within its clause's text, for quoting the sentence
    chars : int array (n_units,), the characters each unit adds to the document's length (a
        clause's own unit its length, sentences and the whole text nothing)
    announced : bool array (n_units,), units of clauses after a line that says an agreement's text
        follows ("The full text of the agreement reads:") or names it below other text ("Statement
        by the Contact Group ..."), as a news page that carries one does
    """

    clauses: list
    texts: list
    clause: np.ndarray
    span: list
    chars: np.ndarray
    announced: np.ndarray = None

    @property
    def main(self) -> np.ndarray:
        """Bool (n_units,): the unit that is a whole clause, one per clause."""
        return self.chars > 0


def _scored(text: str) -> str:
    """What of a clause is scored: its words broken at line ends joined (a PDF or a scan breaks
    "territorial" where typed text does not), its negated sentences left out."""
    return affirmed(join_broken_words(text))


_SENTENCE_END = re.compile(r"[.;:!?](?:\s|$)")


def _heading_line(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` is the whole of a heading line of ``text`` ("2. Measures to implement the
    political provisions"), not a sentence that opens a line ("Article 3. The Parties shall ...")."""
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = text[text.rfind("\n", 0, start) + 1 : line_end]
    return not text[end:line_end].strip() and not _SENTENCE_END.search(text[start:end].strip() + " ") and is_heading(line)


def runs_on(text: str, next_text: str) -> bool:
    """``next_text`` continues the sentence ``text`` leaves open: no sentence end before, a
    lower-case word after."""
    end = text.rstrip()[-1:]
    return bool(end) and end not in ".;:!?\"'\u201d)" and next_text.lstrip()[:1].islower()


def document_units(text_or_pages, *, whole_document_max_chars: int = WHOLE_DOCUMENT_MAX_CHARS) -> Units:
    """The units of a document to score (see :class:`Units`)."""
    clauses, texts, owner, spans, chars, announced = [], [], [], [], [], []
    after_announcement = announcement = False
    for c in segment(text_or_pages):
        # the clauses after the line that announces the text (that line itself is a report or
        # furniture): "The full text ... reads:", or the document's title below other text, as a
        # page that carries a document gives it
        after_announcement = after_announcement or announcement
        announcement = announces_text(c.text) or bool(clauses) and names_document(c.text)
        if c.kind != "provision":
            continue
        scored = _scored(c.text)
        if not scored:
            continue
        k = len(clauses)
        clauses.append(c)
        # the document's title under "The full text ... follows." announces too, and is no provision
        # of it (a clause that runs on into sentences is)
        title_alone = announcement and not _SENTENCE_END.search(c.text)
        announced.append(after_announcement and not title_alone)
        texts.append(scored)
        owner.append(k)
        spans.append((0, len(c.text)))
        chars.append(len(c.text))
        # a clause of one sentence ("3. The Parties shall ...") is scored once, as the clause
        # a heading joined to the provision under it ("2. Measures to implement the political
        # provisions") gives the provision context; alone it says nothing, and short generic words
        # score high ("political" 0.84 for elections)
        sentences = [(s, e) for s, e in sentence_spans(c.text) if len(_scored(c.text[s:e])) >= MIN_SENTENCE_CHARS and not _heading_line(c.text, s, e)]
        if len(sentences) > 1:
            for s, e in sentences:
                texts.append(_scored(c.text[s:e]))
                owner.append(k)
                spans.append((s, e))
                chars.append(0)
    # a provision a page break cut in two ("... an amnesty to members of the Front" / "for acts
    # committed ..."): also scored whole, as the clause it starts
    for k in range(1, len(clauses)):
        before, after = clauses[k - 1], clauses[k]
        if before.page is not None and after.page == before.page + 1 and runs_on(before.text, after.text):
            texts.append(_scored(f"{before.text} {after.text}"))
            owner.append(k - 1)
            spans.append((0, len(before.text)))
            chars.append(0)
    whole = text_or_pages if isinstance(text_or_pages, str) else "\n\n".join(text_or_pages)
    whole = _scored(whole.strip())
    main = [t for t, n in zip(texts, chars) if n]
    if main and whole and len(whole) <= whole_document_max_chars and main != [whole] and is_one_paragraph(whole):
        texts.append(whole)
        owner.append(-1)
        spans.append((0, 0))
        chars.append(0)
    owner = np.array(owner, dtype=np.int64)
    announced = np.array(announced, dtype=bool)[np.maximum(owner, 0)] & (owner >= 0) if len(owner) else np.zeros(0, dtype=bool)
    return Units(clauses, texts, owner, spans, np.array(chars, dtype=np.int64), announced)


# A sentence shorter than this is not scored on its own ("Article 4.", "It shall.")
MIN_SENTENCE_CHARS = 40


# A unit about women, girls or gender: the Wgg codes need one (PA-X's gender dataset codes
# provisions that name them)
_WOMEN = re.compile(r"(?i)\b(?:wom[ae]n|girls?|gender|female|feminin\w*|wi(?:fe|ves|dows?)|mothers?|maternal|pregnan\w*|sexual|"
                    r"lgbt\w*|1325|cedaw|daughters?|sisters?|ladies)\b")


def about_women(text: str) -> bool:
    return bool(_WOMEN.search(text))


def needs_women(code: str) -> bool:
    """The categories of PA-X's gender dataset, which need a unit about women, girls or gender."""
    return code.startswith("Wgg")


def type_warnings(kind: str, share: float, units: "Units") -> list[str]:
    """Why a document may not be coded as PA-X would code it, from its type."""
    if not units.clauses:
        return ["no provision to code: the text holds only titles, page furniture or negated sentences"]
    if kind == NEWS:
        return [f"reads as a news report about talks, not an agreement or statement ({share:.0%} of its text commits to anything); "
                "PA-X does not code such reports: only operative text it quotes is coded"]
    if kind == OTHER:
        return [f"does not read like an agreement, a statement or news about talks ({share:.0%} of its text commits to anything); "
                "PA-X codes agreements, so these codes may be wrong"]
    return []


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


# PA-X AgtIds are in the low thousands; a document that is not a PA-X agreement gets an id from
# here up (derived from its id, so it is the same in every run), which no agreement has
OWN_IDS = 900_000_000


def agt_id(doc_id: str) -> int:
    """The document's PA-X AgtId if its id names one (a file 2109.txt or sub/2109.txt, a CSV row
    with its AgtId as id), else an id of its own from :data:`OWN_IDS` up."""
    import zlib

    last = re.split(r"[/\\]", str(doc_id))[-1]
    return int(last) if re.fullmatch(r"[0-9]{1,8}", last) else OWN_IDS + zlib.crc32(str(doc_id).encode("utf-8")) % 100_000_000


def blend(pooled: np.ndarray, wholes: list[str], score, weight: float) -> np.ndarray:
    """Document scores (n_docs, n_cat): the best unit's (``pooled``), blended with ``weight`` of
    the score of each document's committing text read whole (``wholes``, one per document;
    ``score(texts) -> (n, n_cat)``); a document without committing text keeps its best unit's."""
    has = np.array([bool(t) for t in wholes], dtype=bool)
    if not weight or not has.any():
        return pooled
    out = pooled.copy()
    out[has] = (1 - weight) * pooled[has] + weight * score([t for t in wholes if t])
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
