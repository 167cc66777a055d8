"""``classify evaluate``: how well the training pipeline codes agreements of peace processes it
has never seen, next to baselines trained on the same folds in the same run.

Protocol. Peace processes (PA-X ``PP``) are split into K folds, GroupKFold over every coded
agreement. For each outer fold k the model is rebuilt by ``fit_and_threshold``, the very step
``classify train`` uses, on the training rows of the other folds only. Its thresholds come from
grouped out-of-fold scores whose folds are the other K-1 outer folds, so neither the fit nor the
thresholds ever see a process of fold k. An inner training set (every fold but k and j) is the
same for outer folds k and j, so it is fitted once: K + K(K-1)/2 fits per system, not K(K+1).
The baselines go through the same step, on the same rows and folds.
"""

from __future__ import annotations

import datetime as dt
import zlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from classify.roles import ROLES, normalise
from classify.coding import blend, needs_women, pool_units
from classify.decision import ancestor_lists, decide, evidence_rules, predicted_grades
from .errors import DataError
from classify.atomic import sha256
from classify.model import qualified_names, read_manifest

from .baselines import KeywordScorer, TfidfLogreg
from .dataset import DEFINITIONS_GROUP, build_documents, documents_from_texts, label_frame, mark_positive
from .sources import quote_blocks, read_csv
from .metrics import document_figures, f1_summary, reliability
from .roles import fit_roles, heldout_figures
from .train import (TrainSettings, doc_carry, document_scores, fit_and_threshold, graded_codes, group_folds, prepare, rhetorical_codes,
                    role_carry)

MODEL = "model"
BASELINES = ("tfidf_logreg", "keyword")
SYSTEMS = (MODEL, *BASELINES)
# The model's two halves on their own (--ablations): what each adds to the average
ABLATIONS = {"embedding_half": 1.0, "ngram_half": 0.0}  # system -> dense_weight
MIN_DOC_POSITIVES = 30
MIN_CLAUSE_POSITIVES = 10
TOP_K = 5
# a web page or news reprint carrying an agreement often shows only its opening (issue 20 measures pages of up to 2,000 characters)
OPENING_CHARS = 2000
GENDER_CODES = ("GeWom", "Wgg")  # GeWom and every code starting with Wgg


@dataclass
class Suite:
    """The items one suite scores.

    texts : list of str, the scored units of all items; owner : int array (n_units,), their item
    labels : int8 array (n_items, n_codes) over every modelled code, -1 unknown
    groups, agt : arrays (n_items,)
    columns : list of int, the codes this suite reports on (indices into the modelled codes)
    decision : "threshold" (present when the score reaches the fold's threshold, with the
        hierarchy), "document" (``classify predict``'s decision: thresholds, the count prior on
        ``chars`` and the hierarchy) or "top_k"
    chars : int array (n_items,), characters of each item's scored clauses ("document" only)
    """

    name: str
    unit: str
    texts: list
    owner: np.ndarray
    labels: np.ndarray
    groups: np.ndarray
    agt: np.ndarray
    columns: list
    decision: str = "threshold"
    notes: dict = field(default_factory=dict)
    chars: np.ndarray | None = None
    grades: np.ndarray | None = None  # PA-X's values 0-3 (n_items, n_codes), agreement-level suites only
    # documents of real agreement text: each unit's role decides what it carries (DocumentSet.gated)
    docs: object = None
    # name -> the items of one kind among them (the pages of one wrapper), reported apart ("document" only)
    parts: dict = field(default_factory=dict)

    @property
    def n_items(self) -> int:
        return len(self.agt)


@dataclass
class SuiteResult:
    """Out-of-fold scores and decisions, system -> array (n_items, n_codes)."""

    suite: Suite
    scores: dict
    predictions: dict


@dataclass
class Evaluation:
    """What ``evaluate`` returns: ``metrics`` is the content of metrics.json."""

    metrics: dict
    results: dict  # suite name -> SuiteResult
    codes: list
    names: dict  # code -> category name
    folds: list  # per outer fold: test_groups, train_groups (processes of every row fitted)


