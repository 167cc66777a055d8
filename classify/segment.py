"""Split a document into clauses: numbered articles, paragraphs, list items, long sentences.

Every clause is an exact slice of its page's text, so evidence can be quoted verbatim
and located (page, character offsets). Each clause also has a ``kind``: a ``provision`` is what
PA-X coders quote; a section heading is joined to the provision under it; the document's title
lines and page furniture (URLs, datelines, bylines, "read more", "Done at ... on ...") are kept
as ``title`` and ``boilerplate`` clauses, which prediction does not score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# A line that opens a new provision: "Article 3", "12.", "4.2)", "(b)", "iv.", "- ", "• ".
_ITEM = re.compile(
    r"\n[ \t]*(?=(?:(?:article|art\.|section|chapter|clause|part)\s+[\dIVXLC]+"
    r"|\d{1,3}(?:\.\d{1,3})*[.)]\s|\(\w{1,4}\)\s|[a-z][.)]\s|[ivxlc]{1,5}[.)]\s|[-\u2022*\u2013\u25cf]\s))",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_LINE = re.compile(r"\n")
# Sentence end followed by something that starts a sentence; semicolons split only very long runs.
# (The closing quote or bracket stays with its sentence: only the whitespace is a separator.)
_SENTENCE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'\u201d)]))\s+(?=[\"'\u201c(]?[A-Z0-9])")
_SEMICOLON = re.compile(r"(?<=;)\s+")


_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"(?i)\b(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|(?<![\d.])\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})(?![\d.]))")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+")
_DONE_AT_WORDS = r"(?:done|signed|made)\s+(?:at|in|on)\b"
# Lines of a web page or signature block that carry no provision.
_FURNITURE = re.compile(
    r"(?i)^(?:by\s+(?-i:[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})(?:\s*(?:,|\band\b|&|\|)[^.;:]{0,80})?\s*$|by\s+(?:a|an|our)\s+(?:staff\s+)?(?:reporter|correspondent|writer)\b[^.;:]{0,60}$|(?:read|see|show|load)\s+more\b|related(?:\s+(?:articles?|news|stories|content))?\s*:?\s*$"
    r"|share(?:\s+(?:this|on)\b.*)?$|subscribe\b|sign\s+up\b|click\s+here\b|advertisement\s*$|photo(?:graph)?\s*:|image\s*:|source\s*:|"
    r"(?:copyright|\u00a9)|all\s+rights\s+reserved|(?:posted|published|updated|last\s+modified)\b|" + _DONE_AT_WORDS + r"|"
    r"home\s*[|>/]|skip\s+to\b|back\s+to\s+(?:top|[\w ]{1,30}$)|print(?:\s+this\s+(?:page|article))?\s*$|\(?reporting\s+by\b|cookies?\b|privacy\s+policy|terms\s+of\s+(?:use|service)|tags?\s*:|"
    r"(?:we|this\s+(?:site|website))\s+uses?\s+cookies\b|accept\s+(?:all\s+)?cookies\b|accept\s+all\s*(?:[|/]|$)|"
    # a page number: "12", "- 12 -", "Page 3 of 9", "3/9"
    r"[-\u2013\u2014]?\s*(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*[-\u2013\u2014]?\s*$)"
)
# "Done at ..., in three original copies in the English language.": furniture however it is wrapped
_DONE_AT = re.compile(r"(?i)^" + _DONE_AT_WORDS)
# The opening line of a signature block: "For the Government of ...", "Witnessed by:", "Signed:"
_SIGNATURE = re.compile(
    r"(?i)^(?:(?:for|on\s+behalf\s+of)\s+(?:the\s+)?(?-i:[A-Z])[^.;]{0,100}|witness(?:ed)?(?:\s+by)?|in\s+the\s+presence\s+of|signed(?:\s+by)?|signatures?"
    r"|(?:the\s+)?(?:guarantors?|mediators?|facilitators?|observers?)(?:\s*\(?s\)?)?)\s*:?\s*$"
)
# A document's title in capitals ("AGREEMENT ON THE CESSATION OF HOSTILITIES ...", "JOINT STATEMENT"):
# a title wherever it stands, as where a web page's own headline and lead come before it
_DOCUMENT_TITLE = re.compile(r"^(?:(?!(?:THE|THIS|THAT|THESE|EACH|ALL|ANY|SUCH)\b)[A-Z][A-Z'-]*\s+){0,3}(?:AGREEMENT|ACCORD|DECLARATION|STATEMENT|"
                             r"PROTOCOL|MEMORANDUM|COMMUNIQU[EÉ]|TREATY|PACT|CHARTER|ARRANGEMENT|ROAD\s*MAP)\b")
# a line in capitals that says what shall be done is a provision, not a title
_MODAL = re.compile(r"\b(?:SHALL|WILL|MUST|MAY|SHOULD)\b")
_HEADING_START = re.compile(r"(?i)^(?:article|art\.|section|chapter|clause|part|annex|appendix|title|protocol|schedule)\s+[\dIVXLC]+\b")
_NUMBERED = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*[.)]?|\(?[a-zA-Z]\)|[IVXLC]{1,5}[.)])\s+")


# The head of a web page's comment section: what follows is readers' talk, page furniture
_COMMENTS = re.compile(r"(?i)^(?:\d+\s+comments?|comments?(?:\s*\(\d+\))?|(?:leave|post|add|write)\s+a\s+(?:comment|reply)|show\s+comments|"
                       r"\d+\s+(?:thoughts?|responses?|replies)\s+(?:on|to)\b.{0,120})\s*:?\s*$")
# The head of a list of other pages' headlines ("Related news", "Read more:", "Most read"): the
# headline lines under it are page furniture
_RELATED = re.compile(r"(?i)^(?:related(?:\s+(?:articles?|news|stories|content|links|coverage))?|read\s+more|further\s+reading|"
                      r"more\s+(?:on\s+this(?:\s+(?:story|topic))?|stories|news|from\s+[\w ]{1,40})|most\s+(?:read|popular|viewed|shared)|"
                      r"you\s+(?:may|might)\s+also\s+(?:like|be\s+interested\s+in)|recommended\s+for\s+you|top\s+stories|"
                      r"latest\s+(?:news|stories)|trending(?:\s+now)?)\s*:?\s*$")
# How a recital opens (after any numbering): a participle or "Whereas", not a verb of commitment
RECITAL_OPENING = re.compile(
    r"^\W*(?:\(?[\divxlc]{1,4}[.)]\s*)?(?:recalling|considering|noting|reaffirming|recogni[sz]ing|welcoming|bearing\s+in\s+mind|whereas|convinced|"
    r"determined|desiring|desirous|acknowledging|emphasi[sz]ing|expressing|guided\s+by|taking\s+(?:into\s+(?:account|consideration)|note)|"
    r"mindful|aware|concerned|stressing|underlining|affirming|deeply|conscious|inspired|believing|cogni[sz]ant|seeking|wishing|"
    r"proceeding\s+from|encouraged|having\s+(?:regard|considered|examined|met|reviewed))\b",
    re.IGNORECASE,
)
# Text taken from web pages by many tools puts each paragraph on one line, with no blank line
# between. A line this long (spaces collapsed) was not wrapped by a PDF or a typewriter: a block
# that holds one is split at its line ends (_split_unwrapped). So is a block of which at least two
# lines, and half of them, end a sentence (a list of short provisions, one per line).
UNWRAPPED_LINE = 160
_ENDS_SENTENCE = re.compile(r"[.!?:;][\"'\u201d)\]]?\s*$")
# An article with its sub-articles is one clause up to this length; PA-X coders quote articles
ARTICLE_MAX_CHARS = 1200
# A line that announces the provisions ("Have agreed as follows:"): it commits to nothing itself
_LEAD_IN = re.compile(r"(?i)(?:\b(?:text|statement|declaration|agreement|communiqu[eé])\b[^.:]{0,60}\breads|\bas\s+follows|\bthe\s+following(?:\s+[\w-]+){0,3})\s*:\s*$")


@dataclass(frozen=True)
class Clause:
    """One clause: ``text`` is ``page_text[start:end]``; ``page`` is 1-based or None.

    kind : "provision" (scored), "title" (heading lines before the first provision) or
    "boilerplate" (URLs, datelines, bylines, page and signature furniture); neither is scored.
    """

    text: str
    start: int
    end: int
    page: int | None = None
    kind: str = "provision"


def is_heading(piece: str) -> bool:
    """A line that names what follows rather than saying anything: "Article 6. Protection of
    civilians", "CHAPTER II", "3. Humanitarian access", "Security Arrangements"."""
    piece = piece.strip()
    if not piece or "\n" in piece or len(piece) > 120 or piece[-1] in ",;:!?" or _URL.search(piece):
        return False
    if _HEADING_START.match(piece):
        return len(piece.split()) <= 14
    body = _NUMBERED.sub("", piece, count=1)
    words = re.findall(r"[^\W\d_][\w'-]*", body)
    if not words or len(words) > 12 or body.rstrip().endswith("."):
        return False
    if body != piece and len(words) <= 8 and words[0][0].isupper():  # "3. Prisoner release"
        return True
    if _capitals(body) >= 0.7:
        return True
    minor = {"of", "and", "the", "on", "in", "for", "to", "a", "an", "with", "between", "by", "at", "or"}
    return all(w[0].isupper() or w.lower() in minor for w in words) and (words[0][0].isupper())


