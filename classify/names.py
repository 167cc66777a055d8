"""Mask the names of places, people and parties before a text is scored.

PA-X coders code what an agreement provides, not who signed it, but a model learns from
descriptions such as "The Government of X and the Y Front agreed ...", and names then move
categories: with the first models, putting another country's name into a statement changed one
decision in ten. A capitalised word in the middle of a sentence that is not one of the words that
agreements capitalise for what they are (Government, Parties, Commission, United Nations, ...) is
taken for a name when its lower-case form is no English word (the ``english-words`` lists:
Webster's 2nd and GCIDE), so "Cessation of Hostilities" stays and "Darfur" goes, and replaced by
``X``, in training and prediction alike.
"""

from __future__ import annotations

import functools
import re

MASK = "X"

# Capitalised words that say what something is, not who: institutions, offices, roles, documents,
# and international actors whose presence PA-X codes (UN, AU, ...). Lower case; written for
# this module.
KEEP = frozenset("""
a an and as at by for from in into of on or the to with under between among upon within without per via
i ii iii iv v vi vii viii ix x xi xii xiii xiv xv
government governments state states republic kingdom federation federal confederation union national nation nations
people peoples parties party movement front army armed forces force police security military militia militias guard
liberation revolutionary democratic democracy islamic christian muslim communist socialist popular united
council assembly parliament congress senate committee commission commissions board authority authorities
office ministry minister ministers prime president presidential presidency vice deputy chairman chairperson chair
secretary general envoy special representative representatives ambassador mediator mediators facilitator facilitators
court courts tribunal supreme constitutional constitution justice judicial judiciary law laws act acts bill code
agreement agreements accord accords protocol protocols treaty declaration communique communiqué statement memorandum
understanding charter convention conventions resolution resolutions decision decisions plan roadmap road map framework
article articles chapter chapters section sections part parts annex annexes appendix schedule paragraph clause preamble
ceasefire cease fire truce peace peacekeeping process talks negotiations dialogue conference summit round
transitional interim joint monitoring verification mission observer observers team group groups panel mechanism
human rights humanitarian women children youth refugees refugee displaced persons victims prisoners detainees
electoral election elections referendum truth reconciliation amnesty reparations disarmament demobilisation
demobilization reintegration ddr ssr
international regional local central northern southern eastern western north south east west
africa african european europe asia asian arab american americas latin middle pacific atlantic
un u.n. au eu osce nato igad ecowas sadc eac asean oas oic icrc unhcr unicef undp unmiss unama
red cross crescent world bank monetary fund
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday
god
""".split())

_WORD = re.compile(r"[^\W\d_][\w'\u2019.-]*[\w]|[^\W\d_]")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n\u2022*()\[\]\"\u201c]|\d[.)])\s*$")


@functools.lru_cache(maxsize=1)
def english_words() -> frozenset:
    """Lower-case English words (proper nouns, capitalised in the lists, are left out)."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2", "gcide"], lower=False, alpha=True) if w.islower())


def is_name(word: str) -> bool:
    """A capitalised word that names someone or somewhere: not in ``KEEP``, and an acronym or no
    lower-case English word."""
    lower = word.lower().rstrip(".")
    if not word[0].isupper() or lower in KEEP:
        return False
    if word.isupper() and len(word) > 1:
        return True
    return not is_english_word(lower.replace("\u2019", "'").split("'")[0])


def is_english_word(word: str) -> bool:
    """``word`` (lower case) or a lemma it inflects is in the English word lists."""
    return any(form in english_words() for form in _forms(word))


def _forms(word: str) -> list[str]:
    """``word`` and the lemmas it may inflect: "measures" -> measure, "agreed" -> agree."""
    forms = [word]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            forms.append(word[: -len(suffix)] + repl)
    return forms + [f.replace("isa", "iza").replace("ise", "ize") for f in forms if "is" in f]  # British spelling


def mask_names(text: str) -> str:
    """``text`` with names (:func:`is_name`) replaced by ``X``, except a sentence's first word
    unless it is an acronym. A run of names becomes one X."""
    out, last = [], 0
    previous_masked_end = None
    for m in _WORD.finditer(text):
        word = m.group()
        if not is_name(word):
            continue
        if _SENTENCE_START.search(text[max(0, m.start() - 4) : m.start()]) and not word.isupper():
            continue  # "The", "Each", "Sudan": the first word of a sentence may be any word
        if previous_masked_end is not None and text[previous_masked_end : m.start()].strip() in ("", "-", "'s", "\u2019s"):
            out.append(text[last : previous_masked_end])  # one X for "South Kordofan"
            last = m.end()
            previous_masked_end = m.end()
            continue
        out.append(text[last : m.start()])
        out.append(MASK)
        last = m.end()
        previous_masked_end = m.end()
    out.append(text[last:])
    return "".join(out)