def category_names(categories: pd.DataFrame, codes: list[str]) -> dict:
    """code -> name; names several codes share ("Other", "Rhetorical") get their parent's name first."""
    rows = [{"code": c, "name": str(r["name"]), "parent": r["parent"]} for c, r in categories.iterrows()]
    names = qualified_names(rows)
    return {c: names.get(c, c) for c in codes}


def _groups_of(data, agt) -> np.ndarray:
    return np.array([str(data.groups.get(a)) for a in agt])


def _columns(labels: np.ndarray, min_positive: int, *, need_negative: bool = True) -> list[int]:
    pos, neg = (labels == 1).sum(axis=0), (labels == 0).sum(axis=0)
    return [j for j in range(labels.shape[1]) if pos[j] >= min_positive and (neg[j] > 0 or not need_negative)]


def document_suite(name: str, data, codes: list[str], kind: str, min_positive: int) -> Suite | None:
    """Agreement-level: one document per agreement (its description, or its full text).

    Descriptions are coders' summaries of agreements of any length, so they are decided by the
    thresholds alone; full texts are what users bring, decided as ``classify predict`` does."""
    if not (data.texts.kind == kind).any():
        return None
    docs = build_documents(data, codes, kind=kind)
    if kind == "fulltext":
        return Suite(name, "agreement", docs.unit_texts, docs.owner, docs.labels, docs.groups, docs.agt,
                     _columns(docs.labels, 1, need_negative=False), decision="document", chars=docs.chars, grades=docs.grades, docs=docs)
    return Suite(name, "agreement", docs.unit_texts, docs.owner, docs.labels, docs.groups, docs.agt, _columns(docs.labels, min_positive),
                 grades=docs.grades)


def clause_bag_suite(data, codes: list[str], min_positive: int) -> Suite | None:
    """Agreement-level, on real agreement text: every agreement with clauses in the data
    (constitution-matched provisions, quoted clauses, API details, segment exports, full text)
    is scored as one document made of those clauses, as ``classify predict`` would score it.

    A category the agreement lacks is a certain false positive. A category it has may be carried
    by a clause the data does not hold, so recall here is partial."""
    full = data.fulltexts().drop_duplicates("AgtId").set_index("AgtId").text
    bags: dict = {}
    for agt, text in zip(data.texts.AgtId[data.texts.kind == "provision"], data.texts.text[data.texts.kind == "provision"]):
        bags.setdefault(agt, []).append(text)
    for agt, text in zip(data.quotes.AgtId, data.quotes.text):
        bags.setdefault(agt, []).append(text)
    items = []
    for agt in sorted(set(bags) | set(full.index)):
        if agt in full.index:
            items.append((agt, "fulltext", full[agt]))
        else:
            items.append((agt, "clauses", "\n\n".join(dict.fromkeys(bags[agt]))))
    if not items:
        return None
    docs = documents_from_texts(items, data, codes)
    return Suite("clause_bags", "agreement", docs.unit_texts, docs.owner, docs.labels, docs.groups, docs.agt,
                 _columns(docs.labels, min_positive), decision="document", chars=docs.chars, grades=docs.grades, docs=docs,
                 notes={"recall": "partial: a bag holds only the clauses the data has, not every clause that carries the agreement's codes"})


