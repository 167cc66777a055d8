"""Print the results table of benchmarks/README.md from benchmarks/results.json."""

import json
import sys
from pathlib import Path

results = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results.json").read_text())


def f(x, d=2):
    return "n/a" if x is None else f"{x:.{d}f}"


rows = []
if "encoder" in results:
    e = results["encoder"]
    for k, v in e["clauses_per_s"].items():
        rows.append((f"raw encoder, {k}", f"{f(v, 1)} clauses/s", f"{f(e['ratio_to_reference'][k])} x torch/default/sorted", "", e))
if "predict" in results:
    p = results["predict"]
    for b, v in p["backends"].items():
        rows.append((f"`classify predict` batch, {b}", f"{f(v['units_per_s'], 1)} clauses/s ({f(v['docs_per_s'], 1)} docs/s), {f(v['wall_s'], 1)} s",
                     f"{f(v['ratio'])} of raw {b} encoder", "goal >= 0.8", p))
        rows.append((f"peak RSS, batch, {b}", f"{f(v['rss_mb'], 0)} MB", "", "goal < 1.5 GB", p))
    for b, v in p.get("agreement", {}).items():
        extra = f", {f(100 * v['decisions_differing_from_torch'], 2)}% decisions differ from torch" if "decisions_differing_from_torch" in v else ""
        rows.append((f"micro-F1 on the batch (in-sample), {b}", f(v["micro_f1"], 4), f"{v.get('micro_f1_minus_torch', 0):+.4f} vs torch{extra}", "within 0.01", p))
if "latency" in results:
    lat = results["latency"]
    for b, v in lat.items():
        if not isinstance(v, dict) or "wall_s" not in v:
            continue
        rows.append((f"cold latency, 2-page statement, {b}", f"{f(v['wall_s'])} s wall, {f(v['cpu_s'])} s CPU",
                     f"{f(v['ratio'], 1)} x its warm embedding ({f(v['warm_embed_s'])} s)", "goal < 3 s", lat))
        rows.append((f"  where the time goes, {b}", ", ".join(f"{k} {f(s)}" for k, s in v["phases_s"].items()), "", "", lat))
        rows.append((f"peak RSS, one statement, {b}", f"{f(v['rss_mb'], 0)} MB", "", "goal < 1.5 GB", lat))
if "train" in results:
    t = results["train"]
    rows.append(("full training, empty cache", f"{f(t['full']['wall_s'], 1)} s ({t['full']['steps']})", "reference", "", t))
    rows.append(("retraining, warm cache, 3-row --codings", f"{f(t['retrain_wall_s'], 1)} s", f"{f(t['retrain_ratio_to_full'])} of full", "goal < 60 s", t))
    rows.append(("trained model's out-of-fold micro-F1 (3 process-grouped folds, thresholds chosen on these scores)*", f(t["oof_micro_f1"], 4), "", "", t))
if "tfidf" in results:
    t = results["tfidf"]
    rows.append(("TF-IDF + LR on descriptions only: out-of-fold micro-F1 (5 process-grouped folds, thresholds chosen on these scores)*", f(t["oof_micro_f1"], 4), "", "", t))
    rows.append(("TF-IDF + LR: predict batch", f"{f(t['docs_per_s'], 0)} docs/s; fit {f(t['fit_s'], 1)} s", "", "", t))
if "scale" in results:
    s = results["scale"]
    for k, v in s.items():
        if isinstance(v, dict) and ("seconds" in v or "error" in v):
            rows.append((f"scale-out, {k} ({s['backend']})", f"{f(v.get('seconds'), 1)} s for {v.get('documents')} docs" if "seconds" in v else v.get("error"),
                         f"{f(v.get('speedup_vs_n_jobs_1'))} x n_jobs=1" if "seconds" in v else "", "", s))

if "review" in results:
    r = results["review"]
    d = r["document"]
    rows.append((f"`classify review`: open the longest full text ({d['characters']:,} characters, {d['clauses']} clauses) in chromium", f"{f(r['open_page_s'])} s",
                 f"{f(r['open_ratio'])} x the same HTML as a static page ({f(r['open_reference_s'])} s)", f"goal < {r['goal_open_under_s']:g} s", r))
    rows.append(("`classify review`: save one decision (HTTP round trip)", f"{f(1000 * r['save_http_s'], 1)} ms",
                 f"{f(r['save_ratio_to_durable_write'], 1)} x one durable write of its state file ({f(1000 * r['save_durable_write_s'], 1)} ms); "
                 f"{f(r['save_ratio'], 0)} x a bare round trip ({f(1000 * r['save_reference_s'], 1)} ms)", "", r))
    rows.append(("`classify review`: save one decision from the page (key to redrawn page)", f"{f(1000 * r['save_in_page_s'], 0)} ms", "", "", r))
    rows.append(("`classify review`: start-up (model, suggestions for the document)", f"{f(r['startup_s'], 1)} s", "", "", r))

print("| measure | result | ratio to same-run reference | goal | load avg (start, end) | date (UTC) |")
print("|---|---|---|---|---|---|")
for name, value, ratio, goal, sec in rows:
    print(f"| {name} | {value} | {ratio} | {goal} | {sec['load_average_1min'][0]}, {sec['load_average_1min'][1]} | {sec['date'][:16]} |")
