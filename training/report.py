"""The evaluation report for people (report.md + PNG plots) and for machines (metrics.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from classify.atomic import open_atomic, write_text_atomic

from .evaluate import MODEL, Evaluation

METRICS = "metrics.json"
REPORT = "report.md"
N_BEST = 15
N_PR_CURVES = 6
HEADLINE = ("micro_f1", "macro_f1", "macro_ap")




def _save(fig, path: Path) -> None:
    """Write a figure as PNG through a temporary file, so a failure leaves no half-written plot."""
    import matplotlib.pyplot as plt

    fig.tight_layout()
    with open_atomic(path, "wb") as f:
        fig.savefig(f, format="png", dpi=110)
    plt.close(fig)


def _rows(metrics: dict):
    """(suite, system, figures) for every suite and system, the model first."""
    for suite, entry in metrics["suites"].items():
        yield suite, MODEL, entry[MODEL]
        for b, figures in entry["baselines"].items():
            yield suite, b, figures


def _extra(figures: dict) -> str:
    hit = [k for k in figures if k.endswith("_hit_rate")]
    return f"{figures[hit[0]]:.3f}" if hit else ""


def headline_table(metrics: dict) -> str:
    """The headline figures of every suite and system as an aligned plain-text table."""
    head = ["suite", "system", "micro-F1", "macro-F1", "macro-AP", "top-k hit", "categories"]
    rows = [[s, m, *(f"{f[k]:.3f}" for k in HEADLINE), _extra(f), str(f["n_categories"])] for s, m, f in _rows(metrics)]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    out, suite = [line(head), "  ".join("-" * w for w in widths)], None
    for r in rows:
        if suite is not None and r[0] != suite:
            out.append("")
        suite = r[0]
        out.append(line(r))
    return "\n".join(out) + "\n"


DOCUMENT_FIGURES = ("samples_f1", "document_micro_f1", "r_precision", "count_ratio", "fp_per_document", "document_precision")
DOCUMENT_HEAD = ["per-doc F1", "micro-F1", "R-precision", "count ratio", "FP / doc", "precision"]


def _document_rows(metrics: dict):
    """(suite, system, figures) of the suites decided as classify predict decides documents."""
    for suite, system, f in _rows(metrics):
        if "samples_f1" in f:
            yield suite, system, f


def document_table(metrics: dict) -> str:
    """Real documents, as classify predict codes them: per-document figures, aligned."""
    head = ["suite", "system", *DOCUMENT_HEAD]
    rows = [[s, m, *(f"{f[k]:.3f}" for k in DOCUMENT_FIGURES)] for s, m, f in _document_rows(metrics)]
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(head), "  ".join("-" * w for w in widths), *map(line, rows)]) + "\n"


def per_category_table(metrics: dict, suite: str) -> str:
    """Per-category P/R/F1/AP/support of the model on one suite, aligned, best F1 first."""
    per = metrics["suites"][suite][MODEL]["per_category"]
    tfidf = metrics["suites"][suite]["baselines"]["tfidf_logreg"]["per_category"]
    head = ["code", "P", "R", "F1", "AP", "support", "tfidf F1"]
    rows = [
        [c, f"{p['precision']:.3f}", f"{p['recall']:.3f}", f"{p['f1']:.3f}", "" if p["ap"] is None else f"{p['ap']:.3f}", str(p["support"]), f"{tfidf[c]['f1']:.3f}"]
        for c, p in sorted(per.items(), key=lambda kv: (-kv[1]["f1"], kv[0]))
    ]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    return "\n".join([line(head), "  ".join("-" * w for w in widths), *map(line, rows)]) + "\n"


def _md_table(head: list[str], rows: list[list[str]], right_from: int = 1) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(head))]
    return ["| " + " | ".join(head) + " |", "| " + " | ".join(align) + " |", *("| " + " | ".join(r) + " |" for r in rows)]


def _fmt(v) -> str:
    return "–" if v is None else f"{v:.3f}"


def plot_f1_bars(ev: Evaluation, suite: str, path: Path) -> None:
    import matplotlib.pyplot as plt

    per = ev.metrics["suites"][suite][MODEL]["per_category"]
    base = ev.metrics["suites"][suite]["baselines"]["tfidf_logreg"]["per_category"]
    codes = sorted(per, key=lambda c: per[c]["f1"])
    y = np.arange(len(codes))
    fig, ax = plt.subplots(figsize=(8, max(4, 0.14 * len(codes) + 1)))
    ax.barh(y + 0.2, [per[c]["f1"] for c in codes], height=0.4, label="model")
    ax.barh(y - 0.2, [base[c]["f1"] for c in codes], height=0.4, label="tfidf_logreg", alpha=0.7)
    ax.set_yticks(y, [f"{c} {per[c]['name'][:28]}" for c in codes], fontsize=5)
    ax.set_ylim(-1, len(codes))
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1 (out-of-fold, grouped by peace process)")
    ax.set_title(f"{suite}: per-category F1, model vs TF-IDF baseline")
    ax.legend(loc="lower right")
    _save(fig, path)


def plot_pr_curves(ev: Evaluation, suite: str, path: Path) -> list[str]:
    """Precision-recall curves of the most frequent categories; returns their codes."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    res = ev.results[suite]
    per = ev.metrics["suites"][suite][MODEL]["per_category"]
    top = sorted(per, key=lambda c: (-per[c]["support"], c))[:N_PR_CURVES]
    cols = int(np.ceil(len(top) / 2)) if len(top) > 1 else 1
    fig, axes = plt.subplots(2 if len(top) > 1 else 1, cols, figsize=(4 * cols, 7 if len(top) > 1 else 3.6), squeeze=False)
    for ax, code in zip(axes.flat, top):
        j = ev.codes.index(code)
        known = res.suite.labels[:, j] >= 0
        y = res.suite.labels[known, j]
        for system in res.scores:
            prec, rec, _ = precision_recall_curve(y, res.scores[system][known, j])
            ap = ev.metrics["suites"][suite][MODEL if system == MODEL else "baselines"]
            ap = (ap if system == MODEL else ap[system])["per_category"][code]["ap"]
            ax.plot(rec, prec, label=f"{system} (AP {_fmt(ap)})", lw=1.2)
        ax.set_title(f"{code} {per[code]['name'][:30]} (n={per[code]['support']})", fontsize=8)
        ax.set_xlabel("recall", fontsize=7)
        ax.set_ylabel("precision", fontsize=7)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.legend(fontsize=6, loc="lower left")
    for ax in list(axes.flat)[len(top):]:
        ax.axis("off")
    fig.suptitle(f"{suite}: precision-recall, most frequent categories", fontsize=10)
    _save(fig, path)
    return top


