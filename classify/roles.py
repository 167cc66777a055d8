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

import re

import numpy as np

from .features import LexicalSpec, combine, hashed_counts
from .segment import numbered_lists, opens_with_dateline

ROLES = ("operative", "recital", "report", "quoted", "furniture")
OPERATIVE, RECITAL, REPORT, QUOTED, FURNITURE = range(len(ROLES))

AGREEMENT = "agreement"  # an agreement or a statement by the parties
NEWS_WITH_TEXT = "news-with-agreement"  # a news page that carries an agreement's text: coded from that text
NEWS = "news-about-talks"  # a report about talks: codes only from operative text it quotes
OTHER = "other"
DOCUMENT_TYPES = (AGREEMENT, NEWS_WITH_TEXT, NEWS, OTHER)
# each type as a coder reads it
TYPE_NAMES = {AGREEMENT: "an agreement or statement", NEWS_WITH_TEXT: "a news page carrying an agreement's text (coded from that text alone)",
              NEWS: "a news report about talks", OTHER: "neither an agreement nor news about talks"}


# The role model reads a clause's form, not its topic: its words of function (articles, pronouns,
# modal and reporting verbs, the verbs that open provisions and recitals) are kept, every other
# word becomes its shape. Trained on its topics' words, it learned that "ceasefire" is a report
# (coders' descriptions of ceasefires outnumber ceasefire provisions in the data).
FORM_SPEC = LexicalSpec(n_buckets=2**16, ngram_min=1, ngram_max=3)
_FUNCTION = set("""
a an the this that these those it its they them their there here he she his her him we our us i me my you your who whom whose which what
when where why how all both each every any some no not nor none other another such same own only also too very more most less least
and or but if then than because as while although though unless until since so yet whether either neither
of in on at by for with without within from to into onto upon over under between among through during before after above below about
against across along around beyond per via towards toward including including regarding concerning following pursuant
be is are was were been being am has have had having do does did done shall will would should may might must can could ought
hereby herein hereof thereof therein whereas whereby furthermore moreover however therefore thus accordingly notwithstanding
said says say saying told tells tell according reported reports reportedly added adding stated states announced announces
asked claimed claims noted insisted warned explained described believes believed argued think thinks thought
agree agrees agreed agreeing agreement decide decides decided decision undertake undertakes undertook commit commits committed
recall recalling consider considering note noting reaffirm reaffirms reaffirming recognize recognizes recognizing recognise recognising
welcome welcomes welcoming emphasize emphasizing emphasise emphasising acknowledge acknowledging express expressing expressed
desiring determined convinced bearing mind guided taking concerned mindful aware deeply stressing underlining affirming
urge urges urged call calls called upon request requests requested ensure ensures guarantee guarantees establish establishes
provide provides provided accept accepts accepted pledge pledges declare declares declared resolve resolves resolved
parties party article section chapter paragraph annex signed sign signing done witness witnessed behalf
yesterday today tomorrow week month year monday tuesday wednesday thursday friday saturday sunday ago last next
""".split())
_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)?|\d+|[\"\u201c\u201d\u2018:;?!()\-\u2013\u2014@#|/]")
_PUNCT = {'"': "qquote", "\u201c": "qopen", "\u201d": "qclose", "\u2018": "qopen1", ":": "pcolon", ";": "psemi", "?": "pquestion",
          "!": "pexclaim", "(": "pparen", ")": "pparen", "-": "pdash", "\u2013": "pdash", "\u2014": "pdash", "@": "pat", "#": "phash",
          "|": "pbar", "/": "pslash"}


def _shape(word: str) -> str:
    if word.isdigit():
        return "num"
    low = word.lower()
    if low in _FUNCTION:
        return low
    if word.isupper() and len(word) > 1:
        case = "xupper"
    elif word[0].isupper():
        case = "xcap"
    else:
        case = "x"
    for suffix in ("ing", "ed", "ly", "ion", "ment", "s"):
        if low.endswith(suffix) and len(low) > len(suffix) + 2:
            return f"{case}{suffix}"
    return case


def form_text(text: str) -> str:
    """``text`` as its form: function words kept, other words as shapes ("xcaped", "xs"),
    punctuation that marks speech, questions and lists as words."""
    head = "numbered " if re.match(r"^\s*(?:\(?[0-9]{1,3}(?:\.[0-9]{1,3})*[.)]|\(?[a-z]\)|[ivxlc]{1,5}[.)])\s", text, re.I) else ""
    return head + " ".join(_PUNCT.get(t, None) or _shape(t) for t in _TOKEN.findall(text))


