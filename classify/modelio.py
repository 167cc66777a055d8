"""Model folders: save and load, with a JSON manifest that verifies every file before use.

A model folder holds ``manifest.json`` (categories, thresholds, embedding model, versions,
training data hashes, SHA-256 of every other file), ``weights.npz`` (the fitted weights as plain
arrays, see :mod:`classify.scoring`) and a model card ``README.md``. Nothing is pickled: loading
a model runs no code from it. The manifest hashes catch truncated or altered files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ModelError

MANIFEST = "manifest.json"
MANIFEST_DIGEST = "manifest_sha256"
WEIGHTS = "weights.npz"
CARD = "README.md"
FORMAT_VERSION = 2  # 1: a pickled estimator.joblib (before 2026-11-23)
# the checkout's models/ (an editable install), else the installed wheel's copy of it
_HERE = Path(__file__).resolve().parent.parent
DEFAULT_MODEL_DIR = next((d for d in (_HERE / "models" / "pax-default", _HERE / "paxclassify_models" / "pax-default") if d.is_dir()),
                         _HERE / "models" / "pax-default")


def default_model_dir() -> Path:
    """The shipped model: $PAXCLASSIFY_MODEL, else models/pax-default next to the package."""
    return Path(os.environ.get("PAXCLASSIFY_MODEL", DEFAULT_MODEL_DIR))


@contextlib.contextmanager
def open_atomic(path: Path, mode: str = "w"):
    """A file object whose content appears at ``path`` only when the ``with`` block ends without
    error: it is written to a temporary file in the same folder and then moved into place, so a
    failure leaves neither a half-written file nor a damaged old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a failure leaves no half-written output."""
    with open_atomic(path) as f:
        f.write(text)


def write_npz_atomic(path: Path, **arrays) -> None:
    """``np.savez`` to ``path`` through a temporary file in its folder, so readers never see half a file."""
    import numpy as np

    with open_atomic(path, "wb") as f:
        np.savez(f, **arrays)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


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


@dataclass
class Model:
    """A model: its weights and everything the manifest says about it.

    estimator : anything with ``predict_proba(features)``; a loaded model holds a
    :class:`~classify.scoring.LinearScorer`, a freshly trained one the fitted estimator.
    """

    estimator: object
    manifest: dict
    path: Path | None = None

    @property
    def categories(self) -> list[Category]:
        """Modelled categories, in the estimator's column order, with names that stand alone
        ("Children/youth: Rhetorical", see :func:`qualified_names`)."""
        rows = self.manifest["categories"]
        names = qualified_names(rows + self.manifest.get("uncovered", []))
        return [Category(**{**c, "name": names[c["code"]]}) for c in rows]

    @property
    def uncovered(self) -> list[Category]:
        """PA-X categories the model does not assess, each with the ``reason``."""
        rows = self.manifest.get("uncovered", [])
        names = qualified_names(self.manifest["categories"] + rows)
        return [Category(**{**c, "name": names[c["code"]]}) for c in rows]

    @property
    def embedding_model(self) -> str:
        return self.manifest["embedding"]["model"]


def qualified_names(rows: list[dict]) -> dict:
    """code -> name, where a name that several categories share ("Rhetorical", "Other",
    "General") is prefixed with its parent's: "Children/youth: Rhetorical".

    rows : dicts with ``code``, ``name`` and ``parent`` (None for a top-level category).
    """
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


def save_model(model: Model, path: Path, *, card: str = "", keep_previous: bool = True) -> Path:
    """Write a complete model folder next to ``path``, then swap it in.

    The folder in use is only replaced once the new one is complete; the old one is kept as
    ``<path>.previous``. Returns the folder written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-{os.getpid()}-", dir=path.parent))
    try:
        scorer = model.estimator.to_scorer() if hasattr(model.estimator, "to_scorer") else model.estimator
        scorer.save(tmp / WEIGHTS)
        manifest = dict(model.manifest)
        manifest["format_version"] = FORMAT_VERSION
        (tmp / CARD).write_text(card, encoding="utf-8")
        manifest["files"] = {name: sha256(tmp / name) for name in (WEIGHTS, CARD)}
        manifest[MANIFEST_DIGEST] = manifest_digest(manifest)
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        previous = path.with_name(path.name + ".previous")
        if path.exists():
            if keep_previous and previous.exists():
                shutil.rmtree(previous)
            if _exchange(tmp, path):
                # one atomic step: ``path`` is the new model, ``tmp`` the old one
                if keep_previous:
                    os.replace(tmp, previous)
                else:
                    shutil.rmtree(tmp)
            else:
                if keep_previous:
                    os.replace(path, previous)
                else:
                    shutil.rmtree(path)
                os.replace(tmp, path)  # a kill between these two renames leaves the model in <path>.previous
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def manifest_digest(manifest: dict) -> str:
    """SHA-256 of the manifest's content (canonical JSON, without this digest itself): an edited
    threshold or category shows as a mismatch. It catches edits, not forgeries: whoever edits the
    file can recompute it."""
    content = {k: v for k, v in manifest.items() if k != MANIFEST_DIGEST}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _remove_abandoned(path: Path) -> None:
    """Delete half-written model folders left next to ``path`` by runs that were killed.

    Their names carry the writer's process id; a folder is only removed once that process is gone.
    """
    for tmp in path.parent.glob(f".{path.name}.tmp-*-*"):
        pid = tmp.name[len(f".{path.name}.tmp-") :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or not tmp.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            pass  # alive, but someone else's


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _hint_previous(path: Path) -> str:
    previous = path.with_name(path.name + ".previous")
    if (previous / MANIFEST).is_file():
        return f"; a previous model is in {previous}: pass --model {previous}, or rename it to {path.name}"
    return "; train one with 'classify train' or pass --model"


def read_manifest(path: Path) -> dict:
    """The manifest of a model folder, checked for shape; raises ModelError saying what is wrong."""
    path = Path(path)
    manifest_path = path / MANIFEST
    if not path.is_dir():
        if path.with_name(path.name + ".previous").is_dir():
            raise ModelError(f"{path}: no model folder there{_hint_previous(path)}")
        raise ModelError(f"{path}: no model folder there; train one with 'classify train' or pass --model")
    if not manifest_path.is_file():
        found = sorted(p.name for p in path.iterdir())
        raise ModelError(f"{path}: expected {MANIFEST} in the model folder; found {', '.join(found) if found else 'nothing'}{_hint_previous(path)}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ModelError(f"{manifest_path}: cannot be read ({exc.strerror or exc})") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{manifest_path}: not valid JSON ({exc}); the model folder is damaged. Retrain or restore the model") from exc
    if not isinstance(manifest, dict):
        raise ModelError(f"{manifest_path}: expected a JSON object; found {type(manifest).__name__}. The model folder is damaged")
    for key in ("categories", "embedding", "files"):
        if key not in manifest:
            raise ModelError(f"{manifest_path}: expected a '{key}' entry; the manifest is incomplete")
    problems = []
    categories = manifest["categories"]
    if not isinstance(categories, list) or not categories:
        problems.append("'categories' must be a non-empty list")
    else:
        for i, c in enumerate(categories):
            if not isinstance(c, dict) or not isinstance(c.get("code"), str) or not isinstance(c.get("name"), str) or not isinstance(c.get("group"), str):
                problems.append(f"category {i + 1} needs a code, name and group")
            elif isinstance(c.get("threshold"), bool) or not isinstance(c.get("threshold"), (int, float)) or not 0 <= c["threshold"] <= 1:
                problems.append(f"category {c['code']} needs a threshold between 0 and 1, not {c.get('threshold')!r}")
            else:
                unknown = set(c) - set(Category.__dataclass_fields__)
                if unknown:
                    problems.append(f"category {c['code']} has unknown fields {', '.join(sorted(unknown))}")
    if not isinstance(manifest["embedding"], dict) or not isinstance(manifest["embedding"].get("model"), str):
        problems.append("'embedding' must name the embedding model")
    files = manifest["files"]
    if not isinstance(files, dict):
        problems.append("'files' must map file names to SHA-256 digests")
    else:
        for name, digest in files.items():
            if Path(name).name != name or name in (".", "..", MANIFEST):
                problems.append(f"'files' lists {name!r}, which is not a plain file name in the folder")
            elif not isinstance(digest, str) or len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest):
                problems.append(f"'files' gives {name} a digest that is not a SHA-256 hex string")
    uncovered = manifest.get("uncovered", [])
    if not isinstance(uncovered, list) or not all(isinstance(c, dict) and {"code", "name", "group"} <= set(c) for c in uncovered):
        problems.append("'uncovered' must be a list of categories with a code, name and group")
    if not isinstance(manifest.get("versions", {}), dict):
        problems.append("'versions' must map library names to versions")
    version = manifest.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        problems.append(f"'format_version' must be a whole number, not {version!r}")
    if problems:
        raise ModelError(f"{manifest_path}: the manifest is damaged or was altered: {'; '.join(problems[:3])}. Retrain or restore the model")
    digest = manifest.get(MANIFEST_DIGEST)
    if digest is not None and digest != manifest_digest(manifest):
        raise ModelError(
            f"{manifest_path}: the manifest was edited after training (its content no longer matches its {MANIFEST_DIGEST}). "
            "Restore it, or retrain; to change thresholds for one run, use --threshold"
        )
    return manifest


