"""Clause roles, document types and the decision rules around them, on hand-made inputs."""

import numpy as np
import pytest

from classify.decision import CountPrior, decide, evidence_rules
from classify.roles import (AGREEMENT, NEWS, NEWS_WITH_TEXT, OTHER, QUOTED, ROLES, carry, document_carry,
                            document_type, form_text, reports_speech, whole_texts)
from classify.segment import segment_text


def roles_of(*names, confidence=0.8):
    """Role probabilities with ``confidence`` on each named role, the rest spread evenly."""
    out = np.full((len(names), len(ROLES)), (1 - confidence) / (len(ROLES) - 1), dtype=np.float32)
    for i, name in enumerate(names):
        out[i, ROLES.index(name)] = confidence
    return out


def test_an_agreement_with_a_few_doubtful_clauses_stays_an_agreement():
    roles = roles_of("furniture", "recital", "operative", "operative", "report", "operative")
    kind, share, block = document_type(roles, np.full(6, 200))
    assert kind == AGREEMENT and block.all() and share == pytest.approx(0.8)


def test_news_about_talks_carries_only_clearly_operative_quotes():
    roles = roles_of("report", "quoted", "report", "quoted", "operative", "report")
    roles[4] = roles_of("operative", confidence=0.45)[0]  # a remark the role model is unsure of
    kind, _, block = document_type(roles, np.full(6, 300))
    assert kind == NEWS and not block.any()
    roles[4] = roles_of("operative", confidence=0.7)[0]
    assert document_type(roles, np.full(6, 300))[2].tolist() == [False] * 4 + [True, False]


def test_a_news_page_carrying_an_agreement_is_coded_from_the_agreement_block():
    roles = roles_of("report", "quoted", "furniture", "operative", "operative", "recital", "operative", "report")
    kind, _, block = document_type(roles, np.array([300, 200, 50, 250, 250, 200, 250, 200]))
    assert kind == NEWS_WITH_TEXT and block.tolist() == [False, False, False, True, True, True, True, False]


def test_a_numbered_list_that_commits_is_an_agreements_text_though_its_items_read_plainly():
    # "1. Immediate cessation of hostilities ...", "2. Withdrawal of artillery ...": measures without
    # a verb, which the role model gives hardly better odds of deciding than of reporting
    roles = roles_of("report", "report", "quoted", "report", "operative", "operative", "operative", "operative", confidence=0.4)
    chars = np.array([300, 200, 150, 80, 250, 250, 250, 250])
    assert document_type(roles, chars)[0] == NEWS
    lists = np.array([-1, -1, -1, -1, 0, 0, 0, 0])
    kind, _, block = document_type(roles, chars, lists=lists)
    assert kind == NEWS_WITH_TEXT and block.tolist() == [False] * 4 + [True] * 4
    # a numbered list whose points read likeliest as reports or quotes (a news explainer's "five
    # key points", a page's "most read" links) is no agreement, though it hesitates as much
    points = roles.copy()
    points[[5, 7], :] = roles_of("report", "quoted", confidence=0.4)
    assert document_type(points, chars, lists=lists)[0] == NEWS