# "X said", "told reporters": a news report's, never an agreement's words ("the said Committee",
# "as said in Article 3" are)
_SPEECH = re.compile(r"(?i)\bsaid\b|\b(?:says|told|tells)\b")
_LEGAL_SAID = re.compile(r"(?i)\b(?:the|such|of|as|in|to|from|by|with|under|for|aforementioned)\s+said\b|^said\b")


def reports_speech(text: str) -> bool:
    """``text`` reports what someone said."""
    return bool(_SPEECH.search(_LEGAL_SAID.sub(" ", " ".join(text.split()))))


def role_features(texts: list[str], X, n_dense: int):
    """The role model's input: the embeddings of ``texts`` (the first ``n_dense`` columns of their
    category features ``X``) and the hashed n-grams of their form (:func:`form_text`)."""
    import scipy.sparse as sp

    dense = X[:, :n_dense].toarray() if sp.issparse(X) else np.asarray(X)[:, :n_dense]
    return combine(dense, hashed_counts([form_text(t) for t in texts], FORM_SPEC))


def normalise(probabilities: np.ndarray) -> np.ndarray:
    """One-vs-rest role probabilities (n, n_roles) -> rows that sum to 1."""
    p = np.asarray(probabilities, dtype=np.float64)
    total = p.sum(axis=1, keepdims=True)
    total[total == 0] = 1
    return (p / total).astype(np.float32)


def operative_only(n: int) -> np.ndarray:
    """Role probabilities (n, n_roles) of clauses all operative: a model without a role model."""
    out = np.zeros((n, len(ROLES)), dtype=np.float32)
    out[:, OPERATIVE] = 1
    return out


def carry(roles: np.ndarray, rhetorical: np.ndarray, recital_weight: float, gain: float = 1.0) -> np.ndarray:
    """How much of a clause's category score counts, (n_units, n_categories): all of it where the
    clause is most likely operative, else the odds of its operative role (and, for recitals, of
    ``recital_weight`` of its recital role) against its likeliest role. A clause that is most
    likely a report keeps only a fraction of its scores, so it is evidence only when the text
    around it gives the role model doubt.

    roles : (n_units, n_roles) normalised role probabilities
    rhetorical : bool (n_categories,), the categories a recital carries in full (PA-X codes a
        preamble's rhetorical commitments); the others count ``recital_weight`` of a recital.
    gain : the operative odds are multiplied by this first: at 2, a clause half as likely
        operative as its likeliest role still counts in full (the role model misreads some
        provisions as reports).
    """
    operative, recital = roles[:, OPERATIVE][:, None], roles[:, RECITAL][:, None]
    top = np.maximum(roles.max(axis=1, keepdims=True), 1e-6)
    weight = np.where(rhetorical[None, :], 1.0, recital_weight).astype(np.float32)
    return np.minimum(1.0, (gain * operative + recital * weight) / top).astype(np.float32)


def committing(roles: np.ndarray) -> np.ndarray:
    """(n_units,): how far each clause is operative or a recital, as :func:`carry` counts it."""
    top = np.maximum(roles.max(axis=1), 1e-6)
    return np.minimum(1.0, (roles[:, OPERATIVE] + roles[:, RECITAL]) / top).astype(np.float32)