# Web pages of our own writing (invented outlets) around an agreement's text, "{text}", as news
# reprints and government sites carry agreements; the agreement fills the page to OPENING_CHARS.
# PAGE_NAMES name them in the same order.
PAGE_NAMES = ("news page announcing the text", "ministry's page", "wire announcing the text", "news page without a lead-in")
PAGE_WRAPPERS = (
    "Home | World | Politics | Opinion | Sport\nTHE CONTINENTAL LEDGER\nParties sign agreement after weeks of talks\n"
    "By a staff reporter\nPublished 14 March, 18:20\n"
    "The parties to the conflict signed an agreement on Thursday, officials said. Mediators described it as a first step "
    "and called on both sides to implement it in full.\n"
    "\"This is an important day for the whole country,\" a spokesman for the mediators told reporters.\n"
    "The full text of the agreement, as released by the mediators, reads:\n{text}\n"
    "Related news\nFighting reported near the front line despite talks\nAid agencies warn of food shortages in the north\n"
    "Share this article\n\u00a9 The Continental Ledger. All rights reserved.",
    "Ministry of Foreign Affairs\nSkip to main content\nHome > Press centre > Documents\n{text}\n"
    "Published: 2 June\nShare: Facebook | X | Email\nPrint this page\nBack to documents",
    "NORTHLINE NEWS AGENCY\nLIRRA, 9 October (Northline) - The following is the text of the document agreed by the parties, "
    "as published by the host government on its website.\n{text}\n(Reporting by Northline staff; editing by the world desk)",
    # no lead-in says that the text follows: only the agreement's own title, where its opening has one, or
    # the clauses' roles tell it from the report around it
    "Region | Conflict | Diplomacy\nTHE MERIDIAN HERALD\nDeal reached after all-night session\nBy our correspondent\n"
    "The two sides reached a deal early on Saturday, a diplomat close to the talks said. Few details were given at first.\n"
    "\"We hope this holds,\" said a resident of one of the towns hit by the fighting.\n{text}\n"
    "Most read\nMarkets fall on rate fears\nStorm warning for the coast",
)