def load_model(path: Path | None = None) -> Model:
    """Verify every file against the manifest's SHA-256, then load the weights."""
    from .scoring import LinearScorer

    path = Path(path) if path is not None else default_model_dir()
    manifest = read_manifest(path)
    version = manifest.get("format_version", 0)
    if version > FORMAT_VERSION:
        raise ModelError(f"{path}: model format {version} is newer than this paxclassify reads ({FORMAT_VERSION}); upgrade paxclassify")
    if version < FORMAT_VERSION:
        raise ModelError(f"{path}: model format {version} was written by an older paxclassify (a pickled estimator); retrain it with classify train")
    for name, digest in manifest["files"].items():
        file = path / name
        if not file.is_file():
            raise ModelError(f"{path}: the manifest lists {name}, which is missing; the model folder is incomplete")
        if sha256(file) != digest:
            raise ModelError(f"{file}: SHA-256 does not match the manifest; the file is damaged or was altered. Retrain or restore the model")
    if WEIGHTS not in manifest["files"]:
        raise ModelError(f"{path}: the manifest does not list {WEIGHTS}; the manifest is incomplete. Retrain or restore the model")
    try:
        estimator = LinearScorer.load(path / WEIGHTS)
    except Exception as exc:
        raise ModelError(f"{path / WEIGHTS}: could not be loaded ({exc.__class__.__name__}: {exc})") from exc
    n_cat, dim = len(manifest["categories"]), manifest["embedding"].get("dimension")
    if estimator.n_labels != n_cat or (isinstance(dim, int) and estimator.n_dense != dim):
        raise ModelError(
            f"{path}: the weights score {estimator.n_labels} categories on {estimator.n_dense}-dimensional embeddings; "
            f"the manifest expects {n_cat} on {dim}. The model folder is inconsistent; retrain or restore it"
        )
    return Model(estimator=estimator, manifest=manifest, path=path)
