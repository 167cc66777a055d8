"""Behaviour checks on text written for them (no PA-X text): negated provisions must not code
their category, party names must not change a coding, and real-world pages (news about talks, an
agreement inside a news page, a PDF of wrapped lines) must be read for what they are.

``python -m training.behaviour --model models/pax-default`` prints the figures as JSON (with
``--news DIR``, the news reports in DIR too: ../shared/news).
"""

from __future__ import annotations

import io
import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from classify.coding import Document

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def _present(codings, code: str) -> list[bool]:
    return [any(c.code == code and c.present for c in coding.categories) for coding in codings]


def negation_rates(model, items: pd.DataFrame) -> dict:
    """items : frame of ``code``, ``affirmed`` (a provision that carries the code) and ``negated``
    (a sentence saying the matter was not agreed or not discussed).

    Returns the share of negated sentences coded with their category, alone and appended to another
    item's provision, and, as a check that the set means something, the share of affirmed provisions
    coded with theirs. Items whose code the model does not cover are left out.
    """
    codes = {c.code for c in model.categories}
    items = items[items.code.isin(codes)].reset_index(drop=True)
    n = len(items)
    other = [items.affirmed[(i + 1) % n] for i in range(n)]
    docs = [Document(f"neg{i}", t) for i, t in enumerate(items.negated)]
    docs += [Document(f"aff{i}", t) for i, t in enumerate(items.affirmed)]
    docs += [Document(f"ctx{i}", f"{o}\n\n{t}") for i, (o, t) in enumerate(zip(other, items.negated))]
    codings = model.code(docs)
    neg, aff, ctx = codings[:n], codings[n : 2 * n], codings[2 * n :]
    hits = lambda cs: [p for coding, code in zip(cs, items.code) for p in _present([coding], code)]
    # in context, a negated code counts only when the other provision alone does not code it: what
    # the negated sentence adds, not what its neighbour carries
    alone = hits([aff[(i + 1) % n] for i in range(n)])
    ctx_hits = [h for h, a in zip(hits(ctx), alone) if not a]
    return {
        "items": n,
        "negated_coded": round(float(np.mean(hits(neg))), 4),
        "negated_in_context_coded": round(float(np.mean(ctx_hits)), 4),
        "affirmed_coded": round(float(np.mean(hits(aff))), 4),
    }


def name_swap_flips(model, templates: list[str], names: pd.DataFrame) -> dict:
    """Each template coded with every (A, B) pair of names; a decision flips when a category's
    presence differs from its presence under the first pair. Returns the share of decisions that
    flip, over every modelled category, and the same over categories present under any pair."""
    docs = [Document(f"t{t}-n{k}", tpl.replace("{A}", a).replace("{B}", b))
            for t, tpl in enumerate(templates) for k, (a, b) in enumerate(zip(names.A, names.B))]
    codings = model.code(docs)
    present = np.array([[c.present for c in coding.categories] for coding in codings]).reshape(len(templates), len(names), -1)
    flips = present[:, 1:, :] != present[:, :1, :]
    ever = present.any(axis=1, keepdims=True).repeat(len(names) - 1, axis=1)
    return {
        "templates": len(templates),
        "name_pairs": len(names),
        "decisions": int(flips.size),
        "flip_rate": round(float(flips.mean()), 4),
        "flip_rate_of_present": round(float(flips[ever].mean()), 4) if ever.any() else 0.0,
        "present_per_document": round(float(present.sum(axis=2).mean()), 2),
    }


def load_sets(folder: Path = DATA) -> tuple[pd.DataFrame, list[str], pd.DataFrame]:
    templates = (folder / "name_swap.txt").read_text(encoding="utf-8")
    templates = "\n".join(line for line in templates.splitlines() if not line.startswith("#"))
    return (
        pd.read_csv(folder / "negation.csv"),
        [t.strip() for t in templates.split("\n---\n")],
        pd.read_csv(folder / "names.csv"),
    )


PAGES = DATA / "pages"
# our own agreements and statements, and the news pages that carry them
AGREEMENTS = {"agreement_ceasefire.txt": "news_carrying_agreement.txt", "agreement_cessation.txt": "web_carrying_cessation.txt",
              "agreement_communique_reported.txt": None, "agreement_list_of_measures.txt": "news_carrying_measures.txt",
              "statement_press_release.txt": None, "statement_contact_group.txt": "news_carrying_contact_group.txt",
              "statement_summit_conclusions.txt": "news_carrying_summit_conclusions.txt", "agreement_humanitarian_access.txt": "web_carrying_reprint.txt",
              "../../../examples/statement.txt": "news_carrying_statement.txt"}


