"""The shipped model on text written for these tests (slow; runs in CI): negation, party names,
titles and page furniture, the hierarchy. The rates are the issue's goals."""

from pathlib import Path

import pytest

from classify.embed import Encoder
from classify.modelio import default_model_dir, load_model
from classify.predict import Document, code_documents
from training.behaviour import load_sets, name_swap_flips, negation_rates

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "statement.txt"


@pytest.fixture(scope="module")
def shipped():
    model = load_model(default_model_dir())
    return model, Encoder(model.embedding_model, backend="onnx")


def test_negated_provisions_do_not_code_their_category(shipped):
    negation, _, _ = load_sets()
    rates = negation_rates(*shipped, negation)
    assert rates["items"] >= 25
    assert rates["negated_coded"] <= 0.10, rates
    assert rates["negated_in_context_coded"] <= 0.10, rates
    assert rates["affirmed_coded"] >= 0.5, rates  # the set means something: the provisions do code


def test_party_names_do_not_change_the_coding(shipped):
    _, templates, names = load_sets()
    flips = name_swap_flips(*shipped, templates, names)
    assert flips["decisions"] >= 3 * 7 * 200
    assert flips["flip_rate"] <= 0.02, flips


def wrapped_in_a_news_page(statement: str) -> str:
    return (
        "Peace Monitor | Home > Europe > Diplomacy\nBy Jane Reporter, Geneva correspondent\n12 March 2026\n"
        "https://news.example.org/europe/eastland-westmark-statement\n\n"
        f"{statement}\n\nRead more: the talks in Geneva\nShare this article\nRelated stories"
    )


@pytest.mark.parametrize("wrap", [lambda s: s, wrapped_in_a_news_page], ids=["plain", "news page"])
def test_every_present_category_quotes_a_provision_first(shipped, wrap):
    statement = EXAMPLE.read_text(encoding="utf-8")
    [coding] = code_documents(shipped[0], [Document("s", wrap(statement))], shipped[1])
    provisions = [p.strip() for p in statement.split("\n\n")[1:-1]]  # the preamble and the numbered clauses
    assert coding.present
    for c in coding.present:
        first = " ".join(c.evidence[0].text.split())
        assert any(first == " ".join(p.split()) for p in provisions), (c.code, first)
    # the page around the statement does not change which categories are present
    [plain] = code_documents(shipped[0], [Document("s", statement)], shipped[1])
    assert {c.code for c in coding.present} == {c.code for c in plain.present}


def test_no_present_sub_code_without_its_parent(shipped):
    model, _ = shipped
    parent = {c.code: c.parent for c in model.categories}
    texts = [EXAMPLE.read_text(encoding="utf-8"), *load_sets()[1]]
    for coding in code_documents(shipped[0], [Document(str(i), t) for i, t in enumerate(texts)], shipped[1]):
        present = {c.code for c in coding.present}
        for code in present:
            if parent.get(code) in parent:
                assert parent[code] in present, (coding.id, code)


def test_a_title_or_a_url_alone_codes_nothing(shipped):
    docs = [Document("t", "CEASEFIRE AGREEMENT"), Document("u", "https://example.org/ceasefire-agreement-prisoner-release")]
    for coding in code_documents(shipped[0], docs, shipped[1]):
        assert not coding.present and coding.warnings


def test_a_news_report_about_talks_gets_a_warning(shipped):
    report = (
        "Talks between the two sides ended in Geneva on Friday, officials said.\n\n"
        "\"We had a constructive exchange,\" the mediator told reporters after the meeting.\n\n"
        "Analysts said the sides remained far apart on the question of prisoners.\n\n"
        "According to diplomats, another round is expected next month."
    )
    [coding] = code_documents(shipped[0], [Document("r", report)], shipped[1])
    assert coding.warnings and "does not read like an agreement" in coding.warnings[0]
    [statement] = code_documents(shipped[0], [Document("s", EXAMPLE.read_text(encoding="utf-8"))], shipped[1])
    assert not statement.warnings