# A line that announces that an agreement's text follows: "The full text of the agreement, as
# released by the mediators, reads:", "GENEVA (Reuters) - The following is the text of the joint
# statement ...", "Full text:"
_ANNOUNCES_TEXT = re.compile(
    r"(?i)(?:\btext\b[^:\n]{0,100}(?:\b(?:reads|follows|below)\b\W{0,3}|:)\s*$"
    r"|(?:^|[-\u2013\u2014:]\s)\W*the\s+following\s+is\s+the\s+(?:full\s+|complete\s+|official\s+|unofficial\s+)?text\b)"
)
# what PA-X calls its documents, in a line about one
_DOCUMENT_NOUNS = r"statement|declaration|agreement|accord|protocol|memorandum|communiqu[eé]|treaty|arrangement|road\s*map|conclusions"
_AGREED_DOCUMENT = re.compile(rf"(?i)\b(?:{_DOCUMENT_NOUNS}|document|deal|ceasefire|cease-fire|truce|understanding|plan)s?\b|^\W*(?:full|complete)\s+text\W*$")
# what says that the text does not follow, or that something else does: "The text of the agreement
# has not been published, but officials listed its main points:", "What the text of the deal says:"
_NOT_THE_TEXT = re.compile(r"(?i)\b(?:not|never|yet\s+to|points?|says|summary|draft|interview|speech|remarks|excerpts?|highlights)\b")