def test_the_text_a_news_page_announces_is_its_agreement_however_plainly_put():
    # "The full text of the statement reads:", then provisions the role model reads as barely more
    # operative than reports ("- Re-affirm their commitment ...", "no firing;"), then a reaction
    roles = roles_of("report", "quoted", "report", "operative", "operative", "operative", "quoted", confidence=0.35)
    roles[[1, 6]] = roles_of("quoted", "quoted", confidence=0.7)
    chars = np.array([300, 150, 200, 200, 60, 60, 150])
    assert document_type(roles, chars)[0] == NEWS
    announced = np.array([False, False, False, True, True, True, True])
    kind, _, block = document_type(roles, chars, announced=announced)
    assert kind == NEWS_WITH_TEXT and block.tolist() == [False] * 3 + [True] * 3 + [False]
    # a provision that says "as said in ..." is no reporter's: only a clause that is not likeliest
    # operative ends the text when it reports speech
    attributed = np.array([True, True, False, False, True, False, True])
    assert document_type(roles, chars, announced=announced, attributed=attributed)[2].tolist() == [False] * 3 + [True] * 3 + [False]
    # fewer than three clauses after the announcement commit: nothing to take for an agreement
    announced[3] = False
    assert document_type(roles, chars, announced=announced)[0] == NEWS
    # the text the line announces ends at once at a reporter's sentence: the runs decide, as without it
    roles = roles_of("report", "quoted", "report", "operative", "report", "operative", "operative", "operative", "operative", confidence=0.6)
    chars = np.full(9, 200)
    announced, attributed = np.array([False] * 3 + [True] * 6), np.array([False] * 4 + [True] + [False] * 4)
    kind, _, block = document_type(roles, chars, announced=announced, attributed=attributed)
    assert kind == NEWS_WITH_TEXT and block.tolist() == [False] * 5 + [True] * 4


def test_an_announced_communique_in_the_third_person_commits_though_it_reads_half_as_a_report():
    # under its title, a summit's conclusions: "They underline ...", "The sides commit to ...",
    # "They will support ...": each likeliest a report, yet nearly as likely operative or a recital
    roles = roles_of("report", "quoted", "report", "report", "report", "report")
    roles[[0, 1]] = roles_of("report", "quoted", confidence=0.8)
    roles[2:, :] = [0.30, 0.12, 0.50, 0.02, 0.06]  # operative + recital = 0.84 of the report's 0.50
    chars = np.full(6, 200)
    announced = np.array([False, False, True, True, True, True])
    assert document_type(roles, chars)[0] == NEWS
    kind, _, block = document_type(roles, chars, announced=announced)
    assert kind == NEWS_WITH_TEXT and block.tolist() == [False, False, True, True, True, True]
    # a reporter's sentences after the title read far less committing: the page stays news
    roles[2:, :] = [0.10, 0.05, 0.75, 0.05, 0.05]
    assert document_type(roles, chars, announced=announced)[0] == NEWS


def test_a_wire_report_that_quotes_no_one_is_news_not_an_account():
    # the deal's terms as a reporter tells them, no one quoted: an account, unless a wire's dateline opens it
    roles = roles_of("report", "report", "report", "report")
    roles[:, QUOTED] = 0.01
    chars = np.full(4, 200)
    assert document_type(roles, chars)[0] == OTHER
    kind, _, block = document_type(roles, chars, wire=True)
    assert kind == NEWS and not block.any()
    # a wire that carries the text it announces, in the third person (each clause likeliest a report,
    # nearly as likely operative): that text alone; without the dateline, an account coded as it stands
    roles = roles_of("report", "report", "report", "report", "report")
    roles[:, QUOTED] = 0.01
    roles[2:, :] = [0.30, 0.12, 0.50, 0.02, 0.06]
    announced = np.array([False, False, True, True, True])
    assert document_type(roles, np.full(5, 200), announced=announced)[0] == OTHER
    kind, _, block = document_type(roles, np.full(5, 200), wire=True, announced=announced)
    assert kind == NEWS_WITH_TEXT and block.tolist() == [False, False, True, True, True]


def test_an_announcement_with_nothing_committing_after_it_leaves_the_runs_as_they_were():
    # clauses nearly as likely operative as reports (0.7 of their likeliest role) make no run of
    # agreement text; a line near the end that names a document, with only a report under it, changes nothing
    roles = roles_of("quoted", "operative", "report", "operative", "report", "operative", "report")
    roles[[2, 4], :] = [0.33, 0.02, 0.50, 0.10, 0.05]
    chars = np.full(7, 200)
    assert document_type(roles, chars)[0] == NEWS
    assert document_type(roles, chars, announced=np.array([False] * 6 + [True]))[0] == NEWS


def test_what_reports_speech():
    assert reports_speech("Diplomats said the commission would meet in June.") and reports_speech('"We hope," said Ahmed Khan.')
    assert not reports_speech("The said Committee shall convene, as said in Article 3, within members of the\nsaid Committee.")


