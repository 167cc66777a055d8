"""Behaviour checks on text written for them (no PA-X text): negated provisions must not code
their category, and party names must not change a coding.

``python -m training.behaviour --model models/pax-default`` prints the rates as JSON.
"""

from __future__ import annotations

import json
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


def behaviour(model, folder: Path = DATA) -> dict:
    negation, templates, names = load_sets(folder)
    return {"negation": negation_rates(model, negation), "name_swap": name_swap_flips(model, templates, names)}


if __name__ == "__main__":  # pragma: no cover
    import argparse

    from classify.model import Model

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="model folder (default: the shipped model)")
    args = parser.parse_args()
    print(json.dumps(behaviour(Model.load(args.model, backend="onnx")), indent=2))
