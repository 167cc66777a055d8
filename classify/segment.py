"""Split a document into clauses: numbered articles, paragraphs, list items, long sentences.

Every clause is an exact slice of its page's text, so evidence can be quoted verbatim
and located (page, character offsets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A line that opens a new provision: "Article 3", "12.", "4.2)", "(b)", "iv.", "- ", "• ".
_ITEM = re.compile(
    r"\n[ \t]*(?=(?:(?:article|art\.|section|chapter|clause|part)\s+[\dIVXLC]+"
    r"|\d{1,3}(?:\.\d{1,3})*[.)]\s|\(\w{1,4}\)\s|[a-z][.)]\s|[ivxlc]{1,5}[.)]\s|[-\u2022*\u2013\u25cf]\s))",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
# Sentence end followed by something that starts a sentence; semicolons split only very long runs.
# (The closing quote or bracket stays with its sentence: only the whitespace is a separator.)
_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d)]))\s+(?=[\"'\u201c(]?[A-Z0-9])")
_SEMICOLON = re.compile(r"(?<=;)\s+")


@dataclass(frozen=True)
class Clause:
    """One clause: ``text`` is ``page_text[start:end]``; ``page`` is 1-based or None."""

    text: str
    start: int
    end: int
    page: int | None = None


def _split(spans, pattern, text):
    out = []
    for start, end in spans:
        cut = start
        for m in pattern.finditer(text, start, end):
            if m.start() > cut:
                out.append((cut, m.start()))
            cut = m.end() if m.end() > m.start() else m.start()
        out.append((cut, end))
    return out


def _strip(spans, text):
    out = []
    for start, end in spans:
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        if end - trail > start + lead:
            out.append((start + lead, end - trail))
    return out


def _merge_short(spans, text, min_chars):
    """Join fragments (headings, bare numbers) to the clause after them, or before if last."""
    out = []
    carry = None
    for start, end in spans:
        if carry is not None:
            start = carry
            carry = None
        if end - start < min_chars:
            carry = start
            continue
        out.append((start, end))
    if carry is not None:
        if out:
            out[-1] = (out[-1][0], spans[-1][1])
        else:
            out.append((carry, spans[-1][1]))
    return out


def segment_text(text: str, *, page: int | None = None, max_chars: int = 600, min_chars: int = 25) -> list[Clause]:
    """Clauses of one text, in order, non-overlapping, covering all its non-blank characters.

    Parameters
    ----------
    text : str
    page : int or None
        Page number recorded on every clause.
    max_chars : int
        Pieces longer than this are split into sentences (and very long sentences at ';').
    min_chars : int
        Pieces shorter than this are joined to the next clause.
    """
    spans = _strip([(0, len(text))], text)
    spans = _strip(_split(spans, _PARAGRAPH, text), text)
    spans = _strip(_split(spans, _ITEM, text), text)
    long_split = []
    for start, end in spans:
        if end - start <= max_chars:
            long_split.append((start, end))
            continue
        for s, e in _strip(_split([(start, end)], _SENTENCE, text), text):
            if e - s > 2 * max_chars:
                long_split.extend(_strip(_split([(s, e)], _SEMICOLON, text), text))
            else:
                long_split.append((s, e))
    spans = _merge_short(long_split, text, min_chars)
    return [Clause(text[s:e], s, e, page) for s, e in spans]


def segment(pages: str | list[str], **kwargs) -> list[Clause]:
    """Clauses of a document given as one text or as a list of page texts (pages numbered from 1)."""
    if isinstance(pages, str):
        return segment_text(pages, **kwargs)
    clauses: list[Clause] = []
    for number, page_text in enumerate(pages, start=1):
        clauses.extend(segment_text(page_text, page=number, **kwargs))
    return clauses