def document_type(roles: np.ndarray, chars: np.ndarray, *, min_block: int = 3, min_block_share: float = 0.3,
                  min_operative: float = 0.45, min_quoted: float = 0.07, max_account_share: float = 0.05,
                  min_list_operative: float = 0.25, min_announced_commit: float = 0.6, lists: np.ndarray | None = None,
                  announced: np.ndarray | None = None, attributed: np.ndarray | None = None, wire: bool = False) -> tuple[str, float, np.ndarray]:
    """The document's type, its share of committing text (operative and recital clauses), and
    the clauses that carry codes by type (bool, n_clauses: all of an agreement's, the agreement
    text of a news page that carries one, none of a report about talks).

    roles : (n_clauses, n_roles) normalised, for the document's scored clauses in order;
    chars : (n_clauses,) their lengths. A document is news when its clauses are mostly reports
    and quoted speech, and its mean probability of quoted speech is at least ``min_quoted``; mostly
    reports, no one quoted and less than ``max_account_share`` committing, it is an account of an
    agreement or of talks (other), coded as it stands. A news page carries an agreement when its committing
    clauses form a run of at least ``min_block`` clauses, uninterrupted by reports or quotes,
    that holds at least ``min_block_share`` of its text and whose operative probability is
    ``min_operative`` on average.

    A news page carries the agreement that a line announces or names (``announced``, bool
    (n_clauses,): the clauses after it, see ``Units.announced``) from the first committing clause
    after that line to the next clause quoted or reporting speech (``attributed``, bool
    (n_clauses,): :func:`reports_speech`), when at least ``min_block`` of its clauses commit.
    ``lists`` (int (n_clauses,), :func:`classify.segment.numbered_lists`): a numbered list more
    than half of which is likeliest operative or a recital commits as one, and a run mostly made
    of such a list needs only ``min_list_operative``. A ``wire`` report (a news agency's dateline
    opens it) is news though it quotes no one: the terms of a deal it reports are no account to code.
    """
    if not len(roles):
        return OTHER, 0.0, np.zeros(0, dtype=bool)
    role = roles.argmax(axis=1)
    text = role != FURNITURE
    total = float(chars[text].sum()) or 1.0
    strict = np.isin(role, (OPERATIVE, RECITAL))
    share = float(chars[strict].sum()) / total
    narrative = float(chars[np.isin(role, (REPORT, QUOTED))].sum()) / total
    # within a run of agreement text, a clause nearly as likely operative (or a recital) as its
    # likeliest role belongs to it: the role model hesitates between "decides" and "reports" on
    # short provisions
    commits = strict | (committing(roles) >= 0.8)
    committed_list = np.zeros(len(role), dtype=bool)
    if lists is not None:
        # the items of a numbered list are one text: when more than half of it is likeliest operative (or a
        # recital), all of it commits; the points of a news explainer ("2. Both sides are expected
        # to ..., a diplomat said") read likeliest as reports and quotes
        for k in np.unique(lists[lists >= 0]):
            span = lists == k
            if chars[span & strict].sum() > 0.5 * chars[span].sum():
                commits |= span & (role != QUOTED)
                committed_list |= span
    # joint communiqués and conclusions speak of the parties in the third person, as a report
    # does ("The sides commit to ..."); what news adds is people quoted
    quoted = float((roles[:, QUOTED] * chars).sum()) / (float(chars.sum()) or 1.0)
    if narrative < 0.35 or quoted < min_quoted:
        # nothing commits and no one is quoted: an account of an agreement or of talks (an
        # encyclopedia's, a third party's statement welcoming a deal), coded as it stands but not
        # taken for an agreement's own text
        kind = OTHER if narrative >= 0.35 and share < max_account_share else AGREEMENT
        if not (wire and kind == OTHER):
            return kind, share, np.ones(len(role), dtype=bool)
    if announced is not None and announced.any():
        # a page that says the agreement's text follows ("The full text ... reads:") carries it, from
        # its first clause that commits to the next one quoted or that reports speech ("Diplomats
        # said ..."), however plainly its clauses are put (a list of measures, a statement's
        # "re-affirm ..." and "call for ..." read little more operative than reports)
        after = np.flatnonzero(announced)
        # the announcement vouches for the text: a clause that reads more than half as committing as
        # its likeliest role commits here (a communique's "They will support ..." reads as a report)
        vouched = commits | (committing(roles) >= min_announced_commit)
        committed = after[vouched[after]]
        if len(committed):
            # a provision likeliest operative that says "as said in ..." is no reporter's
            news = role == QUOTED if attributed is None else (role == QUOTED) | (attributed & ~strict)
            ends = after[(after > committed[0]) & news[after]]
            block = np.zeros(len(role), dtype=bool)
            block[committed[0] : ends[0] if len(ends) else len(role)] = True
            if vouched[block].sum() >= min_block:
                return NEWS_WITH_TEXT, share, block
    best, best_chars, start = None, 0.0, None
    for i in range(len(role) + 1):
        if i < len(role) and (commits[i] or (role[i] == FURNITURE and start is not None)):
            start = i if start is None else start
            continue
        if start is not None:
            run = np.arange(start, i)
            run = run[commits[run]]
            # agreement text reads operative on the whole, not merely less like a report
            operative = float((roles[run, OPERATIVE] * chars[run]).sum() / max(chars[run].sum(), 1))
            # a numbered list that commits is an agreement's text however plainly its items are put
            listed = chars[run][committed_list[run]].sum() > 0.5 * chars[run].sum()
            if len(run) >= min_block and operative >= (min_list_operative if listed else min_operative) and chars[run].sum() > best_chars:
                best, best_chars = (start, i), float(chars[run].sum())
            start = None
    if best is not None and best_chars >= min_block_share * total:
        block = np.zeros(len(role), dtype=bool)
        block[best[0] : best[1]] = True
        return NEWS_WITH_TEXT, share, block
    # a report about talks: only clauses it quotes that are clearly operative
    return NEWS, share, (role == OPERATIVE) & (roles[:, OPERATIVE] >= 0.5)


