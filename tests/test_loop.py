"""The learning loop: what each review decision teaches, the README's retrain commands as written,
the incremental retraining (--base) and its safety."""

import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from classify import Model
from classify.cli import cli
from classify.review.store import OWN_IDS, Store
from classify.review.suggest import catalogue
from fixtures import FakeEncoder, write_pax_fixture
from training.dataset import REVIEWED_KIND, REVIEWED_TEXT_KIND, build_training_set
from training.sources import load_pax
from training.train import REJECT_WEIGHT, TrainSettings, retrain, train

REPO = Path(__file__).resolve().parent.parent
# our own wording: a document no PA-X file holds
CLAUSES = [
    "1. Every person detained because of the fighting shall be set free within a week.",
    "2. The armed forces shall stop firing and withdraw from the front line.",
    "3. Women shall be represented in the committee that oversees this accord.",
    "4. The parties thank the mediators for their efforts.",
]
SETTINGS = TrainSettings(min_positive=5, n_folds=3, lexical_buckets=0)


def review_folder(folder: Path, model_dir: Path, doc_id="accord", done=True) -> Path:
    """A review as the page saves it: accept TjPrire on clause 0 (one clause), reject Ce on the
    evidence clause 1, add WggPar (a sub-code of GeWom) on clause 2, then done (if ``done``)."""
    # the gender dataset's codes are in a real model's catalogue; the fixture's codings lack them
    wgg = {"code": "WggPar", "name": "Participation", "group": "PA-X Gender: Participation", "parent": "GeWom", "graded": False}
    store = Store(folder, catalogue(Model.load(model_dir, encoder=FakeEncoder())) + [wgg])
    store.attach(doc_id, "accord.txt", CLAUSES, suggested=["TjPrire", "Ce"])
    store.start()
    s = store.decide(doc_id, 0, "TjPrire", 1, [0], "ann")
    s = store.decide(doc_id, s.version, "Ce", 0, [1], "ann")
    s = store.decide(doc_id, s.version, "WggPar", 1, [2], "ann")
    if done:
        store.set_done(doc_id, s.version, True, [])
    store.close()
    return folder


def wgg_under_gewom(pax_dir: Path) -> Path:
    """The fixture's categories with WggPar a sub-code of GeWom, as the review's catalogue has it
    (in PA-X, TjAmPro under TjAm is such a pair)."""
    import pandas as pd

    cats = pd.read_csv(pax_dir / "categories.csv")
    cats.loc[cats.code == "WggPar", "parent"] = "GeWom"
    cats.to_csv(pax_dir / "categories.csv", index=False)
    return pax_dir


@pytest.fixture
def reviewed(tmp_path, tiny_model):
    return review_folder(tmp_path / "reviewed", tiny_model)


def test_each_decision_teaches_what_it_says(pax_dir, reviewed):
    data, changes = load_pax(wgg_under_gewom(pax_dir), reviewed=reviewed)
    codes = ["Ce", "TjPrire", "GeWom", "HrDet"]
    ts = build_training_set(data, codes)
    rows = {t: y.tolist() for t, y, k in zip(ts.texts, ts.Y, ts.kinds) if k == REVIEWED_KIND}
    # accept: the category (only) on the one clause sent; reject: its absence on the evidence
    # clause; add of a sub-code: it and its parent
    assert rows == {CLAUSES[0]: [-1, 1, -1, -1], CLAUSES[1]: [0, -1, -1, -1], CLAUSES[2]: [-1, -1, 1, -1]}
    # clause 3 (no decision) carries the done document's codings, as a full text's clause does:
    # absent what the document lacks (Ce rejected, HrDet left undecided at done), unknown for
    # what it carries, and in no bag, since decided clauses carry each of those
    [other] = np.flatnonzero(ts.kinds == REVIEWED_TEXT_KIND)
    assert ts.texts[other] == CLAUSES[3] and ts.Y[other].tolist() == [0, -1, -1, 0] and not ts.bags[other].any()
    # agreement level: the decisions, the parent of the added sub-code, and done's 0s
    agt = next(iter(data.reviewed.AgtId))
    assert agt >= OWN_IDS and data.groups[agt] == "reviewed"
    assert data.labels.loc[agt, ["Ce", "TjPrire", "GeWom", "HrDet", "WggPar"]].tolist() == [0, 1, 1, 0, 1]
    assert changes[0]["file"] == str(reviewed) and changes[0]["rows_added"] == 1
    # provenance of every clause label
    assert data.reviewed[["code", "decision", "coder"]].values.tolist() == [["TjPrire", "accept", "ann"], ["Ce", "reject", "ann"], ["WggPar", "add", "ann"]]
    # the rejection counts in full although no PA-X clause is positive for Ce (whose clause negatives are weak)
    w = SETTINGS.sample_weight(ts)
    ce = codes.index("Ce")
    assert w[list(ts.texts).index(CLAUSES[1]), ce] == REJECT_WEIGHT
    assert set(np.unique(w[(ts.kinds == "provision") & (ts.Y[:, ce] == 0), ce])) <= {SETTINGS.weak_negative_weight}
    # and done's 0s on the undecided clause are as weak as any other clause's for such a code
    assert w[other, ce] == SETTINGS.weak_negative_weight