def announces_text(piece: str) -> bool:
    """``piece`` is a line (or one wrapped over lines, as in a PDF) that says an agreed document's
    text follows it (not a speech's or an interview's, not a summary's)."""
    piece = " ".join(piece.split())
    return (bool(piece) and len(piece) <= 300 and bool(_ANNOUNCES_TEXT.search(piece)) and bool(_AGREED_DOCUMENT.search(piece))
            and not _NOT_THE_TEXT.search(piece))


# A line that names an agreed document, as the title above its text does: "Statement by the
# Contact Group ...", "Package of measures for ...", "Agreement on the Cessation of Hostilities"
_NAMES_DOCUMENT = re.compile(
    # a place or a meeting may come first, capitalised: "Khartoum Declaration of ...", "Paris
    # "Normandie" Summit Common agreed conclusions", "FRAMEWORK AGREEMENT ON ..."
    # (not a headline's "To", "On", "What", nor a sentence's "The")
    r"^\W*(?:(?!(?:To|On|For|In|At|With|After|Over|Why|What|How|When|Where|Who|Next|The|A|An|Of|And|Or|As|By|From|Into|Against)\s)"
    r"[\"\u201c\u201d'\u2018\u2019\u00ab]?[A-Z][\w.'\u2019-]*[\"\u201c\u201d'\u2019\u00bb]?\s+){0,4}"
    rf"(?i:(?:(?:joint|final|common|official|agreed)\s+){{0,2}}(?:{_DOCUMENT_NOUNS}|package\s+of\s+measures|minutes))\b"
    r"(?i:\s+(?:of|by|on|between|for|regarding|concerning|among|from)\b|\W*$)"
)
# "agreed conclusions", "agreed minutes": an adjective, not the verb of a headline; "5 May 2006": a month
_NOT_A_VERB = re.compile(rf"(?i)\bagreed\s+(?=(?:{_DOCUMENT_NOUNS}|minutes|text)\b)|\b\d{{1,2}}\s+may\b|\bmay\s+\d")
# a verb makes it a sentence or a headline ("Agreement on grain exports extended", "Rebels Reject Peace Agreement",
# "... shall enter into force")
_TITLE_VERB = re.compile(r"(?i)\b(?:shall|will|would|must|may|should|can|could|is|are|was|were|be|been|has|have|had|says?|said|looms?|remains?|"
                         r"extended|eyed|collapses?|collapsed|reached|signed|agreed|expected|expires?|expired|ends?|ended|fails?|failed|hailed|"
                         r"rejects?|rejected|signs?|agrees?|backs?|backed|welcomes?|welcomed|urges?|urged|seeks?|eyes|mulls?|nears?|wins?|hails|praises?|praised|"
                         r"approves?|approved|endorses?|endorsed|unveils?|unveiled|announces?|announced)\b")


