"""The shipped model on text written for these tests (slow; runs in CI): negation, party names,
titles and page furniture, the hierarchy. The rates are the issue's goals."""

from pathlib import Path

import pytest

from classify import Document, Model
from training.behaviour import load_sets, name_swap_flips, negation_rates

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "statement.txt"


@pytest.fixture(scope="module")
def shipped():
    return Model.load(backend="onnx")


def test_negated_provisions_do_not_code_their_category(shipped):
    negation, _, _ = load_sets()
    rates = negation_rates(shipped, negation)
    assert rates["items"] >= 25
    assert rates["negated_coded"] <= 0.10, rates
    assert rates["negated_in_context_coded"] <= 0.10, rates
    assert rates["affirmed_coded"] >= 0.5, rates  # the set means something: the provisions do code


def test_party_names_do_not_change_the_coding(shipped):
    _, templates, names = load_sets()
    flips = name_swap_flips(shipped, templates, names)
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
    [coding] = shipped.code([Document("s", wrap(statement))])
    provisions = [p.strip() for p in statement.split("\n\n")[1:-1]]  # the preamble and the numbered clauses
    assert coding.present
    for c in coding.present:
        first = " ".join(c.evidence[0].text.split())
        # a provision, or the sentence of one that carries the category
        assert any(first in " ".join(p.split()) and len(first) >= 40 for p in provisions), (c.code, first)
    # the page around the statement does not change which categories are present
    [plain] = shipped.code([Document("s", statement)])
    assert {c.code for c in coding.present} == {c.code for c in plain.present}


def test_no_present_sub_code_without_its_parent(shipped):
    model = shipped
    parent = {c.code: c.parent for c in model.categories}
    texts = [EXAMPLE.read_text(encoding="utf-8"), *load_sets()[1]]
    for coding in shipped.code([Document(str(i), t) for i, t in enumerate(texts)]):
        present = {c.code for c in coding.present}
        for code in present:
            if parent.get(code) in parent:
                assert parent[code] in present, (coding.id, code)


def test_a_title_or_a_url_alone_codes_nothing(shipped):
    docs = [Document("t", "CEASEFIRE AGREEMENT"), Document("u", "https://example.org/ceasefire-agreement-prisoner-release")]
    for coding in shipped.code(docs):
        assert not coding.present and coding.warnings


def test_a_news_report_about_talks_gets_a_warning(shipped):
    report = (
        "Talks between the two sides ended in Geneva on Friday, officials said.\n\n"
        "\"We had a constructive exchange,\" the mediator told reporters after the meeting.\n\n"
        "Analysts said the sides remained far apart on the question of prisoners.\n\n"
        "According to diplomats, another round is expected next month."
    )
    [coding] = shipped.code([Document("r", report)])
    assert coding.warnings and "reads as a news report about talks" in coding.warnings[0]
    [statement] = shipped.code([Document("s", EXAMPLE.read_text(encoding="utf-8"))])
    assert not statement.warnings
