"""How long a retraining takes after a review of 20 documents, with a warm embedding cache, next
to the full training measured in the same run on the same review.

    python benchmarks/retrain_speed.py                 # --data ../shared/pax --model models/pax-default
    python benchmarks/retrain_speed.py --repeats 3

The review: the 20 agreements of ../shared/pax with the most real clauses (constitution-matched
provisions and quoted clauses), each made into a document of its own id (not a PA-X AgtId, so its
text is new to training), reviewed by a simulated coder through the workbench's Store as
``benchmarks/simulated_coder.py`` does: the shipped model's suggestions PA-X coded accepted on their
best evidence clause, the others rejected on it, the document marked done. Then, each as a
separate process, as a user runs them:

- ``classify train --data D --reviewed R --base M --out ...`` once to embed the review's clauses
  (cold for them), then ``--repeats`` times warm: the figure;
- ``classify train --data D --reviewed R --out ...``: the full training (grouped-fold
  thresholds and the multiple-instance second fit), the reference.

The review folder and the models go to a temporary folder, deleted afterwards (they hold PA-X
text). Results go to benchmarks/retrain_results.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.run import machine  # noqa: E402
from classify.atomic import write_text_atomic  # noqa: E402

GOAL_S = 60.0
OUT = REPO / "benchmarks" / "retrain_results.json"


def review(data_dir: Path, model_dir: Path, folder: Path, n: int) -> int:
    """Save a simulated review of ``n`` documents into ``folder``; returns the decisions saved."""
    from classify import Document, Model
    from classify.review.store import Store
    from classify.review.suggest import catalogue, suggest
    from training.sources import load_pax

    data, _ = load_pax(data_dir)
    bags: dict = {}
    provisions = data.texts[data.texts.kind == "provision"]
    for agt, text in list(zip(provisions.AgtId, provisions.text)) + list(zip(data.quotes.AgtId, data.quotes.text)):
        bags.setdefault(int(agt), []).append(text)
    chosen = sorted(bags, key=lambda a: (-len(set(bags[a])), a))[:n]
    model = Model.load(model_dir)
    docs = [Document(f"reviewed-{a}", "\n\n".join(dict.fromkeys(bags[a]))) for a in chosen]
    store = Store(folder, catalogue(model))
    made = 0
    suggested = suggest(model, docs)
    for s in suggested:
        store.attach(s.id, None, s.clauses, [x.code for x in s.suggestions])
    store.start()
    for a, s in zip(chosen, suggested):
        version = 0
        for x in s.suggestions:
            gold = data.labels.loc[a].get(x.code, -1)
            if gold < 0:
                continue
            version = store.decide(s.id, version, x.code, int(gold), [e.clause for e in x.evidence[:1]], "benchmark").version
            made += 1
        undecided = [x.code for x in s.suggestions if x.code not in store.states[s.id].decisions]
        if not undecided:
            store.set_done(s.id, version, True, [])
    store.close()
    return made


def timed(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classify", "train", *args], cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return round(time.perf_counter() - t0, 1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "pax")
    ap.add_argument("--model", type=Path, default=REPO / "models" / "pax-default")
    ap.add_argument("--documents", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="retrain-speed-"))
    load_start = os.getloadavg()[0]
    try:
        decisions = review(args.data.resolve(), args.model.resolve(), work / "reviewed", args.documents)
        common = ["--data", str(args.data.resolve()), "--reviewed", str(work / "reviewed")]
        fast = [*common, "--base", str(args.model.resolve()), "--out", str(work / "fast")]
        first = timed(fast)  # embeds the review's clauses
        full = timed([*common, "--out", str(work / "full")])
        warm = [timed(fast) for _ in range(args.repeats)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "command": "python benchmarks/retrain_speed.py " + " ".join(sys.argv[1:]),
        "load_average_1min": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "documents": args.documents, "decisions": decisions,
        "retrain_base_first_s": first, "retrain_base_warm_s": statistics.median(warm), "full_train_s": full,
        "speedup": round(full / statistics.median(warm), 1),
        "goal_under_s": GOAL_S, "goal_met": statistics.median(warm) < GOAL_S,
        "runs": {"retrain_base_warm": warm},
    }
    write_text_atomic(args.out, json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