def names_document(piece: str) -> bool:
    """``piece`` opens with a line that names an agreed document (a title, not a sentence or a headline)."""
    line = piece.strip().split("\n", 1)[0].strip()
    return (bool(line) and len(line) <= 250 and not line.endswith((".", ";", ",")) and bool(_NAMES_DOCUMENT.match(line))
            and not _TITLE_VERB.search(_NOT_A_VERB.sub(" ", line)))


# A news agency's dateline: "KESSA, 12 February (Eastline) - ", "GENEVA (Reuters) - ", "VIENNA, 3 June 2025 - "
# (a place of one word or a few, in capitals; not an agreement's "ARTICLE III - ", "PREAMBLE - " or "JOINT COMMUNIQUE - ")
_WIRE_DATELINE = re.compile(
    r"^\W*(?!(?:ARTICLE|CHAPTER|PART|SECTION|PREAMBLE|ANNEX|APPENDIX|SCHEDULE|TITLE|JOINT|COMMUNIQU|STATEMENT|PRESS|DECLARATION|AGREEMENT|PROTOCOL|MEMORANDUM)\b)"
    r"[A-Z][A-Z.'\u2019-]+(?:[ ][A-Z][A-Z.'\u2019-]*){0,3}(?:,[ \t]*[^()\n,]{3,30}?(?:,[ \t]*\d{4})?)?[ \t]*(?:\([^()\n]{1,40}\))?[ \t]*[-\u2013\u2014]{1,2}[ \t]+\S")


def opens_with_dateline(piece: str) -> bool:
    """``piece`` opens with a news agency's dateline, as a wire report's first paragraph does."""
    return bool(_WIRE_DATELINE.match(piece.strip()))


# The number or letter that opens an item of a list: "3.", "3)", "(3)", "b)", "(b)", "Article 3"
_ITEM_NUMBER = re.compile(r"^\s*(?:(?:article|art\.)\s+(?P<article>\d{1,3})\b|\(?(?P<arabic>\d{1,3})[.)](?!\d)|\(?(?P<letter>[a-z])\)|\((?P<roman>[ivx]{1,5})\))", re.I)
_ROMAN = {r: i for i, r in enumerate("i ii iii iv v vi vii viii ix x xi xii xiii xiv xv".split(), start=1)}