def wrapped_pdf(text: str, width: int = 80, *, scanned: bool = False) -> bytes:
    """``text`` typeset as a PDF (reportlab): lines wrapped at ``width`` characters, a gap between
    paragraphs. ``scanned``: as a scanned agreement's text layer reads, with a running header (its
    first line) and a page number on every page, and long words hyphenated at line ends."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    header = text.strip().splitlines()[0][:60] if scanned and text.strip() else ""
    page, y = 0, 0

    def new_page():
        nonlocal page, y
        if page:
            c.showPage()
        page, y = page + 1, 800
        if scanned:
            c.drawString(50, 820, f"{header}    RESTRICTED")
            c.drawString(280, 30, f"- {page} -")

    new_page()
    for paragraph in text.split("\n\n"):
        for line in paragraph.split("\n"):
            for piece in (_hyphenated(line, width) if scanned else textwrap.wrap(line, width)) or [""]:
                if y < 60:
                    new_page()
                c.drawString(50, y, piece)
                y -= 14
        y -= 14
    c.showPage()
    c.save()
    return buf.getvalue()


def _hyphenated(line: str, width: int) -> list[str]:
    """``line`` wrapped at ``width``, a long word that does not fit split with a hyphen as typesetters do."""
    out, current = [], ""
    for word in line.split():
        room = width - len(current) - 1
        if len(current) + 1 + len(word) <= width or not current:
            current = f"{current} {word}".strip()
        elif len(word) >= 8 and word.isalpha() and room >= 4:
            cut = min(room - 1, len(word) - 3)
            out.append(f"{current} {word[:cut]}-")
            current = word[cut:]
        else:
            out.append(current)
            current = word
    return out + [current] if current else out


def jaccard(a: set, b: set) -> float:
    return round(len(a & b) / len(a | b), 4) if a | b else 1.0


def page_checks(model, news: list[Path] = (), folder: Path = PAGES) -> dict:
    """How news pages, agreements inside news pages and PDFs of our agreements are read: per news
    page its type, whether it is warned and its number of categories; per agreement, the Jaccard
    of its categories with those of the news page that carries it, of its wrapped-line PDF, and of
    a scanned-looking PDF of it (running header, page numbers, words hyphenated at line ends)."""
    from classify.formats import pdf_pages

    present = lambda coding: {c.code for c in coding.present}  # noqa: E731
    pages = sorted(p for p in folder.glob("news_*.txt") if "carrying" not in p.name) + list(news)
    codings = model.code([Document(p.name, p.read_text(encoding="utf-8")) for p in pages])
    out = {"news": {p.name: {"type": c.document_type, "warned": bool(c.warnings), "categories": len(c.present)} for p, c in zip(pages, codings)},
           "agreements": {}}
    for name, carrier in AGREEMENTS.items():
        text = (folder / name).read_text(encoding="utf-8")
        docs = [Document("text", text), Document("pdf", pdf_pages(wrapped_pdf(text))), Document("scan", pdf_pages(wrapped_pdf(text, scanned=True)))]
        if carrier:
            docs.append(Document("news", (folder / carrier).read_text(encoding="utf-8")))
        plain, pdf, scan, *wrapped = model.code(docs)
        out["agreements"][Path(name).name] = {
            "type": plain.document_type, "warned": bool(plain.warnings), "categories": len(plain.present),
            "pdf_jaccard": jaccard(present(plain), present(pdf)), "scanned_pdf_jaccard": jaccard(present(plain), present(scan)),
            **({"news_page_type": wrapped[0].document_type, "news_page_jaccard": jaccard(present(plain), present(wrapped[0]))} if wrapped else {}),
        }
    return out


def behaviour(model, folder: Path = DATA, news: list[Path] = ()) -> dict:
    negation, templates, names = load_sets(folder)
    return {"negation": negation_rates(model, negation), "name_swap": name_swap_flips(model, templates, names),
            "pages": page_checks(model, news, folder / "pages")}


if __name__ == "__main__":  # pragma: no cover
    import argparse

    from classify.model import Model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model folder (default: the shipped model)")
    parser.add_argument("--news", type=Path, help="a folder of news reports about talks (../shared/news)")
    args = parser.parse_args()
    news = sorted(args.news.glob("*.txt")) if args.news else []
    print(json.dumps(behaviour(Model.load(args.model, backend="onnx"), news=news), indent=2))
