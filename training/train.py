"""Fit a model on PA-X gold: grouped out-of-fold thresholds, final fit, self-describing folder."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from classify.atomic import sha256
from classify.coding import WHOLE_DOCUMENT_MAX_CHARS, pool_units
from classify.decision import CountPrior, fit_grade_tables
from classify.errors import PaxClassifyError
from classify.features import LexicalSpec
from classify.features import featurize as classify_featurize
from classify.model import MANIFEST, Aggregation, Category, Decision, Embedding, Manifest, Model, Roles, library_versions, read_manifest
from classify.roles import ROLES, document_carry, normalise, operative_only, role_features, whole_texts

from .cache import EmbeddingCache
from .card import model_card
from .errors import DataError
from .estimator import HybridClassifier
from .roles import build_role_set, fit_roles, heldout_figures
from .metrics import best_thresholds, f1_summary
from .dataset import AGREEMENT_KINDS, REVIEWED_KIND, REVIEWED_TEXT_KIND, DocumentSet, TrainingSet, build_documents, build_training_set, select_categories, weak_negatives
from .sources import load_pax

MIN_POSITIVE = 20
REJECT_WEIGHT = 20.0


ESTIMATORS = {cls.__name__: cls for cls in (HybridClassifier,)}
# what an estimator's parameters say about where it runs, not about the model
RUNTIME_PARAMS = ("memory", "n_jobs", "n_dense")


@dataclass
class TrainSettings:
    """The pipeline around the estimator: which categories, which rows and weights, which
    features, how thresholds are chosen and documents decided. Recorded in the manifest.

    estimator : an unfitted HybridClassifier whose parameters are the model's hyperparameters
        (default: HybridClassifier(), with ``dense_weight=1`` when there are no n-gram features).
    """

    min_positive: int = MIN_POSITIVE
    n_folds: int = 3  # fewer fits than 5 (retraining in under a minute); thresholds barely move
    # Hashed word 1-2-grams (TF-IDF) next to the embedding; 0 = embedding only (the first models).
    lexical_buckets: int = 2**18
    # Weight of clause-level rows (quotes, provisions, definitions) against agreement
    # descriptions. Lower favours agreement-level coding over clause-level evidence for codes
    # with clause gold (the gender codes): see the README's "How well it works"
    clause_weight: float = 1.0
    # Weight of a clause's negative label for a code no clause is positive for (dataset.weak_negatives)
    weak_negative_weight: float = 0.2
    # Weight of a clause a coder accepted or added in classify review: as PA-X's quoted clauses
    # (higher inflated the reviewed categories' scores on other documents: benchmarks/README.md)
    review_weight: float = 1.0
    # Weight of a clause a coder rejected a suggestion on: the most certain clause-level negative
    # there is, on the unit prediction scores. Negatives are many, so "balanced" class weights
    # give one negative little say: at 1, rejecting StBor on a sovereignty clause moved that
    # clause from 0.85 to 0.83 and a differently worded one not at all; at 20, to 0.42, and the
    # other from 0.75 to 0.55 (tests/test_loop_real.py). Across many documents, 20 costs held-out
    # F1 (benchmarks/README.md, the learning loop)
    reject_weight: float = REJECT_WEIGHT
    # Multiple-instance positives: after a first fit, each code an agreement carries makes its
    # best-scoring clause a positive (when it scores at least this), and the model is fitted again
    # (bag_positives). None: clauses of coded agreements stay unknown for the agreement's codes.
    bag_min_score: float | None = 0.0
    # "masked": names replaced by X before scoring, in training and prediction (classify.names)
    names: str = "masked"
    # No threshold above this when a document is decided with the count prior (classify.decision.decide)
    max_threshold: float = 0.5
    # Clause roles (classify.roles): only operative clauses carry codes, recitals the rhetorical
    # ones in full and the others at ``recital_weight``. False: every clause counts in full.
    roles: bool = True
    recital_weight: float = 0.5
    # how far a clause the role model doubts still counts (classify.roles.carry)
    role_gain: float = 2.0
    # the embedding regressions' share in the role model (the rest: the clause's form, classify.roles.form_text)
    role_dense_weight: float = 0.5
    # a document keeps at most the count PA-X codes for this quantile of agreements of its length
    cap_quantile: float = 0.7
    # a document's score: (1 - whole_weight) x its best unit's + whole_weight x its committing text's read whole
    whole_weight: float = 0.2
    estimator: object = None

    def sample_weight(self, ts) -> np.ndarray:
        """Per training row and category, array like ts.Y: 1 for agreement-level text,
        ``clause_weight`` for the rest, times ``weak_negative_weight`` for weak negatives; a
        reviewed clause ``review_weight``, or ``reject_weight`` where the coder rejected."""
        rows = np.where(np.isin(ts.kinds, AGREEMENT_KINDS), 1.0, self.clause_weight)
        weak = weak_negatives(ts.Y, ts.kinds)
        w = rows[:, None] * np.where(weak, self.weak_negative_weight, 1.0)
        reviewed = (ts.kinds == REVIEWED_KIND)[:, None]
        w = np.where(reviewed, np.where(ts.Y == 0, self.reject_weight, self.review_weight), w)
        return w.astype(np.float32)

    def lexical_spec(self) -> LexicalSpec | None:
        return LexicalSpec(n_buckets=self.lexical_buckets) if self.lexical_buckets else None

    def n_dense(self, X) -> int:
        """Embedding columns of features ``X`` (the rest are hashed n-grams)."""
        return int(X.shape[1] - (self.lexical_buckets or 0))

    def base_estimator(self):
        """The unfitted estimator whose parameters the model is fitted with."""
        if self.estimator is not None:
            return self.estimator
        return HybridClassifier() if self.lexical_buckets else HybridClassifier(dense_weight=1.0)

    def make_estimator(self, n_dense: int, n_jobs=None, memory=None, **params):
        """A fresh copy of the estimator for features with ``n_dense`` embedding columns, with ``params`` set."""
        est = clone(self.base_estimator())
        runtime = {"n_jobs": n_jobs, "memory": memory, "n_dense": n_dense}
        return est.set_params(**{k: v for k, v in runtime.items() if k in est.get_params()}, **params)

    def estimator_record(self) -> dict:
        """The estimator as the manifest records it: its class and ``get_params()``."""
        est = self.base_estimator()
        return {"class": type(est).__name__, "params": {k: v for k, v in est.get_params().items() if k not in RUNTIME_PARAMS}}

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "estimator"}

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> "TrainSettings":
        """The settings and estimator a model was trained with; keys this version does not know are ignored."""
        known = {f.name for f in fields(cls)} - {"estimator"}
        settings = {k: v for k, v in manifest.info.get("settings", {}).items() if k in known}
        if manifest.lexical is None:
            settings["lexical_buckets"] = 0  # a model of embeddings alone
        record = manifest.info.get("estimator") or {}
        estimator = None
        if record.get("class") in ESTIMATORS:
            cls_ = ESTIMATORS[record["class"]]
            params = {k: v for k, v in (record.get("params") or {}).items() if k in cls_().get_params()}
            estimator = cls_(**params)
        return cls(**settings, estimator=estimator)


@dataclass
class TrainResult:
    path: Path
    manifest: dict
    changes: list = field(default_factory=list)
    previous_metrics: dict | None = None
    timings: dict = field(default_factory=dict)
    cache_hits: int = 0
    cache_misses: int = 0
    refitted: list | None = None  # retrain: the categories fitted again (None: a full training)


def document_scores(estimator, U, owner: np.ndarray, n_docs: int, carry: np.ndarray | None = None) -> np.ndarray:
    """Document scores from a fitted estimator, as ``classify predict`` makes them.

    U : features of the units, (n_units, ...); owner : (n_units,) -> array (n_docs, n_cat).
    carry : (n_units, n_cat) or (n_units, 1), how much of each unit's score counts (its role, see
        :func:`unit_carry`); None: all of it.
    Threshold choice and ``classify evaluate`` both score documents through here.
    """
    scores = estimator.predict_proba(U)
    return pool_units(scores if carry is None else scores * carry, owner, n_docs)


def unit_roles(role_estimator, texts: list, U, n_dense: int) -> np.ndarray:
    """Normalised role probabilities of ``texts`` with category features ``U`` (n_units, n_roles);
    every unit operative without a role estimator."""
    if role_estimator is None:
        return operative_only(U.shape[0])
    return normalise(role_estimator.predict_proba(role_features(texts, U, n_dense)))


def rhetorical_codes(codes: list[str], categories, graded: set) -> np.ndarray:
    """Bool (n_codes,): the categories a recital carries in full: those PA-X grades (1 is
    rhetorical) and the rhetorical sub-codes."""
    names = categories["name"] if "name" in getattr(categories, "columns", []) else {}
    return np.array([c in graded or c.endswith("Rhet") or "rhetorical" in str(names.get(c, "")).lower() for c in codes], dtype=bool)


def group_folds(groups: np.ndarray, n_folds: int) -> list[frozenset]:
    """The peace processes of each of ``n_folds`` folds: GroupKFold over ``groups`` (one entry per item)."""
    split = GroupKFold(n_splits=n_folds).split(np.zeros(len(groups)), groups=groups)
    return [frozenset(groups[test]) for _, test in split]


@dataclass
class Fitted:
    """A fitted estimator with its thresholds.

    thresholds : (n_cat,); oof : (n_docs, n_cat), the out-of-fold scores the thresholds were
    chosen on (rows of documents in excluded peace processes stay 0).
    """

    estimator: object
    thresholds: np.ndarray
    oof: np.ndarray
    timings: dict = field(default_factory=dict)
    prior: CountPrior | None = None
    grade_tables: list = field(default_factory=list)


def bag_positives(estimator, X, ts, rows: np.ndarray, min_score: float) -> np.ndarray:
    """ts.Y with multiple-instance positives: in every agreement of ``rows`` whose clauses are
    training rows, each code it carries (``ts.bags``) that no clause of it is labelled with yet
    becomes a label of its best-scoring clause under ``estimator``, if that clause scores at least
    ``min_score``. A clause that carries a code is what PA-X coders quote for it; without this,
    clauses of coded agreements are unknown for the agreement's codes, and the regressions learn
    those codes from one-paragraph summaries alone."""
    Y = ts.Y.copy()
    in_bag = np.flatnonzero(rows & ts.bags.any(axis=1))
    if not len(in_bag):
        return Y
    scores = estimator.predict_proba(X[in_bag])
    order = np.argsort(ts.agt[in_bag], kind="stable")
    agts, starts = np.unique(ts.agt[in_bag][order], return_index=True)
    for members in np.split(order, starts[1:]):
        idx = in_bag[members]
        open_codes = np.flatnonzero(ts.bags[idx].any(axis=0) & ~(Y[idx] == 1).any(axis=0))
        # the best of the clauses whose bag the code is in
        in_code_bag = np.where(ts.bags[idx][:, open_codes], scores[members][:, open_codes], -np.inf)
        best = np.argmax(in_code_bag, axis=0)
        keep = in_code_bag[best, np.arange(len(open_codes))] >= min_score
        Y[idx[best[keep]], open_codes[keep]] = 1
    return Y


class _Fitter:
    """Fits on every training row outside a set of peace processes, each set once (memo).

    ``trained_on`` records the groups of the rows each fit saw, so evaluation can prove that no
    test process was trained on. With ``bag_min_score``, each fit is followed by a second on
    :func:`bag_positives`' labels.
    """

    def __init__(self, ts, X, make_estimator, memo=None, trained_on=None, sample_weight=None, bag_min_score=None):
        self.ts, self.X, self.make_estimator, self.sample_weight = ts, X, make_estimator, sample_weight
        self.bag_min_score = bag_min_score
        self.memo = {} if memo is None else memo
        self.trained_on = {} if trained_on is None else trained_on

    def __call__(self, left_out: frozenset):
        left_out = frozenset(left_out)
        if left_out not in self.memo:
            rows = ~np.isin(self.ts.groups, list(left_out))
            weight = None if self.sample_weight is None else self.sample_weight[rows]
            fitted = self.make_estimator().fit(self.X[rows], self.ts.Y[rows], sample_weight=weight)
            if self.bag_min_score is not None and self.ts.bags is not None:
                Y = bag_positives(fitted, self.X, self.ts, rows, self.bag_min_score)
                fitted = self.make_estimator().fit(self.X[rows], Y[rows], sample_weight=weight)
            self.memo[left_out] = fitted
            self.trained_on[left_out] = frozenset(self.ts.groups[rows])
        return self.memo[left_out]


def out_of_fold_scores(
    ts: TrainingSet, X, docs: DocumentSet, U, settings: TrainSettings, *,
    exclude: frozenset = frozenset(), folds: list[frozenset] | None = None, fit=None, n_jobs=None, progress=False, carry=None,
) -> np.ndarray:
    """Document scores from models fitted without the document's peace process, (n_docs, n_cat).

    Documents of processes in ``exclude`` are neither scored (rows stay 0) nor trained on.
    folds : the processes of each fold; default GroupKFold(settings.n_folds) over the documents.
    fit : (left-out processes) -> fitted estimator; default fits ``settings.make_estimator``.
    carry : (n_units, n_cat), how much of each unit's score counts (see :func:`document_scores`)
    """
    from tqdm.auto import tqdm

    fit = fit or _Fitter(ts, X, lambda: settings.make_estimator(settings.n_dense(X), n_jobs), sample_weight=settings.sample_weight(ts),
                         bag_min_score=settings.bag_min_score)
    exclude = frozenset(exclude)
    used = ~np.isin(docs.groups, list(exclude))
    if folds is None:
        folds = group_folds(docs.groups[used], settings.n_folds)
    n_docs = len(docs.agt)
    scores = np.zeros((n_docs, len(ts.codes)), dtype=np.float32)
    for fold in tqdm(folds, desc="grouped folds", disable=not progress, leave=False):
        test_docs = np.flatnonzero(used & np.isin(docs.groups, list(fold)))
        if not len(test_docs):  # a fold of processes that have no document here
            continue
        units = np.isin(docs.owner, test_docs)
        pooled = document_scores(fit(exclude | fold), U[units], docs.owner[units], n_docs, None if carry is None else carry[units])
        scores[test_docs] = pooled[test_docs]
    return scores


def fit_and_threshold(
    ts: TrainingSet, X, docs: DocumentSet, U, settings: TrainSettings, *,
    exclude: frozenset = frozenset(), folds: list[frozenset] | None = None,
    make_estimator=None, memo: dict | None = None, trained_on: dict | None = None, n_jobs=None, progress=False, carry=None,
) -> Fitted:
    """The model-building step shared by ``classify train`` and ``classify evaluate``.

    Fits on every row outside the peace processes in ``exclude``, with per-category thresholds
    chosen on grouped out-of-fold scores of the documents outside them.

    X : features of ts.texts, (n_rows, ...); U : features of docs.unit_texts, (n_units, ...).
    make_estimator : () -> unfitted estimator with fit(X, Y)/predict_proba(X); default
        ``settings.make_estimator``. Baselines pass their own.
    memo : shared across calls so evaluation fits each distinct training set once.
    trained_on : filled with left-out processes -> processes of the rows fitted.
    carry : (n_units, n_cat), how much of each unit of ``docs`` counts, by its role (:func:`unit_carry`)
    """
    make_estimator = make_estimator or (lambda: settings.make_estimator(settings.n_dense(X), n_jobs))
    fit = _Fitter(ts, X, make_estimator, memo, trained_on, settings.sample_weight(ts), settings.bag_min_score)
    timings = {}
    t0 = time.perf_counter()
    oof = out_of_fold_scores(ts, X, docs, U, settings, exclude=exclude, folds=folds, fit=fit, progress=progress, carry=carry)
    used = ~np.isin(docs.groups, list(exclude))
    thresholds = best_thresholds(np.where(used[:, None], docs.labels, -1), oof)
    timings["cross_validate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    estimator = fit(frozenset(exclude))
    timings["fit"] = time.perf_counter() - t0
    return Fitted(estimator, thresholds, oof, timings, count_prior(docs, used, settings.cap_quantile),
                  fit_grade_tables(docs.grades[used], ts.codes, docs.parent_of))


def heldout_roles(make_estimator, F, rs, n_folds: int) -> dict:
    """Role figures on rows held out from the role model's fit: grouped folds over peace
    processes, and over templates for our own examples."""
    probabilities = np.zeros((len(rs.role), len(ROLES)), dtype=np.float32)
    for fold in group_folds(rs.groups, n_folds):
        test = np.isin(rs.groups, list(fold))
        probabilities[test] = fit_roles(make_estimator, F, rs, ~test).predict_proba(F[test])
    own = np.char.startswith(rs.groups.astype(str), "own-")
    return {"all": heldout_figures(rs.role, probabilities), "own_examples": heldout_figures(rs.role[own], probabilities[own]),
            "folds": n_folds, "grouping": "peace process; own examples by template"}


def previous_metrics(out: Path) -> dict | None:
    """The out-of-fold figures of the model ``out`` replaces, if there is one to compare with."""
    if not (Path(out) / MANIFEST).is_file():
        return None
    try:
        return read_manifest(Path(out)).info.get("out_of_fold")
    except PaxClassifyError:
        return None  # an older or damaged model: nothing to compare with


def review_summary(data, reviewed: Path | None) -> dict | None:
    """What a review folder gave the training: its documents and clause labels by decision."""
    if reviewed is None:
        return None
    r = data.reviewed
    return {"folder": str(reviewed), "documents": int(r.document.nunique()), "clause_labels": {k: int(v) for k, v in r.decision.value_counts().sort_index().items()}}


def count_prior(docs: DocumentSet, used: np.ndarray, quantile: float = 0.75) -> CountPrior | None:
    """The count prior fitted on the ``used`` documents whose agreement length is known; None
    when fewer than 20 are (too few to say how the count grows with length)."""
    known = used & np.isfinite(docs.agreement_chars)
    if known.sum() < 20:
        return None
    counts = (docs.labels[known] == 1).sum(axis=1)
    return CountPrior.fit(docs.agreement_chars[known], counts, quantile=quantile)


@dataclass
class Prepared:
    """PA-X data read, turned into training rows and threshold documents, and embedded.

    X : embeddings of ts.texts, (n_rows, dim); U : embeddings of docs.unit_texts, (n_units, dim).
    featurize : texts -> features, the function X and U were made with (evaluation features
    its own clauses with it).
    """

    data: object
    changes: list
    codes: list
    dropped: list
    ts: TrainingSet
    docs: DocumentSet
    X: np.ndarray
    U: np.ndarray
    encoder: object
    cache: EmbeddingCache
    timings: dict
    featurize: object = None
    roles: object = None  # the role rows (training.roles.RoleSet)
    F: object = None  # their features, (n_role_rows, ...)


def prepare(
    data_dir: Path,
    *,
    codings: list[Path] = (),
    reviewed: Path | None = None,
    embedding_model: str | None = None,
    settings: TrainSettings,
    cache_dir: Path | None = None,
    backend: str = "torch",
    encoder=None,
    progress: bool = False,
) -> Prepared:
    """Read ``data_dir``, build training rows and threshold documents, embed both (cached).

    encoder : object with ``encode(texts)``, ``name`` and ``path`` (tests pass a fake one);
        default: ``embedding_model`` run by ``backend`` (``classify evaluate --backend``
        measures the ONNX ones).
    """
    from classify.embed import Encoder

    timings = {}
    t0 = time.perf_counter()
    data, changes = load_pax(Path(data_dir), extra_codings=list(codings), reviewed=reviewed)
    codes, dropped = select_categories(data, settings.min_positive)
    if not codes:
        raise DataError(f"{data_dir}: no category has {settings.min_positive} positive agreements; nothing to learn")
    ts = build_training_set(data, codes)
    docs = build_documents(data, codes)
    if len(docs.agt) < settings.n_folds or len(set(docs.groups)) < settings.n_folds:
        raise DataError(f"{data_dir}: {len(set(docs.groups))} peace processes with text; at least {settings.n_folds} are needed for grouped folds")
    timings["load"] = time.perf_counter() - t0

    encoder = encoder if encoder is not None else Encoder(embedding_model, backend=backend)
    cache = EmbeddingCache(encoder, cache_dir)
    spec = settings.lexical_spec()

    def featurize(texts, what="texts"):
        return classify_featurize(texts, cache, spec, names=settings.names, progress=what if progress else False)

    t0 = time.perf_counter()
    X = featurize(ts.texts, "training rows")
    U = featurize(docs.unit_texts, "clauses of the threshold documents")
    rs = F = None
    if settings.roles:
        rs = build_role_set(data, ts)
        extra = np.flatnonzero(rs.training_row < 0)
        E = featurize([rs.texts[i] for i in extra], "role examples")
        index = rs.training_row.copy()
        index[extra] = X.shape[0] + np.arange(len(extra))
        F = role_features(rs.texts, _stack(X, E)[index], settings.n_dense(X))
    timings["embed"] = time.perf_counter() - t0
    return Prepared(data, changes, codes, dropped, ts, docs, X, U, encoder, cache, timings, featurize, rs, F)


def _stack(A, B):
    import scipy.sparse as sp

    return sp.vstack([A, B]).tocsr() if sp.issparse(A) else np.vstack([A, B])


def role_carry(docs: DocumentSet, U, texts: list, owner: np.ndarray, n_docs: int, settings: TrainSettings, role_estimator,
               rhetorical: np.ndarray, n_dense: int, units: np.ndarray | None = None):
    """How much each unit's category scores count (n_units, n_cat), by its role and its document's
    type (:func:`classify.roles.document_carry`), the characters each document's count prior is
    applied to (n_docs,), and each document's committing text (:func:`classify.roles.whole_texts`);
    (None, None, None) without a role estimator. ``units`` selects the units of ``docs`` that
    ``U``, ``texts`` and ``owner`` hold (default all)."""
    if role_estimator is None:
        return None, None, None
    units = np.arange(len(docs.owner)) if units is None else units
    roles = unit_roles(role_estimator, texts, U, n_dense)
    weight, _, _, chars, committed = document_carry(roles, docs.unit_clause[units], docs.unit_chars[units], owner, n_docs, rhetorical,
                                                    settings.recital_weight, gated=docs.gated[units], gain=settings.role_gain, texts=texts,
                                                    announced=docs.unit_announced[units])
    return weight, chars, whole_texts(texts, docs.unit_chars[units], owner, n_docs, committed)


def doc_carry(p: Prepared, settings: TrainSettings, role_estimator, rhetorical: np.ndarray):
    """:func:`role_carry` of the threshold documents' units; None without roles."""
    return role_carry(p.docs, p.U, p.docs.unit_texts, p.docs.owner, len(p.docs.agt), settings, role_estimator, rhetorical, settings.n_dense(p.X))[0]


