"""classify review without a browser: saved decisions, the files training reads, broken review
folders, the suggestion adapter and the queue. The browser and the server: test_review_browser.py."""

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from classify.cli import cli
from classify import Document, Model
from classify.review.queue import margin, ordered, why
from classify.review.store import CLAUSES, CODINGS, OWN_IDS, ConflictError, DecisionError, ReviewError, Store, agt_id
from fixtures import FakeEncoder
from training.sources import find_sources

CATALOGUE = [
    {"code": "Ce", "name": "Ceasefire", "group": "Security sector", "parent": None, "graded": True},
    {"code": "TjPrire", "name": "Prisoner release", "group": "Transitional justice", "parent": None, "graded": True},
    {"code": "GeWom", "name": "Women, girls and gender", "group": "Gender", "parent": None, "graded": False},
    {"code": "WggPar", "name": "Participation", "group": "PA-X Gender: Participation", "parent": "GeWom", "graded": False},
]
TEXT = [
    "1. The parties agree to an immediate ceasefire along the agreed line.",
    "2. All prisoners held in connection with the conflict shall be released.",
    "3. Women shall take part in every commission set up by this agreement.",
]


def open_store(folder, clauses=TEXT, doc_id="1001"):
    store = Store(folder, CATALOGUE)
    store.attach(doc_id, "a.txt", clauses)
    store.start()
    return store


def read(folder, name):
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


def test_decisions_are_saved_at_once_and_become_the_two_training_files(tmp_path):
    store = open_store(tmp_path)
    state = store.decide("1001", 0, "Ce", 2, [0], "ann")
    state = store.decide("1001", state.version, "TjPrire", 0, [1], "ann")
    assert state.version == 2
    assert state.clauses == dict(enumerate(TEXT))  # every clause: training learns from the document without it
    store.close()

    again = open_store(tmp_path)  # a new server finds every decision
    assert {c: (d.value, d.clauses) for c, d in again.states["1001"].decisions.items()} == {"Ce": (2, [0]), "TjPrire": (0, [1])}
    codings = read(tmp_path, CODINGS)
    assert list(codings.columns) == ["AgtId", "Agt", "Ce", "TjPrire", "GeWom", "WggPar"]
    assert codings.iloc[0].to_dict() == {"AgtId": "1001", "Agt": "1001", "Ce": "2", "TjPrire": "0", "GeWom": "", "WggPar": ""}
    clauses = read(tmp_path, CLAUSES)
    assert list(clauses.columns) == ["AgtId", "category", "tagged_text", "value", "coder", "timestamp", "decision"]
    # no suggestion was attached: the coder added Ce
    assert clauses[["category", "tagged_text", "value", "coder", "decision"]].values.tolist() == [["Ce", TEXT[0], "2", "ann", "add"], ["TjPrire", TEXT[1], "0", "ann", "reject"]]
    # recognised in a data folder, and never read as PA-X gold there: classify train --reviewed reads state/
    kinds = {p.name: k for k, paths in _sources(tmp_path).items() for p in paths}
    assert kinds == {CODINGS: "extra_codings", CLAUSES: "reviewed_clauses"}


def _sources(folder):
    """find_sources wants a codings file too: look at the review files beside a minimal one."""
    (folder / "pax.csv").write_text("AgtId,PP,GeWom,Ce\n1,1,0,0\n")
    found = find_sources(folder)
    (folder / "pax.csv").unlink()
    found.pop("codings")
    return found


def test_done_means_complete_and_needs_every_suggestion_decided(tmp_path):
    store = open_store(tmp_path)
    with pytest.raises(DecisionError, match=r"1 suggestion\(s\) not decided yet \(GeWom\)"):
        store.set_done("1001", 0, True, ["GeWom"])
    state = store.decide("1001", 0, "WggPar", 1, [2], "ann")
    state = store.set_done("1001", state.version, True, [])
    row = read(tmp_path, CODINGS).iloc[0]
    # what the coder did not code is absent; a present sub-code makes its parent present, as PA-X codes it
    assert (row.Ce, row.TjPrire, row.WggPar, row.GeWom) == ("0", "0", "1", "1")
    state = store.decide("1001", state.version, "WggPar", None, [], "ann")  # taking a decision back reopens it
    assert not state.done and read(tmp_path, CODINGS).empty


