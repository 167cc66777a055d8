"""The model a user loads: its categories, thresholds, decision rules and weights, in one object.

    from classify import Model
    model = Model.load()                      # the shipped model
    coding = model.code(["The parties agree to an immediate ceasefire."])[0]

A model folder holds ``manifest.json`` (read into :class:`Manifest`: categories and thresholds,
the embedding model, how clauses are pooled and documents decided, versions, training data
hashes, and the SHA-256 of every other file), ``weights.npz`` (the fitted weights as plain arrays,
see :mod:`classify.scoring`) and a model card ``README.md``. Nothing is pickled: loading a model
runs no code from it, and imports neither scikit-learn nor the training package.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from . import config
from .atomic import folder_atomic, sha256
from .coding import (BATCH_MAX_CHARS, CategoryResult, Coding, Evidence, about_women, as_documents, batched, blend, document_units, needs_women,
                     pool_units, type_warnings)
from . import roles as R
from .decision import CountPrior, GradeTable, ancestor_lists, decide, evidence_rules, predicted_grades
from .errors import InputError, ModelError
from .features import LexicalSpec, featurize
from .scoring import LinearScorer

MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest_sha256"
WEIGHTS = "weights.npz"
ROLE_WEIGHTS = "roles.npz"
CARD = "README.md"
# 1: a pickled estimator.joblib (before 2026-11-23); 2: weights.npz, settings dict (before 2026-11-26)
FORMAT_VERSION = 3
POOLS = ("max",)  # how clause scores become a document's score: its best clause


@dataclass
class Category:
    """A PA-X category as the model knows it. ``threshold`` is None for categories not modelled."""

    code: str
    name: str
    group: str
    parent: str | None = None
    threshold: float | None = None
    n_positive: int = 0
    reason: str | None = None  # why a category is not modelled
    coded: bool = True  # False: a heading or another dataset's category, with no column in the codings
    definition: str | None = None  # the codebook's short definition, where training had the categories file


@dataclass
class Embedding:
    """The sentence-transformers model whose embeddings the weights were fitted on.

    package, version : the Python package that carries it (the default model), else None
    fingerprint : SHA-256 of its configuration and the names and sizes of its weight files; a
        model folder records it so that scoring with other embeddings is refused, not garbage.
    """

    model: str
    dimension: int | None = None
    package: str | None = None
    version: str | None = None
    fingerprint: str | None = None


@dataclass
class Aggregation:
    """How clause scores become document scores: ``pool`` over a document's scored units, and
    one-paragraph texts up to ``whole_document_max_chars`` also scored whole; the result blended
    with ``whole_weight`` of the score of the document's committing text read whole."""

    pool: str = "max"
    whole_document_max_chars: int = 1500
    whole_weight: float = 0.0


@dataclass
class Roles:
    """The clause-role model (:mod:`classify.roles`): its weights in ``roles.npz`` score
    ``labels``; a recital carries the ``rhetorical`` categories in full and the others at
    ``recital_weight``. ``heldout`` holds the figures measured on text held out from its fit."""

    labels: list = field(default_factory=lambda: list(R.ROLES))
    recital_weight: float = 0.5
    gain: float = 1.0
    rhetorical: list = field(default_factory=list)
    heldout: dict = field(default_factory=dict)


@dataclass
class Decision:
    """How a document's categories are decided from its scores (:mod:`classify.decision`)."""

    count_prior: CountPrior | None = None
    max_threshold: float | None = None
    grades: list[GradeTable] = field(default_factory=list)
    hierarchy: str = "a present sub-code makes its ancestors present"

    def to_dict(self) -> dict:
        return {"count_prior": self.count_prior.to_dict() if self.count_prior else None, "max_threshold": self.max_threshold,
                "grades": [g.to_dict() for g in self.grades], "hierarchy": self.hierarchy}

    @classmethod
    def from_dict(cls, d: dict | None) -> "Decision":
        d = d or {}
        return cls(CountPrior.from_dict(d.get("count_prior")), d.get("max_threshold"),
                   [GradeTable.from_dict(g) for g in d.get("grades") or []], d.get("hierarchy", cls.hierarchy))


