"""The learning loop, proved by a simulated coder: does reviewing documents in ``classify review``
make the model better on peace processes nobody reviewed?

    python benchmarks/simulated_coder.py --data ../shared/pax          # 3 seeds, 0/10/25/50/100 documents
    python benchmarks/simulated_coder.py --seeds 2 --sizes 0,10,25

Set-up (one fixed split, so every retraining is cheap):

- held out: the peace processes of the full texts (pax_fulltext_sample.csv) and a quarter of the
  other processes with real clauses (constitution-matched provisions, quoted clauses), drawn
  once (seed 0). Nothing of theirs is trained on, in the base or after;
- the pool: agreements of the other processes with at least 3 real clauses, some of them quoted
  under a code, made into a document of those clauses (as the clause_bags suite of ``classify
  evaluate`` does). Their clauses are taken out of the base's training rows (their descriptions
  stay), so reviewing them brings text the base has not seen; most are agreements of the gender
  dataset, so the base has few of PA-X's clause-level gender quotes left;
- the base: the shipped model's settings fitted (with its multiple-instance second fit) on every
  other training row; thresholds, count prior and grade tables are the shipped model's.

Per seed, the pool is shuffled and the first N documents are reviewed, for N in --sizes. The
simulated coder sees the base's suggestions (``classify.review.suggest``) and saves through the
page's code path (``Store.decide`` / ``Store.set_done``). A pool document holds only some of its
agreement's clauses, so the coder judges what this text carries, as a coder reading it would:
what a clause carries is known where PA-X's clause-level files quote it under a code (gender
and Wgg quotes, API details). The coder

- rejects a suggestion PA-X did not code for the agreement, on the evidence clause shown;
- accepts (with PA-X's grade) a suggestion PA-X coded: where a clause of the text is quoted under
  its code, on the evidence clause if it is one of those, else on the one of them that scores best
  (moving the evidence); where no quote places it, on the evidence clause shown, as the page's
  accept does (``--unlocated leave`` leaves it undecided instead);
- adds the modelled codes PA-X coded, not suggested, that a clause is quoted under, on the one of
  those clauses that scores best;
- marks the document done when no suggestion is left undecided (done makes the categories not
  decided absent from the document, as PA-X's 0s are).

``--coder quick`` decides only what the page requires before done (the present tier), and from
the possible tier accepts what PA-X codes, leaving the other possible categories to done.

Three arms:

- ``loop``: the decisions read back with ``training.reviewed`` and turned into rows by
  ``dataset.reviewed_rows`` (the decided clauses) and ``dataset.review_document_rows`` (the
  document's other clauses, under its reviewed codings), what ``classify train --reviewed`` learns;
- ``every_evidence``: the same, but an accept labels every evidence clause shown (the
  workbench's first behaviour), whether or not it carries the code;
- ``codings``: the same documents given as agreement-level codings only, with their text (what
  ``--codings`` plus a text file teaches: clauses negative for the codes the agreement lacks,
  weak where no clause gold exists, and multiple-instance positives for its codes);

Each arm retrains as ``classify train --base`` does (``HybridClassifier.refit`` of the categories
its rows touch, multiple-instance positives from the base's scores), and is measured on the
held-out documents: per-document F1 (samples_f1) and false positives per document, decided as
``classify predict`` decides (``Model.code``: clause roles, thresholds, count cap, ancestors), with the measures of
``training.metrics.document_figures`` that the fulltext and clause_bags suites report. The
paired comparisons (the loop against the base and each arm, document by document) are given over
all categories, over the categories whose place the coder knows (those PA-X quotes for at least
half the agreements coded with them: GeWom and the Wgg sub-codes) and over the rest: for the rest
the coder can only accept on the clause the model showed, which is what the ``codings`` arm's
multiple-instance step picks anyway.

Writes benchmarks/simulated_coder.json and benchmarks/simulated_coder.png (atomically), and
prints the table for benchmarks/README.md. PA-X text only goes to a temporary folder, deleted
afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from classify.atomic import write_text_atomic  # noqa: E402
from classify.coding import Document  # noqa: E402
from classify.features import featurize  # noqa: E402
from classify.model import Model  # noqa: E402
from classify.review.store import Store  # noqa: E402
from classify.review.suggest import POSSIBLE, catalogue, suggest  # noqa: E402
from training.cache import EmbeddingCache  # noqa: E402
from training.dataset import (  # noqa: E402
    CLAUSE_KINDS, REVIEWED_KIND, REVIEWED_TEXT_KIND, TrainingSet, build_training_set, documents_from_texts, review_document_rows, reviewed_rows,
)
from training.metrics import document_figures, per_document  # noqa: E402
from training.reviewed import read_reviewed  # noqa: E402
from training.sources import load_pax  # noqa: E402
from training.train import TrainSettings, bag_positives  # noqa: E402

ARMS = ("loop", "every_evidence", "codings")
ABLATIONS = ("rejects_only", "accepts_only")  # what each kind of decision does alone
MIN_CLAUSES = 3


def subset(ts: TrainingSet, rows: np.ndarray) -> TrainingSet:
    return TrainingSet([t for t, keep in zip(ts.texts, rows) if keep], ts.Y[rows], ts.groups[rows], ts.kinds[rows], ts.agt[rows], ts.codes,
                       ts.bags[rows] if ts.bags is not None else None)


def stack(a: TrainingSet, texts, Y, kinds, agt, bags) -> TrainingSet:
    n = len(texts)
    return TrainingSet(a.texts + list(texts), np.vstack([a.Y, Y]).astype(np.int8), np.concatenate([a.groups, np.full(n, "reviewed")]),
                       np.concatenate([a.kinds, np.asarray(kinds)]), np.concatenate([a.agt, np.asarray(agt, dtype=a.agt.dtype)]), a.codes,
                       np.vstack([a.bags, bags]))


class SimulatedStore(Store):
    """The page's ``Store``, saving each decision to ``state/`` as the page does, but writing the
    two derived CSVs (for people; training reads ``state/``) once at close, not after every one of
    thousands of decisions."""

    def _write_derived(self) -> None:
        pass

    def close(self) -> None:
        try:
            Store._write_derived(self)
        finally:
            super().close()


def bags_of(data, groups: set) -> dict:
    """AgtId -> its real clauses (provisions, quoted clauses), for agreements of ``groups``."""
    bags: dict = {}
    provisions = data.texts[data.texts.kind == "provision"]
    for agt, text in list(zip(provisions.AgtId, provisions.text)) + list(zip(data.quotes.AgtId, data.quotes.text)):
        if str(data.groups.get(agt)) in groups:
            bags.setdefault(int(agt), []).append(text)
    return {a: list(dict.fromkeys(c)) for a, c in bags.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "pax")
    ap.add_argument("--model", type=Path, default=REPO / "models" / "pax-default")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--sizes", default="0,10,25,50,100")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--arms", default=",".join(ARMS))
    ap.add_argument("--dump", type=Path, help="folder for each run's held-out scores and decisions (.npz; holds no text)")
    ap.add_argument("--review-weight", type=float, help="TrainSettings.review_weight, of accepts and adds (default: the training default)")
    ap.add_argument("--reject-weight", type=float, help="TrainSettings.reject_weight (default: the training default)")
    ap.add_argument("--unlocated", choices=("accept", "leave"), default="accept",
                    help="a suggestion PA-X codes for the agreement that no quote places in this text: accepted on the evidence clause "
                         "shown, as the page's accept does (default), or left undecided (the document is then never done)")
    ap.add_argument("--coder", choices=("thorough", "quick"), default="thorough",
                    help="thorough: decides every suggestion, the possible tier's included; quick: decides the present tier and accepts "
                         "from the possible tier what PA-X codes, leaving the rest to done (which the page allows)")
    ap.add_argument("--cache-dir", type=Path)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "simulated_coder.json")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]

    shipped = Model.load(args.model)
    manifest = shipped.manifest
    settings = TrainSettings.from_manifest(manifest)
    if args.review_weight is not None:
        settings.review_weight = args.review_weight
    if args.reject_weight is not None:
        settings.reject_weight = args.reject_weight
    arms = args.arms.split(",")
    unknown = sorted(set(arms) - set(ARMS) - set(ABLATIONS))
    if unknown:
        ap.error(f"--arms: unknown arm(s) {', '.join(unknown)}; choose from {', '.join(ARMS + ABLATIONS)}")
    codes = [c.code for c in manifest.categories]
    col = {c: j for j, c in enumerate(codes)}
    data, _ = load_pax(args.data)
    from classify.embed import Encoder

    cache = EmbeddingCache(Encoder(manifest.embedding.model, backend="torch"), args.cache_dir)

    def features(texts):
        return featurize(list(texts), cache, settings.lexical_spec(), names=settings.names)

    # the split: full-text processes and a quarter of the other clause processes held out
    full = data.fulltexts().drop_duplicates("AgtId").set_index("AgtId").text
    full_groups = {str(data.groups[a]) for a in full.index}
    all_bags = bags_of(data, set(data.groups.astype(str)))
    clause_groups = sorted({str(data.groups[a]) for a in all_bags} - full_groups)
    rng = np.random.default_rng(0)
    held = full_groups | set(rng.choice(clause_groups, size=len(clause_groups) // 4, replace=False))
    with_gold = set(data.quotes.AgtId.astype(int))
    pool = sorted(a for a, c in all_bags.items() if str(data.groups[a]) not in held and len(c) >= MIN_CLAUSES and a not in full.index
                  and a in with_gold)

    # held-out documents: full texts, and clause bags of the held-out processes
    items = [(a, "fulltext", full[a]) for a in full.index] + [(a, "clauses", "\n\n".join(c)) for a, c in sorted(all_bags.items())
                                                              if str(data.groups[a]) in held and a not in full.index]
    test = documents_from_texts(items, data, codes)
    # the categories whose place in a text the simulated coder knows: PA-X quotes the clauses for
    # most of the agreements coded with them (GeWom and the Wgg sub-codes: 85-100%; every other
    # category under 5%), so for these alone its accepts and adds are clause-level gold
    quoted = data.quotes.groupby("code").AgtId.agg(set)
    quoted_share = {c: len(quoted.get(c, set()) & set(data.labels.index[data.labels[c] == 1])) / max(int((data.labels[c] == 1).sum()), 1)
                    for c in codes if c in data.labels.columns}
    placeable = np.array([quoted_share.get(c, 0) >= 0.5 for c in codes])

    # the base: every training row outside the held-out processes, less the pool's clauses
    ts = build_training_set(data, codes)
    keep = ~np.isin(ts.groups, list(held)) & ~(np.isin(ts.agt, pool) & np.isin(ts.kinds, CLAUSE_KINDS))
    base_ts = subset(ts, keep)
    t0 = time.perf_counter()
    Xb = features(base_ts.texts)
    n_dense = settings.n_dense(Xb)
    first = settings.make_estimator(n_dense, args.jobs).fit(Xb, base_ts.Y, sample_weight=settings.sample_weight(base_ts))
    Yb = bag_positives(first, Xb, base_ts, np.ones(len(base_ts.texts), dtype=bool), settings.bag_min_score)
    base = settings.make_estimator(n_dense, args.jobs).fit(Xb, Yb, sample_weight=settings.sample_weight(base_ts))
    base_scorer = base.to_scorer()
    base_fit_s = time.perf_counter() - t0
    # weights come from the labels before the multiple-instance positives, as in train and retrain
    # (after them nearly every category has a clause positive, and no negative would be weak)
    base_labels, base_ts = base_ts.Y, TrainingSet(base_ts.texts, Yb, base_ts.groups, base_ts.kinds, base_ts.agt, codes, base_ts.bags)

    test_docs = [Document(str(a), text) for a, _, text in items]

    def measure(scorer, name="base") -> dict:
        # decided as classify predict decides: clause roles (the shipped model's role model), document
        # types, evidence rules, the second opinion of the whole text, thresholds and count cap
        model = Model(scorer, manifest, role_scorer=shipped.role_scorer)
        model._encoder = cache
        codings = model.code(test_docs)
        scores = np.array([[c.probability for c in coding.categories] for coding in codings], dtype=np.float32)
        pred = np.array([[c.present for c in coding.categories] for coding in codings], dtype=bool)
        if args.dump:
            args.dump.mkdir(parents=True, exist_ok=True)
            np.savez(args.dump / f"{name}.npz", scores=scores, pred=pred, labels=test.labels, kinds=test.kinds, codes=np.array(codes))
        out = {"per_document": {}}
        for name, rows in (("fulltext", test.kinds == "fulltext"), ("clause_bags", test.kinds == "clauses")):
            f = document_figures(test.labels[rows], scores[rows], pred[rows])
            out[name] = {k: f[k] for k in ("samples_f1", "fp_per_document", "document_precision", "document_recall", "r_precision")}
            # for the paired comparisons (paired_table): all categories, then those the coder can place and the rest
            for part, cols in (("", slice(None)), (":placeable", placeable), (":rest", ~placeable)):
                f1, fp = per_document(test.labels[rows][:, cols], pred[rows][:, cols])
                out["per_document"][name + part] = {"f1": [round(float(x), 4) for x in f1], "fp": [int(x) for x in fp]}
        return out

    # the base's suggestions for every pool document, as the page shows them
    base_model = Model(base_scorer, manifest, role_scorer=shipped.role_scorer)
    base_model._encoder = cache
    docs = [Document(f"pool-{a}", "\n\n".join(all_bags[a])) for a in pool]
    suggested = {int(d.id[5:]): s for d, s in zip(docs, suggest(base_model, docs, top_k=3))}
    known = catalogue(base_model)
    graded = {c["code"] for c in known if c["graded"]}
    parent_of = {c["code"]: c["parent"] for c in known}
    columns = [c["code"] for c in known]

    from classify.decision import ancestors as ancestors_of

    # what each clause is known to carry: the codes it is quoted under in PA-X's clause-level
    # files, with their ancestors
    quoted: dict = {}
    for a, c, t in zip(data.quotes.AgtId, data.quotes.code, data.quotes.text):
        quoted.setdefault(int(a), []).append((" ".join(t.split()), {c, *ancestors_of(c, data.parent_of)}))

    def carriers(a: int, clauses: list[str], code: str) -> list[int]:
        """The clauses of pool document ``a`` known to carry ``code`` (a clause the segmenter cut
        from a quote, or one holding it, counts)."""
        out = []
        for i, text in enumerate(clauses):
            text = " ".join(text.split())
            if any(code in codes_ and (text in q or q in text) for q, codes_ in quoted.get(a, ())):
                out.append(i)
        return out

    clause_scores: dict = {}

    def best(a, s, among: list[int], code: str) -> int:
        if a not in clause_scores:
            clause_scores[a] = base_scorer.predict_proba(features(s.clauses))
        return max(among, key=lambda i: clause_scores[a][i, col[code]])

    # how the loop arm's coder placed the codes it accepted or added: by a PA-X quote, or only on
    # the evidence clause the page showed (what the model already believed)
    placed = Counter(by_quote=0, on_evidence_shown=0)

    def review_document(store, s, gold, a: int, arm: str) -> int:
        """The simulated coder on one document: the number of decisions it saved."""
        version, made, undecided = 0, 0, []
        tally = placed if arm == "loop" else Counter()

        def save(code, value, clauses):
            nonlocal version, made
            version = store.decide(s.id, version, code, value, clauses, "simulated").version
            made += 1

        def grade(code):
            g = data.grades.loc[a, code] if code in data.grades.columns else 1
            return int(g) if code in graded and g > 1 else 1

        for x in s.suggestions:
            g = gold.get(x.code, -1)
            if args.coder == "quick" and x.tier == POSSIBLE and g != 1:
                continue  # not decided: done makes it absent
            evidence = [e.clause for e in x.evidence]  # the clauses the page shows, best first
            if g == 0:  # the agreement lacks it: so does every clause of it
                save(x.code, 0, evidence[:1])
                continue
            where = carriers(a, s.clauses, x.code) if g == 1 else []
            if not where and g == 1 and args.unlocated == "accept":  # PA-X codes it; where is not known: accepted as the page shows it
                tally["on_evidence_shown"] += 1
                save(x.code, grade(x.code), (evidence if arm == "every_evidence" else evidence[:1]) or [best(a, s, list(range(len(s.clauses))), x.code)])
            elif not where:  # PA-X codes it somewhere in the agreement, not known to be in this text
                undecided.append(x.code)
            elif arm == "every_evidence":
                save(x.code, grade(x.code), evidence or [best(a, s, where, x.code)])
            else:  # the evidence clause if it carries the code, else the coder selects one that does
                tally["by_quote"] += 1
                save(x.code, grade(x.code), evidence[:1] if evidence and evidence[0] in where else [best(a, s, where, x.code)])
        for c in codes:
            if gold.get(c, -1) == 1 and c not in store.states[s.id].decisions and c not in undecided:
                where = carriers(a, s.clauses, c)
                if where:
                    tally["by_quote"] += 1
                    save(c, grade(c), [best(a, s, where, c)])
        if not undecided:
            store.set_done(s.id, version, True, [])
        return made

    # state files are fsynced at every decision: in memory where the machine has /dev/shm
    tmp = Path(tempfile.mkdtemp(prefix="simulated-coder-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    results = {"base": measure(base_scorer), "runs": []}
    decisions_per_doc, done_docs = [], []
    try:
        for seed in range(args.seeds):
            order = list(np.random.default_rng(1000 + seed).permutation(pool))
            for n in sizes:
                chosen = order[: min(n, len(order))]
                if not chosen:
                    continue
                for arm in arms:
                    t0 = time.perf_counter()
                    texts, Y, kinds, agts, bags = [], [], [], [], []
                    if arm == "codings":
                        for a in chosen:
                            label = data.labels.loc[a, codes].to_numpy()
                            for c in suggested[a].clauses:
                                texts.append(c), Y.append(np.where(label == 0, 0, -1)), kinds.append("fulltext_clause"), agts.append(a), bags.append(label == 1)
                    if arm != "codings":
                        folder = tmp / f"{seed}-{n}-{arm}"
                        store = SimulatedStore(folder, known)
                        for a in chosen:
                            s = suggested[a]
                            store.attach(s.id, None, s.clauses, [x.code for x in s.suggestions])
                        store.start()
                        for a in chosen:
                            made = review_document(store, suggested[a], data.labels.loc[a], a, arm)
                            if arm == "loop" and seed == 0:  # noqa: SIM102
                                decisions_per_doc.append(made)
                        store.close()
                        review = read_reviewed(folder, columns, set(columns), parent_of)
                        rows = reviewed_rows(review.clauses, codes, data.parent_of)
                        if arm in ABLATIONS:
                            keep = 0 if arm == "rejects_only" else 1
                            rows = [(a, t, np.where(y == keep, y, -1).astype(np.int8)) for a, t, y in rows if (y == keep).any()]
                        texts += [t for _, t, _ in rows]
                        Y += [y for _, _, y in rows]
                        agts += [a for a, _, _ in rows]
                        kinds += [REVIEWED_KIND] * len(rows)
                        bags += [np.zeros(len(codes), dtype=bool)] * len(rows)
                        if arm in ("loop", "every_evidence"):  # the document's own codings on its other clauses, as classify train --reviewed learns them
                            L = review.codings.reindex(columns=codes).fillna(-1).astype(np.int8)
                            for a, t, y, bag in review_document_rows(review.documents, rows, L):
                                texts.append(t), Y.append(y), kinds.append(REVIEWED_TEXT_KIND), agts.append(a), bags.append(bag)
                            if seed == 0:
                                done_docs.append(float((L != -1).all(axis=1).mean()))
                    X = Xb if not texts else sp.vstack([Xb, features(texts)], format="csr") if sp.issparse(Xb) else np.vstack([Xb, features(texts)])
                    ts_all = stack(base_ts, texts, np.array(Y, dtype=np.int8).reshape(-1, len(codes)), kinds, agts,
                                   np.array(bags, dtype=bool).reshape(-1, len(codes)))
                    n0 = len(base_ts.texts)
                    weight = settings.sample_weight(replace(ts_all, Y=np.vstack([base_labels, ts_all.Y[n0:]])))
                    new = np.zeros(len(ts_all.texts), dtype=bool)
                    new[n0:] = True
                    ts_all.Y = bag_positives(base_scorer, X, ts_all, new, settings.bag_min_score)  # the new clauses' multiple-instance positives
                    touched = np.flatnonzero(((ts_all.Y[n0:] >= 0) | ts_all.bags[n0:]).any(axis=0))  # as train.touched_categories
                    est = settings.make_estimator(n_dense, args.jobs).refit(X, ts_all.Y, touched, start=base_scorer, sample_weight=weight)
                    run = {"seed": seed, "documents": len(chosen), "arm": arm, "rows": len(texts), "refitted": int(len(touched)),
                           "retrain_s": round(time.perf_counter() - t0, 1), **measure(est.to_scorer(), f"{arm}-{len(chosen)}-{seed}")}
                    results["runs"].append(run)
                    print(json.dumps({k: v for k, v in run.items() if k != "per_document"}), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    results["setup"] = {
        "held_out_processes": len(held), "held_out_documents": {"fulltext": int((test.kinds == "fulltext").sum()), "clause_bags": int((test.kinds == "clauses").sum())},
        "pool_documents": len(pool), "base_rows": len(base_ts.texts), "base_fit_s": round(base_fit_s, 1),
        "decisions_per_document": round(float(np.mean(decisions_per_doc)), 1) if decisions_per_doc else None,
        "share_done": round(float(np.mean(done_docs)), 2) if done_docs else None,
        "loop_positives_placed": dict(placed), "placeable_categories": [c for c, ok in zip(codes, placeable) if ok],
        "seeds": args.seeds, "sizes": sizes, "total_s": round(time.perf_counter() - started, 1),
        "date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(), "command": " ".join(sys.argv),
    }
    results["paired"] = paired(results)
    write_text_atomic(args.out, json.dumps(results, indent=1) + "\n")
    table = curve_table(results)
    print(table)
    for part, title in (("", "all categories"), (":placeable", "categories PA-X quotes (the coder places them)"), (":rest", "the rest")):
        print(f"\nloop minus another arm, {title}:\n{paired_table(results, part)}")
    plot(results, args.out.with_suffix(".png"))
    return 0


def curve(results: dict) -> dict:
    """(arm, documents) -> suite -> measure -> (mean, sd) over seeds; 0 documents is the base."""
    out = {}
    for arm in ARMS:
        out[(arm, 0)] = {s: {k: (v, 0.0) for k, v in m.items()} for s, m in results["base"].items()}
    for run in results["runs"]:
        if run["arm"] in ARMS:
            out.setdefault((run["arm"], run["documents"]), [])
    for key in [k for k, v in out.items() if isinstance(v, list)]:
        runs = [r for r in results["runs"] if (r["arm"], r["documents"]) == key]
        out[key] = {s: {k: (float(np.mean([r[s][k] for r in runs])), float(np.std([r[s][k] for r in runs]))) for k in runs[0][s]} for s in ("fulltext", "clause_bags")}
    return out


def paired(results: dict, arm: str = "loop", boot: int = 5000) -> list[dict]:
    """The loop against the base and each other arm, document by document: per size and suite, the mean over
    the held-out documents of (loop - other) per-document F1 and false positives, each document's
    difference averaged over seeds, with a 95% bootstrap interval over documents (the held-out
    documents are a sample too: 13 full texts say little)."""
    rng = np.random.default_rng(0)
    out = []
    runs = {(r["arm"], r["documents"], r["seed"]): r for r in results["runs"] if "per_document" in r}
    for other in ["base"] + [a for a in ARMS if a != arm]:
        for n in sorted({d for a, d, _ in runs if a == arm}):
            if other == "base":  # the model before any review, the same for every seed
                runs.update({("base", n, s): results["base"] for a, d, s in list(runs) if (a, d) == (arm, n)})
            seeds = [s for a, d, s in runs if (a, d) == (arm, n) and (other, n, s) in runs]
            if not seeds:
                continue
            row = {"against": other, "documents": n, "seeds": len(seeds)}
            for suite in [s for s in runs[(arm, n, seeds[0])]["per_document"] if s in runs[(other, n, seeds[0])]["per_document"]]:
                for k in ("f1", "fp"):
                    diff = np.mean([np.subtract(runs[(arm, n, s)]["per_document"][suite][k], runs[(other, n, s)]["per_document"][suite][k]) for s in seeds], axis=0)
                    means = diff[rng.integers(0, len(diff), (boot, len(diff)))].mean(axis=1)
                    row[f"{suite}_{k}"] = [round(float(diff.mean()), 4), *(round(float(x), 4) for x in np.percentile(means, [2.5, 97.5]))]
            out.append(row)
    return out


def paired_table(results: dict, part: str = "") -> str:
    """The paired comparisons over all categories (``part`` ""), or over those the coder can place
    (":placeable") or the rest (":rest")."""
    lines = ["| documents | loop minus | fulltext F1 | fulltext FP/doc | clause bags F1 | clause bags FP/doc |", "|---|---|---|---|---|---|"]
    cell = lambda v: f"{v[0]:+.3f} [{v[1]:+.3f}, {v[2]:+.3f}]"  # noqa: E731
    for r in results.get("paired", []):
        if f"fulltext{part}_f1" in r:
            lines.append(f"| {r['documents']} | {r['against']} | {cell(r[f'fulltext{part}_f1'])} | {cell(r[f'fulltext{part}_fp'])} | "
                         f"{cell(r[f'clause_bags{part}_f1'])} | {cell(r[f'clause_bags{part}_fp'])} |")
    return "\n".join(lines)


def curve_table(results: dict) -> str:
    c = curve(results)
    sizes = sorted({n for _, n in c})
    lines = ["| reviewed documents | arm | fulltext per-doc F1 | fulltext FP/doc | clause bags per-doc F1 | clause bags FP/doc |", "|---|---|---|---|---|---|"]
    for n in sizes:
        for arm in [a for a in ARMS if (a, n) in c] if n else ("base",):
            m = c[(arm if n else "loop", n)]
            cell = lambda s, k: f"{m[s][k][0]:.3f}" + (f" ± {m[s][k][1]:.3f}" if n else "")  # noqa: E731
            lines.append(f"| {n} | {arm} | {cell('fulltext', 'samples_f1')} | {cell('fulltext', 'fp_per_document')} | "
                         f"{cell('clause_bags', 'samples_f1')} | {cell('clause_bags', 'fp_per_document')} |")
    return "\n".join(lines)


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from training.report import _save

    c = curve(results)
    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8))
    panels = [("fulltext", "samples_f1", "full texts: per-document F1"), ("fulltext", "fp_per_document", "full texts: false positives / doc"),
              ("clause_bags", "samples_f1", "clause bags: per-document F1"), ("clause_bags", "fp_per_document", "clause bags: false positives / doc")]
    for ax, (suite, measure, title) in zip(axes, panels):
        for arm, style in zip(ARMS, ("-o", "--s", ":^", "-.d")):
            ns = sorted(n for a, n in c if a == arm)
            if len(ns) < 2:
                continue
            mean = np.array([c[(arm, n)][suite][measure][0] for n in ns])
            sd = np.array([c[(arm, n)][suite][measure][1] for n in ns])
            ax.plot(ns, mean, style, label=arm, markersize=4)
            ax.fill_between(ns, mean - sd, mean + sd, alpha=0.15)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("documents reviewed")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)


if __name__ == "__main__":
    raise SystemExit(main())
