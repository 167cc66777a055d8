"""Benchmarks for paxclassify: speed, memory and scale, each against a reference timed in the same run.

The machine these run on is shared and its speed varies from minute to minute, so every figure
is paired with a reference measured in the same run, right next to it, and reported as a ratio;
absolute seconds are reported too, with the load average at the time. Medians of --repeats runs.

Inputs are built at run time from the PA-X files (``--data``, default ``../shared/pax``) into a
temporary folder that is deleted afterwards: PA-X text is never written into the repository.

    python benchmarks/run.py                       # everything (about 30-40 min on 2 busy cores)
    python benchmarks/run.py --only latency,memory --repeats 5
    python benchmarks/run.py --only predict --backends torch,onnx

Sections (``--only``): encoder, predict, latency, train, tfidf, scale. Results are merged into
``benchmarks/results.json`` (one entry per section, with the date, machine and commands), so
sections can be run in separate short bursts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results.json"
PY = sys.executable
SECTIONS = ["encoder", "predict", "latency", "train", "tfidf", "scale"]
STATEMENT_CHARS = 6000  # a 2-page statement: about 3,000 characters a page
ENCODER_SAMPLE = 1000


# --------------------------------------------------------------------------------------------
# Inputs, built at run time from PA-X (never committed)


def build_inputs(data_dir: Path, work: Path, limit: int | None = None, sample: int = ENCODER_SAMPLE) -> dict:
    """docs.csv (id, text): one document per agreement with a description, its description followed
    by its known provisions, numbered; statement.txt: about two pages of numbered provisions."""
    import pandas as pd

    meta = pd.read_csv(data_dir / "pax_agreements_v10_meta.csv", usecols=["AgtId", "description"]).dropna()
    prov = pd.read_csv(data_dir / "agreement_constitution_provisions.csv", usecols=["AgtId", "provision_text"]).dropna()
    by_agt = prov.groupby("AgtId").provision_text.apply(list).to_dict()
    rows = []
    for agt, desc in zip(meta.AgtId, meta.description):
        parts = [desc.strip()] + [f"{n}. {p.strip()}" for n, p in enumerate(by_agt.get(agt, []), start=1)]
        rows.append({"id": str(agt), "text": "\n\n".join(parts)})
    docs = pd.DataFrame(rows)
    if limit:
        docs = docs.head(limit)
    docs.to_csv(work / "docs.csv", index=False)
    # the statement: provisions of the agreements with most of them, until two pages are filled
    lines, n = [], 0
    for agt in sorted(by_agt, key=lambda a: (-len(by_agt[a]), a)):
        for p in by_agt[agt]:
            n += 1
            lines.append(f"{n}. {p.strip()}")
            if sum(len(x) + 2 for x in lines) >= STATEMENT_CHARS:
                break
        else:
            continue
        break
    (work / "statement.txt").write_text("JOINT STATEMENT\n\n" + "\n\n".join(lines) + "\n", encoding="utf-8")

    sys.path.insert(0, str(REPO))
    from classify.coding import document_units

    units = [t for text in docs.text for t in document_units(text).texts]
    statement_units = document_units((work / "statement.txt").read_text(encoding="utf-8")).texts
    random.Random(0).shuffle(shuffled := list(units))
    (work / "units-sample.json").write_text(json.dumps(shuffled[:sample]), encoding="utf-8")
    (work / "statement-units.json").write_text(json.dumps(statement_units), encoding="utf-8")
    return {
        "documents": len(docs),
        "units": len(units),
        "document_chars_median": int(docs.text.str.len().median()),
        "unit_chars_median": int(statistics.median(len(u) for u in units)),
        "statement_chars": len((work / "statement.txt").read_text(encoding="utf-8")),
        "statement_units": len(statement_units),
    }


# --------------------------------------------------------------------------------------------
# Measuring


def timed(cmd: list[str], *, env: dict | None = None, cwd=REPO) -> dict:
    """Run ``cmd`` under /usr/bin/time -v: wall seconds, CPU seconds, peak RSS (MB)."""
    full = ["/usr/bin/time", "-v"] + cmd
    t0 = time.perf_counter()
    r = subprocess.run(full, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    stats = dict(re.findall(r"^\s*(.+?): (.+)$", r.stderr, flags=re.M))
    return {
        "wall_s": wall,
        "cpu_s": float(stats.get("User time (seconds)", 0)) + float(stats.get("System time (seconds)", 0)),
        "rss_mb": int(stats.get("Maximum resident set size (kbytes)", 0)) / 1024,
        "stdout": r.stdout,
        "stderr": r.stderr,
    }


def worker(name: str, *args: str, env: dict | None = None) -> dict:
    """Run one of this file's workers in a fresh process; it prints one JSON object last."""
    r = timed([PY, str(Path(__file__).resolve()), "_worker", name, *args], env=env)
    out = json.loads(r["stdout"].strip().splitlines()[-1])
    out["process_rss_mb"] = r["rss_mb"]
    return out