def test_a_document_not_done_teaches_only_its_decisions_on_its_other_clauses(tmp_path, tiny_model, pax_dir):
    """Without done, a category not decided stays unknown on every clause; a rejected one is
    absent from the document's other clauses too (its agreement-level 0)."""
    wgg = {"code": "WggPar", "name": "Participation", "group": "PA-X Gender: Participation", "parent": "GeWom", "graded": False}
    store = Store(tmp_path / "r", catalogue(Model.load(tiny_model, encoder=FakeEncoder())) + [wgg])
    store.attach("accord", "accord.txt", CLAUSES, suggested=["TjPrire", "Ce"])
    store.start()
    store.decide("accord", 0, "Ce", 0, [1], "ann")
    store.close()
    data, _ = load_pax(wgg_under_gewom(pax_dir), reviewed=tmp_path / "r")
    ts = build_training_set(data, ["Ce", "TjPrire", "GeWom", "HrDet"])
    others = {ts.texts[i]: ts.Y[i].tolist() for i in np.flatnonzero(ts.kinds == REVIEWED_TEXT_KIND)}
    assert others == {CLAUSES[0]: [0, -1, -1, -1], CLAUSES[2]: [0, -1, -1, -1], CLAUSES[3]: [0, -1, -1, -1]}


def test_extra_codings_imply_parents_and_read_wgg_columns(tmp_path, pax_dir, recwarn):
    (tmp_path / "extra.csv").write_text("AgtId,WggPar,Ce\n1000,1,\n")
    data, [change] = load_pax(wgg_under_gewom(pax_dir), extra_codings=[tmp_path / "extra.csv"])
    assert not [w for w in recwarn if "not PA-X category codes" in str(w.message)]
    assert (data.labels.loc[1000, "WggPar"], data.labels.loc[1000, "GeWom"]) == (1, 1)
    assert "WggPar" in change["changed_categories"]


def readme_train_commands() -> list[str]:
    """The `classify train` lines of the README's section on reviewing."""
    text = (REPO / "README.md").read_text()
    section = text.split("### Reviewing in the browser", 1)[1].split("\n### ", 1)[0]
    lines = [ln.split("  #")[0].strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S) for ln in block.splitlines()]
    return [ln for ln in lines if ln.startswith("classify train")]


def test_the_readmes_retrain_commands_run_as_written(tmp_path, monkeypatch, fake_encoder):
    """In a clone beside ../shared/pax, after a review saved in the default folder."""
    commands = readme_train_commands()
    assert len(commands) >= 2 and any("--base" in c for c in commands)
    clone = tmp_path / "clone"
    wgg_under_gewom(write_pax_fixture(tmp_path / "shared" / "pax"))
    base = train(tmp_path / "shared" / "pax", clone / "models" / "pax-default", settings=SETTINGS, cache_dir=tmp_path / "cache", encoder=FakeEncoder()).path
    review_folder(clone / "data" / "labelled" / "reviewed", base)
    monkeypatch.chdir(clone)
    monkeypatch.setenv("PAXCLASSIFY_CACHE", str(tmp_path / "cache"))
    for command in commands:
        args = shlex.split(command)
        r = CliRunner().invoke(cli, args[1:])
        assert r.exit_code == 0, (command, r.output)
        assert "Review data/labelled/reviewed: 1 document(s), clause labels accept 1, add 1, reject 1" in r.output
        out = Path(args[args.index("--out") + 1])
        manifest = Model.load(out, encoder=FakeEncoder()).manifest
        assert manifest.info["training_data"]["rows_by_source"][REVIEWED_KIND] == 3
    assert Model.load(base, encoder=FakeEncoder())  # the base is untouched