@dataclass
class Manifest:
    """What a model folder says about its model. ``info`` holds what prediction does not read
    (name, creation time, the estimator and its parameters, training data, out-of-fold figures,
    library versions), kept as written."""

    categories: list[Category]
    embedding: Embedding
    uncovered: list[Category] = field(default_factory=list)
    lexical: LexicalSpec | None = None
    aggregation: Aggregation = field(default_factory=Aggregation)
    names: str = "kept"  # "masked": names replaced by X before scoring (classify.names)
    decision: Decision = field(default_factory=Decision)
    roles: Roles | None = None
    pax_columns: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict:
        d = {
            **{k: v for k, v in self.info.items() if k in ("name", "created")},
            "format_version": self.format_version,
            "embedding": {k: v for k, v in vars(self.embedding).items() if v is not None},
            "lexical": self.lexical.to_dict() if self.lexical else None,
            "aggregation": vars(self.aggregation).copy(),
            "text": {"names": self.names},
            "decision": self.decision.to_dict(),
            "roles": vars(self.roles).copy() if self.roles else None,
            "categories": [_row(c) for c in self.categories],
            "uncovered": [_row(c) for c in self.uncovered],
            "pax_columns": list(self.pax_columns),
            **{k: v for k, v in self.info.items() if k not in ("name", "created")},
            "files": dict(self.files),
        }
        d[MANIFEST_DIGEST] = manifest_digest(d)
        return d

    @classmethod
    def from_dict(cls, d, where: str = MANIFEST) -> "Manifest":
        """The manifest in ``d`` (parsed JSON), checked; raises ModelError naming ``where`` and what is wrong."""
        if not isinstance(d, dict):
            raise ModelError(f"{where}: expected a JSON object; found {type(d).__name__}. The model folder is damaged")
        for key in ("categories", "embedding", "files"):
            if key not in d:
                raise ModelError(f"{where}: expected a '{key}' entry; the manifest is incomplete")
        problems = _problems(d)
        if problems:
            raise ModelError(f"{where}: the manifest is damaged or was altered: {'; '.join(problems[:3])}. Retrain or restore the model")
        digest = d.get(MANIFEST_DIGEST)
        if digest is not None and digest != manifest_digest(d):
            raise ModelError(
                f"{where}: the manifest was edited after training (its content no longer matches its {MANIFEST_DIGEST}). "
                "Restore it, or retrain; to change thresholds for one run, use --threshold"
            )
        version = d.get("format_version", 0)
        if version > FORMAT_VERSION:
            raise ModelError(f"{where}: model format {version} is newer than this paxclassify reads ({FORMAT_VERSION}); upgrade paxclassify")
        if version < FORMAT_VERSION:
            raise ModelError(f"{where}: model format {version} was written by an older paxclassify; retrain it with classify train")
        aggregation = Aggregation(**d.get("aggregation") or {})
        if aggregation.pool not in POOLS:
            raise ModelError(f"{where}: the model pools clause scores by {aggregation.pool!r}, which this paxclassify does not do "
                             f"({', '.join(POOLS)}); upgrade paxclassify")
        roles = d.get("roles")
        if roles is not None and (not isinstance(roles, dict) or set(roles) - {f.name for f in fields(Roles)} or list(roles.get("labels", R.ROLES)) != list(R.ROLES)):
            raise ModelError(f"{where}: the model's clause roles are not the ones this paxclassify knows ({', '.join(R.ROLES)}); upgrade paxclassify or retrain")
        known = {"format_version", "embedding", "lexical", "aggregation", "text", "decision", "roles", "categories", "uncovered",
                 "pax_columns", "files", MANIFEST_DIGEST}
        return cls(
            categories=[Category(**c) for c in d["categories"]],
            embedding=Embedding(**d["embedding"]),
            uncovered=[Category(**c) for c in d.get("uncovered", [])],
            lexical=LexicalSpec.from_dict(d.get("lexical")),
            aggregation=aggregation,
            names=(d.get("text") or {}).get("names", "kept"),
            decision=Decision.from_dict(d.get("decision")),
            roles=Roles(**roles) if roles else None,
            pax_columns=list(d.get("pax_columns") or []),
            info={k: v for k, v in d.items() if k not in known},
            files=dict(d["files"]),
            format_version=version,
        )