def med(values):
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 4) if values else None


def classify_cmd(*args) -> list[str]:
    return [PY, "-m", "classify", *map(str, args)]


# --------------------------------------------------------------------------------------------
# Workers (run in their own process)


def _encoder_worker(units_file: str, backend: str, threads: str, order: str = "sorted", batch_size: str = "0", max_tokens: str = "0") -> dict:
    """Raw encoder throughput on the clause sample: clauses/s after one warm-up batch.

    order "sorted": one call, which sorts the texts by length so batches are padded little;
    "unsorted": one call per batch of texts in their given (random) order. batch_size and
    max_tokens (onnx) 0: classify's defaults.
    """
    from classify.embed import BATCH_SIZE, MAX_BATCH_TOKENS

    texts = json.loads(Path(units_file).read_text(encoding="utf-8"))
    batch_size, max_tokens = int(batch_size) or BATCH_SIZE, int(max_tokens) or MAX_BATCH_TOKENS
    t0 = time.perf_counter()
    if backend == "torch":
        import torch
        from sentence_transformers import SentenceTransformer

        from classify.embed import resolve_model_path

        if int(threads):
            torch.set_num_threads(int(threads))
        model = SentenceTransformer(str(resolve_model_path(None)), device="cpu")
        encode = lambda t: model.encode(t, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True)  # noqa: E731
    else:
        from classify.embed import OnnxSentenceEncoder, resolve_model_path

        model = OnnxSentenceEncoder(resolve_model_path(None), quantized=backend == "onnx-int8", threads=int(threads) or None)
        encode = lambda t: model.encode(t, batch_size=batch_size, max_tokens=max_tokens)  # noqa: E731
    load = time.perf_counter() - t0
    encode(texts[:32])
    t0 = time.perf_counter()
    if order == "sorted":
        encode(texts)
    else:
        for i in range(0, len(texts), batch_size):
            encode(texts[i : i + batch_size])
    seconds = time.perf_counter() - t0
    return {"clauses": len(texts), "seconds": seconds, "clauses_per_s": len(texts) / seconds, "load_s": load}


def _phases_worker(statement: str, backend: str) -> dict:
    """Where the time of one cold `classify predict` goes, step by step, in a fresh process."""
    marks = {}
    t = time.perf_counter()

    def lap(name):
        nonlocal t
        now = time.perf_counter()
        marks[name] = now - t
        t = now

    import classify.cli  # noqa: F401
    from classify.documents import iter_documents
    from classify.coding import document_units
    from classify.model import Model
    from classify.render import render

    lap("import_classify")
    model = Model.load(backend=backend)  # the weights: numpy arrays, no scikit-learn
    lap("load_model")
    if backend == "torch":
        import sentence_transformers  # noqa: F401
    else:
        import onnxruntime  # noqa: F401
    lap("import_encoder_library")
    encoder = model.encoder
    encoder.model
    lap("load_encoder")
    docs = list(iter_documents([statement]))
    units = document_units(docs[0].pages).texts
    lap("read_and_segment")
    vectors = encoder.encode(units)
    lap("embed")
    from classify.features import combine, hashed_counts

    spec = model.manifest.lexical
    model.scorer.predict_proba(vectors if spec is None else combine(vectors, hashed_counts(units, spec)))
    lap("hash_and_score")
    # the full path once more, as `classify predict` runs it, now that everything is loaded
    t0 = time.perf_counter()
    render(model.code(docs), "json")
    warm = time.perf_counter() - t0
    encoder.encode(units)
    lap("_")
    t0 = time.perf_counter()
    encoder.encode(units)
    warm_embed = time.perf_counter() - t0
    marks.pop("_")
    return {"phases_s": marks, "warm_predict_s": warm, "warm_embed_s": warm_embed, "units": len(units)}


