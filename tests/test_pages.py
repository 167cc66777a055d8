"""Real-world pages with the shipped model (slow; runs in CI): news about talks is told from
agreements, an agreement carried by a news page is coded from its text alone, a PDF codes as its
text, and signatures, datelines and reported remarks are never evidence.

Every page in tests/data/pages is our own writing (invented countries, people and events); the
two real news reports in ../shared/news are read from there when present, never copied."""

import re
from pathlib import Path

import pandas as pd
import pytest

from classify import Model
from classify.coding import Document
from classify.formats import pdf_pages
from classify.roles import AGREEMENT, NEWS, NEWS_WITH_TEXT, OTHER
from training.behaviour import jaccard, wrapped_pdf

from conftest import SHARED_PAX

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
PAGES = HERE / "data" / "pages"
SHARED_NEWS = SHARED_PAX.parent / "news"
NEWS_PAGES = sorted(p for p in PAGES.glob("news_*.txt") if "carrying" not in p.name)
# the communiqué speaks of the parties in the third person throughout ("The two sides agreed to ...")
# a list of measures puts its provisions without a verb ("2. Withdrawal of artillery ...")
OUR_AGREEMENTS = [PAGES / "agreement_ceasefire.txt", PAGES / "agreement_cessation.txt", PAGES / "agreement_communique_reported.txt",
                  PAGES / "agreement_list_of_measures.txt", PAGES / "statement_press_release.txt", PAGES / "statement_contact_group.txt",
                  PAGES / "statement_summit_conclusions.txt", PAGES / "agreement_humanitarian_access.txt", HERE.parent / "examples" / "statement.txt"]
# pages that carry an agreement, with the agreement alone
CARRYING = [("news_carrying_statement.txt", HERE.parent / "examples" / "statement.txt"),
            ("news_carrying_agreement.txt", PAGES / "agreement_ceasefire.txt"),
            # a ministry's web page: menus, the page's own headline and lead, related news, a cookie notice
            ("web_carrying_cessation.txt", PAGES / "agreement_cessation.txt"),
            # headline, lead and a mediator's remark, then a numbered list of measures with no lead-in
            ("news_carrying_measures.txt", PAGES / "agreement_list_of_measures.txt"),
            # a line announces the text; its provisions are bullets in the third person ("- re-affirm ...", "- call for ...")
            ("news_carrying_contact_group.txt", PAGES / "statement_contact_group.txt"),
            # no lead-in: the conclusions' own title ("Sorvany ... Summit Common agreed conclusions") below the report,
            # then "They underline ...", "The sides commit to ...", which read nearly as much like a report
            ("news_carrying_summit_conclusions.txt", PAGES / "statement_summit_conclusions.txt"),
            # a humanitarian news site's reprint: menus, the page's title, "Format:", "Source:", "Posted:", attachments, related content
            ("web_carrying_reprint.txt", PAGES / "agreement_humanitarian_access.txt")]


@pytest.fixture(scope="module")
def model():
    return Model.load()


def code(model, *docs):
    return model.code([Document(str(i), d) for i, d in enumerate(docs)])


def present(coding) -> set:
    return {c.code for c in coding.present}


def test_we_wrote_five_news_pages_at_least():
    assert len(NEWS_PAGES) >= 5


@pytest.mark.parametrize("path", NEWS_PAGES + sorted(SHARED_NEWS.glob("*.txt")), ids=lambda p: p.name)
def test_news_about_talks_is_warned_and_gets_at_most_five_categories(model, path):
    [coding] = code(model, path.read_text(encoding="utf-8"))
    assert coding.document_type in (NEWS, OTHER) and coding.warnings
    assert len(coding.present) <= 5, present(coding)


@pytest.mark.parametrize("path", OUR_AGREEMENTS, ids=lambda p: p.name)
def test_our_agreements_and_statements_are_neither_news_nor_warned(model, path):
    [coding] = code(model, path.read_text(encoding="utf-8"))
    assert coding.document_type == AGREEMENT and not coding.warnings
    assert len(coding.present) >= 5


def test_a_declaration_in_the_parties_own_voice_is_an_agreement(model):
    # "We will release ...": the first person of a declaration, not a remark quoted in a transcript
    [coding] = code(model, (PAGES / "agreement_declaration_first_person.txt").read_text(encoding="utf-8"))
    assert coding.document_type == AGREEMENT and not coding.warnings
    assert "TjPrire" in present(coding)


@pytest.mark.parametrize("path", sorted(PAGES.glob("other_*.txt")), ids=lambda p: p.name)
def test_an_account_of_an_agreement_is_not_taken_for_its_text(model, path):
    # an encyclopedia's entry: every clause a report, no one quoted
    [coding] = code(model, path.read_text(encoding="utf-8"))
    assert coding.document_type == OTHER and coding.warnings


@pytest.mark.parametrize("path", sorted(PAGES.glob("news_wire_*.txt")), ids=lambda p: p.name)
def test_a_wire_report_that_quotes_no_one_is_news(model, path):
    # "KESSA, 12 February (Eastline) - ...", then the deal's terms as the reporter tells them
    # ("Under the deal, fighters will gather ..."): no account to code as it stands
    [coding] = code(model, path.read_text(encoding="utf-8"))
    assert coding.document_type == NEWS and coding.warnings
    assert len(coding.present) <= 2, present(coding)