def _row(c: Category) -> dict:
    return {k: v for k, v in vars(c).items() if not (k in ("reason", "definition") and v is None)}


def _problems(d: dict) -> list[str]:
    """What is wrong with the shape of a parsed manifest, in words."""
    problems = []
    category_fields = {f.name for f in fields(Category)}
    categories = d["categories"]
    if not isinstance(categories, list) or not categories:
        problems.append("'categories' must be a non-empty list")
    else:
        for i, c in enumerate(categories):
            if not isinstance(c, dict) or not all(isinstance(c.get(k), str) for k in ("code", "name", "group")):
                problems.append(f"category {i + 1} needs a code, name and group")
            elif isinstance(c.get("threshold"), bool) or not isinstance(c.get("threshold"), (int, float)) or not 0 <= c["threshold"] <= 1:
                problems.append(f"category {c['code']} needs a threshold between 0 and 1, not {c.get('threshold')!r}")
            elif set(c) - category_fields:
                problems.append(f"category {c['code']} has unknown fields {', '.join(sorted(set(c) - category_fields))}")
    embedding = d["embedding"]
    if not isinstance(embedding, dict) or not isinstance(embedding.get("model"), str):
        problems.append("'embedding' must name the embedding model")
    elif set(embedding) - {f.name for f in fields(Embedding)}:
        problems.append(f"'embedding' has unknown fields {', '.join(sorted(set(embedding) - {f.name for f in fields(Embedding)}))}")
    files = d["files"]
    if not isinstance(files, dict):
        problems.append("'files' must map file names to SHA-256 digests")
    else:
        for name, digest in files.items():
            if Path(name).name != name or name in (".", "..", MANIFEST):
                problems.append(f"'files' lists {name!r}, which is not a plain file name in the folder")
            elif not isinstance(digest, str) or len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
                problems.append(f"'files' gives {name} a digest that is not a SHA-256 hex string")
    uncovered = d.get("uncovered", [])
    if not isinstance(uncovered, list) or not all(isinstance(c, dict) and {"code", "name", "group"} <= set(c) <= category_fields for c in uncovered):
        problems.append("'uncovered' must be a list of categories with a code, name and group")
    if not isinstance(d.get("versions", {}), dict):
        problems.append("'versions' must map library names to versions")
    aggregation = d.get("aggregation") or {}
    if not isinstance(aggregation, dict) or set(aggregation) - {f.name for f in fields(Aggregation)}:
        problems.append("'aggregation' must give the pool and whole_document_max_chars")
    version = d.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        problems.append(f"'format_version' must be a whole number, not {version!r}")
    return problems


def manifest_digest(manifest: dict) -> str:
    """SHA-256 of the manifest's content (canonical JSON, without this digest itself): an edited
    threshold or category shows as a mismatch. It catches edits, not forgeries: whoever edits the
    file can recompute it."""
    content = {k: v for k, v in manifest.items() if k != MANIFEST_DIGEST}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def qualified_names(rows: list) -> dict:
    """code -> name, where a name that several categories share ("Rhetorical", "Other",
    "General") is prefixed with its parent's: "Children/youth: Rhetorical".

    rows : Categories, or dicts with ``code``, ``name`` and ``parent`` (None for a top-level category).
    """
    rows = [r if isinstance(r, dict) else vars(r) for r in rows]
    names = {r["code"]: r["name"] for r in rows}
    counts: dict = {}
    for name in names.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        r["code"]: f"{names[r['parent']]}: {r['name']}" if counts[r["name"]] > 1 and r.get("parent") in names else r["name"]
        for r in rows
    }