def numbered_lists(pieces: list[str], min_items: int = 3) -> np.ndarray:
    """Which list each piece belongs to (int per piece, -1: none): a list runs from an item
    numbered 1 (or "a", "(i)") through items numbered one more each time ("1.", "2.", "3." or "(a)",
    "(b)", "(c)"), at least ``min_items`` of them, with the pieces between its items (a
    sub-item, a wrapped line) inside it. News prose is not numbered this way; agreements are,
    and a list of measures without a verb ("2. Withdrawal of heavy weapons ...") reads much like
    a report one item at a time."""
    out = np.full(len(pieces), -1, dtype=np.int64)
    open_lists: dict[str, list[int]] = {}  # style -> [first piece, last piece, last number, items]
    done = []
    for i, piece in enumerate(pieces):
        m = _ITEM_NUMBER.match(piece)
        if not m:
            continue
        style = m.lastgroup
        value = m.group(style).lower()
        number = int(value) if value.isdigit() else (ord(value) - ord("a") + 1 if style == "letter" else _ROMAN.get(value, 0))
        current = open_lists.get(style)
        if current and number == current[2] + 1:
            current[1:] = [i, number, current[3] + 1]
        else:
            if current:
                done.append(current)
            open_lists[style] = [i, i, number, 1] if number == 1 else None
    done.extend(c for c in open_lists.values() if c)
    for k, (first, last, _, items) in enumerate(sorted(c for c in done if c[3] >= min_items)):
        out[first : last + 1] = np.where(out[first : last + 1] < 0, k, out[first : last + 1])
    return out


def is_document_title(piece: str) -> bool:
    """One line in capitals naming a document: "AGREEMENT ON THE CESSATION OF HOSTILITIES BETWEEN ..."."""
    piece = piece.strip()
    return ("\n" not in piece and len(piece) <= 300 and not piece.endswith((".", ";", ",")) and bool(_DOCUMENT_TITLE.match(piece))
            and not _MODAL.search(piece) and _capitals(piece) >= 0.9)