def plot_reliability(ev: Evaluation, path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="perfect calibration")
    for suite, entry in ev.metrics["suites"].items():
        for system in (MODEL, "tfidf_logreg"):
            fig_ = entry[MODEL] if system == MODEL else entry["baselines"][system]
            cal = fig_.get("calibration")
            if not cal:
                continue
            pts = [(s, o) for s, o in zip(cal["mean_score"], cal["observed"]) if s is not None]
            ax.plot(*zip(*pts), marker="o", ms=3, label=f"{suite} {system} (ECE {cal['expected_calibration_error']:.3f})")
    ax.set_xlabel("mean score in bin")
    ax.set_ylabel("observed share positive")
    ax.set_title("Reliability of scores (out-of-fold)")
    ax.legend(fontsize=6)
    _save(fig, path)


def plot_counts(ev: Evaluation, suite: str, path: Path) -> None:
    """Categories predicted against PA-X's codes, per document, for the model and TF-IDF."""
    import matplotlib.pyplot as plt

    res = ev.results[suite]
    gold = (res.suite.labels == 1).sum(axis=1)
    fig, ax = plt.subplots(figsize=(5, 5))
    top = 1
    for system, marker in ((MODEL, "o"), ("tfidf_logreg", "x")):
        predicted = (res.predictions[system] & (res.suite.labels >= 0)).sum(axis=1)
        ax.scatter(gold, predicted, marker=marker, s=18, alpha=0.7, label=system)
        top = max(top, int(gold.max(initial=0)), int(predicted.max(initial=0)))
    ax.plot([0, top], [0, top], color="grey", lw=0.8, ls="--", label="as many as PA-X")
    ax.set_xlabel("categories PA-X codes")
    ax.set_ylabel("categories predicted")
    ax.set_title(f"{suite}: categories per document")
    ax.legend(fontsize=7)
    _save(fig, path)


