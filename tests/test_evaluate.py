import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from classify.cli import cli
from fixtures import FakeEncoder, TOPICS, write_partial_corpus
from training.baselines import KeywordScorer
from training.evaluate import check_floors, evaluate, opening_suite
from training.sources import load_pax

REPO = Path(__file__).resolve().parent.parent
FIGURES = {"micro_f1", "macro_f1", "macro_ap", "per_category"}
PER_CATEGORY = {"name", "precision", "recall", "f1", "ap", "support", "n"}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def evaluate_cli(pax_dir, model, tmp_path, *extra):
    out = tmp_path / "report"
    r = run("evaluate", "--data", pax_dir, "--out", out, "--model", model, "--folds", 4, "--min-positive", 5, "--cache-dir", tmp_path / "cache", *extra)
    return r, out


def test_evaluate_writes_metrics_report_and_plots(tiny_model, pax_dir, tmp_path):
    r, out = evaluate_cli(pax_dir, tiny_model, tmp_path)
    assert r.exit_code == 0, r.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) >= {"suites", "data", "model"}
    # no full-text corpus here; the gender quotes and API details make clause bags
    assert set(metrics["suites"]) == {"descriptions", "gender_clauses", "api_clauses", "clause_bags"}
    for name, suite in metrics["suites"].items():
        assert set(suite["baselines"]) == {"tfidf_logreg", "keyword"}, name
        for figures in [suite["model"], *suite["baselines"].values()]:
            assert FIGURES <= set(figures), name
            assert figures["per_category"], name
            for per in figures["per_category"].values():
                assert PER_CATEGORY <= set(per)
    assert set(metrics["suites"]["descriptions"]["model"]["per_category"]) == {"Ce", "TjPrire", "GeWom", "HrDet"}
    assert set(metrics["suites"]["gender_clauses"]["model"]["per_category"]) == {"GeWom"}
    assert "top5_hit_rate" in metrics["suites"]["api_clauses"]["model"]
    # the fixture codes every ceasefire 2: the grade table learns it inside the folds
    assert metrics["suites"]["descriptions"]["model"]["grade_exact_match"] == 1.0
    assert "graded categories" in (out / "report.md").read_text()
    assert metrics["model"]["settings"]["min_positive"] == 5  # taken from the model's manifest
    assert metrics["data"]["peace_processes"] == 8
    for png in ["f1_descriptions.png", "pr_descriptions.png", "reliability.png"]:
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
    report = (out / "report.md").read_text()
    assert "| descriptions | model |" in report and "baseline `tfidf_logreg`" in report
    assert "What these figures can and cannot show" in report
    # the terminal table holds the same numbers as the JSON
    d = metrics["suites"]["descriptions"]["model"]
    assert re.search(rf"descriptions\s+model\s+{d['micro_f1']:.3f}\s+{d['macro_f1']:.3f}\s+{d['macro_ap']:.3f}", r.stdout)