def _opening(text: str, max_chars: int) -> str:
    """The first ``max_chars`` characters of ``text``, cut at the end of a line where one is in the second half."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    cut = text.rfind("\n", 0, max_chars + 1)
    return text[: cut if cut > max_chars // 2 else max_chars]


def opening_suite(data, codes: list[str], max_chars: int = OPENING_CHARS, *, pages: bool = False) -> Suite | None:
    """Agreement-level, on real agreement text: the opening ``max_chars`` characters of every full
    text (cut at the end of a line), as a web page or news reprint that carries an agreement shows
    it, decided as ``classify predict`` decides a document. With ``pages``, each opening sits in each
    of :data:`PAGE_WRAPPERS` (news pages with and without a line that announces the text, a
    ministry's page, a wire), every page ``max_chars`` long in
    all. The gold is the whole agreement's codes, so recall is partial; a category the agreement
    lacks is a certain false positive."""
    room = max_chars - max(len(w) - len("{text}") for w in PAGE_WRAPPERS) if pages else max_chars
    if room < 200:
        raise ValueError(f"max_chars={max_chars} leaves {room} characters of agreement text in the pages' wrappers; at least 200 are needed")
    full = data.fulltexts().drop_duplicates("AgtId")
    items = []
    for agt, text in zip(full.AgtId, full.text):
        if pages:  # every opening in every page
            items += [(agt, "fulltext", w.format(text=_opening(text, max_chars - len(w) + len("{text}")))) for w in PAGE_WRAPPERS]
        else:
            items.append((agt, "fulltext", _opening(text, max_chars)))
    if not items:
        return None
    docs = documents_from_texts(items, data, codes)
    where = " in each of four web pages of our own (two news pages, one announcing the text, a ministry's, a wire)" if pages else ""
    parts = {name: np.arange(k, len(items), len(PAGE_WRAPPERS)) for k, name in enumerate(PAGE_NAMES)} if pages else {}
    return Suite("pages" if pages else "openings", "agreement", docs.unit_texts, docs.owner, docs.labels, docs.groups, docs.agt,
                 _columns(docs.labels, 1, need_negative=False), decision="document", chars=docs.chars, grades=docs.grades, docs=docs, parts=parts,
                 notes={"recall": f"partial: the opening of each full text{where}, {max_chars:,} characters in all, "
                                  "scored against the whole agreement's codes"})


def gender_clause_suite(data, codes: list[str], min_positive: int) -> Suite | None:
    """Clause-level: clauses quoted under GeWom / a Wgg code are positive for it (and its
    ancestors); any clause of an agreement whose label for the code is 0 is negative. Other
    clauses of agreements that carry the code are unknown: nobody says whether they carry it."""
    gender = [j for j, c in enumerate(codes) if c.startswith(GENDER_CODES)]
    if not gender:
        return None
    col = {c: j for j, c in enumerate(codes)}
    L = label_frame(data, codes)
    quoted = data.quotes.groupby(["AgtId", "text"])["code"].apply(set)
    provisions = data.texts[data.texts.kind == "provision"]
    items = dict.fromkeys(list(quoted.index) + list(zip(provisions.AgtId, provisions.text)))
    rows, keep = [], []
    for agt, text in items:
        y = np.full(len(codes), -1, dtype=np.int8)
        agreement = L.loc[agt].to_numpy()
        y[gender] = np.where(agreement[gender] == 0, 0, -1)
        for q in quoted.get((agt, text), ()):
            mark_positive(y, q, col, data.parent_of, only=gender)
        if (y[gender] >= 0).any():
            rows.append(y)
            keep.append((agt, text))
    if not keep:
        return None
    labels = np.vstack(rows)
    agt = np.array([a for a, _ in keep])
    return Suite(
        "gender_clauses", "clause", [t for _, t in keep], np.arange(len(keep)), labels, _groups_of(data, agt), agt,
        _columns(labels, min_positive),
    )


def api_clause_suite(data, codes: list[str], top_k: int) -> Suite | None:
    """Clause-level: every clause quoted on the PA-X API page; a code counts as found when it
    is among the clause's ``top_k`` highest-scoring categories."""
    blocks = []
    for path in data.files.get("api_details", []):
        f = read_csv(path)
        blocks += [(a, c, b) for a, c, d in zip(f.AgtId, f.code, f.details) if a in data.labels.index for b in quote_blocks(d)]
    if not blocks:
        return None
    col = {c: j for j, c in enumerate(codes)}
    gold = pd.DataFrame(blocks, columns=["AgtId", "code", "text"]).drop_duplicates().groupby(["AgtId", "text"])["code"].apply(set)
    labels = np.zeros((len(gold), len(codes)), dtype=np.int8)
    not_modelled = 0
    for i, qcodes in enumerate(gold):
        for q in qcodes:
            if q in col:
                labels[i, col[q]] = 1
            else:
                not_modelled += 1
    agt = np.array([a for a, _ in gold.index])
    return Suite(
        "api_clauses", "clause", [t for _, t in gold.index], np.arange(len(gold)), labels, _groups_of(data, agt), agt,
        _columns(labels, 1, need_negative=False), decision="top_k",
        notes={"top_k": top_k, "agreements": int(len(set(agt))), "clause_code_pairs": int(labels.sum()) + not_modelled, "pairs_with_unmodelled_code": not_modelled},
    )


def summarize(suite: Suite, scores: np.ndarray, pred: np.ndarray, codes: list[str], names: dict, grades: np.ndarray | None = None) -> dict:
    """Per-category and micro/macro figures of one system on one suite; with ``grades`` (the
    predicted grade of every present graded category, 0 elsewhere) the share of graded
    categories that PA-X codes and the model finds whose grade is PA-X's."""
    f1 = f1_summary(suite.labels, pred, scores, suite.columns)
    per = {codes[j]: {"name": names.get(codes[j], codes[j]), **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items() if k not in ("tp", "fp", "fn")}}
           for j, m in f1["per_category"].items()}
    aps = [p["ap"] for p in per.values() if p["ap"] is not None]
    out = {
        "micro_f1": f1["micro_f1"],
        "macro_f1": f1["macro_f1"],
        "macro_ap": round(float(np.mean(aps)), 4) if aps else 0.0,
        "n_categories": len(per),
    }
    if suite.decision == "top_k":
        # of every (clause, code) pair with a modelled code, the share whose code made the top k
        pairs = suite.labels == 1
        out[f"top{suite.notes['top_k']}_hit_rate"] = round(float(pred[pairs].mean()), 4) if pairs.any() else 0.0
    else:
        cols = suite.columns
        out["calibration"] = reliability(suite.labels[:, cols], scores[:, cols])
    if suite.decision == "document":
        out.update(document_figures(suite.labels, scores, pred))
        if suite.parts:
            out["by_part"] = {name: {k: v for k, v in document_figures(suite.labels[items], scores[items], pred[items]).items()
                                     if k in ("samples_f1", "document_precision", "fp_per_document", "predicted_per_document")}
                              for name, items in suite.parts.items()}
    if grades is not None and suite.grades is not None:
        found = (grades > 0) & (suite.grades > 0)
        out["grade_exact_match"] = round(float((grades[found] == suite.grades[found]).mean()), 4) if found.any() else None
        out["graded_found"] = int(found.sum())
    out["per_category"] = per
    return out


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    pred = np.zeros(scores.shape, dtype=bool)
    if scores.shape[1]:
        top = np.argsort(-scores, axis=1, kind="stable")[:, : min(k, scores.shape[1])]
        np.put_along_axis(pred, top, True, axis=1)
    return pred


