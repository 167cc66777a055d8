import csv
import io
import json

import pytest
from click.testing import CliRunner

from classify.cli import cli

DOC = """1. The parties agree to an immediate ceasefire and the cessation of all hostilities.

2. All prisoners and detainees held in connection with the conflict shall be released."""


@pytest.fixture
def doc(tmp_path):
    p = tmp_path / "statement.txt"
    p.write_text(DOC)
    return p


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def test_json_lists_every_category_with_evidence(tiny_model, doc):
    r = run("predict", doc, "--model", tiny_model, "--format", "json")
    assert r.exit_code == 0, r.output
    [coding] = json.loads(r.stdout)
    assert coding["id"] == "statement"
    by_code = {c["code"]: c for c in coding["categories"]}
    assert set(by_code) == {"Ce", "TjPrire", "GeWom", "HrDet"}
    # the fixture codes every ceasefire 2: PA-X grades the category, so its grade is given
    assert set(by_code["Ce"]) == {"code", "name", "group", "probability", "threshold", "present", "evidence", "grade"}
    assert by_code["Ce"]["grade"] == 2 and "grade" not in by_code["TjPrire"]
    assert by_code["Ce"]["present"] and by_code["TjPrire"]["present"]
    assert "ceasefire" in by_code["Ce"]["evidence"][0]["text"]
    assert "prisoners" in by_code["TjPrire"]["evidence"][0]["text"]
    assert not by_code["GeWom"]["present"] and by_code["GeWom"]["evidence"] == []


