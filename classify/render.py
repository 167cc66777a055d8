"""Render codings: a readable coding sheet, JSON, JSON lines, CSV, Markdown."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable, Iterator

import numpy as np

from .coding import Coding, agt_id
from .roles import TYPE_NAMES

FORMATS = ("text", "json", "jsonl", "csv", "pax-csv", "markdown")


def _groups(coding: Coding, show_all: bool):
    """Categories grouped by PA-X group, only present ones unless show_all. Categories keep the
    model's order (the codings file's, PA-X's agreement-page order); a group stands where most of
    its categories do, whichever of them are present (ImSrc, the codings' first column, would
    otherwise put "Implementation" first)."""
    positions: dict[str, list[int]] = {}
    for i, cat in enumerate(coding.categories):
        positions.setdefault(cat.group, []).append(i)
    order = sorted(positions, key=lambda g: float(np.median(positions[g])))
    groups: dict[str, list] = {g: [] for g in order}
    for cat in coding.categories:
        if cat.present or show_all:
            groups[cat.group].append(cat)
    return {g: cats for g, cats in groups.items() if cats}


def _capped(c) -> str:
    return f", passes its threshold {c.threshold:.2f} but higher-scoring categories fill the document's count" if c.capped else ""


def _implied(c) -> str:
    grade = f", grade {c.grade}" if c.grade is not None else ""
    return grade + (f", present through its sub-code {', '.join(c.implied_by)}" if c.implied_by else "")


def _quote(ev) -> str:
    where = f"Page {ev.page}: " if ev.page else ""
    return where + " ".join(ev.text.split())


def as_dict(coding: Coding) -> dict:
    # spelled out: dataclasses.asdict deep-copies every value and took a seventh of a batch run
    return {
        "id": coding.id,
        "document": coding.document,
        "n_clauses": coding.n_clauses,
        "document_type": coding.document_type,
        "operative_share": coding.operative_share,
        "warnings": list(coding.warnings),
        "categories": [
            {"code": c.code, "name": c.name, "group": c.group, "probability": c.probability, "threshold": c.threshold,
             "present": c.present, **({"grade": c.grade} if c.grade is not None else {}),
             **({"implied_by": c.implied_by} if c.implied_by else {}), **({"capped": True} if c.capped else {}),
             "evidence": [{"text": e.text, "score": e.score, **({"page": e.page} if e.page is not None else {}),
                           **({"clause": e.clause + 1} if e.clause is not None else {}), **({"role": e.role} if e.role else {})}
                          for e in c.evidence]}
            for c in coding.categories
        ],
        "clause_roles": list(coding.clause_roles),
        "not_assessed": [{"code": c.code, "name": c.name, "group": c.group, "reason": c.reason} for c in coding.not_assessed],
    }


def _not_assessed(coding: Coding, show_all: bool, item) -> list[str]:
    """The categories the model does not assess: listed with --all, else counted."""
    if not coding.not_assessed:
        return []
    n = len(coding.not_assessed)
    if not show_all:
        return [f"{n} PA-X categories are not assessed by this model (--all lists them, with why).", ""]
    return [f"Not assessed ({n}): the model does not code these; read the text for them", *(item(c) for c in coding.not_assessed), ""]


# How each part of a coding sheet is written, in plain text and in Markdown
_TEXT = {"group": "{}", "absent": "  {c.name} [{c.code}]: No specific mention.  (p={c.probability:.2f}{capped})",
         "present": "  {c.name} [{c.code}]  p={c.probability:.2f} (threshold {c.threshold:.2f}){implied}",
         "evidence": "    \u201c{quote}\u201d  ({e.score:.2f})", "unassessed": "  {c.name} [{c.code}]: not assessed ({c.reason})"}
_MARKDOWN = {"group": "## {}\n", "absent": "- **{c.name}** (`{c.code}`): No specific mention.",
             "present": "- **{c.name}** (`{c.code}`), p = {c.probability:.2f}{implied}",
             "evidence": "  > {quote} *({e.score:.2f})*", "unassessed": "- **{c.name}** (`{c.code}`): not assessed ({c.reason})"}
POSSIBLE_SHOWN = 5  # the best of the possible categories a sheet lists without --all
_POSSIBLE = ("Possible ({n}): passed their thresholds, but higher-scoring categories fill the count a document of this length carries; "
             "check them against the text")


def _read_as(coding: Coding) -> str:
    return f"Read as {TYPE_NAMES.get(coding.document_type, coding.document_type)}; {coding.operative_share:.0%} of its text operative or recital"


def _sheet(coding: Coding, show_all: bool, style: dict) -> list[str]:
    if style is _TEXT:
        title = f"{coding.id}" + (f"  ({coding.document})" if coding.document and coding.document != coding.id else "")
        out = [title, "=" * len(title), f"{len(coding.present)} categories present, {coding.n_clauses} clauses read. {_read_as(coding)}.",
               *(f"Warning: {w}" for w in coding.warnings), ""]
    else:
        out = [f"# {coding.id}", "", f"{len(coding.present)} categories present, {coding.n_clauses} clauses read. {_read_as(coding)}.",
               *(f"\n**Warning:** {w}." for w in coding.warnings), ""]
    groups = _groups(coding, show_all)
    if not groups and style is _TEXT:
        out += ["No PA-X category passes its threshold.", ""]
    for group, cats in groups.items():
        out.append(style["group"].format(group))
        for c in cats:
            if not c.present:
                out.append(style["absent"].format(c=c, capped=_capped(c)))
                continue
            out.append(style["present"].format(c=c, implied=_implied(c)))
            out += [style["evidence"].format(e=e, quote=_quote(e)) for e in c.evidence]
        out.append("")
    possible = sorted((c for c in coding.categories if c.capped), key=lambda c: -c.probability)
    if possible:
        out.append(style["group"].format(_POSSIBLE.format(n=len(possible))))
        for c in possible if show_all else possible[:POSSIBLE_SHOWN]:
            out.append(style["present"].format(c=c, implied=""))
            out += [style["evidence"].format(e=e, quote=_quote(e)) for e in c.evidence[:1]]
        if len(possible) > POSSIBLE_SHOWN and not show_all:
            out.append(f"  ... and {len(possible) - POSSIBLE_SHOWN} more (--all lists them)")
        out.append("")
    return out + _not_assessed(coding, show_all, lambda c: style["unassessed"].format(c=c))


def _csv_rows(coding: Coding, show_all: bool) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for c in coding.categories:
        if c.present or show_all:
            evidence = " | ".join(_quote(e) for e in c.evidence)
            writer.writerow([coding.id, coding.document or "", coding.document_type, coding.operative_share, c.code, c.name, c.group,
                             c.probability, c.threshold, int(c.present), int(c.capped), evidence])
    if show_all:  # an empty probability, threshold and present: not assessed
        for c in coding.not_assessed:
            writer.writerow([coding.id, coding.document or "", coding.document_type, coding.operative_share, c.code, c.name, c.group,
                             "", "", "", "", f"not assessed: {c.reason}"])
    if not any(c.present for c in coding.categories) and not show_all:  # the document's row, with its type, even without codes
        writer.writerow([coding.id, coding.document or "", coding.document_type, coding.operative_share, "", "", "", "", "", "", "", ""])
    return buf.getvalue()


CSV_HEADER = "id,document,document_type,operative_share,code,name,group,probability,threshold,present,possible,evidence\n"


def _pax_columns(coding: Coding) -> list[str]:
    return coding.pax_columns or [c.code for c in coding.categories] + [c.code for c in coding.not_assessed]


def _pax_row(coding: Coding, columns: list[str]) -> str:
    """One row of the wide table: the document's AgtId (its own where its id names one) and id as
    PA-X's ``AgtId`` and ``Agt``, then 1 present (its grade 1-3 where PA-X grades the category), 0
    absent, empty not assessed, in ``columns``' order, then its type and operative share."""
    present = {c.code: (c.grade or 1) if c.present else 0 for c in coding.categories}
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([agt_id(coding.id), coding.id, *(present.get(code, "") for code in columns),
                                                   coding.document_type, coding.operative_share])
    return buf.getvalue()


