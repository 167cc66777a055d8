"""The wheel carries the shipped model (slow: builds the wheel; runs in CI)."""

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def test_the_wheel_holds_the_shipped_model_with_the_manifests_digests(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("paxclassify-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("paxclassify_models/pax-default/manifest.json"))
        for name, digest in manifest["files"].items():
            assert f"paxclassify_models/pax-default/{name}" in names
            assert hashlib.sha256(z.read(f"paxclassify_models/pax-default/{name}")).hexdigest() == digest
    assert "classify/model.py" in names and "training/train.py" in names
    assert not any(n.startswith("models/") for n in names)  # no top-level package named "models"
    assert {"classify/review/templates/document.html", "classify/review/static/review.js"} <= names  # classify review's pages