def test_a_statement_under_a_dateline_is_still_an_agreement(model):
    # mediators' statements open with one too: "SORVANY, 14 June 2025 - The Joint Contact Group ..."
    text = (PAGES / "statement_contact_group.txt").read_text(encoding="utf-8")
    dated = text.replace("The Joint Contact Group, with", "SORVANY, 14 June 2025 (Contact Group press office) - The Joint Contact Group, with", 1)
    assert dated != text
    plain, with_dateline = code(model, text, dated)
    assert with_dateline.document_type == AGREEMENT and not with_dateline.warnings
    # the dateline's words lengthen the text a little, and the cap with it
    assert jaccard(present(with_dateline), present(plain)) >= 0.85, present(with_dateline) ^ present(plain)


@pytest.mark.skipif(not (SHARED_PAX / "pax_fulltext_sample.csv").is_file(), reason="needs the PA-X full texts in ../shared/pax")
def test_no_pax_full_text_is_taken_for_news(model):
    texts = pd.read_csv(SHARED_PAX / "pax_fulltext_sample.csv")
    codings = model.code([Document(str(a), t) for a, t in zip(texts.AgtId, texts["Agreement text"])])
    assert {c.id: c.document_type for c in codings if c.document_type != AGREEMENT or c.warnings} == {}


@pytest.mark.parametrize("page, alone", CARRYING)
def test_an_agreement_in_a_news_page_gets_the_codes_of_the_agreement_alone(model, page, alone):
    wrapped, plain = code(model, (PAGES / page).read_text(encoding="utf-8"), alone.read_text(encoding="utf-8"))
    assert wrapped.document_type in (NEWS_WITH_TEXT, AGREEMENT) and not wrapped.warnings
    assert jaccard(present(wrapped), present(plain)) >= 0.9, present(wrapped) ^ present(plain)
    # the report around the text is never evidence
    report = {"Officials said", "mediators said", "told reporters", "Diplomats said", "Reporting by", "Radio Free Valley", "We publish",
              "Ministry is pleased", "Minister meets", "cookies"}
    assert not [e.text for c in wrapped.present for e in c.evidence if any(r in e.text for r in report)]


@pytest.mark.parametrize("page, alone", CARRYING)
def test_a_page_taken_with_one_paragraph_per_line_reads_as_with_blank_lines(model, page, alone):
    # many tools that take the text of a web page drop the blank lines between paragraphs
    text = re.sub(r"\n\s*\n", "\n", (PAGES / page).read_text(encoding="utf-8"))
    wrapped, plain = code(model, text, alone.read_text(encoding="utf-8"))
    assert wrapped.document_type in (NEWS_WITH_TEXT, AGREEMENT) and not wrapped.warnings
    assert jaccard(present(wrapped), present(plain)) >= 0.9, present(wrapped) ^ present(plain)


@pytest.mark.parametrize("path", NEWS_PAGES, ids=lambda p: p.name)
def test_news_taken_with_one_paragraph_per_line_is_still_news(model, path):
    [coding] = code(model, re.sub(r"\n\s*\n", "\n", path.read_text(encoding="utf-8")))
    assert coding.document_type in (NEWS, OTHER) and coding.warnings
    assert len(coding.present) <= 5, present(coding)


@pytest.mark.parametrize("path", OUR_AGREEMENTS + [PAGES / "news_carrying_statement.txt"], ids=lambda p: p.name)
def test_a_pdf_with_wrapped_lines_gets_the_categories_of_its_text(model, path):
    text = path.read_text(encoding="utf-8")
    typed, printed = code(model, text, pdf_pages(wrapped_pdf(text)))
    assert printed.document_type == typed.document_type
    assert jaccard(present(typed), present(printed)) >= 0.9, present(typed) ^ present(printed)


@pytest.mark.parametrize("path", OUR_AGREEMENTS, ids=lambda p: p.name)
def test_a_scanned_looking_pdf_gets_the_categories_of_its_text(model, path):
    """Words hyphenated at line ends, a running header and page numbers on every page."""
    text = path.read_text(encoding="utf-8")
    pages = pdf_pages(wrapped_pdf(text, scanned=True))
    assert len(pages) > 1 or len(text) < 3000
    assert any("-\n" in p for p in pages)  # some word is broken at a line end
    typed, scanned = code(model, text, pages)
    assert scanned.document_type == typed.document_type
    assert jaccard(present(typed), present(scanned)) >= 0.9, present(typed) ^ present(scanned)
    assert not [e.text for c in scanned.present for e in c.evidence if "RESTRICTED" in e.text]


def test_signatures_datelines_and_lead_ins_are_never_evidence(model):
    [coding] = code(model, (PAGES / "agreement_ceasefire.txt").read_text(encoding="utf-8"))
    quoted = [e.text for c in coding.categories for e in c.evidence]
    assert quoted and not [q for q in quoted if any(s in q for s in ("For the", "Witnessed", "Done at", "Chairperson", "agreed as follows"))]
    # the articles are evidence, each for what it says
    by = {c.code: c for c in coding.present}
    assert by["Ce"].evidence[0].text.startswith("1.1 The Parties shall cease all military operations") or "Article 1" in by["Ce"].evidence[0].text
    assert "amnesty" in by["TjAm"].evidence[0].text
    assert all(e.role == "operative" or e.role == "recital" for c in coding.present for e in c.evidence)


def test_a_clause_of_two_subjects_quotes_the_sentence_that_carries_each(model):
    text = ("JOINT STATEMENT\n\n1. The Parties shall release all prisoners held in connection with the conflict within thirty days. "
            "They shall also exchange lists of missing persons and cooperate in tracing them and informing their families.\n\n"
            "2. A joint commission shall oversee the implementation of this statement.")
    [coding] = code(model, text)
    by = {c.code: c for c in coding.categories}
    assert by["TjPrire"].evidence[0].text.startswith("1. The Parties shall release") or by["TjPrire"].evidence[0].text.startswith("The Parties shall release")
    assert by["TjMis"].evidence[0].text.startswith("They shall also exchange lists of missing persons")
