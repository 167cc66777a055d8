"""classify predict on bad input: one line per problem on stderr, non-zero exit, never a traceback."""

import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classify.cli import cli
from fixtures import FakeEncoder

ENGLISH = (
    "1. The parties agree to an immediate ceasefire and the cessation of all hostilities.\n\n"
    "2. All prisoners and detainees held in connection with the conflict shall be released."
)
FRENCH = (
    "Les parties conviennent d'un cessez-le-feu immédiat et de la cessation de toutes les hostilités. "
    "Tous les prisonniers détenus en relation avec le conflit seront libérés dans un délai de trente jours."
)


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def assert_clean_stderr(stderr):
    """Every stderr line is one 'Error: ...' or 'Warning: ...' line; no traceback."""
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert line.startswith(("Error: ", "Warning: ", "Wrote ")), line


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.txt").write_text(ENGLISH)
    (folder / "b.txt").write_bytes(b"")
    (folder / "c.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    (folder / "d.txt").write_bytes(ENGLISH.replace("parties", "parties\u2019").encode("cp1252"))
    (folder / "e.txt").write_text(FRENCH)
    return folder


def test_folder_mixing_good_and_bad_codes_the_good_and_exits_1(session_model, fake_encoder, folder):
    r = run("predict", folder, "--model", session_model, "-f", "jsonl")
    assert r.exit_code == 1
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == ["a", "d", "e"]
    assert r.stderr.splitlines() == [
        f"Error: {folder / 'b.txt'}: the file is empty; nothing to code",
        f"Error: {folder / 'c.txt'}: looks like a binary file, not text (it contains NUL bytes); give a text, PDF, .docx or HTML file",
        f"Warning: {folder / 'd.txt'}: not UTF-8; read as cp1252 (a guess). If accents or quotes look wrong, save it as UTF-8",
        f"Warning: {folder / 'e.txt'}: does not look like English (0% common English words); the model is English-only, so its codes may be missing or wrong",
        "Error: 2 input(s) could not be coded; see the errors above",
    ]


def test_all_inputs_bad_writes_no_output_file(session_model, fake_encoder, tmp_path):
    out = tmp_path / "out.json"
    r = run("predict", tmp_path / "missing.txt", "/dev/null", "--model", session_model, "-f", "json", "-o", out)
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"Error: {tmp_path / 'missing.txt'}: no such file or folder",
        "Error: /dev/null: not a regular file (a device, pipe or socket); give a text file, or '-' to read stdin",
        "Error: 2 input(s) could not be coded; see the errors above",
    ]
    assert not out.exists()


def test_max_size(session_model, fake_encoder, tmp_path):
    doc = tmp_path / "long.txt"
    doc.write_text("\n\n".join([ENGLISH] * 5000))
    size = doc.stat().st_size / 1e6
    r = run("predict", doc, "--model", session_model, "--max-size", "0.5")
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == f"Error: {doc}: {size:.1f} MB is over the 0.5 MB limit for one document; split it into parts, or raise the limit with --max-size"
    r = run("predict", doc, "--model", session_model, "-f", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)[0]["n_clauses"] == 10000


def test_stdin_utf16_and_empty(session_model, fake_encoder):
    r = run("predict", "-", "--model", session_model, "-f", "json", input=ENGLISH.encode("utf-16"))
    assert r.exit_code == 0 and json.loads(r.stdout)[0]["id"] == "stdin"
    r = run("predict", "-", "--model", session_model, input=b"")
    assert r.exit_code == 1
    assert r.stderr == "Error: <stdin>: no text to code\nError: 1 input(s) could not be coded; see the errors above\n"


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(session_model, fake_encoder, tmp_path, monkeypatch):
    from classify.model import Model

    def boom(*args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(Model, "code", boom)
    doc = tmp_path / "doc.txt"
    doc.write_text(ENGLISH)
    r = run("predict", doc, "--model", session_model)
    assert r.exit_code == 1
    assert r.stderr == "Error: unexpected RuntimeError: something broke. This is a bug in paxclassify; rerun with --debug for the traceback and report it\n"
    with pytest.raises(RuntimeError, match="something"):
        run("--debug", "predict", doc, "--model", session_model)


# --- resume ----------------------------------------------------------------------------------


class CountingEncoder(FakeEncoder):
    texts: list = []

    def encode(self, texts, progress=False):
        CountingEncoder.texts.extend(texts)
        return super().encode(texts, progress)


@pytest.fixture
def counting_encoder(monkeypatch):
    import classify.embed

    CountingEncoder.texts = []
    monkeypatch.setattr(classify.embed, "Encoder", CountingEncoder)
    return CountingEncoder


def make_docs(folder, n):
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"doc{i}.txt").write_text(f"Document number {i}. " + ENGLISH)
    return folder


