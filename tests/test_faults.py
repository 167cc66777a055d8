"""Faults: a training run or a batch killed with SIGKILL half-way, and atomic writes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from classify.cli import cli
from classify.atomic import write_text_atomic as write_atomic
from classify.model import Model

REPO = Path(__file__).resolve().parent.parent
SLOW_RUN = Path(__file__).resolve().parent / "slow_run.py"
DOC = "1. The parties agree to an immediate ceasefire and the cessation of all hostilities."


def start(tmp_path, step, after, *args):
    """Start the CLI in a subprocess that stalls at ``step``; return it once it is stalled there."""
    marker = tmp_path / f"stalled-{step}"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(SLOW_RUN), str(marker), step, str(after), *map(str, args)], env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"exited {proc.returncode} before stalling: {err.decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("did not reach the stall in time")
        time.sleep(0.05)
    return proc


def kill(proc):
    # the whole process group, as a closed terminal or a CI timeout does: training's joblib
    # workers too, which would otherwise hold the output pipes open
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def predict_json(model, doc):
    r = CliRunner().invoke(cli, ["predict", str(doc), "--model", str(model), "-f", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("step", ["embed", "save"])
def test_training_killed_half_way_leaves_the_previous_model_intact(tmp_path, pax_dir, session_model, fake_encoder, step):
    import shutil

    out = tmp_path / "model"
    shutil.copytree(session_model, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    doc = tmp_path / "doc.txt"
    doc.write_text(DOC)
    expected = predict_json(out, doc)

    proc = start(tmp_path, step, 0, "train", "--data", pax_dir, "--out", out, "--min-positive", "5", "--folds", "3", "--cache-dir", tmp_path / "cache")
    kill(proc)

    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not out.with_name("model.previous").exists()
    Model.load(out)
    assert predict_json(out, doc) == expected
    if step == "save":  # the half-written model was never swapped in; its folder is left aside
        [leftover] = [p for p in tmp_path.iterdir() if p.name.startswith(".model.tmp-")]
        with pytest.raises(Exception):
            Model.load(leftover)

    # and the next run replaces the model normally, keeping this one as .previous and
    # clearing away what the killed run left
    r = CliRunner().invoke(cli, ["train", "--data", str(pax_dir), "--out", str(out), "--min-positive", "5", "--folds", "3", "--cache-dir", str(tmp_path / "cache")], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert {p.name: p.read_bytes() for p in out.with_name("model.previous").iterdir()} == before
    Model.load(out)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".model.tmp-")]


def test_batch_killed_half_way_resumes_without_recomputing(tmp_path, session_model, monkeypatch):
    import classify.embed
    from fixtures import FakeEncoder

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(5):
        (docs / f"doc{i}.txt").write_text(f"Document {i}. {DOC}")
    out = tmp_path / "out.jsonl"
    args = ["predict", docs, "--model", session_model, "-f", "jsonl", "-o", out, "--resume", "--batch-size", "1"]

    proc = start(tmp_path, "embed", 4, *args)  # two documents coded (clauses, then the text read whole), stalled in the third
    kill(proc)
    done = out.read_text()
    assert done.endswith("\n")
    assert [json.loads(line)["id"] for line in done.splitlines()] == ["doc0", "doc1"]

    encoded = []

    class Recording(FakeEncoder):
        def encode(self, texts, progress=False):
            encoded.extend(texts)
            return super().encode(texts, progress)

    monkeypatch.setattr(classify.embed, "Encoder", Recording)
    r = CliRunner().invoke(cli, list(map(str, args)), catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == f"Wrote 3 coding(s) to {out}; skipped 2 already there\n"
    assert not any(t.startswith(("Document 0", "Document 1")) for t in encoded)
    assert out.read_text().startswith(done)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [f"doc{i}" for i in range(5)]


def test_write_atomic_leaves_the_old_file_on_failure(tmp_path, monkeypatch):
    out = tmp_path / "out.json"
    out.write_text("old")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(out, "new")
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]
