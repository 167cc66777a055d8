"""Coding on worker processes and on a Dask cluster gives what one process gives, in input order."""

import json
import shutil

import pytest
from click.testing import CliRunner

from classify import Document, Model
from classify.cli import cli
from classify.parallel import code_batches_in_parallel
from fixtures import FILLER, TOPICS, FakeEncoder

TEXTS = [f"{i + 1}. {s}\n\n{i + 2}. {FILLER[i % 3]}" for i, s in enumerate(s for ss in TOPICS.values() for s in ss)]


def flat(batches):
    return [c for batch in batches for c in batch]


def as_dicts(codings):
    return [(c.id, [(r.code, r.present, r.probability, [e.text for e in r.evidence]) for r in c.categories]) for c in codings]


@pytest.fixture(scope="module")
def docs():
    return [Document(f"d{i}", t) for i, t in enumerate(TEXTS)]


def test_worker_processes_code_as_one_process_does(session_model, docs):
    alone = Model.load(session_model, encoder=FakeEncoder()).code(docs)
    batches = list(code_batches_in_parallel(iter(docs), session_model, jobs=2, encoder=FakeEncoder(), batch_size=3))
    assert [len(b) for b in batches] == [3, 3, 2]
    assert as_dicts(flat(batches)) == as_dicts(alone)


def test_a_dask_cluster_codes_as_one_process_does(session_model, docs):
    distributed = pytest.importorskip("distributed")
    alone = Model.load(session_model, encoder=FakeEncoder()).code(docs)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None) as cluster:
        batches = code_batches_in_parallel(iter(docs), session_model, scheduler=cluster.scheduler_address, encoder=FakeEncoder(), batch_size=2)
        assert as_dicts(flat(batches)) == as_dicts(alone)


def test_an_unreachable_scheduler_is_one_line(session_model, fake_encoder, tmp_path):
    pytest.importorskip("distributed")
    doc = tmp_path / "doc.txt"
    doc.write_text(TEXTS[0])
    r = CliRunner().invoke(cli, ["predict", str(doc), "--model", str(session_model), "--dask-scheduler", "tcp://127.0.0.1:9"], catch_exceptions=False)
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: tcp://127.0.0.1:9: cannot reach a Dask scheduler there (") and r.stderr.count("\n") == 1


def test_jobs_must_be_a_number_of_workers(session_model, tmp_path):
    r = CliRunner().invoke(cli, ["predict", "-", "--model", str(session_model), "--jobs", "0"], input="x")
    assert r.exit_code == 2 and "--jobs: 0: expected a number of workers, or -1 for one per CPU core" in r.stderr


@pytest.mark.slow
def test_predict_jobs_2_writes_what_jobs_1_writes(tmp_path):
    # the shipped model and the real encoder, in worker processes started by the command line
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, t in enumerate(TEXTS):
        (folder / f"d{i}.txt").write_text(t)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        r = CliRunner().invoke(cli, ["predict", str(folder), "-o", str(out), "--jobs", jobs, "--batch-size", "3"], catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        outs.append([json.loads(line) for line in out.read_text().splitlines()])
    assert [c["id"] for c in outs[0]] == [f"d{i}" for i in range(len(TEXTS))]
    strip = lambda codings: [[(c["code"], c["present"], round(c["probability"], 3)) for c in d["categories"]] for d in codings]  # noqa: E731
    assert strip(outs[0]) == strip(outs[1])