def test_resume_skips_finished_documents(session_model, counting_encoder, tmp_path):
    docs = make_docs(tmp_path / "docs", 3)
    out = tmp_path / "out.jsonl"
    r = run("predict", docs, "--model", session_model, "-f", "jsonl", "-o", out, "--resume", "--batch-size", "1")
    assert r.exit_code == 0 and r.stderr == f"Wrote 3 coding(s) to {out}\n"
    first = out.read_text()
    make_docs(docs, 5)
    counting_encoder.texts = []
    r = run("predict", docs, "--model", session_model, "-f", "jsonl", "-o", out, "--resume")
    assert r.exit_code == 0 and r.stderr == f"Wrote 2 coding(s) to {out}; skipped 3 already there\n"
    assert out.read_text().startswith(first)
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == [f"doc{i}" for i in range(5)]
    assert counting_encoder.texts and all("number 3" in t or "number 4" in t for t in counting_encoder.texts if "Document" in t)


def test_resume_cuts_off_a_half_written_line(session_model, counting_encoder, tmp_path):
    docs = make_docs(tmp_path / "docs", 2)
    out = tmp_path / "out.jsonl"
    run("predict", docs / "doc0.txt", "--model", session_model, "-f", "jsonl", "-o", out, "--resume")
    with open(out, "a") as f:
        f.write('{"id": "doc1", "document": "')  # as if killed mid-line
    r = run("predict", docs, "--model", session_model, "-f", "jsonl", "-o", out, "--resume")
    assert r.exit_code == 0
    assert r.stderr.splitlines()[0].startswith(f"Warning: {out}: cut off an incomplete last line (")
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["doc0", "doc1"]


def test_resume_refuses_a_file_it_did_not_write(session_model, fake_encoder, tmp_path):
    docs = make_docs(tmp_path / "docs", 1)
    out = tmp_path / "notes.jsonl"
    out.write_text("my notes\n")
    r = run("predict", docs, "--model", session_model, "-f", "jsonl", "-o", out, "--resume")
    assert r.exit_code == 1
    assert r.stderr == f"Error: {out}: line 1 is not a coding written by classify predict --format jsonl; resume only into a file this command wrote, or pick another --output\n"
    assert out.read_text() == "my notes\n"


@pytest.mark.parametrize("args", [["-f", "json", "-o", "x.json"], ["-f", "jsonl"]])
def test_resume_needs_jsonl_and_output(session_model, tmp_path, args):
    r = run("predict", tmp_path, "--model", session_model, "--resume", *args)
    assert r.exit_code == 2
    assert "--resume needs --format jsonl and --output FILE" in r.stderr


