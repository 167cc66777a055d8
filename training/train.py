"""Fit a model on PA-X gold: grouped out-of-fold thresholds, final fit, self-describing folder."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from classify.embed import Encoder
from classify.errors import DataError
from classify.estimator import ClauseClassifier
from classify.modelio import MANIFEST, Model, library_versions, read_manifest, save_model, sha256
from classify.predict import WHOLE_DOCUMENT_MAX_CHARS, pool_units

from .cache import EmbeddingCache
from .card import model_card
from .dataset import DEFINITIONS_GROUP, DocumentSet, TrainingSet, build_documents, build_training_set, select_categories
from .sources import load_pax

MIN_POSITIVE = 20


@dataclass
class TrainSettings:
    """Everything that decides the fitted model; recorded in the manifest."""

    min_positive: int = MIN_POSITIVE
    n_folds: int = 5
    C: float = 4.0
    class_weight: str | None = "balanced"
    seed: int = 0  # GroupKFold is deterministic; kept so a future shuffled split stays reproducible

    def estimator(self, n_jobs=None) -> ClauseClassifier:
        return ClauseClassifier(C=self.C, class_weight=self.class_weight, n_jobs=n_jobs)


@dataclass
class TrainResult:
    path: Path
    manifest: dict
    changes: list = field(default_factory=list)
    previous_metrics: dict | None = None
    timings: dict = field(default_factory=dict)
    cache_hits: int = 0
    cache_misses: int = 0


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


def f1_summary(labels: np.ndarray, scores: np.ndarray, thresholds: np.ndarray) -> dict:
    """Micro/macro F1 over known labels, and per-category F1."""
    pred = (scores >= thresholds).astype(int)
    known = labels >= 0
    per = {}
    tp = fp = fn = 0
    for j in range(labels.shape[1]):
        k = known[:, j]
        y, p = labels[k, j], pred[k, j]
        per[j] = float(f1_score(y, p, zero_division=0))
        tp += int(((y == 1) & (p == 1)).sum())
        fp += int(((y == 0) & (p == 1)).sum())
        fn += int(((y == 1) & (p == 0)).sum())
    micro = 2 * tp / max(2 * tp + fp + fn, 1)
    return {"micro_f1": round(micro, 4), "macro_f1": round(float(np.mean(list(per.values()))), 4), "per_category": per}


def out_of_fold_scores(ts: TrainingSet, X: np.ndarray, docs: DocumentSet, U: np.ndarray, settings: TrainSettings, *, n_jobs=None, progress=False) -> np.ndarray:
    """Document scores for every document from a model fitted without its peace process.

    X : embeddings of ts.texts, (n_rows, dim); U : embeddings of docs.unit_texts, (n_units, dim).
    Returns (n_docs, n_cat).
    """
    from tqdm.auto import tqdm

    n_docs = len(docs.agt)
    folds = GroupKFold(n_splits=settings.n_folds).split(np.zeros(n_docs), groups=docs.groups)
    scores = np.zeros((n_docs, len(ts.codes)), dtype=np.float32)
    for _, test_docs in tqdm(list(folds), desc="grouped folds", disable=not progress):
        test_groups = set(docs.groups[test_docs])
        train_rows = np.array([g not in test_groups for g in ts.groups])
        est = settings.estimator(n_jobs).fit(X[train_rows], ts.Y[train_rows])
        units = np.isin(docs.owner, test_docs)
        unit_scores = est.predict_proba(U[units])
        pooled = pool_units(unit_scores, docs.owner[units], n_docs)
        scores[test_docs] = pooled[test_docs]
    return scores


def embed_all(encoder_or_cache, texts, progress):
    return encoder_or_cache.encode(list(texts), progress=progress)


def train(
    data_dir: Path,
    out: Path,
    *,
    codings: list[Path] = (),
    embedding_model: str | None = None,
    settings: TrainSettings | None = None,
    cache_dir: Path | None = None,
    n_jobs: int | None = None,
    progress: bool = False,
) -> TrainResult:
    """Train a model from the PA-X files in ``data_dir`` and write it to ``out``.

    The previous model at ``out`` (if any) stays in use until the new one is complete, and is
    then kept as ``<out>.previous``.
    """
    settings = settings or TrainSettings()
    timings = {}
    t0 = time.perf_counter()
    data, changes = load_pax(Path(data_dir), extra_codings=list(codings))
    codes, dropped = select_categories(data, settings.min_positive)
    if not codes:
        raise DataError(f"{data_dir}: no category has {settings.min_positive} positive agreements; nothing to learn")
    ts = build_training_set(data, codes)
    docs = build_documents(data, codes)
    if len(docs.agt) < settings.n_folds or len(set(docs.groups)) < settings.n_folds:
        raise DataError(f"{data_dir}: {len(set(docs.groups))} peace processes with text; at least {settings.n_folds} are needed for grouped folds")
    timings["load"] = time.perf_counter() - t0

    encoder = Encoder(embedding_model)
    cache = EmbeddingCache(encoder, cache_dir, model_key=f"{encoder.name}|{encoder.path}")
    t0 = time.perf_counter()
    X = embed_all(cache, ts.texts, progress)
    U = embed_all(cache, docs.unit_texts, progress)
    timings["embed"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    oof = out_of_fold_scores(ts, X, docs, U, settings, n_jobs=n_jobs, progress=progress)
    thresholds = best_thresholds(docs.labels, oof)
    oof_metrics = f1_summary(docs.labels, oof, thresholds)
    timings["cross_validate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    estimator = settings.estimator(n_jobs).fit(X, ts.Y)
    timings["fit"] = time.perf_counter() - t0

    cats = data.categories
    n_pos = (data.labels == 1).sum()

    def describe(code):
        known = code in cats.index
        return {
            "code": code,
            "name": str(cats.at[code, "name"]) if known else code,
            "group": str(cats.at[code, "group"]) if known else "Other",
            "parent": (cats.at[code, "parent"] or None) if known else None,
        }

    categories = [
        {**describe(c), "threshold": round(float(t), 6), "n_positive": int(n_pos[c])} for c, t in zip(codes, thresholds)
    ]
    uncovered = [{**describe(d["code"]), "n_positive": d["n_positive"], "reason": d["reason"]} for d in dropped]
    per_cat = oof_metrics.pop("per_category")
    manifest = {
        "name": Path(out).name,
        "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "embedding": {"model": encoder.name, "dimension": int(X.shape[1])},
        "aggregation": {"pool": "max", "whole_document_max_chars": WHOLE_DOCUMENT_MAX_CHARS},
        "categories": categories,
        "uncovered": uncovered,
        "settings": {k: v for k, v in vars(settings).items()},
        "training_data": {
            "files": {str(p.name): sha256(p) for paths in data.files.values() for p in paths},
            "extra_codings": {str(Path(p).name): sha256(Path(p)) for p in codings},
            "agreements": int(len(data.labels)),
            "peace_processes": int(data.groups.nunique()),
            "rows_by_source": ts.summary(),
            "threshold_documents": {"kind": docs.kind, "count": int(len(docs.agt))},
        },
        "out_of_fold": {
            **oof_metrics,
            "note": "grouped by peace process; thresholds chosen on these same out-of-fold scores, so slightly optimistic. See `classify evaluate` for unbiased figures.",
            "per_category_f1": {c: round(per_cat[j], 4) for j, c in enumerate(codes)},
        },
        "versions": library_versions(),
    }
    previous = None
    if (Path(out) / MANIFEST).is_file():
        try:
            previous = read_manifest(Path(out)).get("out_of_fold")
        except Exception:
            previous = None
    path = save_model(Model(estimator, manifest), Path(out), card=model_card(manifest))
    return TrainResult(path, manifest, changes, previous, timings, cache.hits, cache.misses)