def _tfidf_worker(data_dir: str, docs_csv: str, model_dir: str) -> dict:
    """TF-IDF + logistic regression: out-of-fold micro-F1 with the training's own procedure
    (description documents, folds grouped by peace process, thresholds chosen out of fold),
    and prediction throughput on the benchmark batch."""
    import numpy as np
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    from classify.model import read_manifest
    from training.dataset import build_documents
    from training.metrics import best_thresholds, f1_summary
    from training.sources import load_pax

    codes = [c.code for c in read_manifest(Path(model_dir)).categories]
    data, _ = load_pax(Path(data_dir))
    docs = build_documents(data, codes)
    texts = data.texts[data.texts.kind == docs.kind].drop_duplicates("AgtId").set_index("AgtId").loc[docs.agt, "text"].tolist()
    Y = np.where(docs.labels > 0, 1, 0)

    def pipeline():
        return make_pipeline(
            TfidfVectorizer(sublinear_tf=True, min_df=2, ngram_range=(1, 2), max_features=50_000),
            OneVsRestClassifier(LogisticRegression(C=4.0, class_weight="balanced", solver="liblinear"), n_jobs=1),
        )

    keep = Y.sum(axis=0) > 0
    oof = np.zeros(Y.shape, dtype=np.float32)
    t0 = time.perf_counter()
    for train_idx, test_idx in GroupKFold(n_splits=5).split(texts, groups=docs.groups):
        sub = Y[train_idx][:, keep]
        ok = (sub.sum(axis=0) > 0) & (sub.sum(axis=0) < len(train_idx))
        est = pipeline().fit([texts[i] for i in train_idx], sub[:, ok])
        cols = np.flatnonzero(keep)[ok]
        oof[np.ix_(test_idx, cols)] = est.predict_proba([texts[i] for i in test_idx])
    cv_s = time.perf_counter() - t0
    thresholds = best_thresholds(docs.labels, oof)
    metrics = f1_summary(docs.labels, oof >= thresholds)
    t0 = time.perf_counter()
    final = pipeline().fit(texts, Y[:, keep])
    fit_s = time.perf_counter() - t0
    batch = pd.read_csv(docs_csv, dtype=str, keep_default_na=False).text.tolist()
    final.predict_proba(batch[:16])
    t0 = time.perf_counter()
    final.predict_proba(batch)
    predict_s = time.perf_counter() - t0
    return {
        "oof_micro_f1": metrics["micro_f1"],
        "oof_macro_f1": metrics["macro_f1"],
        "cross_validate_s": cv_s,
        "fit_s": fit_s,
        "predict_docs": len(batch),
        "predict_s": predict_s,
        "docs_per_s": len(batch) / predict_s,
    }


