"""Import weight and embedding backends: --help stays light, ONNX matches torch."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from classify.embed import Encoder
from classify.errors import EmbeddingError

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "statement.txt"
HEAVY = ("torch", "sentence_transformers", "transformers", "onnxruntime")
TRAINING = ("sklearn", "training")  # prediction is classify/ alone: no scikit-learn, no training code


def run_python(code, **env):
    """Run ``code`` in a fresh interpreter (this one may have imported torch already); return stdout."""
    import os

    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env={**os.environ, **env}, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_help_and_categories_do_not_import_torch():
    out = run_python(
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from classify.cli import cli\n"
        "for args in (['--help'], ['predict', '--help'], ['categories']):\n"
        "    r = CliRunner().invoke(cli, args)\n"
        "    assert r.exit_code == 0, r.output\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))\n"
    )
    assert json.loads(out) == []


def test_unknown_backend_is_refused():
    with pytest.raises(EmbeddingError, match=r"unknown embedding backend 'tf'; expected one of torch, onnx, onnx-int8"):
        Encoder(backend="tf")


@pytest.fixture(scope="module")
def onnx_dir(tmp_path_factory):
    pytest.importorskip("onnxruntime")
    return tmp_path_factory.mktemp("onnx")


TEXTS = [
    "The parties agree to an immediate ceasefire.",
    "All prisoners and detainees held in connection with the conflict shall be released within thirty days "
    "of the signing of this agreement, under the supervision of the International Committee of the Red Cross.",
    "Women shall be represented in every commission.",
    "x " * 400,  # longer than the model's 256 tokens: truncated the same way
]


@pytest.mark.slow
def test_onnx_backends_match_sentence_transformers(onnx_dir, monkeypatch):
    monkeypatch.setenv("PAXCLASSIFY_ONNX_DIR", str(onnx_dir))
    reference = Encoder().encode(TEXTS)
    fp32 = Encoder(backend="onnx").encode(TEXTS)
    int8 = Encoder(backend="onnx-int8", batch_size=2).encode(TEXTS)
    assert fp32.shape == reference.shape == (4, 384)
    assert np.allclose(np.linalg.norm(fp32, axis=1), 1, atol=1e-5)
    assert (fp32 * reference).sum(axis=1).min() > 0.9999
    assert (int8 * reference).sum(axis=1).min() > 0.85  # int8 weights: close, not equal
    assert sorted(p.name for p in next(onnx_dir.iterdir()).iterdir()) == ["export.json", "model-int8.onnx", "model.onnx"]


@pytest.mark.slow
def test_predict_by_default_never_imports_torch(onnx_dir, monkeypatch):
    monkeypatch.setenv("PAXCLASSIFY_ONNX_DIR", str(onnx_dir))
    Encoder(backend="onnx").model  # export once (this needs torch)
    out = run_python(
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from classify.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['predict', {str(EXAMPLE)!r}, '--format', 'json'])\n"  # default backend: onnx
        "assert r.exit_code == 0, r.output\n"
        "present = [c['code'] for c in json.loads(r.stdout)[0]['categories'] if c['present']]\n"
        f"print(json.dumps([present, sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY[:3] + TRAINING!r})]))\n",
        PAXCLASSIFY_ONNX_DIR=str(onnx_dir),
    )
    present, heavy = json.loads(out)
    assert heavy == []
    assert "TjPrire" in present


def test_coding_imports_neither_scikit_learn_nor_training(session_model):
    out = run_python(
        "import sys, json\n"
        f"sys.path.insert(0, {str(REPO / 'tests')!r})\n"
        "from fixtures import FakeEncoder\n"
        "from classify import Model\n"
        f"model = Model.load({str(session_model)!r}, encoder=FakeEncoder())\n"
        "[coding] = model.code(['1. The parties agree to an immediate ceasefire.\\n\\n2. All prisoners shall be released.'])\n"
        "assert coding.present\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {TRAINING!r})))\n"
    )
    assert json.loads(out) == []


@pytest.mark.parametrize("max_tokens,max_texts", [(10, 3), (64, 16), (1, 100)])
def test_length_batches_cover_every_text_once_longest_first_within_budget(max_tokens, max_texts):
    from classify.embed import length_batches

    lengths = np.random.default_rng(0).integers(1, 40, size=57)
    batches = list(length_batches(lengths, max_tokens=max_tokens, max_texts=max_texts))
    assert sorted(np.concatenate(batches).tolist()) == list(range(57))
    flat = lengths[np.concatenate(batches)]
    assert (np.diff(flat) <= 0).all()
    for b in batches:
        assert len(b) == 1 or (len(b) <= max_texts and len(b) * lengths[b].max() <= max_tokens)


@pytest.mark.slow
def test_the_first_onnx_run_says_it_exports_once(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from classify.cli import cli

    monkeypatch.setenv("PAXCLASSIFY_ONNX_DIR", str(tmp_path / "onnx"))
    doc = tmp_path / "s.txt"
    doc.write_text("1. The parties agree to an immediate ceasefire.\n\n2. All prisoners shall be released.")
    first = CliRunner().invoke(cli, ["predict", str(doc), "-f", "json"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert first.stderr.splitlines() == [f"Exporting the embedding model to ONNX (onnx; once per embedding model folder, some seconds; kept in {tmp_path / 'onnx'})"]
    again = CliRunner().invoke(cli, ["predict", str(doc), "-f", "json"], catch_exceptions=False)
    assert again.exit_code == 0 and again.stderr == ""
