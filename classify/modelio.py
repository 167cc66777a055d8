"""Model folders: save and load, with a JSON manifest that verifies every file before use.

A model folder holds ``manifest.json`` (categories, thresholds, embedding model, versions,
training data hashes, SHA-256 of every other file), ``estimator.joblib`` and a model card
``README.md``. joblib files are pickles, and unpickling runs code: only load models you trust.
The manifest hashes catch truncated or altered files; they do not make an untrusted model safe.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModelError

MANIFEST = "manifest.json"
ESTIMATOR = "estimator.joblib"
CARD = "README.md"
FORMAT_VERSION = 1
DEFAULT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "pax-default"


def default_model_dir() -> Path:
    """The shipped model: $PAXCLASSIFY_MODEL, else models/pax-default next to the package."""
    return Path(os.environ.get("PAXCLASSIFY_MODEL", DEFAULT_MODEL_DIR))


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


@dataclass
class Model:
    """A loaded model: the fitted estimator and everything the manifest says about it."""

    estimator: object
    manifest: dict
    path: Path | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def categories(self) -> list[Category]:
        """Modelled categories, in the estimator's column order."""
        return [Category(**c) for c in self.manifest["categories"]]

    @property
    def uncovered(self) -> list[Category]:
        return [Category(**c) for c in self.manifest.get("uncovered", [])]

    @property
    def embedding_model(self) -> str:
        return self.manifest["embedding"]["model"]


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
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        joblib.dump(model.estimator, tmp / ESTIMATOR, compress=3)
        manifest = dict(model.manifest)
        manifest["format_version"] = FORMAT_VERSION
        (tmp / CARD).write_text(card, encoding="utf-8")
        manifest["files"] = {name: sha256(tmp / name) for name in (ESTIMATOR, CARD)}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        previous = path.with_name(path.name + ".previous")
        if path.exists():
            if keep_previous:
                if previous.exists():
                    shutil.rmtree(previous)
                os.replace(path, previous)
            else:
                shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return path


def read_manifest(path: Path) -> dict:
    path = Path(path)
    manifest_path = path / MANIFEST
    if not path.is_dir():
        raise ModelError(f"{path}: no model folder there; train one with 'classify train' or pass --model")
    if not manifest_path.is_file():
        raise ModelError(f"{path}: expected {MANIFEST} in the model folder; found {sorted(p.name for p in path.iterdir())}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ModelError(f"{manifest_path}: not valid JSON ({exc}); the model folder is damaged") from exc
    for key in ("categories", "embedding", "files"):
        if key not in manifest:
            raise ModelError(f"{manifest_path}: expected a '{key}' entry; the manifest is incomplete")
    return manifest


def load_model(path: Path | None = None) -> Model:
    """Verify every file against the manifest's SHA-256, then load the estimator."""
    import joblib

    path = Path(path) if path is not None else default_model_dir()
    manifest = read_manifest(path)
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise ModelError(f"{path}: model format {manifest['format_version']} is newer than this paxclassify reads ({FORMAT_VERSION}); upgrade paxclassify")
    for name, digest in manifest["files"].items():
        file = path / name
        if not file.is_file():
            raise ModelError(f"{path}: the manifest lists {name}, which is missing; the model folder is incomplete")
        if sha256(file) != digest:
            raise ModelError(f"{file}: SHA-256 does not match the manifest; the file is damaged or was altered. Retrain or restore the model")
    if ESTIMATOR not in manifest["files"]:
        raise ModelError(f"{path}: the manifest does not list {ESTIMATOR}")
    try:
        estimator = joblib.load(path / ESTIMATOR)
    except Exception as exc:
        raise ModelError(f"{path / ESTIMATOR}: could not be loaded ({exc.__class__.__name__}: {exc})") from exc
    warnings = []
    now = library_versions()
    for lib in ("scikit-learn", "numpy"):
        was = manifest.get("versions", {}).get(lib)
        if was and now.get(lib) and was.split(".")[:2] != now[lib].split(".")[:2]:
            warnings.append(f"{path}: trained with {lib} {was}, running {now[lib]}; predictions may differ")
    return Model(estimator=estimator, manifest=manifest, path=path, warnings=warnings)
