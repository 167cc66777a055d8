"""The PA-X codebook's words that a coder reads beside a category: its short definition, and
what each of its grades 1-3 means.

Definitions come from PA-X's categories file (``definition_short``), which is PA-X text: it is
read from the user's data folder, or recorded in a model trained with it, never shipped here.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .segment import join_broken_words

# What PA-X's grades 1-3 say, in the codebook's words, by family of graded categories. A graded
# category not listed here (a model trained on later data may grade others) gets DETAIL.
GROUPS = ("rhetorical", "anti-discrimination", "substantive")
DETAIL = ("mentioned", "some detail", "plenty of detail")
RIGHTS = ("rhetorical", "substantive", "detailed, committed")
SECURITY = ("general reference", "concrete mechanism", "detailed, enforceable")
JUSTICE = ("rhetorical", "substantive", "detailed modalities")
GRADE_WORDS = {
    **dict.fromkeys(["GCh", "GDis", "GAge", "GMig", "GRa", "GRe", "GInd", "GOth", "GRef", "GSoc"], GROUPS),
    **dict.fromkeys(["Pol", "Ele", "ElecComm", "PolPar", "Pubad", "ConRen", "Cons", "Polps", "Terps", "Eps", "Mps", "Tax", "Dev"], DETAIL),
    **dict.fromkeys(["HrBor", "CprEq", "HrCit", "HrDem", "Med", "Prot", "HrNi", "HrIi", "Bus"], RIGHTS),
    **dict.fromkeys(["Ce", "SsrPol", "SsrArm", "SsrDdr", "SsrInt", "Cor", "SsrCrOcr", "SsrDrugs"], SECURITY),
    **dict.fromkeys(["TjGen", "TjAm", "TjCou", "TjMech", "TjPrire", "TjVic", "TjMis", "TjRep", "TjNR"], JUSTICE),
}


def grade_words(code: str) -> tuple[str, str, str]:
    """What grades 1, 2 and 3 of the graded category ``code`` mean."""
    return GRADE_WORDS.get(code, DETAIL)


# the codebook's framing, which says nothing about the topic: "Binary variable, takes the value of 1 if the peace agreement"
_FRAMING = re.compile(r"(?i)^.*?\b(?:takes?|taking|with)\s+(?:the\s+|a\s+)?values?\s+(?:of\s+)?1(?:,\s*2,?\s+or\s+3)?\s+if\s+(?:the\s+(?:peace\s+)?agreement\s+)?")
# a sentence about the value 0 ("If no such provisions appear ..., the value on this variable is 0")
_ABSENT = re.compile(r"(?i)\b(?:is|set to|of)\s+[0o]\.?$|otherwise,?\s+0|takes? the (?:following )?values?(?: as follows)?\s*:?\.?$")


def short_definition(text) -> str | None:
    """The codebook's definition of a category as a coder reads it beside the category: the
    framing ("Binary variable, takes the value of 1 if ...") and the sentences about the value 0
    left out, words broken at the PDF's line ends joined again, the grade scale (``1 = ...``) left
    to :func:`grade_words`. None if nothing is left."""
    if not isinstance(text, str):
        return None
    text = join_broken_words(" ".join(text.split()))
    text = re.split(r"(?:^|\s)(?:It takes the values? of\s*)?1 = ", _FRAMING.sub("", text), maxsplit=1)[0]
    text = re.sub(r"(?i)[;,]\s*0 otherwise\b", "", text)
    sentences = [s for s in re.findall(r"[^.]+(?:\.|$)", text) if s.strip() and not _ABSENT.search(s)]
    if len(sentences) > 1 and not sentences[-1].rstrip().endswith("."):
        sentences.pop()  # a heading or a "Split into:" the PDF ran into the definition
    text = " ".join(s.strip() for s in sentences).strip(" :,;")
    return text[0].upper() + text[1:] if len(text) > 15 else None


def read_definitions(data_dir: Path) -> dict[str, str]:
    """code -> short definition, from the first CSV in ``data_dir`` with columns ``code`` and
    ``definition_short`` (PA-X's categories file); empty if there is none."""
    data_dir = Path(data_dir)
    for path in sorted(data_dir.glob("*.csv")) if data_dir.is_dir() else []:
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            reader = csv.DictReader(f)
            if not {"code", "definition_short"} <= set(reader.fieldnames or ()):
                continue
            return {row["code"]: d for row in reader if (d := short_definition(row["definition_short"]))}
    return {}