def test_no_peace_process_is_both_trained_on_and_tested(pax_dir, tmp_path):
    ev = evaluate(pax_dir, n_folds=4, min_positive=5, cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    data, _ = load_pax(pax_dir)
    all_groups = set(data.groups.astype(str))
    tested = []
    for fold in ev.folds:
        assert fold["train_groups"], fold
        assert not set(fold["test_groups"]) & set(fold["train_groups"])
        assert set(fold["test_groups"]) | set(fold["train_groups"]) == all_groups
        tested += fold["test_groups"]
    assert sorted(tested) == sorted(all_groups)  # every process tested exactly once
    for name, result in ev.results.items():
        per_fold = sum(f["test_items"][name] for f in ev.folds)
        assert per_fold == result.suite.n_items, name  # every item scored, by exactly one fold


def test_gate_fails_when_the_model_drops_below_a_floor(tiny_model, pax_dir, tmp_path):
    floors = tmp_path / "floors.json"
    floors.write_text(json.dumps({"tolerance": 0.01, "floors": {"descriptions": {"micro_f1": 1.0}}}))
    r, out = evaluate_cli(pax_dir, tiny_model, tmp_path, "--floors", floors)
    measured = json.loads((out / "metrics.json").read_text())["suites"]["descriptions"]["model"]["micro_f1"]
    assert measured < 0.99
    assert r.exit_code == 1
    assert r.stderr.splitlines()[-2:] == [  # progress bars come first
        f"Error: the model fell below the floors in {floors}:",
        f"  descriptions micro_f1: {measured:.4f} is {1 - measured:.4f} below the floor 1.0000 (tolerance 0.01)",
    ]
    assert (out / "report.md").is_file()  # the report is kept as the build artefact either way

    floors.write_text(json.dumps({"tolerance": 0.01, "floors": {"descriptions": {"micro_f1": measured + 0.01}}}))
    r, _ = evaluate_cli(pax_dir, tiny_model, tmp_path, "--floors", floors)
    assert r.exit_code == 0, r.output
    assert f"All figures within 0.01 of the floors in {floors}." in r.stdout


def test_check_floors():
    metrics = {"suites": {"descriptions": {"model": {"micro_f1": 0.50, "macro_f1": 0.40}}}}
    floors = {"tolerance": 0.01, "floors": {"descriptions": {"micro_f1": 0.51, "macro_f1": 0.42}, "fulltext": {"micro_f1": 0.3}},
              "ceilings": {"descriptions": {"micro_f1": 0.45, "macro_f1": 0.395}}}
    assert check_floors(metrics, floors) == [
        "descriptions macro_f1: 0.4000 is 0.0200 below the floor 0.4200 (tolerance 0.01)",
        "fulltext: expected in the metrics (the floors name it); found no such suite",
        "descriptions micro_f1: 0.5000 is 0.0500 above the ceiling 0.4500 (tolerance 0.01)",
    ]


def test_committed_floors_name_figures_the_evaluation_reports():
    floors = json.loads((REPO / ".ci" / "floors.json").read_text())
    assert floors["tolerance"] == 0.01
    for kind in ("floors", "ceilings"):
        for suite, figures in floors[kind].items():
            assert suite in {"descriptions", "gender_clauses", "api_clauses", "fulltext", "clause_bags", "openings", "pages"}
            assert set(figures) <= {"micro_f1", "macro_f1", "macro_ap", "top5_hit_rate", "samples_f1", "r_precision",
                                    "count_ratio", "fp_per_document", "document_precision"}
            assert all(0 < v < 20 for v in figures.values())


def test_fulltext_suite_appears_when_a_corpus_is_present(pax_dir, tmp_path):
    codings = pd.read_csv(pax_dir / "codings.csv")
    texts = []
    for _, row in codings.iterrows():
        clauses = [s for c, ss in TOPICS.items() if row[c] for s in ss] + ["The parties signed this text in good faith today."]
        texts.append({"AgtId": row.AgtId, "Agreement text": "\n\n".join(f"{i + 1}. {c}" for i, c in enumerate(clauses))})
    pd.DataFrame(texts).to_csv(pax_dir / "corpus.csv", index=False)
    ev = evaluate(pax_dir, n_folds=3, min_positive=5, cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    assert "fulltext" in ev.metrics["suites"]
    assert ev.metrics["data"]["threshold_documents"]["kind"] == "fulltext (48)"
    assert ev.metrics["suites"]["fulltext"]["model"]["macro_ap"] > 0.5
    assert ev.metrics["suites"]["openings"]["items"] == 48


def test_openings_are_the_first_lines_of_each_full_text_against_the_whole_agreements_codes(pax_dir):
    provisions = [f"Article {i}. The parties shall release the detainees of district {i} within {i} days of signature." for i in range(1, 61)]
    text = "\n".join(provisions)
    codings = pd.read_csv(pax_dir / "codings.csv")
    pd.DataFrame({"AgtId": codings.AgtId[:2], "Agreement text": [text, "A short text.\nOf two lines."]}).to_csv(pax_dir / "corpus.csv", index=False)
    data, _ = load_pax(pax_dir)
    codes = list(data.labels.columns)
    suite = opening_suite(data, codes, max_chars=500)
    assert suite.n_items == 2 and suite.decision == "document"
    first = " ".join(t for t, o in zip(suite.texts, suite.owner) if o == 0)
    # cut at the end of a line: whole provisions, the first ones, and under 500 characters
    assert first.startswith("Article 1.") and "Article 5." in first and "Article 7." not in first
    assert suite.chars[0] <= 500
    assert (suite.labels == data.labels.loc[codings.AgtId[:2], codes].to_numpy()).all()
    # on web pages of our own: the page around the opening, the whole no longer than max_chars
    pages = opening_suite(data, codes, max_chars=1000, pages=True)
    from training.evaluate import PAGE_NAMES, PAGE_WRAPPERS

    # each opening in each page, each page's items reported apart
    assert pages.name == "pages" and pages.n_items == 2 * len(PAGE_WRAPPERS) and list(pages.agt[: len(PAGE_WRAPPERS)]) == [codings.AgtId[0]] * len(PAGE_WRAPPERS)
    assert len(PAGE_NAMES) == len(PAGE_WRAPPERS) and [list(v) for v in pages.parts.values()] == [[k, k + len(PAGE_WRAPPERS)] for k in range(len(PAGE_WRAPPERS))]
    page = "\n".join(t for t, o in zip(pages.texts, pages.owner) if o == 0)
    assert "Article 1." in page and "Parties sign agreement after weeks of talks" in page
    assert (pages.chars < 1000).all()
    with pytest.raises(ValueError, match="max_chars=600 leaves"):
        opening_suite(data, codes, max_chars=600, pages=True)


def test_an_opening_is_cut_at_the_last_line_end_within_its_length():
    from training.evaluate import PAGE_WRAPPERS, _opening

    text = "A" * 60 + "\n" + "B" * 39 + "\n" + "C" * 50
    assert _opening(text, 100) == "A" * 60 + "\n" + "B" * 39  # the line ends exactly at 100
    assert _opening(text, 99) == "A" * 60
    assert _opening("short", 100) == "short"
    assert all(len(w.format(text=_opening("x\n" * 2000, 2000 - len(w) + 6))) <= 2000 for w in PAGE_WRAPPERS)


def test_keyword_baseline_scores_by_category_terms(pax_dir):
    data, _ = load_pax(pax_dir)
    codes = ["Ce", "TjPrire", "GeWom", "HrDet"]
    kw = KeywordScorer(codes=codes, categories=data.categories).fit()
    scores = kw.predict_proba(["A ceasefire between the armed forces.", "Prisoners shall be released.", "Nothing relevant."])
    assert scores[0].argmax() == 0 and scores[1].argmax() == 1
    assert scores[2].max() == 0


def test_ablations_score_each_half_of_the_model_on_the_same_folds(pax_dir, tmp_path):
    ev = evaluate(pax_dir, n_folds=3, min_positive=5, cache_dir=tmp_path / "cache", ablations=True, encoder=FakeEncoder())
    d = ev.metrics["suites"]["descriptions"]
    assert {"embedding_half", "ngram_half"} <= set(d["baselines"])
    scores = ev.results["descriptions"].scores
    assert not np.allclose(scores["embedding_half"], scores["ngram_half"])
    assert {"fit_embedding_half", "fit_ngram_half"} <= set(ev.metrics["timings"])


def test_evaluate_survives_a_partial_corpus_whose_processes_miss_some_folds(pax_dir, tmp_path):
    # full text for 2 of 8 processes: with 5 folds, some folds hold no full-text agreement
    write_partial_corpus(pax_dir, processes={0, 1})
    ev = evaluate(pax_dir, n_folds=5, min_positive=5, cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    suites = ev.metrics["suites"]
    assert {"descriptions", "fulltext", "clause_bags"} <= set(suites)
    assert any(f["test_items"]["fulltext"] == 0 for f in ev.folds)
    assert suites["fulltext"]["items"] == 12 and suites["fulltext"]["peace_processes"] == 2
    assert suites["descriptions"]["items"] == 48  # every agreement keeps its description suite
    assert ev.metrics["data"]["threshold_documents"]["kind"] == "description (36), fulltext (12)"
    for system in [suites["fulltext"]["model"], *suites["fulltext"]["baselines"].values()]:
        assert {"samples_f1", "document_micro_f1", "r_precision", "count_ratio", "fp_per_document"} <= set(system)
    # our corpus states each code in words the model learns: the ranking finds them
    assert suites["fulltext"]["model"]["r_precision"] > 0.8
    from training.report import write_report

    written = {p.name for p in write_report(ev, tmp_path / "report")}
    assert {"counts_fulltext.png", "counts_clause_bags.png"} <= written
    report = (tmp_path / "report" / "report.md").read_text()
    assert "| fulltext | model |" in report and "R-precision" in report
    # the pages suite page by page: each opening in each of our pages
    from training.evaluate import PAGE_NAMES

    assert set(suites["pages"]["model"]["by_part"]) == set(PAGE_NAMES) and suites["pages"]["items"] == 12 * len(PAGE_NAMES)
    assert f"| pages | {PAGE_NAMES[-1]} | model |" in report