def test_jsonl_one_line_per_document(tiny_model, doc, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Women shall be represented in every commission established by this agreement.")
    r = run("predict", doc, other, "--model", tiny_model, "--format", "jsonl")
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert [json.loads(l)["id"] for l in lines] == ["statement", "other"]


def test_text_sheet_groups_present_categories(tiny_model, doc):
    r = run("predict", doc, "--model", tiny_model)
    assert r.exit_code == 0
    assert "Security sector\n  Ceasefire [Ce]" in r.stdout
    assert "No specific mention" not in r.stdout
    r = run("predict", doc, "--model", tiny_model, "--all")
    assert "Women, girls and gender [GeWom]: No specific mention." in r.stdout


def test_csv_one_row_per_present_category(tiny_model, doc):
    r = run("predict", doc, "--model", tiny_model, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["code"] for row in rows} >= {"Ce", "TjPrire"}
    assert all(row["present"] == "1" for row in rows)


def test_markdown(tiny_model, doc):
    r = run("predict", doc, "--model", tiny_model, "--format", "markdown")
    assert r.stdout.startswith("# statement\n")
    assert "- **Ceasefire** (`Ce`)" in r.stdout


def test_output_file_stdin_and_folder(tiny_model, doc, tmp_path):
    out = tmp_path / "out" / "c.json"
    folder = tmp_path / "docs"  # not tmp_path, which holds the model: folders are read with their subfolders
    folder.mkdir()
    (folder / doc.name).write_text(doc.read_text())
    r = run("predict", folder, "--model", tiny_model, "-f", "json", "-o", out)
    assert r.exit_code == 0 and r.stdout == ""
    assert [c["id"] for c in json.loads(out.read_text())] == ["statement"]
    r = run("predict", "-", "--model", tiny_model, "-f", "json", input=DOC)
    assert json.loads(r.stdout)[0]["id"] == "stdin"


def test_csv_input_rows(tiny_model, tmp_path):
    src = tmp_path / "docs.csv"
    src.write_text('key,body\nd1,"The parties agree to an immediate ceasefire."\nd2,"Women shall be represented in every commission."\n')
    r = run("predict", src, "--text-column", "body", "--id-column", "key", "--model", tiny_model, "-f", "json")
    assert [c["id"] for c in json.loads(r.stdout)] == ["d1", "d2"]


def test_threshold_override(tiny_model, doc):
    r = run("predict", doc, "--model", tiny_model, "-f", "json", "--threshold", "0")
    assert all(c["present"] and c["threshold"] == 0 for c in json.loads(r.stdout)[0]["categories"])


def test_missing_file_is_one_line_error(tiny_model, tmp_path):
    r = run("predict", tmp_path / "nope.txt", "--model", tiny_model)
    assert r.exit_code == 1
    assert f"Error: {tmp_path / 'nope.txt'}: no such file or folder\n" in r.stderr


def test_missing_model_is_one_line_error(doc, tmp_path):
    r = run("predict", doc, "--model", tmp_path / "none")
    assert r.exit_code == 1
    assert r.stderr == f"Error: {tmp_path / 'none'}: no model folder there; train one with 'classify train' or pass --model\n"


def test_tampered_model_is_refused(tiny_model, doc):
    with open(tiny_model / "weights.npz", "ab") as f:
        f.write(b"x")
    r = run("predict", doc, "--model", tiny_model)
    assert r.exit_code == 1
    assert "SHA-256 does not match the manifest" in r.stderr


def test_categories_lists_covered_and_uncovered(tiny_model, pax_dir):
    r = run("categories", "--model", tiny_model, "--data", pax_dir)
    assert r.exit_code == 0
    assert "Ce           Ceasefire (covered, threshold" in r.stdout
    assert "ceasefire" in r.stdout  # the definition, read from the data folder
    assert "Ssr          Security sector (not covered: no coded column in the data" in r.stdout


def test_every_command_has_help_with_example():
    for name, command in cli.commands.items():
        assert command.help and "Example:" in command.help, name


def test_output_extension_picks_the_format_and_a_clash_is_refused(tiny_model, doc, tmp_path):
    out = tmp_path / "out.json"
    r = run("predict", doc, "--model", tiny_model, "-o", out)
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())[0]["id"] == "statement"
    r = run("predict", doc, "--model", tiny_model, "-o", tmp_path / "out.csv")
    assert (tmp_path / "out.csv").read_text().startswith("id,document,document_type,operative_share,code,")
    r = run("predict", doc, "--model", tiny_model, "-f", "text", "-o", tmp_path / "clash.json")
    assert r.exit_code == 2 and not (tmp_path / "clash.json").exists()
    assert f"--format text writes text but --output {tmp_path / 'clash.json'} names a .json file; use --format json or another file name" in r.stderr
    r = run("predict", doc, "--model", tiny_model, "-o", tmp_path / "sheet.out")  # an extension that names no format: text
    assert (tmp_path / "sheet.out").read_text().startswith("statement")


def test_a_missing_data_folder_suggests_where_data_goes(tmp_path):
    r = run("train", "--data", tmp_path / "nowhere", "--out", tmp_path / "m")
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'nowhere'}: no such data folder; point --data at a folder of PA-X files (data/labelled/), "
        "or download them there with `classify data fetch`"
    )


def test_training_progress_bars_say_what_they_count(pax_dir, fake_encoder, tmp_path):
    r = run("train", "--data", pax_dir, "--out", tmp_path / "m", "--min-positive", 5, "--cache-dir", tmp_path / "cache")
    assert r.exit_code == 0, r.output
    # the threshold documents here are descriptions, already embedded as training rows: no bar for them
    assert "embedding training rows: " in r.stderr and "grouped folds: " in r.stderr
    assert "Batches" not in r.stderr
    assert "Categories modelled: 4; not covered: 0 with fewer than 5 positive agreements, 5 headings or categories with no column in the codings" in r.stdout


def test_pax_csv_to_a_csv_file(tiny_model, doc, tmp_path):
    out = tmp_path / "codings.csv"
    r = run("predict", doc, "--model", tiny_model, "-f", "pax-csv", "-o", out)
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["Agt"] for r in rows] == ["statement"] and list(rows[0])[:2] == ["AgtId", "Agt"]
    assert rows[0]["Ce"] == "2" and rows[0]["TjPrire"] == "1" and rows[0]["GeWom"] == "0"  # Ce: its grade