def render_stream(batches: Iterable[list[Coding]], fmt: str, *, show_all: bool = False) -> Iterator[str]:
    """The codings of ``batches`` as text in one of FORMATS, in pieces, as each batch arrives: so a
    run over many documents holds one batch of codings at a time. The pieces join to ``render``'s text.
    JSON formats always list every modelled category."""
    first = True
    if fmt == "csv":
        yield CSV_HEADER
    for codings in batches:
        for coding in codings:
            if fmt == "jsonl":
                yield json.dumps(as_dict(coding), ensure_ascii=False) + "\n"
            elif fmt == "json":
                yield ("[\n" if first else ",\n") + textwrap.indent(json.dumps(as_dict(coding), indent=2, ensure_ascii=False), "  ")
            elif fmt == "csv":
                yield _csv_rows(coding, show_all)
            elif fmt == "pax-csv":
                if first:
                    columns = _pax_columns(coding)
                    yield ",".join(["AgtId", "Agt", *columns, "document_type", "operative_share"]) + "\n"
                yield _pax_row(coding, columns)
            else:
                sheet = _sheet(coding, show_all, _MARKDOWN if fmt == "markdown" else _TEXT)
                yield ("" if first else "\n") + "\n".join(sheet).rstrip() + "\n"
            first = False
    if fmt == "json":
        yield "[]\n" if first else "\n]\n"


def render(codings: list[Coding], fmt: str, *, show_all: bool = False) -> str:
    """The codings as text in one of FORMATS. JSON formats always list every modelled category."""
    return "".join(render_stream([codings], fmt, show_all=show_all))