def library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("paxclassify", "scikit-learn", "sentence-transformers", "torch", "numpy", "joblib", "pandas"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


def _hint_previous(path: Path) -> str:
    previous = path.with_name(path.name + ".previous")
    if (previous / MANIFEST).is_file():
        return f"; a previous model is in {previous}: pass --model {previous}, or rename it to {path.name}"
    return "; train one with 'classify train' or pass --model"


def read_manifest(path: Path) -> Manifest:
    """The manifest of the model folder ``path``, checked; raises ModelError saying what is wrong."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not path.is_dir():
        hint = _hint_previous(path) if path.with_name(path.name + ".previous").is_dir() else "; train one with 'classify train' or pass --model"
        raise ModelError(f"{path}: no model folder there{hint}")
    if not manifest_path.is_file():
        found = sorted(p.name for p in path.iterdir())
        raise ModelError(f"{path}: expected {MANIFEST} in the model folder; found {', '.join(found) if found else 'nothing'}{_hint_previous(path)}")
    try:
        d = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(f"{manifest_path}: cannot be read ({exc.strerror or exc})") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{manifest_path}: not valid JSON ({exc}); the model folder is damaged. Retrain or restore the model") from exc
    return Manifest.from_dict(d, str(manifest_path))


@dataclass(eq=False)
class Model:
    """A fitted PA-X classifier: clause scores, document codings with evidence.

    Parameters
    ----------
    scorer : LinearScorer
        The fitted weights (training passes ``estimator.to_scorer()``).
    manifest : Manifest
    path : the folder it was loaded from, if any
    backend : {"onnx", "onnx-int8", "torch"}, the runtime of the manifest's embedding model
    threads : CPU threads of the embedding runtime, 0 = its own choice

    Attributes
    ----------
    categories, uncovered : list of Category, the modelled categories (in the scorer's column
        order) and those not assessed, with names that stand alone (:func:`qualified_names`)
    """

    scorer: LinearScorer = field(repr=False)
    manifest: Manifest = field(repr=False)
    path: Path | None = None
    backend: str = field(default="onnx", kw_only=True)
    threads: int = field(default=0, kw_only=True)
    # the clause-role model's weights (a LinearScorer over the same features); None: every clause operative
    role_scorer: LinearScorer | None = field(default=None, kw_only=True, repr=False)
    _encoder: object = field(default=None, init=False, repr=False)

    def __post_init__(self):
        names = qualified_names(self.manifest.categories + self.manifest.uncovered)
        self.categories = [replace(c, name=names[c.code]) for c in self.manifest.categories]
        self.uncovered = [replace(c, name=names[c.code]) for c in self.manifest.uncovered]
        # per category, the positions of its modelled ancestors (a present sub-code makes them present)
        self._ancestors = ancestor_lists({c.code: c.parent for c in self.categories + self.uncovered}, [c.code for c in self.categories])
        rhetorical = set(self.manifest.roles.rhetorical) if self.manifest.roles else set()
        self._rhetorical = np.array([c.code in rhetorical for c in self.categories], dtype=bool)
        self._parents = np.array([chain[0] if chain else -1 for chain in self._ancestors], dtype=np.int64)
        self._needs_women = np.array([needs_women(c.code) for c in self.categories], dtype=bool)

    @classmethod
    def load(cls, path: Path | None = None, *, encoder=None, backend: str = "onnx", threads: int = 0) -> "Model":
        """The model in folder ``path`` (default: the shipped model), every file checked against
        the manifest's SHA-256, and the installed embedding model against the one it was fitted on.

        encoder : object with ``encode(texts) -> (n_texts, dim)`` to use instead of the manifest's
            embedding model (tests pass a fake one); then the embedding model is not checked.
        """
        path = Path(path) if path is not None else config.model_dir()
        manifest = read_manifest(path)
        for name, digest in manifest.files.items():
            file = path / name
            if not file.is_file():
                raise ModelError(f"{path}: the manifest lists {name}, which is missing; the model folder is incomplete")
            if sha256(file) != digest:
                raise ModelError(f"{file}: SHA-256 does not match the manifest; the file is damaged or was altered. Retrain or restore the model")
        scorer = _load_weights(path, manifest, WEIGHTS)
        n_cat, dim = len(manifest.categories), manifest.embedding.dimension
        if scorer.n_labels != n_cat or (isinstance(dim, int) and scorer.n_dense != dim):
            raise ModelError(
                f"{path}: the weights score {scorer.n_labels} categories on {scorer.n_dense}-dimensional embeddings; "
                f"the manifest expects {n_cat} on {dim}. The model folder is inconsistent; retrain or restore it"
            )
        role_scorer = None
        if manifest.roles is not None:
            role_scorer = _load_weights(path, manifest, ROLE_WEIGHTS)
            if role_scorer.n_labels != len(R.ROLES) or role_scorer.n_dense != scorer.n_dense or role_scorer.n_buckets != R.FORM_SPEC.n_buckets:
                raise ModelError(f"{path / ROLE_WEIGHTS}: scores {role_scorer.n_labels} roles on {role_scorer.n_dense} dimensions and "
                                 f"{role_scorer.n_buckets} n-gram buckets; expected {len(R.ROLES)} on {scorer.n_dense} and {R.FORM_SPEC.n_buckets}. "
                                 "The model folder is inconsistent; retrain or restore it")
        if encoder is None:
            check_embedding(manifest.embedding, path)
        model = cls(scorer, manifest, path, backend=backend, threads=threads, role_scorer=role_scorer)
        model._encoder = encoder
        return model

    def save(self, path: Path, *, card: str = "", keep_previous: bool = True) -> Path:
        """Write a complete model folder beside ``path``, then swap it in; the folder it replaces
        is kept as ``<path>.previous``. Returns ``path``."""
        path = Path(path)
        with folder_atomic(path, keep_previous=keep_previous) as tmp:
            self.scorer.save(tmp / WEIGHTS)
            names = [WEIGHTS, CARD]
            if self.role_scorer is not None:
                self.role_scorer.save(tmp / ROLE_WEIGHTS)
                names.append(ROLE_WEIGHTS)
            (tmp / CARD).write_text(card, encoding="utf-8")
            self.manifest.files = {name: sha256(tmp / name) for name in names}
            (tmp / MANIFEST).write_text(json.dumps(self.manifest.to_dict(), indent=2) + "\n", encoding="utf-8")
        self.path = path
        return path

    @property
    def encoder(self):
        """The embedding model, loaded on first use."""
        if self._encoder is None:
            from .embed import Encoder

            self._encoder = Encoder(self.manifest.embedding.model, backend=self.backend, threads=self.threads)
        return self._encoder

    def features(self, texts: list[str]):
        """The classifier's input for ``texts`` (see :func:`classify.features.featurize`)."""
        return featurize(list(texts), self.encoder, self.manifest.lexical, names=self.manifest.names)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Probability that each text (a clause) carries each category, array (n_texts, n_categories)."""
        return self.score_units(texts)[0]

    def score_units(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Category probabilities (n_texts, n_categories) and normalised role probabilities
        (n_texts, n_roles) of ``texts``, from one featurisation."""
        if not len(texts):
            return np.zeros((0, len(self.categories)), dtype=np.float32), np.zeros((0, len(R.ROLES)), dtype=np.float32)
        X = self.features(texts)
        scores = self.scorer.predict_proba(X)
        if self.role_scorer is None:
            roles = R.operative_only(len(texts))
        else:
            roles = R.normalise(self.role_scorer.predict_proba(R.role_features(texts, X, self.scorer.n_dense)))
        return scores, roles

    def thresholds(self, threshold: float | None = None) -> np.ndarray:
        """Per category, the score a document needs: ``threshold`` for all, else the model's own,
        none above the manifest's ``max_threshold``."""
        if threshold is not None:
            return np.full(len(self.categories), threshold, dtype=np.float32)
        t = np.array([c.threshold for c in self.categories], dtype=np.float32)
        m = self.manifest.decision.max_threshold
        return t if m is None else np.minimum(t, np.float32(m))

    def decide(self, pooled: np.ndarray, thresholds: np.ndarray, chars, *, use_prior: bool = True):
        """Present categories of documents from their scores (n_docs, n_cat): ``thresholds``, the
        count prior for each document's ``chars`` (unless ``use_prior`` is False, as with one
        threshold for all) and the hierarchy.

        Returns ``present``, bool (n_docs, n_cat), and ``implied_by``: (document, category) -> the
        present sub-codes that made a category present that did not pass its threshold.
        """
        prior = self.manifest.decision.count_prior if use_prior else None
        present = decide(pooled, thresholds, chars=np.asarray(chars), prior=prior, ancestors=self._ancestors)
        implied_by = {}
        for d, k in zip(*np.nonzero(present)):
            for j in self._ancestors[k]:
                if pooled[d, j] < thresholds[j]:
                    implied_by.setdefault((int(d), j), []).append(self.categories[k].code)
        return present, implied_by

    def code(self, documents: Iterable, *, threshold: float | None = None, top_k: int = 3) -> list[Coding]:
        """Code documents (``Document``s or strings); the clauses of all of them are embedded together.

        threshold : one threshold for every category instead of the model's (no count prior then)
        top_k : at most this many evidence clauses per present category
        """
        documents = list(as_documents(documents))
        for doc in documents:
            if not doc.text.strip():
                raise InputError(f"{doc.source or doc.id}: the text is empty; nothing to code")
        categories = self.categories
        thresholds = self.thresholds(threshold)
        whole_max = self.manifest.aggregation.whole_document_max_chars
        per_doc = [document_units(d.pages, whole_document_max_chars=whole_max) for d in documents]
        texts = [t for u in per_doc for t in u.texts]
        raw, roles = self.score_units(texts)
        owner = np.repeat(np.arange(len(documents)), [len(u.texts) for u in per_doc])
        spec = self.manifest.roles
        unit_chars = np.concatenate([u.chars for u in per_doc]) if per_doc else np.zeros(0, dtype=np.int64)
        unit_clause = np.concatenate([u.clause for u in per_doc]) if per_doc else np.zeros(0, dtype=np.int64)
        weight, kinds, shares, chars, committed = R.document_carry(roles, unit_clause, unit_chars, owner, len(documents), self._rhetorical,
                                                                   spec.recital_weight if spec else 1.0, gain=spec.gain if spec else 1.0, texts=texts,
                                                                   announced=np.concatenate([u.announced for u in per_doc]) if per_doc else None)
        carried = evidence_rules(raw * weight, thresholds, self._parents, self._needs_women, np.array([about_women(t) for t in texts], dtype=bool))
        pooled = blend(pool_units(carried, owner, len(documents)), R.whole_texts(texts, unit_chars, owner, len(documents), committed),
                       lambda wholes: self.scorer.predict_proba(self.features(wholes)), self.manifest.aggregation.whole_weight)
        decided, implied_by = self.decide(pooled, thresholds, chars, use_prior=threshold is None)
        capped = (pooled >= thresholds) & ~decided
        not_assessed = [c for c in self.uncovered if c.coded]
        grades = predicted_grades(decided, self.manifest.decision.grades, [c.code for c in categories])
        pax_columns = self.manifest.pax_columns or [c.code for c in categories] + [c.code for c in not_assessed]
        codings, offset = [], 0
        for d, (doc, units) in enumerate(zip(documents, per_doc)):
            n = len(units.texts)
            unit_scores, unit_roles, unit_raw = carried[offset : offset + n], roles[offset : offset + n], raw[offset : offset + n]
            offset += n
            clause_roles = [R.ROLES[r] for r in unit_roles[units.main].argmax(axis=1)]
            kind, share = kinds[d], shares[d]
            if kind == R.NEWS and not (unit_raw >= thresholds).any():
                kind = R.OTHER  # no sentence of it is about anything PA-X codes
            results = []
            for j, cat in enumerate(categories):
                present = bool(decided[d, j]) or bool(capped[d, j])
                evidence = self._evidence(units, unit_scores[:, j], clause_roles, thresholds[j], top_k) if present else []
                results.append(CategoryResult(cat.code, cat.name, cat.group, round(float(pooled[d, j]), 4), round(float(thresholds[j]), 4),
                                              bool(decided[d, j]), evidence, implied_by.get((d, j), []), bool(capped[d, j]), int(grades[d, j]) or None))
            codings.append(Coding(doc.id, doc.source, results, len(units.clauses), type_warnings(kind, share, units), not_assessed, pax_columns,
                                  document_type=kind, operative_share=round(share, 3), clause_roles=clause_roles))
        return codings

    @staticmethod
    def _evidence(units, scores: np.ndarray, clause_roles: list, threshold: float, top_k: int) -> list:
        """The best units for one category, one per clause: a sentence where it scores above its
        whole clause, quoted alone."""
        out, seen = [], set()
        for rank, i in enumerate(np.argsort(-scores, kind="stable")):
            k = int(units.clause[i])
            if len(out) >= top_k or (out and scores[i] < threshold) or scores[i] <= 0:
                break
            if k in seen:
                continue
            seen.add(k)
            if k < 0:  # the whole one-paragraph text: its best clause stands for it
                continue
            clause = units.clauses[k]
            s, e = units.span[i]
            out.append(Evidence(clause.text[s:e], round(float(scores[i]), 4), clause.page, k, clause_roles[k]))
        return out

    def code_batches(self, documents: Iterable, *, batch_size: int = 64, **options) -> Iterator[list[Coding]]:
        """Code documents (``Document``s or strings) as they come, ``batch_size`` of them (or
        ``BATCH_MAX_CHARS`` of text) at a time, yielding each batch's codings: a long run holds one
        batch at a time. ``options`` are :meth:`code`'s."""
        for batch in batched(as_documents(documents), batch_size, BATCH_MAX_CHARS):
            yield self.code(batch, **options)


def _load_weights(path: Path, manifest: Manifest, name: str) -> LinearScorer:
    """The weights in ``name`` of the model folder ``path``; ModelError if the manifest does not list it or it does not load."""
    if name not in manifest.files:
        raise ModelError(f"{path}: the manifest does not list {name}; the manifest is incomplete. Retrain or restore the model")
    try:
        return LinearScorer.load(path / name)
    except Exception as exc:
        raise ModelError(f"{path / name}: could not be loaded ({exc.__class__.__name__}: {exc})") from exc


def check_embedding(embedding: Embedding, path: Path) -> None:
    """Raise ModelError when the installed embedding model is not the one ``embedding`` records."""
    if embedding.fingerprint is None:
        return
    from .embed import embedding_identity

    installed = embedding_identity(embedding.model)
    if installed["fingerprint"] != embedding.fingerprint:
        made = f"{embedding.package} {embedding.version}" if embedding.package else embedding.model
        now = f"{installed['package']} {installed['version']}" if installed.get("package") else "a model with other files"
        raise ModelError(
            f"{path}: fitted on the embeddings of {made}, but {now} is installed; its embeddings would score garbage. "
            + (f"Install {embedding.package}=={embedding.version}, or retrain" if embedding.package else "Restore that embedding model, or retrain")
        )
