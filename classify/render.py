"""Render codings: a readable coding sheet, JSON, JSON lines, CSV, Markdown."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict

from .predict import Coding

FORMATS = ("text", "json", "jsonl", "csv", "markdown")


def _groups(coding: Coding, show_all: bool):
    """Categories grouped by PA-X group, in model order; only present ones unless show_all."""
    groups: dict[str, list] = {}
    for cat in coding.categories:
        if cat.present or show_all:
            groups.setdefault(cat.group, []).append(cat)
    return groups


def _quote(ev) -> str:
    where = f"Page {ev.page}: " if ev.page else ""
    return where + " ".join(ev.text.split())


def as_dict(coding: Coding) -> dict:
    return {
        "id": coding.id,
        "document": coding.document,
        "n_clauses": coding.n_clauses,
        "categories": [
            {**asdict(c), "evidence": [{k: v for k, v in asdict(e).items() if k != "page" or v is not None} for e in c.evidence]}
            for c in coding.categories
        ],
    }


def render_text(codings: list[Coding], *, show_all: bool = False) -> str:
    out = []
    for coding in codings:
        title = f"{coding.id}" + (f"  ({coding.document})" if coding.document and coding.document != coding.id else "")
        out += [title, "=" * len(title), f"{len(coding.present)} categories present, {coding.n_clauses} clauses read", ""]
        groups = _groups(coding, show_all)
        if not groups:
            out += ["No PA-X category passes its threshold.", ""]
        for group, cats in groups.items():
            out.append(group)
            for c in cats:
                if not c.present:
                    out.append(f"  {c.name} [{c.code}]: No specific mention.  (p={c.probability:.2f})")
                    continue
                out.append(f"  {c.name} [{c.code}]  p={c.probability:.2f} (threshold {c.threshold:.2f})")
                for ev in c.evidence:
                    out.append(f"    \u201c{_quote(ev)}\u201d  ({ev.score:.2f})")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_markdown(codings: list[Coding], *, show_all: bool = False) -> str:
    out = []
    for coding in codings:
        out += [f"# {coding.id}", "", f"{len(coding.present)} categories present, {coding.n_clauses} clauses read.", ""]
        for group, cats in _groups(coding, show_all).items():
            out += [f"## {group}", ""]
            for c in cats:
                if not c.present:
                    out.append(f"- **{c.name}** (`{c.code}`): No specific mention.")
                    continue
                out.append(f"- **{c.name}** (`{c.code}`), p = {c.probability:.2f}")
                for ev in c.evidence:
                    out.append(f"  > {_quote(ev)} *({ev.score:.2f})*")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_csv(codings: list[Coding], *, show_all: bool = False) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["id", "document", "code", "name", "group", "probability", "threshold", "present", "evidence"])
    for coding in codings:
        for c in coding.categories:
            if c.present or show_all:
                evidence = " | ".join(_quote(e) for e in c.evidence)
                writer.writerow([coding.id, coding.document or "", c.code, c.name, c.group, c.probability, c.threshold, int(c.present), evidence])
    return buf.getvalue()


def render(codings: list[Coding], fmt: str, *, show_all: bool = False) -> str:
    """The codings as text in one of FORMATS. JSON formats always list every modelled category."""
    if fmt == "json":
        return json.dumps([as_dict(c) for c in codings], indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(as_dict(c), ensure_ascii=False) + "\n" for c in codings)
    if fmt == "csv":
        return render_csv(codings, show_all=show_all)
    if fmt == "markdown":
        return render_markdown(codings, show_all=show_all)
    return render_text(codings, show_all=show_all)