def _capitals(text: str) -> float:
    """The share of ``text``'s letters that are capitals (1.0 for a text without letters)."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 1.0


def is_signature_block(piece: str) -> bool:
    """A signature block: an opening line ("For the Government of X", "Witnessed by:") and a few
    short lines of names and titles under it, none ending a sentence."""
    lines = [ln.strip() for ln in piece.strip().splitlines() if ln.strip()]
    return (0 < len(lines) <= 6 and bool(_SIGNATURE.match(lines[0])) and all(len(ln.split()) <= 15 for ln in lines)
            and not any(ln.endswith((".", ";")) and len(ln.split()) > 6 for ln in lines))


def is_headline_list(piece: str) -> bool:
    """Lines that each read as a headline: short, none ending a sentence ("Ceasefire collapses in
    the east", "Who are the rebels?", "2. Floods displace thousands"); an article heading or a
    document's title ends the list."""
    lines = [ln.strip() for ln in piece.strip().splitlines() if ln.strip()]
    return bool(lines) and all(len(ln.split()) <= 20 and not ln.endswith((".", ";", ",", ":")) and not _HEADING_START.match(ln)
                               and not is_document_title(ln) for ln in lines)


def is_boilerplate(piece: str) -> bool:
    """A URL, a dateline, a byline, a line of page or signature furniture, or a lead-in ("Have
    agreed as follows:")."""
    piece = piece.strip()
    if len(piece) > 200:
        return False
    if is_signature_block(piece):
        return True
    if _URL.search(piece) and len(_URL.sub("", piece).split()) <= 6:
        return True
    words = piece.split()
    if len(words) <= 15 and re.search(r"\s[|>\u00bb\u203a]\s", piece):  # navigation: "Home > World | Africa"
        return True
    if _DATE.search(piece) and len(words) <= 8:
        return True
    if _LEAD_IN.search(piece) and len(words) <= 40:
        return True
    return len(words) <= 25 and bool(_FURNITURE.match(piece))


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


def _split_unwrapped(spans, text):
    """Spans split at their paragraph ends, always before a line that does not start in lower case:
    in any text before a recital or a lead-in that follows a comma or semicolon, and after a
    numbered heading ("Article 2. Cantonment", "3. Prisoners"); where the lines
    are paragraphs (:data:`UNWRAPPED_LINE`) after a sentence, a title or a heading, and in web text
    after any comma or a short line (a headline, a byline). A wrapped line that ends mid-sentence
    runs on."""
    out = []
    for start, end in spans:
        lines = _strip(_split([(start, end)], _LINE, text), text)
        # a line that is furniture by itself (a byline, a menu) is a line of its own, as one that ends a sentence
        ended = [bool(_ENDS_SENTENCE.search(text[s:e])) or is_boilerplate(text[s:e]) for s, e in lines[:-1]]
        web = any(len(" ".join(text[s:e].split())) > UNWRAPPED_LINE for s, e in lines)
        paragraphs = web or (sum(ended) >= 2 and sum(ended) >= 0.5 * len(ended))
        cut = start
        for (s, e), end_of_sentence, (nxt, nxt_end) in zip(lines, ended, lines[1:]):
            line, following = text[s:e], text[nxt:nxt_end]
            if following[:1].islower():
                continue
            heading = is_heading(line)
            # a recital, and the lead-in after the last, start on a line of their own in any text
            opens = (line.rstrip().endswith((",", ";")) and bool(RECITAL_OPENING.match(following) or _LEAD_IN.search(following))
                     or heading and bool(_HEADING_START.match(line) or _NUMBERED.match(line)))
            if opens or (paragraphs and (end_of_sentence or heading or is_document_title(line) or names_document(line) or (web and (e - s < 100 or line.endswith(","))))):
                out.append((cut, e))
                cut = nxt
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


def segment_text(text: str, *, page: int | None = None, max_chars: int = 600, min_chars: int = 25,
                 article_max_chars: int = ARTICLE_MAX_CHARS, running: frozenset = frozenset()) -> list[Clause]:
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
    article_max_chars : int
        The provisions under a heading ("Article 3", then "3.1", "3.2") stay one clause up to
        this length (its sentences are scored on their own as well: :mod:`classify.coding`).
    running : keys of the document's running header and footer lines (:func:`running_lines`), furniture
    """
    def is_furniture(piece: str) -> bool:
        return is_boilerplate(piece) or (bool(running) and "\n" not in piece.strip() and _line_key(piece) in running)

    spans = _strip([(0, len(text))], text)
    spans = _split_unwrapped(_strip(_split(spans, _PARAGRAPH, text), text), text)
    spans = _strip(_split(spans, _ITEM, text), text)
    spans = _peel_furniture_lines(spans, text, is_furniture)
    out: list[Clause] = []
    provisions: list[tuple[int, int]] = []
    heading_start = None  # a section heading waiting for the provision under it
    article = None  # (start, end): a heading and the provisions under it so far, one clause
    seen_provision = False  # headings before the first provision are the document's title

    def flush():
        nonlocal article
        if article is not None:
            out.append(Clause(text[article[0] : article[1]], article[0], article[1], page))
            article = None
        for s, e in _merge_short(_split_long(provisions, text, max_chars), text, min_chars):
            out.append(Clause(text[s:e], s, e, page))
        provisions.clear()

    def close(at: int):
        """What came before ``at`` is complete: the provisions waiting, and a heading with no
        provision under it, which stays a title line."""
        nonlocal heading_start
        flush()
        if heading_start is not None:
            out.append(_title(text, heading_start, at, page))
            heading_start = None

    comments = False  # past the head of a comment section
    related = False  # under the head of a list of other pages' headlines
    for start, end, title in _peel_title_lines(spans, text, is_furniture):
        piece = text[start:end]
        comments = comments or bool(_COMMENTS.match(piece.strip()))
        related = bool(_RELATED.match(piece.strip())) or (related and is_headline_list(piece))
        if comments or related:
            close(start)
            out.append(Clause(piece, start, end, page, "boilerplate"))
        elif title:
            close(start)  # a heading waiting for its provision is a title line too
            out.append(Clause(piece, start, end, page, "title"))
        elif is_furniture(piece):
            close(start)
            out.append(Clause(piece, start, end, page, "boilerplate"))
            seen_provision = seen_provision or bool(_LEAD_IN.search(piece.strip()))  # the provisions follow a lead-in
        elif (is_heading(piece) and not seen_provision) or is_document_title(piece):
            if seen_provision:  # a document's title after provisions (a web page's lead): they are complete
                close(start)
            out.append(Clause(piece, start, end, page, "title"))
        elif is_heading(piece):
            close(start)  # only the nearest heading joins the provision under it
            heading_start = start
        else:
            if heading_start is not None:
                if end - start < min_chars:  # a bare number between the heading and its text
                    continue
                # the heading and its provision are one unit, kept whole even when long
                flush()
                article = (heading_start, end)
                heading_start = None
            elif article is not None and end - article[0] <= article_max_chars and not _opens_article(piece):
                article = (article[0], end)  # a sub-article ("1.2", "(b)") stays with its article
            elif _opens_article(piece):  # "Article 2. Title" and its text in one paragraph
                flush()
                article = (start, end)
            else:
                if article is not None:
                    flush()
                provisions.append((start, end))
            seen_provision = True
    close(len(text))  # a heading at the very end has nothing under it
    return out


def _opens_article(piece: str) -> bool:
    """A provision whose first line is a heading: "Article 2. Protection of civilians" over its text."""
    first, _, rest = piece.partition("\n")
    return bool(rest.strip()) and is_heading(first)


def _title(text, start, end, page):
    piece = text[start:end].rstrip()
    return Clause(piece, start, start + len(piece), page, "title")


def _peel_furniture_lines(spans, text, is_furniture=is_boilerplate):
    """Spans with furniture lines at their start or end ("Read more: ...", a URL, a byline) split
    off into spans of their own."""
    out = []
    for start, end in spans:
        lines = _strip(_split([(start, end)], _LINE, text), text)
        # a signature block, a lead-in and a "Done at" paragraph wrapped over lines stay whole
        piece = text[start:end]
        if len(lines) < 2 or is_signature_block(piece) or _LEAD_IN.search(piece.rstrip()) or (_DONE_AT.match(piece) and is_boilerplate(piece)):
            out.append((start, end))
            continue
        head, tail = 0, len(lines)
        while head < tail and is_furniture(text[slice(*lines[head])]):
            head += 1
        while tail > head and is_furniture(text[slice(*lines[tail - 1])]):
            tail -= 1
        out += lines[:head]
        if head < tail:
            out.append((lines[head][0], lines[tail - 1][1]))
        out += lines[tail:]
    return out


def _peel_title_lines(spans, text, is_furniture=is_boilerplate):
    """(start, end, is_title) for ``spans``, with the leading heading or furniture lines of the
    first spans split off: a title is often on the line just above the preamble, with no blank
    line between. A title's continuation lines ("between the Government of A and ...", no line
    ending a sentence) are title too."""
    out = []
    for n, (start, end) in enumerate(spans):
        peeled = False
        while "\n" in text[start:end]:
            first = text[start:end].split("\n", 1)[0]
            if not (is_heading(first) or is_furniture(first)):
                break
            out.append((start, start + len(first.rstrip()), False))
            start = _strip([(start + len(first), end)], text)[0][0]
            peeled = peeled or is_heading(first)
        rest = text[start:end]
        if peeled and len(rest) <= 300 and not re.search(r"[.;:!?]\s*(?:\n|$)", rest):
            out.append((start, end, True))
            continue
        out.append((start, end, False))
        if not (is_heading(rest) or is_furniture(rest)):
            return out + [(s, e, False) for s, e in spans[n + 1 :]]
    return out


def _split_long(spans, text, max_chars):
    out = []
    for start, end in spans:
        if end - start <= max_chars:
            out.append((start, end))
            continue
        for s, e in _strip(_split([(start, end)], _SENTENCE, text), text):
            if e - s > 2 * max_chars:
                out.extend(_strip(_split([(s, e)], _SEMICOLON, text), text))
            else:
                out.append((s, e))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text``, of its paragraphs and of its items where it is
    a list. A line break alone does not end a sentence (a PDF wraps lines where the typed text
    runs on) but where the lines are paragraphs (:func:`_split_unwrapped`)."""
    spans = _split(_split_unwrapped(_strip(_split([(0, len(text))], _PARAGRAPH, text), text), text), _SENTENCE, text)
    return _strip(_split(spans, _ITEM, text), text)