def test_a_save_from_an_outdated_page_is_a_conflict_and_changes_nothing(tmp_path):
    store = open_store(tmp_path)
    store.decide("1001", 0, "Ce", 1, [0], "tab one")
    with pytest.raises(ConflictError, match="changed in another tab or window.*Reload"):
        store.decide("1001", 0, "Ce", 0, [0], "tab two")
    assert store.states["1001"].decisions["Ce"].value == 1
    assert "tab two" not in (tmp_path / CLAUSES).read_text()


@pytest.mark.parametrize("code, value, clauses, message", [
    ("Xyz", 1, [0], "unknown category code 'Xyz'"),
    ("Ce", 4, [0], "Ce: the value must be 0 (absent), 1 (present), or 2-3 where PA-X grades the category; got 4"),
    ("Ce", -1, [0], "got -1"),
    ("GeWom", 2, [2], "GeWom is not graded in PA-X: its value is 1 (present) or 0 (absent); got 2"),
    ("Ce", 1, [7], "clause 7 is not in this document (it has 3 clauses)"),
    ("Ce", 1, ["0"], "clauses must be a list of clause numbers"),
    ("Ce", True, [0], "got True"),
])
def test_bad_decisions_are_refused_with_a_message(tmp_path, code, value, clauses, message):
    store = open_store(tmp_path)
    with pytest.raises(DecisionError, match=re.escape(message)):
        store.decide("1001", 0, code, value, clauses, "ann")
    assert store.states["1001"].version == 0 and not list((tmp_path / "state").glob("[!.]*.json"))


def test_a_broken_state_file_names_its_file_and_line(tmp_path):
    store = open_store(tmp_path)
    store.decide("1001", 0, "Ce", 1, [0], "ann")
    store.close()
    [path] = (tmp_path / "state").glob("[!.]*.json")
    good = path.read_text()
    lines = good.splitlines()
    ce = next(i for i, ln in enumerate(lines) if ln.strip().startswith('"Ce"')) + 1

    for old, new, message in [
        ('"Ce": {"value": 1', '"Ce": {"value": 7', f"line {ce}: Ce: the value must be 0"),
        ('"Ce":', '"Cx":', f"line {ce}: unknown category code 'Cx'"),
        ('"clauses": [0]', '"clauses": [9]', f'line {ce}: Ce: clause 9 has no text under "clauses"'),
        ('"done": false,', '"done": false', "line 7: not valid JSON (Expecting ',' delimiter)"),
    ]:
        path.write_text(good.replace(old, new))
        with pytest.raises(ReviewError, match=re.escape(f"{path}: {message}")):
            Store(tmp_path, CATALOGUE)


def test_a_document_changed_since_its_review_is_refused(tmp_path):
    open_store(tmp_path).decide("1001", 0, "TjPrire", 1, [1], "ann").version
    with pytest.raises(ReviewError, match="line 1[0-9]: clause 1 of '1001' no longer reads as when it was reviewed"):
        open_store(tmp_path, clauses=[TEXT[0], "2. Prisoners shall be released within ten days.", TEXT[2]])


def test_a_hand_edited_csv_is_reported_not_overwritten(tmp_path):
    store = open_store(tmp_path)
    store.decide("1001", 0, "Ce", 1, [0], "ann")
    store.close()
    edited = (tmp_path / CODINGS).read_text().replace("1001,1001,1", "1001,1001,3")
    (tmp_path / CODINGS).write_text(edited)
    with pytest.raises(ReviewError, match=re.escape(f"{tmp_path / CODINGS}: line 2 differs from the decisions saved in")):
        open_store(tmp_path)
    assert (tmp_path / CODINGS).read_text() == edited