def test_third_person_conclusions_without_quotes_are_no_news():
    # a communiqué reads like a report ("The sides commit to ..."), but quotes nobody
    roles = roles_of("report", "operative", "report", "report", "report")
    roles[:, QUOTED] = 0.01
    assert document_type(roles, np.full(5, 300))[0] == AGREEMENT


def test_an_account_where_nothing_commits_and_no_one_is_quoted_is_other_and_coded_as_it_stands():
    # an encyclopedia's entry on an agreement, a third party's statement welcoming it, a wire report
    roles = roles_of("report", "report", "report", "report", "report")
    roles[:, QUOTED] = 0.01
    kind, share, block = document_type(roles, np.full(5, 300))
    assert kind == OTHER and share == 0 and block.all()


def test_carry_keeps_operative_clauses_whole_and_recitals_for_rhetorical_codes():
    roles = roles_of("operative", "recital", "report")
    rhetorical = np.array([True, False])
    c = carry(roles, rhetorical, 0.5)
    assert c[0].tolist() == [1.0, 1.0]
    assert c[1, 0] == 1.0 and c[1, 1] == pytest.approx(0.5 + 0.05 / 0.8 * 1, abs=0.01)
    assert c[2].max() < 0.2


def test_document_carry_zeroes_a_news_report_outside_its_agreement_block_and_caps_on_the_block():
    roles = np.vstack([roles_of("report", "quoted", "report", "quoted"), roles_of("operative", "operative", "operative", "operative")])
    owner = np.array([0] * 4 + [1] * 4)
    unit_clause = np.array([0, 1, 2, 3, 0, 1, 2, 3])
    chars = np.full(8, 250)
    weight, kinds, _, committed, keep = document_carry(roles, unit_clause, chars, owner, 2, np.zeros(3, dtype=bool), 0.5)
    assert kinds == [NEWS, AGREEMENT]
    assert (weight[:4] == 0).all() and (weight[4:] == 1).all()
    assert committed[0] == 0 and committed[1] == 1000
    assert whole_texts(list('abcdefgh'), chars, owner, 2, keep) == ['', 'e\n\nf\n\ng\n\nh']


def test_an_account_typed_other_keeps_every_unit_it_would_keep_as_an_agreement():
    # two report clauses and the one-paragraph text read whole (clause -1), nobody quoted
    roles = roles_of("report", "report", "report")
    roles[:, QUOTED] = 0.01
    owner, unit_clause, chars = np.zeros(3, dtype=np.int64), np.array([0, 1, -1]), np.array([300, 300, 0])
    weight, kinds, *_ = document_carry(roles, unit_clause, chars, owner, 1, np.zeros(2, dtype=bool), 0.5)
    assert kinds == [OTHER]
    assert (weight > 0).all() and np.allclose(weight[2], weight[0])


def test_form_keeps_the_words_that_tell_a_role_and_not_the_topic():
    assert form_text("1. The Parties shall release all prisoners.") == form_text("4. The Parties shall protect all forests.")
    assert "told" in form_text("“We are ready,” the minister told reporters.") and "qopen" in form_text("“We are ready,” he said.")
    assert form_text("Recalling the Charter,").startswith("recalling")


def test_the_cap_never_cuts_a_parent_in_favour_of_its_sub_codes():
    # parent P (0), its sub-codes A (1) and B (2), and an unrelated category C (3); the cap keeps 2
    prior = CountPrior(intercept=float(np.log(3)), slope=0.0)
    scores = np.array([[0.55, 0.9, 0.8, 0.6]])
    present = decide(scores, np.full(4, 0.5), chars=[1000], prior=prior, ancestors=[[], [0], [0], []])
    # A comes with its parent P; B would make three, and C too: the parent is never dropped for B
    assert present.tolist() == [[True, True, False, False]]


