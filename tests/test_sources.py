"""Every PA-X source format, each from a small fixture written by the tests."""

import numpy as np
import pandas as pd

from fixtures import write_partial_corpus, TOPICS, write_more_sources
from training.dataset import build_documents, build_training_set, select_categories, weak_negatives
from training.sources import find_sources, load_pax
from training.train import TrainSettings, train


def test_every_format_is_recognised(pax_dir):
    write_more_sources(pax_dir)
    kinds = {k: [p.name for p in v] for k, v in find_sources(pax_dir).items()}
    assert kinds["fulltext"] == ["pax_corpus.csv"]
    assert kinds["segments"] == ["segments.csv"]
    assert kinds["provisions"] == ["provisions.csv"]
    assert kinds["wgg_text"] == ["wgg_text.csv"]
    assert kinds["gender_codings"] == ["gender_codings.csv"]


def test_segment_export_rows_become_clause_gold(pax_dir):
    write_more_sources(pax_dir)
    data, _ = load_pax(pax_dir)
    seg = data.quotes[data.quotes.text == TOPICS["TjPrire"][1]]
    assert set(seg.code) == {"TjPrire"}
    assert len(seg) == (pd.read_csv(pax_dir / "codings.csv").TjPrire > 0).sum()


def test_gender_subcodes_known_only_where_coded_or_no_women(pax_dir):
    write_more_sources(pax_dir)
    data, _ = load_pax(pax_dir)
    women = data.labels["GeWom"] == 1
    assert (data.labels.loc[women, "WggPar"] == 1).all()
    assert (data.labels.loc[~women, "WggPar"] == 0).all()


def test_fulltext_clauses_get_partial_labels_and_become_threshold_documents(pax_dir):
    write_more_sources(pax_dir)
    data, _ = load_pax(pax_dir)
    codes, _ = select_categories(data, 5)
    ts = build_training_set(data, codes)
    kinds = ts.summary()
    assert kinds["fulltext_clause"] > 0 and kinds["provision"] > 0 and kinds["quote"] > 0
    # a clause of an agreement without a code is a negative for it; with the code, unknown
    row = int(np.flatnonzero(ts.kinds == "fulltext_clause")[0])
    agt_labels = data.labels.loc[ts.agt[row], codes].to_numpy()
    assert ((ts.Y[row] == 0) == (agt_labels == 0)).all()
    assert (ts.Y[row][agt_labels == 1] == -1).all()
    docs = build_documents(data, codes)
    assert docs.kind == f"fulltext ({len(data.labels)})" and len(docs.agt) == len(data.labels)


def test_training_on_every_source(tmp_path, pax_dir, fake_encoder):
    write_more_sources(pax_dir)
    result = train(pax_dir, tmp_path / "m", settings=TrainSettings(min_positive=5, n_folds=3), cache_dir=tmp_path / "c")
    m = result.manifest
    assert m["training_data"]["threshold_documents"]["kind"] == "fulltext (48)"
    assert "WggPar" in [c["code"] for c in m["categories"]]
    assert set(m["training_data"]["files"]) >= {"pax_corpus.csv", "segments.csv", "wgg_text.csv"}


def test_clause_negatives_of_codes_no_clause_is_positive_for_are_weak(pax_dir):
    data, _ = load_pax(pax_dir)
    codes, _ = select_categories(data, 5)
    ts = build_training_set(data, codes)
    clause = np.isin(ts.kinds, ["quote", "provision", "fulltext_clause"])
    clause_positive = (ts.Y[clause] == 1).any(axis=0)
    assert clause_positive.any() and not clause_positive.all()
    weak = weak_negatives(ts.Y, ts.kinds)
    # by hand: rows description, quote, provision; codes A (a quote is positive for it) and B (no clause is)
    Y = np.array([[1, 1], [1, 0], [0, 0]], dtype=np.int8)
    assert weak_negatives(Y, np.array(["description", "quote", "provision"])).tolist() == [[False, False], [False, True], [False, True]]
    assert weak[clause][:, ~clause_positive].sum() == (ts.Y[clause][:, ~clause_positive] == 0).sum() > 0
    assert not weak[ts.kinds == "description"].any()
    w = TrainSettings(weak_negative_weight=0.2, clause_weight=0.5).sample_weight(ts)
    assert w.shape == ts.Y.shape
    assert set(np.unique(w[weak])) == {np.float32(0.1)}
    assert (w[ts.kinds == "description"] == 1).all()


def test_a_partial_corpus_gives_full_text_where_it_has_it_and_descriptions_elsewhere(pax_dir):
    write_partial_corpus(pax_dir, processes={0, 1})
    data, _ = load_pax(pax_dir)
    codes, _ = select_categories(data, 5)
    docs = build_documents(data, codes)
    with_text = set(data.fulltexts().AgtId)
    assert len(docs.agt) == len(data.labels) and 0 < len(with_text) < len(data.labels)
    assert [a for a, k in zip(docs.agt, docs.kinds) if k == "fulltext"] == sorted(with_text)
    assert docs.kind == f"description ({len(data.labels) - len(with_text)}), fulltext ({len(with_text)})"
    # the count prior is fitted on the agreements' lengths: the corpus texts' here
    assert np.isfinite(docs.agreement_chars).sum() == len(with_text)