# --- random bytes ----------------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.tuples(st.sampled_from(["utf-16", "utf-16-le", "cp1252", "latin-1", "utf-32"]), st.text(st.characters(codec="latin-1"), max_size=200)).map(lambda p: p[1].encode(p[0], "replace")),
    st.tuples(st.binary(max_size=8), st.text(max_size=200)).map(lambda p: p[0] + p[1].encode()),
    # what the format readers look for first, followed by anything
    st.tuples(st.sampled_from([b"%PDF-1.7\n", b"PK\x03\x04", b"<html><body>", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"]), st.binary(max_size=400)).map(lambda p: p[0] + p[1]),
))
def test_random_bytes_give_a_clean_error_or_a_valid_result(session_model, fake_encoder, tmp_path, data):
    path = tmp_path / "random.txt"
    path.write_bytes(data)
    for args, name, doc_id, stdin in (([path], str(path), "random", None), (["-"], "<stdin>", "stdin", data)):
        r = run("predict", *args, "--model", session_model, "-f", "json", input=stdin)
        assert_clean_stderr(r.stderr)
        if r.exit_code == 0:
            [coding] = json.loads(r.stdout)
            # a lone title or a line of furniture codes nothing, and says so
            assert coding["id"] == doc_id and (coding["n_clauses"] >= 1 or coding["warnings"])
            assert {c["code"] for c in coding["categories"]} == {"Ce", "TjPrire", "GeWom", "HrDet"}
        else:
            assert r.exit_code == 1 and r.stdout == ""
            lines = r.stderr.splitlines()
            assert re.match(rf"Error: {re.escape(name)}: \S", lines[-2])
            assert lines[-1] == "Error: 1 input(s) could not be coded; see the errors above"


def test_resume_with_repeated_csv_ids_codes_every_row(session_model, fake_encoder, tmp_path):
    src = tmp_path / "docs.csv"
    src.write_text(f'id,text\nd1,"{ENGLISH}"\nd1,"{ENGLISH} Again."\nd2,"{ENGLISH}"\n')
    out = tmp_path / "out.jsonl"
    args = ["predict", src, "--text-column", "text", "--id-column", "id", "--model", session_model, "-f", "jsonl", "-o", out, "--resume"]
    r = run(*args)
    assert r.exit_code == 0 and [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["d1", "d1", "d2"]
    r = run(*args)
    assert r.stderr == f"Wrote 0 coding(s) to {out}; skipped 3 already there\n"
    assert len(out.read_text().splitlines()) == 3


def test_batches_are_cut_by_text_size_too(session_model, counting_encoder, tmp_path, monkeypatch):
    import classify.model

    monkeypatch.setattr(classify.model, "BATCH_MAX_CHARS", 2 * len(ENGLISH))
    docs = make_docs(tmp_path / "docs", 5)
    calls = []
    real = counting_encoder.encode
    monkeypatch.setattr(counting_encoder, "encode", lambda self, texts, progress=False: calls.append(len(texts)) or real(self, texts, progress))
    r = run("predict", docs, "--model", session_model, "-f", "jsonl")
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 5
    # 2 + 2 + 1 documents, not one batch of 5; each batch embeds its clauses, then its documents' committing text read whole
    assert calls[1::2] == [2, 2, 1]


def test_ctrl_c_during_a_resumable_batch_says_how_to_go_on(session_model, fake_encoder, tmp_path, monkeypatch):
    from classify.model import Model

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Model, "code", interrupted)
    docs = make_docs(tmp_path / "docs", 1)
    out = tmp_path / "out.jsonl"
    r = run("predict", docs, "--model", session_model, "-f", "jsonl", "-o", out, "--resume")
    assert r.exit_code == 1
    assert r.stderr == f"Error: interrupted; the codings finished so far are in {out}: run the same command again to go on\n"
    r = run("predict", docs, "--model", session_model, "-f", "jsonl")
    assert r.stderr == "Error: interrupted\n"


def test_a_reader_that_leaves_early_gets_no_error(tiny_model):
    # `classify categories | head -1`: the pipe closes before classify writes (Python starts slower)
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "classify", "categories", "--model", str(tiny_model)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and err == ""


# --- output written batch by batch -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "text", "markdown"])
def test_batch_by_batch_output_equals_one_rendering(session_model, fake_encoder, tmp_path, fmt):
    from classify import Document, Model
    from classify.render import render

    docs = make_docs(tmp_path / "docs", 5)
    out = tmp_path / f"out.{fmt}"
    r = run("predict", docs, "--model", session_model, "-f", fmt, "-o", out, "--batch-size", 2)
    assert r.exit_code == 0 and r.stderr == f"Wrote 5 coding(s) to {out}\n"
    together = Model.load(session_model, encoder=FakeEncoder()).code([Document(p.stem, p.read_text(), str(p)) for p in sorted(docs.iterdir())])
    assert out.read_text() == render(together, fmt)
    if fmt == "json":
        assert [c["id"] for c in json.loads(out.read_text())] == [f"doc{i}" for i in range(5)]


def test_a_failure_in_a_later_batch_keeps_the_old_output_and_leaves_no_partial_file(session_model, fake_encoder, tmp_path, monkeypatch):
    from classify.model import Model

    real, calls = Model.code, []

    def fails_second_time(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(Model, "code", fails_second_time)
    docs = make_docs(tmp_path / "docs", 4)
    out = tmp_path / "out.json"
    out.write_text("the user's earlier codings")
    r = run("predict", docs, "--model", session_model, "-f", "json", "-o", out, "--batch-size", 2)
    assert r.exit_code == 1 and "disk on fire" in r.stderr
    assert out.read_text() == "the user's earlier codings"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs", "out.json"]


def test_folders_are_read_with_their_subfolders_unique_ids_and_a_word_on_what_was_skipped(session_model, fake_encoder, tmp_path):
    folder = tmp_path / "dir"
    (folder / "sub").mkdir(parents=True)
    for name in ("agr.txt", "agr.md", "sub/agr.txt", "other.txt"):
        (folder / name).write_text(ENGLISH)
    (folder / "notes.rtf").write_text("{\\rtf1 notes}")
    (folder / ".hidden.txt").write_text(ENGLISH)
    r = run("predict", folder, "--model", session_model, "-f", "jsonl")
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == ["agr.md", "agr.txt", "other", "sub/agr"]
    assert r.stderr.splitlines() == [f"Warning: {folder}: skipped 2 file(s): notes.rtf (not .txt/.md/.pdf/.docx/.html/.htm); .hidden.txt (hidden)"]


def test_a_csv_without_text_column_uses_an_obvious_one_or_lists_the_columns(session_model, fake_encoder, tmp_path):
    good = tmp_path / "docs.csv"
    good.write_text(f'doc_id,title,text\nD000,First,"{ENGLISH}"\nD001,Second,"{ENGLISH}"\n')
    r = run("predict", good, "--model", session_model, "-f", "jsonl")
    assert r.exit_code == 0, r.output
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == ["D000", "D001"]
    assert r.stderr.splitlines() == [f"Warning: {good}: coding each row's 'text' column as a document (pass --text-column to choose another)",
                                     f"Warning: {good}: taking each row's id from its 'doc_id' column (pass --id-column to choose another)"]
    plain = tmp_path / "plain.csv"
    plain.write_text(f'title,text\nFirst,"{ENGLISH}"\n')
    r = run("predict", plain, "--model", session_model, "-f", "jsonl")
    assert [json.loads(line)["id"] for line in r.stdout.splitlines()] == ["plain:1"]  # no id column: the row number
    bad = tmp_path / "other.csv"
    bad.write_text(f'doc_id,title,body_html\nD000,First,"{ENGLISH}"\n')
    r = run("predict", bad, "--model", session_model, "-f", "jsonl")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.splitlines()[0] == (
        f"Error: {bad}: a CSV holds one document per row; pass --text-column with the column that holds the text (its columns: doc_id, title, body_html)"
    )
