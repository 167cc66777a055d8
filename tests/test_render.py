"""What a coder reads: categories not assessed, parents present through a sub-code, in every format."""

import csv
import io
import json

import pytest

from classify.coding import OWN_IDS, CategoryResult, Coding, Evidence, agt_id
from classify.model import Category
from classify.render import render

CODING = Coding(
    "doc", "doc.txt",
    [
        CategoryResult("TjAm", "Amnesty/pardon", "Transitional justice", 0.41, 0.55, True, [Evidence("An amnesty shall be granted.", 0.8)], ["TjAmPro"]),
        CategoryResult("TjAmPro", "Amnesty/pardon proper", "Transitional justice", 0.8, 0.5, True, [Evidence("An amnesty shall be granted.", 0.8)]),
        CategoryResult("Ce", "Ceasefire", "Security sector", 0.6, 0.5, False, [], [], True),
    ],
    n_clauses=3,
    not_assessed=[Category("TjAmBan", "Amnesty/pardon: Ban on amnesty", "Transitional justice", "TjAm", None, 4,
                           "too few examples: 4 positive agreements, 20 needed")],
)


def test_every_format_lists_what_is_not_assessed_and_why():
    reason = "too few examples: 4 positive agreements, 20 needed"
    assert "1 PA-X categories are not assessed by this model (--all lists them, with why)." in render([CODING], "text")
    assert f"  Amnesty/pardon: Ban on amnesty [TjAmBan]: not assessed ({reason})" in render([CODING], "text", show_all=True)
    assert f"- **Amnesty/pardon: Ban on amnesty** (`TjAmBan`): not assessed ({reason})" in render([CODING], "markdown", show_all=True)
    [d] = json.loads(render([CODING], "json"))
    assert d["not_assessed"] == [{"code": "TjAmBan", "name": "Amnesty/pardon: Ban on amnesty", "group": "Transitional justice", "reason": reason}]
    rows = list(csv.DictReader(io.StringIO(render([CODING], "csv", show_all=True))))
    assert {k: rows[-1][k] for k in ("code", "probability", "present", "evidence")} == {"code": "TjAmBan", "probability": "", "present": "", "evidence": f"not assessed: {reason}"}
    assert "TjAmBan" not in render([CODING], "csv")  # present categories only, without --all


def test_a_parent_present_through_its_sub_code_and_a_category_cut_by_the_count_say_so():
    text = render([CODING], "text", show_all=True)
    assert "  Amnesty/pardon [TjAm]  p=0.41 (threshold 0.55), present through its sub-code TjAmPro" in text
    assert "  Ceasefire [Ce]: No specific mention.  (p=0.60, passes its threshold 0.50 but higher-scoring categories fill the document's count)" in text
    [d] = json.loads(render([CODING], "json"))
    by_code = {c["code"]: c for c in d["categories"]}
    assert by_code["TjAm"]["implied_by"] == ["TjAmPro"] and by_code["Ce"]["capped"] is True
    assert "implied_by" not in by_code["TjAmPro"] and "capped" not in by_code["TjAmPro"]


def test_groups_stand_where_most_of_their_categories_do_whichever_are_present():
    cats = [
        CategoryResult("ImSrc", "Source", "Implementation", 0.9, 0.5, True),
        CategoryResult("GCh", "Children/youth", "Groups", 0.9, 0.5, True),
        CategoryResult("Ce", "Ceasefire", "Security sector", 0.9, 0.5, True),
        CategoryResult("ImUN", "UN signatory", "Implementation", 0.1, 0.5, False),
        CategoryResult("ImOth", "Other international signatory", "Implementation", 0.1, 0.5, False),
    ]
    text = render([Coding("d", None, cats, 3)], "text")
    headings = [line for line in text.splitlines() if line and not line.startswith((" ", "=", "d", "3 "))]
    assert headings == ["Groups", "Security sector", "Implementation"]


def test_pax_csv_has_one_row_per_document_and_a_column_per_category_in_pax_order():
    columns = ["TjAm", "TjAmPro", "TjAmBan", "Ce"]  # the codings file's order, as the manifest records it
    coding = Coding(**{**CODING.__dict__, "pax_columns": columns})
    other = Coding(**{**CODING.__dict__, "id": "other", "document": None, "pax_columns": columns})
    rows = list(csv.reader(io.StringIO(render([coding, other], "pax-csv"))))
    own = str(agt_id("doc"))
    assert rows == [["AgtId", "Agt", *columns, "document_type", "operative_share"], [own, "doc", "1", "1", "", "0", "agreement", "1.0"],
                    [str(agt_id("other")), "other", "1", "1", "", "0", "agreement", "1.0"]]
    assert int(own) >= OWN_IDS  # not a PA-X agreement's


@pytest.mark.parametrize("doc_id, expected", [("1364", 1364), ("sub/1364", 1364), ("corpus\\2109", 2109), ("statement", None)])
def test_a_document_named_by_its_agtid_keeps_it(doc_id, expected):
    assert agt_id(doc_id) == expected if expected is not None else agt_id(doc_id) >= OWN_IDS


def test_categories_cut_by_the_count_are_possible_and_every_format_says_what_the_document_is():
    capped = Coding(**{**CODING.__dict__, "categories": [
        *CODING.categories[:2], CategoryResult("Ce", "Ceasefire", "Security sector", 0.6, 0.5, False, [Evidence("The guns fall silent.", 0.62)], [], True)],
        "document_type": "news-with-agreement", "operative_share": 0.4})
    text = render([capped], "text")
    head, possible = text.split("Possible (1)")
    assert "Ceasefire" not in head and "  Ceasefire [Ce]  p=0.60 (threshold 0.50)\n    \u201cThe guns fall silent.\u201d  (0.62)" in possible
    assert "Read as a news page carrying an agreement's text (coded from that text alone); 40% of its text operative or recital" in head
    assert "## Possible (1)" in render([capped], "markdown")
    [d] = json.loads(render([capped], "json"))
    assert (d["document_type"], d["operative_share"]) == ("news-with-agreement", 0.4)
    row = next(csv.DictReader(io.StringIO(render([capped], "csv"))))
    assert (row["document_type"], row["operative_share"]) == ("news-with-agreement", "0.4")
    assert next(csv.DictReader(io.StringIO(render([capped], "pax-csv"))))["document_type"] == "news-with-agreement"
