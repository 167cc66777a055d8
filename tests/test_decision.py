"""Document decisions: thresholds, the count prior, the hierarchy; and the real-document figures."""

import numpy as np
import pytest

from classify.decision import CountPrior, ancestor_lists, decide
from training.metrics import document_figures


def test_count_prior_recovers_a_power_law_and_caps_at_its_upper_quartile():
    chars = np.array([500, 1000, 2000, 4000, 8000, 16000, 32000, 64000] * 2)
    noise = np.array([0.2] * 8 + [-0.2] * 8)
    counts = np.expm1(0.5 + 0.3 * np.log(chars) + noise)
    prior = CountPrior.fit(chars, counts)
    assert prior.slope == pytest.approx(0.3) and prior.intercept == pytest.approx(0.5)
    assert prior.residual_std == pytest.approx(0.2 * np.sqrt(16 / 14))
    assert np.allclose(prior.expected(chars[:8]), np.expm1(0.5 + 0.3 * np.log(chars[:8])))
    # the cap: the count at the 75th percentile of the residual, rounded up
    z = 0.6744897501960817 * prior.residual_std
    assert prior.cap([4000])[0] == int(np.ceil(np.expm1(0.5 + 0.3 * np.log(4000) + z)))
    assert (np.diff(prior.cap(chars[:8])) >= 0).all() and prior.cap([10])[0] >= 1
    assert CountPrior.from_dict(prior.to_dict()) == prior


def test_count_prior_needs_two_lengths():
    with pytest.raises(ValueError, match="at least two lengths"):
        CountPrior.fit([1000, 1000, 1000], [3, 5, 4])


def test_the_cap_keeps_the_highest_scoring_categories_that_pass_their_thresholds():
    thresholds = np.array([0.5, 0.2, 0.9, 0.5])
    scores = np.array([[0.6, 0.8, 0.95, 0.45]])  # the last is below its threshold
    prior = CountPrior(intercept=np.log1p(2), slope=0.0)  # 2 categories whatever the length
    assert decide(scores, thresholds).tolist() == [[True, True, True, False]]
    assert decide(scores, thresholds, chars=[5000], prior=prior).tolist() == [[False, True, True, False]]


def test_a_present_sub_code_makes_its_parents_present():
    codes = ["Tj", "TjAm", "TjAmPro", "Ce"]
    anc = ancestor_lists({"TjAm": "Tj", "TjAmPro": "TjAm", "Ce": "Ssr"}, codes)
    assert anc == [[], [0], [1, 0], []]
    # an ancestor that is not modelled is passed through to its own parent
    assert ancestor_lists({"TjAmPro": "TjAm", "TjAm": "Tj"}, ["Tj", "TjAmPro"]) == [[], [0]]
    scores = np.array([[0.1, 0.1, 0.9, 0.1], [0.1, 0.1, 0.1, 0.9]])
    present = decide(scores, np.full(4, 0.5), ancestors=anc)
    assert present.tolist() == [[True, True, True, False], [False, False, False, True]]


def test_document_figures():
    labels = np.array([[1, 1, 0, 0], [1, 0, 0, -1]])
    scores = np.array([[0.9, 0.2, 0.8, 0.1], [0.7, 0.6, 0.1, 0.9]])
    pred = np.array([[True, False, True, False], [True, True, False, True]])
    f = document_figures(labels, scores, pred)
    # doc 1: tp 1, fp 1, fn 1 -> F1 0.5; doc 2: tp 1, fp 1 (the unknown label does not count) -> 2/3
    assert f["samples_f1"] == pytest.approx((0.5 + 2 / 3) / 2, abs=1e-4)
    assert f["document_micro_f1"] == pytest.approx(2 * 2 / (2 * 2 + 2 + 1), abs=1e-4)
    # top 2 of doc 1: codes 0 and 2 -> 1/2; top 1 of doc 2 (unknown skipped): code 0 -> 1
    assert f["r_precision"] == pytest.approx(0.75)
    assert f["count_ratio"] == pytest.approx(4 / 3, abs=1e-4) and f["fp_per_document"] == 1.0


def test_no_threshold_above_max_threshold():
    scores = np.array([[0.6, 0.45]])
    thresholds = np.array([0.7, 0.4])
    assert decide(scores, thresholds).tolist() == [[False, True]]
    assert decide(scores, thresholds, max_threshold=0.5).tolist() == [[True, True]]


def test_grade_tables_give_the_grade_pax_records_for_each_pattern_of_sub_codes():
    from classify.decision import GradeTable, fit_grade_tables

    codes = ["GCh", "GChRhet", "GChSubs", "StDef"]
    parents = {"GChRhet": "GCh", "GChSubs": "GCh"}
    grades = np.array([
        [1, 1, 0, 1], [1, 1, 0, 0], [2, 0, 1, 1], [2, 0, 1, 0], [3, 0, 1, 0], [3, 1, 1, 1], [0, 0, 0, 1], [-1, 0, 0, 1],
    ])
    [table] = fit_grade_tables(grades, codes, parents)  # StDef is never above 1: not graded
    assert table.children == ("GChRhet", "GChSubs")
    assert table.table == {"10": 1, "01": 2, "11": 3}
    assert table.grade({"GChRhet": True, "GChSubs": False}) == 1 and table.grade({"GChSubs": True}) == 2
    assert table.default == 1  # the most common grade (ties to the lowest); used for a pattern never seen
    assert table.grade({}) == 1
    assert GradeTable.from_dict(table.to_dict()) == table