LIMITS = """\
**What these figures can and cannot show.** The only text every agreement has here is its PA-X
*description*: a one-to-five-sentence summary that coders wrote *after* reading and coding the
agreement. Descriptions name the main topics in plain words, so a model can score well on them
without being able to read an agreement; and they leave most provisions out, so a category coded
from one clause deep in the text is often invisible in its description, which caps recall and
makes some "false positives" merely unverifiable. The `descriptions` suite therefore measures
agreement-level coding *of summaries*, not of agreements. The clause-level suites use real
agreement text but are narrow: `gender_clauses` covers only GeWom and the gender sub-codes, its
negatives are clauses of agreements without the code (easy negatives: the hard ones, unquoted
clauses of agreements that have the code, carry no label and are left out), and thresholds are
chosen at agreement level, then applied to single clauses; `api_clauses` is one page of the PA-X
API (a handful of agreements), so its figures move a lot with a single clause. Agreement-level
scores are the maximum over clauses, so they are not calibrated probabilities (see the
reliability plot). Full agreement texts are measured only where the data folder holds them (the
`fulltext` suite; on the project machines 13 agreements of 3 peace processes, so its figures move
by several points with one document); `clause_bags` scores the real clauses the data holds per
agreement as one document, where a category the agreement lacks is a certain false positive but
recall is partial; `openings` scores the first 2,000 characters of every full text, as a web page or
news reprint that carries an agreement often shows it, against the whole agreement's codes (recall
partial again), and `pages` each of the same openings inside each of four web pages written for
the project (two news pages, one with a line that announces the text and one without, a
ministry's page, a wire), 2,000 characters in all. Agreements signed in 2024 or later are withheld as an external test set. All figures are cross-validated by peace process: a process never appears
in both the training and the test part of a fold."""