def test_a_sub_code_needs_its_parent_on_the_same_clause_and_gender_codes_a_clause_about_women():
    scores = np.array([[0.9, 0.9, 0.9], [0.2, 0.9, 0.9]], dtype=np.float32)  # two clauses; columns: parent, child, Wgg code
    out = evidence_rules(scores, np.full(3, 0.5, dtype=np.float32), np.array([-1, 0, -1]), np.array([False, False, True]),
                         about_women=np.array([True, False]))
    assert out[0].tolist() == pytest.approx([0.9, 0.9, 0.9])
    assert out[1, 1] == pytest.approx(0.9 * 0.2 / 0.5) and out[1, 2] == 0  # the parent scores 0.2 there; no woman is named


def test_signature_blocks_comment_sections_and_lead_ins_are_furniture():
    text = ("The Parties, meeting in Doha, have agreed as follows:\n\n"
            "Article 1. Ceasefire\n\n1.1 The Parties shall cease all hostilities.\n\n1.2 Violations shall be reported to the commission.\n\n"
            "Article 2. Prisoners\nAll prisoners shall be released within thirty days.\n\n"
            "For the Government of Eastland\nAmara Velen, Minister of Defence\n\n"
            "Witnessed by:\nKofi Mensor, Special Envoy\n\n"
            "3 Comments\n\nThe Parties shall never agree to this, one reader wrote.")
    clauses = segment_text(text)
    provisions = [c.text for c in clauses if c.kind == "provision"]
    assert provisions == ["Article 1. Ceasefire\n\n1.1 The Parties shall cease all hostilities.\n\n1.2 Violations shall be reported to the commission.",
                          "Article 2. Prisoners\nAll prisoners shall be released within thirty days."]
    kinds = {c.text.split("\n")[0]: c.kind for c in clauses}
    assert kinds["The Parties, meeting in Doha, have agreed as follows:"] == "boilerplate"
    assert kinds["For the Government of Eastland"] == kinds["Witnessed by:"] == "boilerplate"
    assert kinds["The Parties shall never agree to this, one reader wrote."] == "boilerplate"


def test_a_long_article_is_cut_where_it_outgrows_a_clause():
    subs = "\n\n".join(f"2.{i} The commission shall meet in district {i} every month and report on the situation there to both Parties." for i in range(1, 21))
    text = "The Parties met in Doha to settle their dispute by peaceful means.\n\nArticle 2. Commission\n\n" + subs
    clauses = [c for c in segment_text(text) if c.kind == "provision"][1:]
    assert len(clauses) > 1 and len(clauses[0].text) <= 1200 and clauses[0].text.startswith("Article 2. Commission\n\n2.1")
    assert "2.2 The commission" in clauses[0].text


def test_a_model_carries_its_role_model_with_held_out_figures_and_refuses_to_load_without_it(tmp_path, pax_dir):
    from fixtures import FakeEncoder

    from classify import Model
    from classify.errors import ModelError
    from training.train import TrainSettings, train

    result = train(pax_dir, tmp_path / "model", settings=TrainSettings(min_positive=5, n_folds=3, lexical_buckets=0),
                   cache_dir=tmp_path / "cache", encoder=FakeEncoder())
    roles = result.manifest["roles"]
    assert roles["labels"] == list(ROLES) and "roles.npz" in result.manifest["files"]
    held = roles["heldout"]
    assert held["grouping"] == "peace process; own examples by template" and 0 < held["all"]["accuracy"] <= 1
    assert set(held["rows_by_role"]) == set(ROLES) and all(n > 0 for n in held["rows_by_role"].values())
    [coding] = Model.load(result.path, encoder=FakeEncoder()).code(["1. The parties agree to a ceasefire.\n\n2. Prisoners shall be released."])
    assert len(coding.clause_roles) == 2 and set(coding.clause_roles) <= set(ROLES) and coding.document_type in ("agreement", "news-about-talks")
    (result.path / "roles.npz").unlink()
    with pytest.raises(ModelError, match="roles.npz, which is missing"):
        Model.load(result.path, encoder=FakeEncoder())