def evaluate(
    data_dir: Path,
    *,
    model_dir: Path | None = None,
    n_folds: int = 5,
    min_positive: int = MIN_DOC_POSITIVES,
    min_clause_positive: int = MIN_CLAUSE_POSITIVES,
    top_k: int = TOP_K,
    cache_dir: Path | None = None,
    n_jobs: int | None = None,
    ablations: bool = False,
    backend: str = "torch",
    encoder=None,
    progress: bool = False,
    settings: TrainSettings | None = None,
    systems: tuple = SYSTEMS,
) -> Evaluation:
    """Cross-validate the training pipeline grouped by peace process, with baselines.

    model_dir : a model folder whose manifest settings and embedding model are used; its fitted
        weights are not (they have seen every agreement). Default: ``classify train``'s defaults.
    min_positive : agreement-level categories need this many positive agreements to be reported;
    min_clause_positive : likewise for clause-level gender codes.
    ablations : also evaluate the model's embedding and n-gram regressions alone (reported with
        the baselines), on the same folds.
    backend : embedding backend for training and test text alike ("torch", "onnx", "onnx-int8").
    encoder : used instead of the embedding model (tests pass a fake one); see ``train.prepare``.
    settings : the pipeline to evaluate, instead of ``model_dir``'s (a comparison of settings)
    systems : the model and the baselines to run (the model always)
    """
    from tqdm.auto import tqdm

    started = time.perf_counter()
    if n_folds < 3:
        raise DataError(f"--folds {n_folds}: at least 3 folds are needed (thresholds are chosen on the other K-1 folds, grouped)")
    manifest = read_manifest(Path(model_dir)) if model_dir is not None else None
    settings = settings or (TrainSettings.from_manifest(manifest) if manifest else TrainSettings())
    embedding_model = manifest.embedding.model if manifest else None
    p = prepare(data_dir, embedding_model=embedding_model, settings=settings, cache_dir=cache_dir, backend=backend, encoder=encoder, progress=progress)
    data, codes, ts, docs = p.data, p.codes, p.ts, p.docs
    names = category_names(data.categories, codes)

    suites = [
        document_suite("descriptions", data, codes, "description", min_positive),
        gender_clause_suite(data, codes, min_clause_positive),
        api_clause_suite(data, codes, top_k),
        document_suite("fulltext", data, codes, "fulltext", min_positive),
        clause_bag_suite(data, codes, min_positive),
        opening_suite(data, codes),
        opening_suite(data, codes, pages=True),
    ]
    suites = [s for s in suites if s is not None and s.n_items]

    agreement_groups = np.array(data.groups.reindex(data.labels.index).astype(str))
    if len(set(agreement_groups)) < n_folds:
        raise DataError(f"{data_dir}: {len(set(agreement_groups))} peace processes; at least {n_folds} are needed for {n_folds} grouped folds")
    folds = group_folds(agreement_groups, n_folds)
    hierarchy = ancestor_lists(docs.parent_of, codes)
    parents = np.array([chain[0] if chain else -1 for chain in hierarchy], dtype=np.int64)
    women = np.array([needs_women(c) for c in codes], dtype=bool)
    rhetorical = rhetorical_codes(codes, data.categories, graded_codes(docs, codes))
    rs = p.roles
    if rs is not None:
        own = np.char.startswith(rs.groups.astype(str), "own-")
        own_fold = np.array([zlib.crc32(g.encode()) % n_folds for g in rs.groups.astype(str)])
        role_probabilities = np.zeros((len(rs.role), len(ROLES)), dtype=np.float32)

    t0 = time.perf_counter()
    text_X, text_U = np.array(ts.texts, dtype=object), np.array(docs.unit_texts, dtype=object)
    features = {
        MODEL: (p.X, p.U, {s.name: p.featurize(s.texts, f"{s.name} units") for s in suites}),
        "tfidf_logreg": (text_X, text_U, {s.name: np.array(s.texts, dtype=object) for s in suites}),
        "keyword": (text_X, text_U, {s.name: np.array(s.texts, dtype=object) for s in suites}),
    }
    embed_time = time.perf_counter() - t0
    # the model's fits are kept beside the embeddings, as classify train keeps them: a run whose
    # training rows and labels are unchanged (another decision rule, another role model) refits nothing
    fits = Path(p.cache.directory).parent / "fits"
    makers = {
        MODEL: lambda: settings.make_estimator(settings.n_dense(p.X), n_jobs, memory=fits),
        "tfidf_logreg": lambda: TfidfLogreg(n_jobs=n_jobs),
        "keyword": lambda: KeywordScorer(codes=codes, categories=data.categories),
    }
    systems = [MODEL, *(s for s in systems if s != MODEL)]
    if ablations and settings.lexical_buckets:
        for name, weight in ABLATIONS.items():
            systems.append(name)
            features[name] = features[MODEL]
            makers[name] = lambda weight=weight: settings.make_estimator(settings.n_dense(p.X), n_jobs, dense_weight=weight)
    others = [s for s in systems if s != MODEL]
    memos = {s: {} for s in systems}
    trained_on = {s: {} for s in systems}
    scores = {s.name: {m: np.zeros(s.labels.shape, dtype=np.float32) for m in systems} for s in suites}
    preds = {s.name: {m: np.zeros(s.labels.shape, dtype=bool) for m in systems} for s in suites}
    grade_preds = {s.name: {m: np.zeros(s.labels.shape, dtype=np.int8) for m in systems} for s in suites if s.grades is not None}
    fit_time = dict.fromkeys(systems, 0.0)
    fold_records = []

    bar = tqdm(total=n_folds * len(systems), desc="evaluate (fold x system)", disable=not progress)
    for k, test in enumerate(folds):
        inner = [f for j, f in enumerate(folds) if j != k]
        record = {"fold": k, "test_groups": sorted(str(g) for g in test), "train_groups": set(), "test_items": {}}
        role_estimator = None
        if rs is not None:
            # the role rows of the test fold's processes (and a share of our own examples' templates) are held out
            held = np.isin(rs.groups, list(test)) | (own & (own_fold == k))
            role_estimator = fit_roles(lambda: settings.make_estimator(settings.n_dense(p.X), n_jobs, dense_weight=settings.role_dense_weight),
                                       p.F, rs, ~held)
            role_probabilities[held] = normalise(role_estimator.predict_proba(p.F[held]))
        for system in systems:
            X, U, suite_features = features[system]
            t0 = time.perf_counter()
            roles_here = role_estimator if system == MODEL or system in ABLATIONS else None
            # the baselines are fitted on the labels as given; the model's halves as the model is
            fitted = fit_and_threshold(
                ts, X, docs, U, settings if system == MODEL or system in ABLATIONS else replace(settings, bag_min_score=None),
                exclude=test, folds=inner, make_estimator=makers[system],
                memo=memos[system], trained_on=trained_on[system], n_jobs=n_jobs,
                carry=doc_carry(p, settings, roles_here, rhetorical),
            )
            for suite in suites:
                items = np.flatnonzero(np.isin(suite.groups, list(test)))
                record["test_items"][suite.name] = int(len(items))
                if not len(items):
                    continue
                units = np.isin(suite.owner, items)
                chars = suite.chars
                if roles_here is not None and suite.docs is not None:
                    # as classify predict scores a document: by role and type, with the evidence rules, capped on its committing text
                    F = suite_features[suite.name][units]
                    where = np.flatnonzero(units)
                    weight, chars, wholes = role_carry(suite.docs, F, [suite.texts[i] for i in where], suite.owner[units], suite.n_items,
                                                       settings, roles_here, rhetorical, settings.n_dense(p.X), units=where)
                    bar_t = np.minimum(fitted.thresholds, settings.max_threshold) if suite.decision == "document" else fitted.thresholds
                    unit_scores = evidence_rules(fitted.estimator.predict_proba(F) * weight, bar_t, parents, women, suite.docs.about_women[units])
                    # with the second opinion of the committing text read whole
                    pooled = blend(pool_units(unit_scores, suite.owner[units], suite.n_items)[items], [wholes[i] for i in items],
                                   lambda texts: fitted.estimator.predict_proba(p.featurize(texts)), settings.whole_weight)
                else:
                    pooled = document_scores(fitted.estimator, suite_features[suite.name][units], suite.owner[units], suite.n_items)[items]
                scores[suite.name][system][items] = pooled
                if suite.decision == "top_k":
                    preds[suite.name][system][items] = _top_k(pooled, top_k)
                else:
                    document = suite.decision == "document"
                    present = decide(
                        pooled, fitted.thresholds, chars=chars[items] if document else None, prior=fitted.prior if document else None,
                        max_threshold=settings.max_threshold if document else None, ancestors=hierarchy,
                    )
                    preds[suite.name][system][items] = present
                    if suite.name in grade_preds:
                        grade_preds[suite.name][system][items] = predicted_grades(present, fitted.grade_tables, codes)
            fit_time[system] += time.perf_counter() - t0
            for j in range(n_folds):
                if j != k:
                    record["train_groups"] |= trained_on[system].get(test | folds[j], frozenset())
            record["train_groups"] |= trained_on[system][test]
            bar.update(1)
        record["train_groups"] = sorted(str(g) for g in record["train_groups"] - {DEFINITIONS_GROUP})
        fold_records.append(record)
        # an inner fit (all folds but k and j) is shared by outer folds k and j: free it after both
        for memo in memos.values():
            memo.pop(test, None)
            for j in range(k):
                memo.pop(test | folds[j], None)
    bar.close()

    results, suite_metrics = {}, {}
    role_metrics = None
    if rs is not None:
        role_metrics = {"unit": "clause or line", "items": int(len(rs.role)), "rows_by_role": rs.summary(),
                                  "note": "role rows of the test fold's processes (our own examples: a fifth of the templates) held out from the role fit",
                                  MODEL: heldout_figures(rs.role, role_probabilities)}
    for suite in suites:
        results[suite.name] = SuiteResult(suite, scores[suite.name], preds[suite.name])
        entry = {
            "unit": suite.unit,
            "decision": {"top_k": f"top {top_k}", "threshold": "per-category threshold chosen inside the training folds; a present sub-code makes its parent present",
                         "document": "as classify predict decides: per-category thresholds (none above max_threshold), at most the count prior's number of categories for the document's length (fitted inside the training folds), the hierarchy"}[suite.decision],
            "items": suite.n_items,
            "agreements": int(len(set(suite.agt))),
            "peace_processes": int(len(set(suite.groups))),
            **suite.notes,
            MODEL: summarize(suite, scores[suite.name][MODEL], preds[suite.name][MODEL], codes, names, grade_preds.get(suite.name, {}).get(MODEL)),
            "baselines": {b: summarize(suite, scores[suite.name][b], preds[suite.name][b], codes, names, grade_preds.get(suite.name, {}).get(b)) for b in others},
        }
        suite_metrics[suite.name] = entry

    files = {path.name: sha256(path) for paths in data.files.values() for path in paths}
    metrics = {
        "suites": suite_metrics,
        "roles": role_metrics,
        "data": {
            "dir": str(data_dir),
            "files": files,
            "agreements": int(len(data.labels)),
            "peace_processes": int(data.groups.nunique()),
            "categories_modelled": len(codes),
            "training_rows_by_source": ts.summary(),
            "threshold_documents": {"kind": docs.kind, "count": int(len(docs.agt))},
            "folds": [{"fold": r["fold"], "test_processes": len(r["test_groups"]), "test_items": r["test_items"]} for r in fold_records],
        },
        "model": {
            "source": str(model_dir) if model_dir is not None else None,
            "name": manifest.info.get("name") if manifest else None,
            "embedding": p.encoder.name,
            "settings": settings.to_dict(),
            "estimator": settings.estimator_record(),
            "note": "the pipeline is retrained inside every fold with these settings; the folder's fitted weights are not scored (they have seen every agreement)",
        },
        "protocol": {
            "outer_folds": n_folds,
            "grouping": "peace process (PP); GroupKFold over every coded agreement",
            "embedding_backend": backend,
            "thresholds": f"per category, maximising F1 on grouped out-of-fold scores over the other {n_folds - 1} outer folds (nested: never the test fold)",
            "min_positive_agreements": min_positive,
            "min_positive_clauses": min_clause_positive,
            "baselines": {
                "tfidf_logreg": "TF-IDF word 1-2-grams + one logistic regression per category (C=4, balanced), on the model's training rows, folds and pooling",
                "keyword": "share of the category's name (x2) and definition terms found in a unit; no learning, thresholds chosen like the model's",
                **({"embedding_half": "ablation: the model's embedding regressions alone (dense_weight=1)",
                    "ngram_half": "ablation: the model's n-gram regressions alone (dense_weight=0)"} if "ngram_half" in systems else {}),
            },
        },
        "timings": {
            "load_and_embed_training": round(sum(p.timings.values()), 1),
            "embed_suites": round(embed_time, 1),
            **{f"fit_{s}": round(v, 1) for s, v in fit_time.items()},
            "total": round(time.perf_counter() - started, 1),
        },
        "created": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
    }
    return Evaluation(metrics, results, codes, names, fold_records)


def check_floors(metrics: dict, floors: dict, *, tolerance: float | None = None) -> list[str]:
    """Every model figure more than ``tolerance`` below its floor, or above its ceiling, as one
    line each (empty: pass).

    floors : {"tolerance": 0.01, "floors": {suite: {figure: value}}, "ceilings": {suite: {figure:
    value}}}; a suite or figure named there but missing from the metrics is a failure too.
    """
    tol = floors.get("tolerance", 0.01) if tolerance is None else tolerance
    failures = []
    for kind, sign in (("floors", 1), ("ceilings", -1)):
        for suite, figures in floors.get(kind, {}).items():
            model = metrics.get("suites", {}).get(suite, {}).get(MODEL)
            if model is None:
                failures.append(f"{suite}: expected in the metrics (the {kind} name it); found no such suite")
                continue
            for name, bound in figures.items():
                value = model.get(name)
                if value is None:
                    failures.append(f"{suite} {name}: expected a figure; found none")
                elif sign * (bound - value) > tol + 1e-9:
                    where = "below the floor" if sign > 0 else "above the ceiling"
                    failures.append(f"{suite} {name}: {value:.4f} is {abs(bound - value):.4f} {where} {bound:.4f} (tolerance {tol})")
    return failures