def test_a_server_killed_between_the_state_and_the_csvs_is_caught_up_on_start(tmp_path, monkeypatch):
    store = open_store(tmp_path)
    before = (tmp_path / CODINGS).read_text()
    monkeypatch.setattr(Store, "_write_derived", lambda self: None)  # dies right after the state file
    store.decide("1001", 0, "Ce", 1, [0], "ann")
    store.close()
    assert (tmp_path / CODINGS).read_text() == before
    monkeypatch.undo()
    open_store(tmp_path)
    assert read(tmp_path, CODINGS).Ce.tolist() == ["1"]


def test_one_server_per_review_folder(tmp_path):
    first = open_store(tmp_path)  # noqa: F841 (holds the folder while it lives)
    with pytest.raises(ReviewError, match="another classify review is saving into this folder"):
        Store(tmp_path, CATALOGUE)


def test_documents_that_are_not_pax_agreements_get_ids_no_agreement_has():
    assert agt_id("2109") == 2109
    assert agt_id("statement") == agt_id("statement") >= OWN_IDS
    assert agt_id("sub/agr") != agt_id("sub/agr2")


def test_the_queue_puts_the_least_certain_first_and_done_ones_last():
    from types import SimpleNamespace as D

    sure = D(id="sure", scores={"Ce": (0.95, 0.5), "GeWom": (0.01, 0.4)})
    unsure = D(id="unsure", scores={"Ce": (0.52, 0.5), "GeWom": (0.38, 0.4)})
    assert margin(unsure.scores) == pytest.approx(0.02)
    assert [d.id for d in ordered([sure, unsure], done=set())] == ["unsure", "sure"]
    assert [d.id for d in ordered([sure, unsure], done={"unsure"})] == ["sure", "unsure"]
    # the order in words, not a bare margin
    scores = {"Ce": (0.52, 0.5), "GeWom": (0.37, 0.4), "TjPrire": (0.01, 0.5)}
    assert why(scores, {"Ce": "Ceasefire"}, nearest=2) == (
        "closest calls on average 0.025 from their thresholds: Ceasefire 0.520 (above 0.500), GeWom 0.370 (below 0.400)")


def test_suggestions_point_at_clauses_and_keep_pdf_pages(tiny_model):
    from classify.review.suggest import catalogue, suggest

    model = Model.load(tiny_model, encoder=FakeEncoder())
    pages = ["PEACE AGREEMENT\n\n1. Women shall be represented in every commission established by this agreement.",
             "2. The parties agree to an immediate ceasefire and the cessation of all hostilities."]
    [doc] = suggest(model, [Document("agr", pages, "agr.pdf")])
    assert [(p.page, p.index) for p in doc.pieces] == [(1, None), (1, 0), (2, 1)]
    assert doc.pages == [1, 2] and doc.clauses == [pages[0].split("\n\n")[1], pages[1]]
    ce = next(s for s in doc.suggestions if s.code == "Ce")
    assert [e.clause for e in ce.evidence] == [1] and ce.group == "Security sector" and ce.tier == "suggested"
    assert all(e.strong == (e.score >= s.threshold) for s in doc.suggestions for e in s.evidence)
    assert set(doc.scores) == {c.code for c in model.categories}
    known = {c["code"]: c for c in catalogue(model, {"TjPrire": "Provides for releasing prisoners."})}
    assert set(known) >= {"Ce", "TjPrire", "GeWom", "HrDet"}
    assert known["TjPrire"]["definition"] == "Provides for releasing prisoners." and known["Ce"]["definition"] is None