def report_markdown(ev: Evaluation, plots: dict) -> str:
    m = ev.metrics
    data, proto, model = m["data"], m["protocol"], m["model"]
    lines = [
        "# paxclassify evaluation",
        "",
        f"Created {m['created']} by `classify evaluate` on `{data['dir']}`: {data['agreements']} agreements in "
        f"{data['peace_processes']} peace processes, {data['categories_modelled']} categories modelled. "
        f"Model settings: {', '.join(f'{k}={v}' for k, v in model['settings'].items())}"
        + (f" (from `{model['source']}`)" if model["source"] else " (the defaults of `classify train`)")
        + f"; embedding `{model['embedding']}`.",
        "",
        f"Protocol: {proto['outer_folds']}-fold cross-validation grouped by {proto['grouping']}. "
        f"Inside every fold the whole pipeline is retrained on the training part only; thresholds: {proto['thresholds']}. "
        f"Baselines, trained on the same folds in this run: " + "; ".join(f"`{k}`: {v}" for k, v in proto["baselines"].items()) + ".",
        "",
        "## Headline",
        "",
    ]
    rows = []
    for suite, system, f in _rows(m):
        rows.append([suite, system if system == MODEL else f"baseline `{system}`", *(f"{f[k]:.3f}" for k in HEADLINE), _extra(f) or "–", str(f["n_categories"])])
    doc_rows = [[suite, system if system == MODEL else f"baseline `{system}`", *(f"{f[k]:.3f}" for k in DOCUMENT_FIGURES), f"{f['predicted_per_document']:.1f} / {f['codes_per_document']:.1f}"]
                for suite, system, f in _document_rows(m)]
    if doc_rows:
        lines += [
            "Real agreement text, decided as `classify predict` decides a document (thresholds, count prior, hierarchy). "
            "Per-document F1 is the mean over documents (the `samples` average); R-precision scores the ranking alone "
            "(the top k categories, k = the document's number of PA-X codes); the count ratio is categories predicted over codes. "
            "In `clause_bags` a document is the agreement's clauses that the data holds, so recall is partial and the false "
            "positives per document (categories the agreement lacks) are the figure to read; likewise in `openings`, "
            "the first 2,000 characters of each full text, and in `pages`, the same inside web pages of our own.",
            "",
            *_md_table(["suite", "system", *DOCUMENT_HEAD, "predicted / coded per doc"], doc_rows, right_from=2),
            "",
        ]
        part_rows = [[suite, part, system if system == MODEL else f"baseline `{system}`", f"{g['samples_f1']:.3f}", f"{g['document_precision']:.3f}",
                      f"{g['fp_per_document']:.1f}", f"{g['predicted_per_document']:.1f}"]
                     for suite, system, f in _document_rows(m) for part, g in f.get("by_part", {}).items()]
        if part_rows:
            lines += ["The same, page by page (each opening inside each page):", "",
                      *_md_table(["suite", "page", "system", "per-doc F1", "precision", "FP / doc", "predicted per doc"], sorted(part_rows, key=lambda r: (r[0], r[1])), right_from=3),
                      ""]
    lines += _md_table(["suite", "system", "micro-F1", "macro-F1", "macro-AP", "top-k hit rate", "categories"], rows, right_from=2)
    graded = [(suite, system, f) for suite, system, f in _rows(m) if f.get("grade_exact_match") is not None]
    if graded:
        lines += ["", "Grades of graded categories (the value 1-3 PA-X records), where PA-X codes the category and the system finds it: "
                  + "; ".join(f"`{suite}` {system} {f['grade_exact_match']:.3f} of {f['graded_found']}" for suite, system, f in graded) + "."]
    lines += ["", "Suites: " + "; ".join(
        f"`{s}` {e['items']} {e['unit']}s" + (f" from {e['agreements']} agreements" if e["unit"] != "agreement" else "") + f" in {e['peace_processes']} peace processes ({e['decision']})" for s, e in m["suites"].items()
    ) + ".", "", LIMITS, ""]
    roles = m.get("roles")
    if roles:
        figures = roles[MODEL]
        lines += ["## Clause roles", "", f"The role model on role rows held out from its fit ({roles['note']}): accuracy {figures['accuracy']:.3f} "
                  f"on {figures['rows']} rows.", "",
                  *_md_table(["role", "rows", "precision", "recall"], [[r, str(f["rows"]), _fmt(f["precision"]), _fmt(f["recall"])]
                                                                       for r, f in figures["per_role"].items()]), ""]

    for suite, entry in m["suites"].items():
        per = entry[MODEL]["per_category"]
        if not per:
            continue
        none = {c: {"f1": None} for c in per}  # a run without that baseline
        tfidf = entry["baselines"].get("tfidf_logreg", {}).get("per_category", none)
        kw = entry["baselines"].get("keyword", {}).get("per_category", none)
        ranked = sorted(per, key=lambda c: (-per[c]["f1"], -per[c]["support"], c))
        head = ["code", "name", "support", "P", "R", "F1", "AP", "tfidf F1", "keyword F1"]
        row = lambda c: [f"`{c}`", per[c]["name"], str(per[c]["support"]), *(_fmt(per[c][k]) for k in ("precision", "recall", "f1", "ap")), _fmt(tfidf[c]["f1"]), _fmt(kw[c]["f1"])]
        n = min(N_BEST, len(ranked) // 2) if len(ranked) > N_BEST else len(ranked)
        lines += [f"## `{suite}`: per category", ""]
        if len(ranked) > N_BEST:
            lines += [f"{n} best by model F1:", "", *_md_table(head, [row(c) for c in ranked[:n]], right_from=2), ""]
            lines += [f"{n} worst:", "", *_md_table(head, [row(c) for c in ranked[-n:][::-1]], right_from=2), ""]
        else:
            lines += [*_md_table(head, [row(c) for c in ranked], right_from=2), ""]
        lines += [f"All {len(per)} categories are in `metrics.json`.", ""]

    lines += ["## Plots", ""]
    for title, name in plots.items():
        lines += [f"### {title}", "", f"![{title}]({name})", ""]
    t = m["timings"]
    lines += ["## Run", "", "Time (s): " + ", ".join(f"{k} {v}" for k, v in t.items()) + ".", ""]
    return "\n".join(lines)


def write_report(ev: Evaluation, out: Path) -> list[Path]:
    """Write metrics.json, report.md and the plots into ``out`` (created if missing); returns the paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only; no display on CI machines
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    metrics_path = out / METRICS
    write_text_atomic(metrics_path, json.dumps(ev.metrics, indent=2, ensure_ascii=False) + "\n")
    written.append(metrics_path)
    plots = {}
    threshold_suites = [s for s, r in ev.results.items() if r.suite.decision == "threshold" and ev.metrics["suites"][s][MODEL]["per_category"]]
    for suite in threshold_suites:
        name = f"f1_{suite}.png"
        plot_f1_bars(ev, suite, out / name)
        plots[f"Per-category F1, {suite}"] = name
        name = f"pr_{suite}.png"
        plot_pr_curves(ev, suite, out / name)
        plots[f"Precision-recall, {suite}"] = name
    for suite in [s for s, r in ev.results.items() if r.suite.decision == "document"]:
        name = f"counts_{suite}.png"
        plot_counts(ev, suite, out / name)
        plots[f"Categories per document, {suite}"] = name
    if threshold_suites:
        plot_reliability(ev, out / "reliability.png")
        plots["Reliability (calibration)"] = "reliability.png"
    written += [out / p for p in plots.values()]
    report_path = out / REPORT
    write_text_atomic(report_path, report_markdown(ev, plots))
    written.append(report_path)
    return written