def graded_codes(docs: DocumentSet, codes: list[str]) -> set:
    """The categories PA-X grades (some value above 1) among the documents."""
    return {c for j, c in enumerate(codes) if (docs.grades[:, j] > 1).any()}


def train(
    data_dir: Path,
    out: Path,
    *,
    codings: list[Path] = (),
    reviewed: Path | None = None,
    embedding_model: str | None = None,
    settings: TrainSettings | None = None,
    cache_dir: Path | None = None,
    encoder=None,
    n_jobs: int | None = None,
    progress: bool = False,
) -> TrainResult:
    """Train a model from the PA-X files in ``data_dir`` and write it to ``out``.

    reviewed : a ``classify review --out`` folder whose decisions are learned from (see
        ``dataset.build_training_set``); a broken one raises ReviewError naming the file.
    The previous model at ``out`` (if any) stays in use until the new one is complete, and is
    then kept as ``<out>.previous``. ``encoder``: see :func:`prepare`.
    """
    settings = settings or TrainSettings()
    p = prepare(data_dir, codings=codings, reviewed=reviewed, embedding_model=embedding_model, settings=settings, cache_dir=cache_dir,
                encoder=encoder, progress=progress)
    data, changes, codes, dropped, ts, docs, X, encoder, cache = p.data, p.changes, p.codes, p.dropped, p.ts, p.docs, p.X, p.encoder, p.cache
    timings = dict(p.timings)

    # each category's fits are kept next to the embeddings: a retraining refits only the
    # categories whose labels (or rows) changed
    fits = Path(cache.directory).parent / "fits"
    n_dense = settings.n_dense(X)
    role_estimator, roles = None, None
    rhetorical = rhetorical_codes(codes, data.categories, graded_codes(docs, codes))
    if settings.roles:
        t0 = time.perf_counter()
        make = lambda: settings.make_estimator(n_dense, n_jobs, memory=fits, dense_weight=settings.role_dense_weight)  # noqa: E731
        role_estimator = fit_roles(make, p.F, p.roles, np.ones(len(p.roles.role), dtype=bool))
        roles = Roles(recital_weight=settings.recital_weight, gain=settings.role_gain, rhetorical=[c for c, r in zip(codes, rhetorical) if r],
                      heldout={**heldout_roles(make, p.F, p.roles, settings.n_folds), "rows_by_role": p.roles.summary()})
        timings["roles"] = time.perf_counter() - t0
    fitted = fit_and_threshold(ts, X, docs, p.U, settings, make_estimator=lambda: settings.make_estimator(n_dense, n_jobs, memory=fits),
                               n_jobs=n_jobs, progress=progress, carry=doc_carry(p, settings, role_estimator, rhetorical))
    thresholds = fitted.thresholds
    oof_metrics = f1_summary(docs.labels, fitted.oof >= thresholds)
    timings.update(fitted.timings)

    cats = data.categories
    n_pos = (data.labels == 1).sum()

    def describe(code, **more):
        known = code in cats.index
        return Category(code=code, name=str(cats.at[code, "name"]) if known else code, group=str(cats.at[code, "group"]) if known else "Other",
                        parent=data.parent_of.get(code), **more)

    coded = set(codes) | {d["code"] for d in dropped if d["coded"]}
    per_cat = oof_metrics.pop("per_category")
    identity = getattr(encoder, "identity", None)
    manifest = Manifest(
        categories=[describe(c, threshold=round(float(t), 6), n_positive=int(n_pos[c])) for c, t in zip(codes, thresholds)],
        embedding=Embedding(model=encoder.name, dimension=n_dense, **(identity() if identity else {})),
        uncovered=[describe(d["code"], n_positive=d["n_positive"], coded=d["coded"], reason=d["reason"]) for d in dropped],
        lexical=settings.lexical_spec(),
        aggregation=Aggregation(pool="max", whole_document_max_chars=WHOLE_DOCUMENT_MAX_CHARS, whole_weight=settings.whole_weight),
        names=settings.names,
        decision=Decision(fitted.prior, settings.max_threshold, fitted.grade_tables),
        roles=roles,
        # every coded category in the codings file's column order (PA-X's agreement-page order)
        pax_columns=[c for c in data.labels.columns if c in coded],
        info={
            "name": Path(out).name,
            "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "estimator": settings.estimator_record(),
            "settings": settings.to_dict(),
            "training_data": {
                "files": {str(f.name): sha256(f) for paths in data.files.values() for f in paths},
                "extra_codings": {str(Path(f).name): sha256(Path(f)) for f in codings},
                "reviewed": review_summary(data, reviewed),
                "agreements": int(len(data.labels)),
                "peace_processes": int(data.groups.nunique()),
                "rows_by_source": ts.summary(),
                "threshold_documents": {"kind": docs.kind, "count": int(len(docs.agt))},
            },
            "out_of_fold": {
                "micro_f1": oof_metrics["micro_f1"],
                "macro_f1": oof_metrics["macro_f1"],
                "note": "grouped by peace process; thresholds chosen on these same out-of-fold scores, so slightly optimistic. See `classify evaluate` for unbiased figures.",
                "per_category_f1": {c: round(per_cat[j]["f1"], 4) for j, c in enumerate(codes)},
            },
            "versions": library_versions(),
        },
    )
    previous = previous_metrics(out)
    model = Model(fitted.estimator.to_scorer(), manifest, role_scorer=role_estimator.to_scorer() if role_estimator is not None else None)
    path = model.save(Path(out), card=model_card(manifest.to_dict()))
    return TrainResult(path, manifest.to_dict(), changes, previous, timings, cache.hits, cache.misses)


