"""The default classifier: embedding and hashed n-gram TF-IDF regressions averaged, and the whole-document unit."""

import json

import numpy as np
import scipy.sparse as sp

from training.estimator import HybridClassifier
from classify.features import LexicalSpec, combine, featurize, hashed_counts
from classify.scoring import LinearScorer
from classify import Document, Model
from classify.coding import document_units, is_one_paragraph
from fixtures import TOPICS, FakeEncoder
from training.train import TrainSettings, train


def _features(texts, spec=LexicalSpec(n_buckets=2**12)):
    return combine(FakeEncoder().encode(texts), hashed_counts(texts, spec))


def test_features_are_embedding_then_hashed_counts():
    F = _features(["Prisoners shall be released.", "A ceasefire."])
    assert sp.issparse(F) and F.shape == (2, 64 + 2**12)
    assert np.allclose(F[:, :64].toarray(), FakeEncoder().encode(["Prisoners shall be released.", "A ceasefire."]))
    assert F[0, 64:].sum() == 4 + 3  # four words, three bigrams
    # older models: embeddings alone
    assert featurize(["x y"], FakeEncoder(), None).shape == (1, 64)


def test_hybrid_classifier_learns_partial_labels_and_stays_small():
    texts = [s for c in TOPICS for s in TOPICS[c]] * 3
    Y = np.array([[int(c == k) for k in TOPICS] for c in TOPICS for _ in TOPICS[c]] * 3)
    Y[:2, 3] = -1  # unknown
    est = HybridClassifier(n_dense=64, max_lexical_weights=10).fit(_features(texts), Y)
    assert est.coef_dense_.shape == (4, 64) and est.coef_lexical_.shape == (4, 2**12)
    assert (np.diff(est.coef_lexical_.indptr) <= 10).all()
    X = _features(["All prisoners held shall be released at once."])
    P = est.predict_proba(X)
    assert P.shape == (1, 4) and int(np.argmax(P)) == list(TOPICS).index("TjPrire")
    # the averaged probability: half embedding regression, half n-gram regression
    lexical_only = HybridClassifier(n_dense=64, max_lexical_weights=10, dense_weight=0.0).fit(_features(texts), Y)
    dense_only = HybridClassifier(n_dense=64, dense_weight=1.0).fit(_features(texts)[:, :64].toarray(), Y)  # embeddings alone
    assert np.allclose(P, 0.5 * dense_only.predict_proba(X) + 0.5 * lexical_only.predict_proba(X), atol=1e-5)


def test_hashed_counts_equal_scikit_learns_hashing_vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer

    texts = ["The CEASE-fire of 1999, agreed!", "", "a", "Naïve café — élan, 42 x2 ÜBER", "one two three two one", "Ceasefire ceasefire"]
    for spec in (LexicalSpec(n_buckets=2**18), LexicalSpec(n_buckets=1000, ngram_min=1, ngram_max=3)):
        ours = hashed_counts(texts, spec)
        theirs = HashingVectorizer(ngram_range=(spec.ngram_min, spec.ngram_max), n_features=spec.n_buckets,
                                   alternate_sign=False, norm=None, dtype=np.float32).transform(texts)
        assert ours.shape == theirs.shape and abs(ours - theirs).sum() == 0


def test_saved_weights_score_exactly_as_the_fitted_estimator(tmp_path):
    texts = [s for c in TOPICS for s in TOPICS[c]] * 2
    Y = np.array([[int(c == k) for k in TOPICS] for c in TOPICS for _ in TOPICS[c]] * 2)
    est = HybridClassifier(n_dense=64).fit(_features(texts), Y)
    est.to_scorer().save(tmp_path / "w.npz")
    loaded = LinearScorer.load(tmp_path / "w.npz")
    X = _features(["Prisoners released.", "A ceasefire shall hold.", ""])
    assert np.allclose(loaded.predict_proba(X), est.predict_proba(X))


def test_whole_document_is_scored_only_for_one_paragraph():
    summary = "The parties agreed to a ceasefire. " * 3 + "They also agreed to release prisoners."
    units = document_units(summary)
    assert is_one_paragraph(summary) and units.texts[0] == summary.strip() and len(units.clauses) == 1
    structured = "Joint statement\n\n1. The parties agree to a ceasefire.\n\n2. Prisoners shall be released."
    units = document_units(structured)
    assert not is_one_paragraph(structured) and units.texts == [c.text for c in units.clauses]