def document_carry(roles: np.ndarray, unit_clause: np.ndarray, unit_chars: np.ndarray, owner: np.ndarray, n_docs: int,
                   rhetorical: np.ndarray, recital_weight: float, gated: np.ndarray | None = None, gain: float = 1.0,
                   texts: list | None = None, announced: np.ndarray | None = None):
    """How much of each unit's category scores counts, (n_units, n_cat), with every document's
    type and committing share: :func:`carry` by the unit's role, within the clauses its
    document's type lets carry codes (:func:`document_type`).

    roles : (n_units, n_roles) normalised; unit_clause : (n_units,) the clause of each unit in its
    document (-1: the whole text); unit_chars : (n_units,), > 0 on a clause's own unit;
    owner : (n_units,) the document of each unit; gated : bool (n_units,), units whose role counts
    (default all; a description is coded whole); gain : see :func:`carry`; texts : (n_units,) the
    units' texts, whose numbered lists and reported speech :func:`document_type` reads (neither
    without them); announced :
    bool (n_units,), units after a line that says an agreement's text follows (``Units.announced``).

    Returns carry (n_units, n_cat), the type and committing share of every document, the
    characters of each document's text that may carry codes (n_docs,): the length its count
    prior is applied to, so a news page is capped by the agreement text it carries; and the
    units that commit and may carry codes (bool, n_units; :func:`whole_texts` joins them).
    """
    out = carry(roles, rhetorical, recital_weight, gain)
    kept = np.ones(len(roles), dtype=bool)
    kinds, shares = [], []
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(n_docs + 1))
    for d in range(n_docs):
        idx = order[bounds[d] : bounds[d + 1]]
        main = idx[unit_chars[idx] > 0]
        lists = numbered_lists([texts[i] for i in main]) if texts is not None else None
        kind, share, block = document_type(roles[main], unit_chars[main], lists=lists, announced=None if announced is None else announced[main],
                                           attributed=None if texts is None else np.array([reports_speech(texts[i]) for i in main], dtype=bool),
                                           wire=texts is not None and any(opens_with_dateline(texts[i]) for i in main[:3]))
        kinds.append(kind)
        shares.append(share)
        if kind != AGREEMENT and not block.all():  # an account typed other is coded as it stands
            allowed = np.zeros(len(main), dtype=bool) if not len(main) else block
            clause_ok = dict(zip(unit_clause[main].tolist(), allowed.tolist()))
            keep = np.array([clause_ok.get(int(k), False) for k in unit_clause[idx]], dtype=bool)
            out[idx[~keep]] = 0
            kept[idx[~keep]] = False
    if gated is not None:
        out[~np.asarray(gated, dtype=bool)] = 1
    # the length the count prior is applied to: the committing text that may carry codes, so a news
    # page is capped by the agreement text it carries, not by its whole length
    weight = np.asarray(unit_chars, dtype=np.float64) * kept * np.minimum(1.0, gain * committing(roles))
    if gated is not None:
        weight = np.where(gated, weight, unit_chars)
    chars = np.bincount(owner, weights=weight, minlength=n_docs)
    return out, kinds, shares, chars, kept & (committing(roles) >= 0.5)


def whole_texts(texts: list, unit_chars: np.ndarray, owner: np.ndarray, n_docs: int, committed: np.ndarray) -> list[str]:
    """Per document, its committing clauses (``committed``, bool per unit, of its clauses' own
    units) joined: what the whole-document scorer reads; "" where it has none."""
    parts: list[list[str]] = [[] for _ in range(n_docs)]
    for text, n, d, keep in zip(texts, unit_chars, owner, committed):
        if n > 0 and keep:
            parts[d].append(text)
    return ["\n\n".join(p) for p in parts]
