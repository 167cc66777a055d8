"""Every figure training and evaluation report, computed in one place.

Labels are int arrays (n_items, n_categories) with 1 present, 0 absent and -1 unknown (PA-X gold
is partial at clause level); an unknown label counts for nothing.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score

CALIBRATION_BINS = 10


def category_metrics(y: np.ndarray, score: np.ndarray, pred: np.ndarray) -> dict:
    """Precision, recall, F1, average precision (None without ``score``) and support of one category over known items."""
    tp = int(((y == 1) & pred).sum())
    fp = int(((y == 0) & pred).sum())
    fn = int(((y == 1) & ~pred).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    ap = float(average_precision_score(y, score)) if score is not None and 0 < y.sum() < len(y) else None
    return {"precision": precision, "recall": recall, "f1": f1, "ap": ap, "support": int(y.sum()), "n": int(len(y)), "tp": tp, "fp": fp, "fn": fn}


def f1_summary(labels: np.ndarray, pred: np.ndarray, scores: np.ndarray | None = None, columns=None) -> dict:
    """Micro and macro F1 over known labels of ``columns`` (default: all), and each column's
    :func:`category_metrics` (with average precision when ``scores`` are given).

    pred : bool like labels.
    """
    columns = range(labels.shape[1]) if columns is None else columns
    per, tp, fp, fn = {}, 0, 0, 0
    for j in columns:
        known = labels[:, j] >= 0
        m = category_metrics(labels[known, j], None if scores is None else scores[known, j], pred[known, j].astype(bool))
        tp, fp, fn = tp + m["tp"], fp + m["fp"], fn + m["fn"]
        per[j] = m
    return {
        "micro_f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 0.0,
        "macro_f1": round(float(np.mean([m["f1"] for m in per.values()])), 4) if per else 0.0,
        "per_category": per,
    }


def best_thresholds(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Per category, the score cut that maximises F1 over documents whose label is known.

    labels : int array (n_docs, n_cat), -1 unknown; scores : (n_docs, n_cat). Ties go to the
    higher cut; the cut sits halfway to the next lower score so it does not sit on a sample.
    """
    out = np.full(labels.shape[1], 0.5, dtype=np.float64)
    for j in range(labels.shape[1]):
        known = labels[:, j] >= 0
        y, s = labels[known, j], scores[known, j]
        if y.sum() == 0:
            continue
        order = np.argsort(-s, kind="stable")
        y, s = y[order], s[order]
        tp = np.cumsum(y)
        fp = np.cumsum(1 - y)
        f1 = 2 * tp / (tp + fp + y.sum())
        # only cut between distinct scores
        last_of_run = np.append(s[1:] != s[:-1], True)
        f1 = np.where(last_of_run, f1, -1)
        k = int(np.argmax(f1))
        nxt = s[k + 1] if k + 1 < len(s) else s[k] - 1e-3
        out[j] = float((s[k] + nxt) / 2)
    return np.clip(out, 1e-4, 1 - 1e-4)


def reliability(labels: np.ndarray, scores: np.ndarray, bins: int = CALIBRATION_BINS) -> dict:
    """Mean score vs observed frequency in equal-width score bins, over every known (item, category)."""
    known = labels >= 0
    y, s = labels[known].astype(float), scores[known].astype(float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(s, edges[1:-1]), 0, bins - 1)
    out = {"mean_score": [], "observed": [], "count": []}
    ece = 0.0
    for b in range(bins):
        m = which == b
        n = int(m.sum())
        out["count"].append(n)
        out["mean_score"].append(round(float(s[m].mean()), 4) if n else None)
        out["observed"].append(round(float(y[m].mean()), 4) if n else None)
        if n:
            ece += n / max(len(y), 1) * abs(float(s[m].mean()) - float(y[m].mean()))
    out["expected_calibration_error"] = round(ece, 4)
    return out


def _counts(labels: np.ndarray, pred: np.ndarray):
    """Per document: true positives, false positives, false negatives, over the categories whose label is known."""
    known, gold = labels >= 0, labels == 1
    p = pred & known
    return (p & gold).sum(axis=1), (p & ~gold).sum(axis=1), (~p & gold).sum(axis=1)


def per_document(labels: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each document's F1 and false positives, over the categories whose label is known."""
    tp, fp, fn = _counts(labels, pred)
    return _f1(tp, fp, fn), fp


def _f1(tp, fp, fn) -> np.ndarray:
    return np.where(tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 1.0)


def document_figures(labels: np.ndarray, scores: np.ndarray, pred: np.ndarray) -> dict:
    """What a user sees per document, over every modelled category whose label is known.

    labels : int (n_docs, n_cat), -1 unknown; scores : (n_docs, n_cat); pred : bool like labels.
    samples_f1 : mean per-document F1; r_precision : of the k top-scored categories, k = the
    document's number of codes, the share that are codes; count_ratio : categories predicted per
    document over codes per document; fp_per_document : categories predicted that it lacks.
    """
    known, gold = labels >= 0, labels == 1
    p = pred & known
    tp, fp, fn = _counts(labels, pred)
    per_doc_f1 = _f1(tp, fp, fn)
    r_prec = []
    for i in range(len(labels)):
        k = int(gold[i].sum())
        if k:
            top = np.argsort(-np.where(known[i], scores[i], -np.inf), kind="stable")[:k]
            r_prec.append(gold[i, top].mean())
    n_true, n_pred = gold.sum(), p.sum()
    return {
        "samples_f1": round(float(per_doc_f1.mean()), 4) if len(labels) else 0.0,
        "document_micro_f1": round(float(2 * tp.sum() / max(2 * tp.sum() + fp.sum() + fn.sum(), 1)), 4),
        "r_precision": round(float(np.mean(r_prec)), 4) if r_prec else 0.0,
        "count_ratio": round(float(n_pred / n_true), 4) if n_true else 0.0,
        "predicted_per_document": round(float(n_pred / max(len(labels), 1)), 2),
        "codes_per_document": round(float(n_true / max(len(labels), 1)), 2),
        "fp_per_document": round(float(fp.mean()), 3) if len(labels) else 0.0,
        "document_precision": round(float(tp.sum() / max(n_pred, 1)), 4),
        "document_recall": round(float(tp.sum() / max(n_true, 1)), 4),
    }