def segment(pages: str | list[str], **kwargs) -> list[Clause]:
    """Clauses of a document given as one text or as a list of page texts (pages numbered from 1).
    A line that opens or closes most pages (a running header or footer) is furniture."""
    if isinstance(pages, str):
        return segment_text(pages, **kwargs)
    running = running_lines(pages)
    clauses: list[Clause] = []
    for number, page_text in enumerate(pages, start=1):
        clauses.extend(segment_text(page_text, page=number, running=running, **kwargs))
    return clauses


def _line_key(line: str) -> str:
    """A line as it repeats from page to page: the page number in it may change."""
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def running_lines(pages: list[str]) -> frozenset:
    """Keys (:func:`_line_key`) of the lines that open or close at least two pages and half of
    them: a scan's or a PDF's running header and footer."""
    from collections import Counter

    ends = Counter()
    for page in pages:
        lines = [ln for ln in page.splitlines() if ln.strip()]
        ends.update({_line_key(ln) for ln in lines[:2] + lines[-2:]})
    return frozenset(k for k, n in ends.items() if n >= 2 and n >= len(pages) / 2 and len(k) <= 200)


# A sentence that says something was not agreed or not discussed: reported talks, not a provision.
_NEGATED = re.compile(
    r"(?i)\b(?:no\s+(?:agreement|consensus|decision|deal|understanding|progress|breakthrough)\b[^.;]{0,60}?\b(?:was|were|has\s+been|have\s+been|had\s+been|could\s+be|is|are)\s+(?:yet\s+)?(?:reached|made|found|achieved|taken|agreed|possible)"
    r"|(?:was|were|has|have|had|is|are)\s+not\s+(?:yet\s+)?(?:been\s+)?(?:discussed|addressed|agreed|raised|considered|covered|settled|resolved|included|tabled|mentioned|on\s+the\s+agenda)"
    r"|(?:did|do|does|could|would|will)\s+not\s+(?:agree|discuss|address|reach|accept|consider|sign|include)"
    r"|(?:didn't|don't|doesn't|couldn't|won't)\s+(?:agree|discuss|address|reach|accept|sign)"
    r"|fail(?:ed|s)?\s+to\s+(?:agree|reach|resolve|settle|sign)|without\s+(?:agreeing|reaching\s+(?:an\s+)?agreement)"
    r"|remain(?:s|ed)?\s+(?:unresolved|outstanding|undecided|unsettled)|left\s+(?:[^.;]{0,60}?\s)?(?:unresolved|undecided|unsettled)\b|(?:talks|negotiations)\s+(?:collapsed|broke\s+down|stalled|ended\s+without)"
    r"|(?:rejected|refused|declined)\s+(?:to\s+(?:discuss|agree|accept|sign|consider)|(?:the|a|an|any)\s+(?:proposals?|offers?|demands?|requests?|calls?)\b))"
)


# a word broken at a line end ("demobili-\nsation"), or where a PDF's lines were run together ("be- yond")
_BROKEN_WORD = re.compile(r"\b(\w+)-(?:[ \t]*\n[ \t]*| )([a-z]\w*)")


def join_broken_words(text: str) -> str:
    """``text`` with words broken at line ends joined again: "demobili-\nsation" -> "demobilisation".
    A compound whose joined form is no English word keeps its hyphen: "long-\nterm" -> "long-term"."""
    if "-" not in text:
        return text
    from .names import is_english_word

    return _BROKEN_WORD.sub(lambda m: m[1] + m[2] if is_english_word((m[1] + m[2]).lower()) else f"{m[1]}-{m[2]}", text)


def affirmed(text: str) -> str:
    """``text`` without its negated sentences ("No agreement was reached on a ceasefire.",
    "Amnesty was not discussed."): what a provision commits to, for scoring; "" if nothing is left."""
    if not _NEGATED.search(text):
        return text
    sentences = [text[s:e] for s, e in _strip(_split([(0, len(text))], _SENTENCE, text), text)]
    return " ".join(s for s in sentences if not _NEGATED.search(s))