def test_categories_cut_by_the_count_cap_are_possible_with_their_evidence(tiny_model):
    """A long document passes more thresholds than its count cap keeps: the ones cut are offered
    as possible, each with its best clause, which the coding quotes as it does a present one's."""
    from classify.review.suggest import suggest

    from classify.decision import CountPrior

    model = Model.load(tiny_model, encoder=FakeEncoder())
    model.manifest.decision.count_prior = CountPrior(0.0, 0.0)  # a document keeps one category
    text = "\n\n".join(f"{i}. {t}" for i, t in enumerate([
        "The parties agree to an immediate ceasefire and the cessation of all hostilities.",
        "Women shall be represented in every commission established by this agreement.",
        "All prisoners held in connection with the conflict shall be released.",
        "Every detainee is entitled to see a judge within forty-eight hours of arrest."], 1))
    [coding] = model.code([Document("d", text)])
    capped = {c.code for c in coding.categories if c.capped}
    assert capped and all(c.evidence for c in coding.categories if c.capped)
    [doc] = suggest(model, [Document("d", text)])
    possible = {s.code: s for s in doc.suggestions if s.tier == "possible"}
    assert set(possible) == capped
    assert {s.code for s in doc.suggestions if s.tier == "suggested"} == {c.code for c in coding.present}
    for s in possible.values():
        assert s.evidence and s.evidence[0].score == max(e.score for e in s.evidence)


def test_the_codebook_words_a_coder_reads():
    from classify.codebook import grade_words, short_definition

    # our own wording, shaped as the categories file's: framing, a word broken at a line end, the value 0, a heading run in
    raw = ("Binary variable, takes the value of 1 if the peace agreement includes any reference to the release of pris- oners. "
           "If no such provisions appear in the agreement, the value on this variable is 0. Transitional Justice")
    assert short_definition(raw) == "Includes any reference to the release of prisoners."
    assert short_definition("Includes any mention of rivers; 0 otherwise.") == "Includes any mention of rivers."
    assert short_definition("It takes the value of 1 = brief, 2 = some, 3 = much") is None
    assert grade_words("GCh") == ("rhetorical", "anti-discrimination", "substantive")
    assert grade_words("TjPrire")[2] == "detailed modalities" and len(grade_words("Unknown")) == 3


def test_a_definition_the_model_records_comes_first_and_a_model_without_them_loads(tiny_model, tmp_path):
    """Category.definition is optional: the shipped model has none; a model trained with the
    categories file can record them (written only when set, so older manifests read the same)."""
    from dataclasses import replace

    from classify.model import Manifest
    from classify.review.suggest import catalogue

    model = Model.load(tiny_model, encoder=FakeEncoder())
    assert all(c.definition is None for c in model.categories)
    manifest = model.manifest.to_dict()
    assert all("definition" not in c for c in manifest["categories"])
    model.manifest.categories = [replace(c, definition="Provides for a halt to fighting.") if c.code == "Ce" else c for c in model.manifest.categories]
    again = Manifest.from_dict(model.manifest.to_dict())
    assert next(c for c in again.categories if c.code == "Ce").definition == "Provides for a halt to fighting."
    model.save(tmp_path / "with-definitions")
    known = {c["code"]: c for c in catalogue(Model.load(tmp_path / "with-definitions", encoder=FakeEncoder()), {"Ce": "From the data folder.", "TjPrire": "Frees prisoners."})}
    assert (known["Ce"]["definition"], known["TjPrire"]["definition"]) == ("Provides for a halt to fighting.", "Frees prisoners.")


def test_definitions_are_read_from_a_data_folder_with_a_categories_file(tmp_path):
    from classify.codebook import read_definitions

    assert read_definitions(tmp_path / "missing") == {}
    (tmp_path / "codings.csv").write_text("AgtId,Ce\n1,1\n")
    (tmp_path / "categories.csv").write_text('code,name,definition_short\nCe,Ceasefire,"Binary variable, takes the value of 1 if the '
                                              'agreement provides for a halt to fighting."\nTjPrire,Prisoner release,\n')
    assert read_definitions(tmp_path) == {"Ce": "Provides for a halt to fighting."}