def _scale_worker(docs_csv: str, backend: str, n_jobs: str, scheduler: str) -> dict:
    """Code the batch as `classify predict --jobs N` does (classify.parallel): in one process, on
    joblib's local processes (loky), or on a Dask LocalCluster as `--dask-scheduler` does."""
    import pandas as pd

    from classify.coding import Document
    from classify.parallel import code_batches_in_parallel

    frame = pd.read_csv(docs_csv, dtype=str, keep_default_na=False)
    docs = [Document(i, t) for i, t in zip(frame.id, frame.text)]
    t0 = time.perf_counter()
    if scheduler == "dask":
        from dask.distributed import LocalCluster

        with LocalCluster(n_workers=int(n_jobs), threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            codings = [c for b in code_batches_in_parallel(docs, scheduler=cluster.scheduler_address, backend=backend, batch_size=128) for c in b]
    else:
        codings = [c for b in code_batches_in_parallel(docs, jobs=int(n_jobs), backend=backend, batch_size=128) for c in b]
    seconds = time.perf_counter() - t0
    return {"documents": len(codings), "seconds": seconds, "present_codes": sum(len(c.present) for c in codings),
            "first_ids": [c.id for c in codings[:3]]}


WORKERS = {"encoder": _encoder_worker, "phases": _phases_worker, "tfidf": _tfidf_worker, "scale": _scale_worker}


# --------------------------------------------------------------------------------------------
# Sections


def section_encoder(ctx) -> dict:
    """Raw clauses/s of the encoder alone, per backend, thread count, text order and batch size (64:
    sentence-transformers' usual batches, without onnx's token cap); reference: torch as classify runs it."""
    configs = [("torch", 0, "sorted", 0), ("torch", 1, "sorted", 0), ("torch", 0, "unsorted", 0), ("torch", 0, "sorted", 64)]
    configs += [(b, 0, "sorted", 0) for b in ctx.backends if b != "torch"]
    configs += [(b, 0, o, 64) for b in ctx.backends if b == "onnx" for o in ("sorted", "unsorted")]
    name = lambda b, t, o, n: f"{b}/threads={t or 'default'}/{o}" + (f"/batch={n}" if n else "")  # noqa: E731
    runs = {name(*c): [] for c in configs}
    for _ in range(ctx.repeats):
        for b, t, o, n in configs:
            args = (str(ctx.work / "units-sample.json"), b, str(t), o, str(n), str(10**9 if n else 0))
            runs[name(b, t, o, n)].append(worker("encoder", *args, env=ctx.env)["clauses_per_s"])
    ref = name("torch", 0, "sorted", 0)
    ratios = {k: med([v / r for v, r in zip(vals, runs[ref])]) for k, vals in runs.items()}
    return {
        "reference": f"{ref}: clauses/s on {ctx.inputs['encoder_sample']} clauses sampled from the batch",
        "clauses_per_s": {k: med(v) for k, v in runs.items()},
        "ratio_to_reference": ratios,
        "runs": runs,
    }


def section_predict(ctx) -> dict:
    """`classify predict` on the whole batch, end to end in a fresh process (start-up included),
    as clauses/s divided by the raw encoder's clauses/s measured just before it."""
    out = {"backends": {}, "reference": "raw encoder (same backend, sentence-transformers for torch), clauses/s, measured right before each predict run"}
    for backend in ctx.backends:
        runs = []
        for r in range(ctx.repeats):
            ref = worker("encoder", str(ctx.work / "units-sample.json"), backend, "0", env=ctx.env)["clauses_per_s"]
            target = ctx.work / f"codings-{backend}.jsonl"
            m = timed(classify_cmd("predict", ctx.work / "docs.csv", "--text-column", "text", "--id-column", "id", "--format", "jsonl",
                                   "-o", target, "--backend", backend, "--batch-size", str(ctx.batch_size)), env=ctx.env)
            runs.append({"wall_s": m["wall_s"], "cpu_s": m["cpu_s"], "rss_mb": m["rss_mb"], "units_per_s": ctx.inputs["units"] / m["wall_s"],
                         "docs_per_s": ctx.inputs["documents"] / m["wall_s"], "encoder_clauses_per_s": ref,
                         "ratio": ctx.inputs["units"] / m["wall_s"] / ref})
        out["backends"][backend] = {
            "command": f"classify predict docs.csv --text-column text --id-column id --format jsonl -o codings.jsonl --backend {backend} --batch-size {ctx.batch_size}",
            **{k: med([run[k] for run in runs]) for k in runs[0]},
            "runs": runs,
        }
    out["agreement"] = backend_agreement(ctx)
    return out


def backend_agreement(ctx) -> dict:
    """Micro-F1 of each backend's codings of the batch against the PA-X codings, and how often
    each backend's present/absent decision differs from torch's. The shipped model saw these
    descriptions in training, so the F1 is in-sample: only the differences mean something."""
    import numpy as np
    import pandas as pd

    gold = pd.read_csv(ctx.data / "pax_data_v10_codings.csv").set_index("AgtId")
    out, decisions = {}, {}
    for backend in ctx.backends:
        path = ctx.work / f"codings-{backend}.jsonl"
        if not path.is_file():
            continue
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        codes = [c["code"] for c in rows[0]["categories"]]
        pred = np.array([[c["present"] for c in r["categories"]] for r in rows])
        decisions[backend] = pred
        g = gold.reindex(index=[int(r["id"]) for r in rows], columns=codes)
        known = g.notna().to_numpy()
        y = (g.fillna(0).to_numpy() > 0)
        tp, fp, fn = (pred & y & known).sum(), (pred & ~y & known).sum(), (~pred & y & known).sum()
        out[backend] = {"micro_f1": round(float(2 * tp / (2 * tp + fp + fn)), 4)}
    for backend, pred in decisions.items():
        if "torch" in decisions and backend != "torch":
            out[backend]["decisions_differing_from_torch"] = round(float((pred != decisions["torch"]).mean()), 5)
            out[backend]["micro_f1_minus_torch"] = round(out[backend]["micro_f1"] - out["torch"]["micro_f1"], 4)
    return out


def section_latency(ctx) -> dict:
    """Cold `classify predict statement.txt`, per backend; reference: the same process's warm
    embedding of the statement's clauses (so the ratio is 'cold run / the embedding it needs')."""
    out = {}
    for backend in ctx.backends:
        runs, phases = [], []
        for _ in range(ctx.repeats):
            m = timed(classify_cmd("predict", ctx.work / "statement.txt", "--format", "json", "--backend", backend), env=ctx.env)
            p = worker("phases", str(ctx.work / "statement.txt"), backend, env=ctx.env)
            runs.append({"wall_s": m["wall_s"], "cpu_s": m["cpu_s"], "rss_mb": m["rss_mb"], "warm_embed_s": p["warm_embed_s"],
                         "ratio": m["wall_s"] / p["warm_embed_s"]})
            phases.append(p["phases_s"])
        out[backend] = {
            "command": f"classify predict statement.txt --format json --backend {backend}",
            **{k: med([r[k] for r in runs]) for k in runs[0]},
            "phases_s": {k: med([p[k] for p in phases]) for k in phases[0]},
            "runs": runs,
        }
    python = [timed([PY, "-c", "pass"], env=ctx.env)["wall_s"] for _ in range(ctx.repeats)]
    out["python_startup_s"] = med(python)
    return out


def section_train(ctx) -> dict:
    """Full training from an empty embedding cache, then retraining on the warm cache with a
    3-row --codings CSV (issue 3's goal: under 60 s); reference: the full training of this run."""
    import pandas as pd

    codings = pd.read_csv(ctx.data / "pax_data_v10_codings.csv")
    # three corrections: flip one coded category each of three agreements (written to the temp dir)
    rows = codings.sample(3, random_state=0)[["AgtId", "PP", "Ce", "GeWom", "TjPrire"]].copy()
    rows["Ce"] = 1 - rows["Ce"].clip(0, 1)
    rows.to_csv(ctx.work / "three-codings.csv", index=False)
    model, cache = ctx.work / "trained", ctx.work / "embedding-cache"
    shutil.rmtree(cache, ignore_errors=True)
    base = ["train", "--data", ctx.data, "--out", model, "--cache-dir", cache]
    full = timed(classify_cmd(*base), env=ctx.env)
    retrains = [timed(classify_cmd(*base, "--codings", ctx.work / "three-codings.csv"), env=ctx.env) for _ in range(ctx.repeats)]

    def report(m):
        line = next((l for l in m["stdout"].splitlines() if l.startswith("Time:")), "")
        cache_line = next((l for l in m["stdout"].splitlines() if l.startswith("Embedding cache:")), "")
        return {"wall_s": round(m["wall_s"], 2), "rss_mb": round(m["rss_mb"]), "steps": line[6:], "cache": cache_line[17:]}

    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    return {
        "commands": ["classify train --data PAX --out M --cache-dir EMPTY", "classify train --data PAX --out M --cache-dir WARM --codings three-codings.csv"],
        "full": report(full),
        "retrain_warm": [report(m) for m in retrains],
        "retrain_wall_s": med([m["wall_s"] for m in retrains]),
        "retrain_ratio_to_full": med([m["wall_s"] / full["wall_s"] for m in retrains]),
        "oof_micro_f1": manifest["out_of_fold"]["micro_f1"],
        "oof_macro_f1": manifest["out_of_fold"]["macro_f1"],
    }


def section_tfidf(ctx) -> dict:
    """TF-IDF + logistic regression on the same documents; reference: the embedding model's
    figures from this run (train section's out-of-fold F1, predict section's docs/s)."""
    model = ctx.work / "trained" if (ctx.work / "trained" / "manifest.json").is_file() else REPO / "models" / "pax-default"
    runs = [worker("tfidf", str(ctx.data), str(ctx.work / "docs.csv"), str(model), env=ctx.env) for _ in range(max(1, ctx.repeats // 2))]
    return {"model_categories_from": model.name, **{k: med([r[k] for r in runs]) for k in runs[0]}, "runs": runs}


def section_scale(ctx) -> dict:
    """The batch through joblib: one process, two loky processes, and a 2-worker Dask LocalCluster."""
    backend = "onnx" if "onnx" in ctx.backends else "torch"
    out = {"backend": backend}
    for name, n_jobs, sched in [("joblib n_jobs=1", 1, "loky"), ("joblib n_jobs=2", 2, "loky"), ("joblib on dask LocalCluster(2)", 2, "dask")]:
        try:
            runs = [worker("scale", str(ctx.work / "docs.csv"), backend, str(n_jobs), sched, env=ctx.env) for _ in range(ctx.repeats)]
        except RuntimeError as exc:
            out[name] = {"error": str(exc).splitlines()[-1]}
            continue
        out[name] = {"seconds": med([r["seconds"] for r in runs]), "documents": runs[0]["documents"], "present_codes": runs[0]["present_codes"],
                     "peak_rss_mb_all_processes_parent": med([r["process_rss_mb"] for r in runs])}
    base = out.get("joblib n_jobs=1", {}).get("seconds")
    for v in out.values():
        if isinstance(v, dict) and base and "seconds" in v:
            v["speedup_vs_n_jobs_1"] = round(base / v["seconds"], 3)
    return out


# --------------------------------------------------------------------------------------------


class Context:
    pass


def machine() -> dict:
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), platform.processor())
    mem = next((int(l.split()[1]) // 1024 // 1024 for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), None)
    versions = {}
    from importlib.metadata import PackageNotFoundError, version

    for name in ("torch", "sentence-transformers", "transformers", "onnxruntime", "scikit-learn", "numpy"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": mem, "python": platform.python_version(), "versions": versions}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_data = os.environ.get("PAXCLASSIFY_DATA") or next(
        (p for p in (REPO.parent / "shared" / "pax", REPO.parent.parent / "shared" / "pax") if p.is_dir()), "../shared/pax")
    parser.add_argument("--data", type=Path, default=Path(default_data), help="PA-X folder (default: $PAXCLASSIFY_DATA or ../shared/pax)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--backends", default="torch,onnx,onnx-int8")
    parser.add_argument("--batch-size", type=int, default=64, help="classify predict --batch-size")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--sample", type=int, default=ENCODER_SAMPLE, help="clauses in the raw-encoder sample")
    parser.add_argument("--limit", type=int, help="only the first N documents (a quick check of the script, not a benchmark)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (it holds PA-X text: do not commit it)")
    args = parser.parse_args(argv)
    ctx = Context()
    ctx.data, ctx.repeats, ctx.batch_size = args.data.resolve(), args.repeats, args.batch_size
    ctx.backends = [b for b in args.backends.split(",") if b]
    ctx.work = Path(tempfile.mkdtemp(prefix="paxclassify-bench-"))
    # ONNX exports go to the temporary folder too, unless the user has a cache; exported once per run
    ctx.env = {"PYTHONPATH": str(REPO), "PAXCLASSIFY_ONNX_DIR": os.environ.get("PAXCLASSIFY_ONNX_DIR", str(ctx.work / "onnx"))}
    results = json.loads(args.results.read_text(encoding="utf-8")) if args.results.is_file() else {}
    try:
        ctx.inputs = build_inputs(ctx.data, ctx.work, args.limit, args.sample)
        ctx.inputs['encoder_sample'] = min(args.sample, ctx.inputs['units'])
        if any(b != "torch" for b in ctx.backends):
            for b in ctx.backends:
                if b != "torch":
                    worker("encoder", str(ctx.work / "statement-units.json"), b, "0", env=ctx.env)  # export outside the timings
        for name in args.only.split(","):
            print(f"[{dt.datetime.now():%H:%M:%S}] {name} ...", file=sys.stderr, flush=True)
            start_load = os.getloadavg()[0]
            t0 = time.perf_counter()
            result = globals()[f"section_{name}"](ctx)
            results[name] = {
                "date": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
                "machine": machine(),
                "inputs": ctx.inputs,
                "repeats": ctx.repeats,
                "load_average_1min": [round(start_load, 2), round(os.getloadavg()[0], 2)],
                "section_seconds": round(time.perf_counter() - t0, 1),
                "command": "python benchmarks/run.py " + " ".join(sys.argv[1:]),
                **result,
            }
            args.results.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
            print(json.dumps({k: v for k, v in results[name].items() if k not in ("machine", "runs")}, indent=1, default=str)[:3000], file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept {ctx.work} (contains PA-X text: do not commit)", file=sys.stderr)
        else:
            shutil.rmtree(ctx.work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "_worker":
        sys.path.insert(0, str(REPO))
        result = WORKERS[sys.argv[2]](*sys.argv[3:])
        print(json.dumps(result, default=float))
    else:
        main()