def test_a_clause_of_several_sentences_is_also_scored_by_sentence():
    text = ("1. The parties shall release all prisoners held in connection with the conflict within thirty days. "
            "They shall also exchange lists of missing persons and trace them together.\n\n2. A commission shall oversee this.")
    units = document_units(text)
    assert [c.text[:2] for c in units.clauses] == ["1.", "2."]
    # the first clause whole, then each of its sentences, quoted from the clause by span
    assert units.texts[0] == units.clauses[0].text and list(units.clause[:3]) == [0, 0, 0]
    assert [units.clauses[0].text[s:e] for s, e in units.span[1:3]] == [
        "The parties shall release all prisoners held in connection with the conflict within thirty days.",
        "They shall also exchange lists of missing persons and trace them together."]
    # only a clause's own unit counts towards the document's length
    assert units.chars.tolist() == [len(units.clauses[0].text), 0, 0, len(units.clauses[1].text)]


def test_default_training_writes_a_hybrid_model_without_vocabulary(tmp_path, pax_dir):
    # roles apart: FakeEncoder's bag of words cannot tell a provision from a news report
    result = train(pax_dir, tmp_path / "model", settings=TrainSettings(min_positive=5, n_folds=3, roles=False), cache_dir=tmp_path / "c", encoder=FakeEncoder())
    manifest = json.loads((result.path / "manifest.json").read_text())
    assert manifest["lexical"]["n_buckets"] == 2**18 and manifest["embedding"]["dimension"] == 64
    model = Model.load(result.path, encoder=FakeEncoder())
    assert isinstance(model.scorer, LinearScorer) and model.scorer.n_buckets == 2**18
    assert all(np.asarray(v).dtype.kind in "fiu" for v in model.scorer.arrays.values())  # numbers only: no vocabulary
    doc = Document("d", "1. The parties agree to an immediate ceasefire and the cessation of all hostilities.\n\n"
                        "2. All prisoners and detainees held in connection with the conflict shall be released.")
    [coding] = model.code([doc])
    by = {c.code: c for c in coding.categories}
    assert by["Ce"].present and "ceasefire" in by["Ce"].evidence[0].text
    assert by["TjPrire"].present and "prisoners" in by["TjPrire"].evidence[0].text


def test_evaluation_refits_a_model_with_the_settings_and_estimator_its_manifest_records():
    from classify.features import LexicalSpec
    from classify.model import Category, Embedding, Manifest
    from training.estimator import HybridClassifier

    def manifest(info, lexical=None):
        return Manifest([Category("Ce", "Ceasefire", "g", threshold=0.5)], Embedding("e", 64), lexical=lexical, info=info)

    hybrid = TrainSettings(estimator=HybridClassifier(C_lexical=3.0, dense_weight=0.7))
    info = {"settings": {**hybrid.to_dict(), "added_by_a_later_version": True}, "estimator": hybrid.estimator_record()}
    s = TrainSettings.from_manifest(manifest(info, LexicalSpec()))
    assert isinstance(s.estimator, HybridClassifier) and (s.estimator.C_lexical, s.estimator.dense_weight) == (3.0, 0.7)
    assert s.to_dict() == hybrid.to_dict()
    made = s.make_estimator(64, n_jobs=2, dense_weight=1.0)  # as an ablation makes one
    assert (made.n_dense, made.n_jobs, made.dense_weight, made.C_lexical) == (64, 2, 1.0, 3.0) and s.estimator.dense_weight == 0.7
    # a model of embeddings alone is refitted as one
    plain = TrainSettings.from_manifest(manifest({"settings": {"n_folds": 4}}))
    assert plain.lexical_buckets == 0 and plain.n_folds == 4 and plain.base_estimator().dense_weight == 1.0


def test_memory_refits_only_the_labels_that_changed(tmp_path):
    texts = [s for c in TOPICS for s in TOPICS[c]] * 3
    Y = np.array([[int(c == k) for k in TOPICS] for c in TOPICS for _ in TOPICS[c]] * 3)
    X = _features(texts)
    files = lambda: set(tmp_path.rglob("*.npz"))  # noqa: E731
    first = HybridClassifier(n_dense=64, memory=tmp_path).fit(X, Y)
    assert len(files()) == 2 * Y.shape[1]  # one per label and half
    plain = HybridClassifier(n_dense=64).fit(X, Y)
    assert np.allclose(first.predict_proba(X), plain.predict_proba(X))
    before = files()
    Y2 = Y.copy()
    Y2[0, 1] = 1 - Y2[0, 1]  # one correction, in one category
    again = HybridClassifier(n_dense=64, memory=tmp_path).fit(X, Y2)
    assert len(files() - before) == 2  # that category's two regressions, nothing else
    assert np.allclose(again.predict_proba(X), HybridClassifier(n_dense=64).fit(X, Y2).predict_proba(X))