def touched_categories(ts: TrainingSet, changes: list[dict], base_agts) -> np.ndarray:
    """Positions of the categories whose training labels a retraining changes: those a reviewed
    document's clauses are labelled with or a bag for (its decided clauses, and its other clauses
    under its codings: for a done document, every category it lacks), those an extra codings file
    or the review changed on an agreement the base was trained on, and every category known for a
    new agreement with training rows of its own (a description or clauses)."""
    col = {c: j for j, c in enumerate(ts.codes)}
    review = np.isin(ts.kinds, [REVIEWED_KIND, REVIEWED_TEXT_KIND])
    touched = (ts.Y[review] >= 0).any(axis=0)
    if ts.bags is not None:
        touched |= ts.bags[review].any(axis=0)
    for change in changes:
        for code in change.get("changed_categories", []):
            if code in col:
                touched[col[code]] = True
    new_rows = ~np.isin(ts.agt, list(base_agts)) & (ts.agt >= 0) & ~review
    touched |= (ts.Y[new_rows] >= 0).any(axis=0)
    return np.flatnonzero(touched)


def retrain(
    data_dir: Path,
    out: Path,
    base: Path,
    *,
    codings: list[Path] = (),
    reviewed: Path | None = None,
    cache_dir: Path | None = None,
    encoder=None,
    n_jobs: int | None = None,
    progress: bool = False,
) -> TrainResult:
    """Retrain the model in ``base`` on its PA-X data plus reviewed decisions and extra codings,
    in seconds: write it to ``out``.

    Only the categories the new labels touch (:func:`touched_categories`) are fitted again, on
    every row, with the base's n-gram IDF (so refitted and kept regressions score the same
    features); the others keep the base's weights. The base's
    categories, settings, thresholds, count prior and grade tables are kept (no grouped folds):
    a few reviewed documents barely move thresholds chosen on two thousand agreements, and
    ``classify train`` without ``--base`` chooses them again. Multiple-instance positives are
    taken from the base's scores rather than from a first fit of its own.

    Raises DataError when ``out`` is ``base`` (a retraining never overwrites the model it reads
    from) or the data lacks a category of the base.
    """
    from dataclasses import replace

    base, out = Path(base), Path(out)
    if out.resolve() == base.resolve():
        raise DataError(f"{out}: is the model this retraining starts from (--base); write the new model to another folder")
    base_model = Model.load(base, encoder=encoder)
    manifest = base_model.manifest
    settings = TrainSettings.from_manifest(manifest)
    timings = {}
    t0 = time.perf_counter()
    data, changes = load_pax(Path(data_dir), extra_codings=list(codings), reviewed=reviewed)
    codes = [c.code for c in manifest.categories]
    missing = [c for c in codes if c not in data.labels.columns]
    if missing:
        raise DataError(f"{data_dir}: has no codings column for {len(missing)} of the base model's categories ({', '.join(missing[:5])}); retrain from scratch without --base")
    files = {str(f.name): sha256(f) for paths in data.files.values() for f in paths}
    if files != manifest.info.get("training_data", {}).get("files", files):
        import warnings

        from .errors import DataWarning

        warnings.warn(f"{data_dir}: not the PA-X files {base} was trained on; the categories not refitted keep weights fitted on those. "
                      f"Train without --base to fit every category on these", DataWarning, stacklevel=2)
    ts = build_training_set(data, codes)
    timings["load"] = time.perf_counter() - t0

    if encoder is None:
        from classify.embed import Encoder

        encoder = Encoder(manifest.embedding.model, backend="torch")
    cache = EmbeddingCache(encoder, cache_dir)
    t0 = time.perf_counter()
    X = classify_featurize(ts.texts, cache, settings.lexical_spec(), names=settings.names, progress="training rows" if progress else False)
    timings["embed"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    # the base was trained on the data folder's agreements: the ones the extras add are new
    base_agts = set(data.labels.index) - {a for change in changes for a in change["new_ids"]}
    labels = touched_categories(ts, changes, base_agts)
    Y = ts.Y
    if settings.bag_min_score is not None and ts.bags is not None:
        Y = bag_positives(base_model.scorer, X, ts, np.ones(len(ts.texts), dtype=bool), settings.bag_min_score)
    estimator = settings.make_estimator(settings.n_dense(X), n_jobs)
    estimator.refit(X, Y, labels, start=base_model.scorer, sample_weight=settings.sample_weight(ts))
    timings["fit"] = time.perf_counter() - t0

    n_pos = (data.labels == 1).sum()
    info = dict(manifest.info)
    info.update(
        name=out.name,
        created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        retrained_from={"model": str(base), "name": manifest.info.get("name"), "created": manifest.info.get("created"),
                        "refitted_categories": [codes[j] for j in labels],
                        "note": "categories, thresholds, count prior, grade tables and out_of_fold figures are the base model's; only the refitted categories' weights are new"},
    )
    info["training_data"] = dict(info.get("training_data", {}), files=files, extra_codings={str(Path(f).name): sha256(Path(f)) for f in codings},
                                 reviewed=review_summary(data, reviewed), rows_by_source=ts.summary())
    categories = [replace(c, n_positive=int(n_pos[c.code])) for c in manifest.categories]
    new_manifest = replace(manifest, categories=categories, info=info, files={})
    previous = previous_metrics(out)
    model = Model(estimator.to_scorer(), new_manifest, role_scorer=base_model.role_scorer)  # the base's role model, unchanged
    path = model.save(out, card=model_card(new_manifest.to_dict()))
    return TrainResult(path, new_manifest.to_dict(), changes, previous, timings, cache.hits, cache.misses, [codes[j] for j in labels])