def test_a_broken_review_folder_stops_classify_review_with_one_line(tiny_model, tmp_path):
    (tmp_path / "doc.txt").write_text(TEXT[0])
    state = tmp_path / "review" / "state"
    state.mkdir(parents=True)
    (state / "doc.json").write_text('{\n  "id": "doc",\n  "version": 1,,\n}\n')
    r = CliRunner().invoke(cli, ["review", str(tmp_path / "doc.txt"), "--model", str(tiny_model), "--out", str(tmp_path / "review"), "--no-browser", "--port", "0"])
    assert r.exit_code == 1
    assert r.output == f"Error: {state / 'doc.json'}: line 3: not valid JSON (Expecting property name enclosed in double quotes); fix the file, or delete it to drop its decisions\n"


def test_retraining_on_a_review_changes_the_model_where_the_coder_did(tmp_path, pax_dir):
    """The review says three agreements provide for detention procedures (HrDet), quoting a clause
    in words the fixture never uses; training on its two files moves HrDet, and only HrDet's count."""
    from training.train import TrainSettings, train

    settings = TrainSettings(min_positive=5, n_folds=3, lexical_buckets=0, roles=False)  # FakeEncoder tells no roles
    before = train(pax_dir, tmp_path / "before", settings=settings, cache_dir=tmp_path / "cache", encoder=FakeEncoder()).manifest
    pax = pd.read_csv(pax_dir / "codings.csv")
    ids = [str(a) for a in pax[pax.HrDet == 0].AgtId[:3]]
    clause = "Every detainee is entitled to see a judge within forty-eight hours of arrest."
    catalogue = [{"code": c["code"], "name": c["name"], "group": c["group"], "parent": c["parent"], "graded": False} for c in before["categories"]]
    store = Store(pax_dir / "reviewed", catalogue)  # inside the data folder, as data/labelled/reviewed is
    for agt in ids:
        store.attach(agt, f"{agt}.txt", ["1. The parties met and agreed as follows.", f"2. {clause}"])
    store.start()
    for agt in ids:
        store.decide(agt, 0, "HrDet", 1, [1], "ann")
    store.close()

    result = train(pax_dir, tmp_path / "after", reviewed=pax_dir / "reviewed", settings=settings, cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    after = result.manifest
    assert result.changes[0]["flips_by_category"] == {"HrDet": 3}
    assert after["training_data"]["rows_by_source"]["reviewed_clause"] == 3  # the clause, in each agreement
    assert "reviewed_clause" not in before["training_data"]["rows_by_source"]
    diff = {c["code"] for c in after["categories"] for b in before["categories"] if b["code"] == c["code"] and b["n_positive"] != c["n_positive"]}
    assert diff == {"HrDet"}
    assert after["training_data"]["reviewed"] == {"folder": str(pax_dir / "reviewed"), "documents": 3, "clause_labels": {"add": 3}}

    def p(model_dir):
        [coding] = Model.load(model_dir, encoder=FakeEncoder()).code([Document("x", f"1. {clause}")], threshold=0.5)
        return next(c.probability for c in coding.categories if c.code == "HrDet")

    assert p(tmp_path / "after") > p(tmp_path / "before") + 0.1


def test_without_the_review_extra_the_command_says_what_to_install(tmp_path, monkeypatch):
    import sys

    for name in [m for m in sys.modules if m.startswith("starlette.")] + ["classify.review.app"]:
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setitem(sys.modules, "starlette", None)  # as if not installed
    r = CliRunner().invoke(cli, ["review", "doc.txt"])
    assert (r.exit_code, r.output) == (1, "Error: classify review needs the review extra (starlette is not installed): pip install 'paxclassify[review]'\n")


def test_predict_does_not_load_the_web_stack():
    import subprocess
    import sys

    code = ("import sys; from click.testing import CliRunner; from classify.cli import cli; "
            "r = CliRunner().invoke(cli, ['predict', 'examples/statement.txt']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'classify.review.app') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