def test_a_retrain_refits_only_what_the_review_touched(tmp_path, tiny_model, pax_dir):
    from training.errors import DataWarning

    reviewed = review_folder(tmp_path / "reviewed", tiny_model, done=False)  # done would touch every category the document lacks

    with pytest.warns(DataWarning, match=re.escape(f"{pax_dir}: not the PA-X files {tiny_model} was trained on")):  # categories.csv changed
        result = retrain(wgg_under_gewom(pax_dir), tmp_path / "new", tiny_model, reviewed=reviewed, cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    # GeWom through WggPar's parent; HrDet is untouched (not decided, and the document is not done)
    assert result.refitted == ["Ce", "TjPrire", "GeWom"]
    old, new = Model.load(tiny_model, encoder=FakeEncoder()), Model.load(result.path, encoder=FakeEncoder())
    assert [c.threshold for c in old.categories] == [c.threshold for c in new.categories]
    hr = [c.code for c in old.categories].index("HrDet")
    assert np.array_equal(old.scorer.coef[hr], new.scorer.coef[hr])
    p_old, p_new = (m.predict_proba([CLAUSES[1]])[0] for m in (old, new))
    assert p_new[[c.code for c in old.categories].index("Ce")] < p_old[[c.code for c in old.categories].index("Ce")] - 0.05


def test_a_retrain_never_overwrites_its_base(tmp_path, tiny_model, pax_dir, fake_encoder):
    r = CliRunner().invoke(cli, ["train", "--data", str(pax_dir), "--base", str(tiny_model), "--out", str(tiny_model) + "/"])
    assert r.exit_code == 2 and f"--out {tiny_model} is the model --base reads from" in r.output
    Model.load(tiny_model, encoder=FakeEncoder())


def test_a_broken_review_folder_stops_train_with_one_line_naming_the_file(tmp_path, pax_dir, reviewed, fake_encoder):
    [path] = (reviewed / "state").glob("[!.]*.json")
    path.write_text(path.read_text().replace('"decision": "reject"', '"decision": "maybe"'))
    r = CliRunner().invoke(cli, ["train", "--data", str(pax_dir), "--reviewed", str(reviewed), "--out", str(tmp_path / "m")])
    assert r.exit_code == 1
    assert re.fullmatch(rf"Error: {re.escape(str(path))}: line \d+: Ce: \"decision\" must be accept, add or reject; got 'maybe'\n", r.output)
    r = CliRunner().invoke(cli, ["train", "--data", str(pax_dir), "--reviewed", str(tmp_path), "--out", str(tmp_path / "m")])
    assert r.output == f"Error: {tmp_path}: expected a review folder holding state/ (written by classify review --out); found no state/ folder\n"


def test_refit_on_the_same_rows_gives_the_fit_it_starts_from():
    """What the incremental retraining rests on: refitting a label on unchanged rows reproduces it,
    so a retrain differs from its base only by the new labels."""
    import scipy.sparse as sp

    from training.estimator import HybridClassifier

    rng = np.random.default_rng(0)
    dense = rng.normal(size=(200, 8)).astype(np.float32)
    counts = sp.random(200, 64, density=0.1, random_state=0, format="csr") * 3
    X = sp.hstack([sp.csr_matrix(dense), counts.ceil()], format="csr")
    Y = (dense[:, :3] + rng.normal(scale=0.5, size=(200, 3)) > 0).astype(np.int8)
    Y[:20, 1] = -1
    est = HybridClassifier(n_dense=8).fit(X, Y)
    again = HybridClassifier(n_dense=8).refit(X, Y, [0, 2], start=est.to_scorer())
    np.testing.assert_allclose(again.predict_proba(X), est.predict_proba(X), atol=1e-5)
    changed = Y.copy()
    changed[:50, 2] = 1 - changed[:50, 2]
    moved = HybridClassifier(n_dense=8).refit(X, changed, [2], start=est.to_scorer())
    p, q = est.predict_proba(X), moved.predict_proba(X)
    np.testing.assert_array_equal(p[:, :2], q[:, :2])  # the labels not refitted keep their weights
    assert np.abs(p[:, 2] - q[:, 2]).max() > 0.05


def test_a_reviewed_pax_agreement_is_learned_once_and_a_placed_code_leaves_its_bag(tmp_path, tiny_model, pax_dir):
    """A document reviewed under its PA-X AgtId whose clauses PA-X's files hold: those rows carry
    the (reviewed) codings, not a second copy from the review's own clauses; a category the coder
    placed on a clause is no longer a bag for multiple-instance learning to search."""
    data, _ = load_pax(pax_dir)
    agt = next(int(a) for a in data.quotes.AgtId if data.labels.loc[a, "TjPrire"] == 1 and data.labels.loc[a, "GeWom"] == 1)
    clauses = [data.quotes[data.quotes.AgtId == agt].text.iloc[0], CLAUSES[0]]
    store = Store(tmp_path / "r", catalogue(Model.load(tiny_model, encoder=FakeEncoder())))
    store.attach(str(agt), f"{agt}.txt", clauses, suggested=["TjPrire"])
    store.start()
    store.decide(str(agt), 0, "TjPrire", 1, [1], "ann")
    store.close()
    data, _ = load_pax(pax_dir, reviewed=tmp_path / "r")
    codes = ["Ce", "TjPrire", "GeWom", "HrDet"]
    ts = build_training_set(data, codes)
    own = ts.agt == agt
    assert not (own & (ts.kinds == REVIEWED_TEXT_KIND)).any()
    assert ((ts.kinds == REVIEWED_KIND) & own).sum() == 1
    quotes = own & (ts.kinds == "quote")
    assert quotes.any() and not ts.bags[quotes, codes.index("TjPrire")].any()
    assert ts.bags[quotes, codes.index("GeWom")].all()  # not placed: still searched
