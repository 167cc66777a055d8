from classify.segment import announces_text, names_document, numbered_lists, opens_with_dateline, segment, segment_text, sentence_spans

STATEMENT = """JOINT STATEMENT

The Governments of A and B, meeting in Geneva,

1. Agree to restore full diplomatic relations. Embassies shall reopen within 30 days.
2. Shall release all detainees held in connection with the conflict.
(a) a first item that is long enough to stand alone
(b) a second item that is long enough to stand alone

Article 4
Both parties commit to a ceasefire."""


def test_numbered_items_and_articles_become_clauses():
    texts = [c.text for c in segment_text(STATEMENT)]
    assert "1. Agree to restore full diplomatic relations. Embassies shall reopen within 30 days." in texts
    assert "2. Shall release all detainees held in connection with the conflict." in texts
    assert "(a) a first item that is long enough to stand alone" in texts
    # a short heading is joined to the provision after it
    assert "Article 4\nBoth parties commit to a ceasefire." in texts


def test_clauses_are_exact_slices_in_order():
    clauses = segment_text(STATEMENT)
    for c in clauses:
        assert STATEMENT[c.start : c.end] == c.text
    assert all(a.end <= b.start for a, b in zip(clauses, clauses[1:]))


def test_long_paragraph_is_split_into_sentences():
    para = " ".join(f"Sentence number {i} says something about the agreement at length." for i in range(30))
    clauses = segment_text(para, max_chars=300)
    assert len(clauses) >= 10
    assert all(len(c.text) <= 300 for c in clauses)


def test_pages_are_numbered_from_one():
    clauses = segment(["First page text that is long enough.", "Second page text that is long enough."])
    assert [c.page for c in clauses] == [1, 2]


def test_blank_text_has_no_clauses():
    assert segment_text("  \n\n \t ") == []


NEWS_PAGE = """World | Africa > Peace talks
By Jane Reporter
12 March 2026
https://news.example.org/world/eastland-westmark-statement
JOINT STATEMENT ON THE CESSATION OF HOSTILITIES
between the Government of Eastland and the Westmark Liberation Front

The Parties, meeting in Geneva, have agreed as follows:

Article 1. Cessation of hostilities

The Parties shall cease all hostilities from 00:00 on 1 April 2026.

Article 2. Protection of civilians
Both Parties shall protect civilians and allow humanitarian access to all areas.

Done at Geneva on 12 March 2026.

Read more: talks in Geneva
Share this article"""


def test_titles_and_page_furniture_are_kept_but_not_provisions():
    clauses = segment_text(NEWS_PAGE)
    kinds = {c.text: c.kind for c in clauses}
    assert kinds["World | Africa > Peace talks"] == "boilerplate"
    assert kinds["By Jane Reporter"] == "boilerplate"
    assert kinds["12 March 2026"] == "boilerplate"
    assert kinds["https://news.example.org/world/eastland-westmark-statement"] == "boilerplate"
    assert kinds["JOINT STATEMENT ON THE CESSATION OF HOSTILITIES"] == "title"
    assert kinds["between the Government of Eastland and the Westmark Liberation Front"] == "title"
    assert kinds["Done at Geneva on 12 March 2026."] == "boilerplate"
    assert kinds["Read more: talks in Geneva"] == "boilerplate"
    assert kinds["The Parties, meeting in Geneva, have agreed as follows:"] == "boilerplate"  # a lead-in commits to nothing
    assert [c.text for c in clauses if c.kind == "provision"] == [
        "Article 1. Cessation of hostilities\n\nThe Parties shall cease all hostilities from 00:00 on 1 April 2026.",
        "Article 2. Protection of civilians\nBoth Parties shall protect civilians and allow humanitarian access to all areas.",
    ]


WEB_PAGE = """Home > Press releases > Statement
Statement on the talks in Lusaka

The Ministry publishes below the text the two delegations signed today.

AGREEMENT ON THE CESSATION OF HOSTILITIES BETWEEN THE GOVERNMENT OF EASTLAND AND THE WESTMARK LIBERATION FRONT SIGNED IN LUSAKA

Article 1
The Parties shall cease all military operations from 00:00 on 10 March 2026.

Related news
Minister meets the mediator in Lusaka
Who are the Westmark Liberation Front?
2. Floods displace thousands in the south
We use cookies to improve your experience on this website. Accept all | Reject

The Ministry will publish the annexes when the Parties have signed them."""


def test_a_web_page_s_headline_lists_and_cookie_notice_are_furniture_and_the_agreement_s_title_a_title():
    clauses = segment_text(WEB_PAGE)
    kinds = {c.text: c.kind for c in clauses}
    title = "AGREEMENT ON THE CESSATION OF HOSTILITIES BETWEEN THE GOVERNMENT OF EASTLAND AND THE WESTMARK LIBERATION FRONT SIGNED IN LUSAKA"
    assert kinds[title] == "title"  # though the page's own lead came before it
    assert kinds["Related news"] == "boilerplate"
    for line in ("Minister meets the mediator in Lusaka", "Who are the Westmark Liberation Front?", "2. Floods displace thousands in the south",
                 "We use cookies to improve your experience on this website. Accept all | Reject"):
        assert [c.kind for c in clauses if line in c.text] == ["boilerplate"], line
    # the list ends where prose starts again
    assert kinds["The Ministry will publish the annexes when the Parties have signed them."] == "provision"
    assert kinds["Article 1\nThe Parties shall cease all military operations from 00:00 on 10 March 2026."] == "provision"


def test_a_heading_on_its_own_paragraph_joins_the_provision_under_it():
    text = "The Parties agree as follows on every matter below.\n\nSECURITY ARRANGEMENTS\n\n3. Prisoner release\n\n1.\nAll prisoners shall be released within thirty days."
    provisions = [c.text for c in segment_text(text) if c.kind == "provision"]
    # only the nearest heading joins; a bare number between it and its text joins too
    assert provisions[-1] == "3. Prisoner release\n\n1.\nAll prisoners shall be released within thirty days."
    assert [c.kind for c in segment_text(text) if c.text == "SECURITY ARRANGEMENTS"] == ["title"]


def test_section_numbers_are_not_dates():
    text = "The Parties agree as follows on every matter below.\n\n1.2.10.\n\nThe commission shall meet every month."
    assert all(c.kind == "provision" for c in segment_text(text))


def test_negated_and_reported_sentences_are_not_affirmed():
    from classify.segment import affirmed

    assert affirmed("No agreement was reached on a ceasefire.") == ""
    assert affirmed("Amnesty was not discussed.") == ""
    assert affirmed("The Parties agreed a ceasefire. The release of prisoners was not discussed.") == "The Parties agreed a ceasefire."
    # prohibitions and renunciations are provisions
    for provision in ["No person shall be detained without trial.", "The Parties shall not use force.",
                      "The Parties rejected the use of violence in all its forms."]:
        assert affirmed(provision) == provision


# A two-page agreement as a scan's text layer reads: a running header on both pages, a page
# number at the foot, a word hyphenated at a line end, a provision cut by the page break, and
# a "Done at" paragraph wrapped over two lines. Our own wording.
SCANNED = [
    "ACCORD ON THE RIVER DISTRICTS      RESTRICTED\n"
    "Article 1. Ceasefire\n\n"
    "1.1 The Parties shall cease all hostilities and withdraw their forces from the river terr-\n"
    "itories within ten days.\n\n"
    "Article 2. Amnesty\n\n"
    "The Government shall grant an amnesty to members of the River Movement\n\n"
    "- 1 -",
    "ACCORD ON THE RIVER DISTRICTS      RESTRICTED\n"
    "for acts committed in connection with the conflict, except war crimes.\n\n"
    "Done at Lakeport, on 3 March 2025, in two original copies in the English\n"
    "language.\n\n"
    "- 2 -",
]


def test_running_headers_page_numbers_and_done_at_paragraphs_are_furniture():
    clauses = segment(SCANNED)
    provisions = [c.text for c in clauses if c.kind == "provision"]
    assert not [p for p in provisions if "RESTRICTED" in p or p.startswith(("- 1", "- 2")) or p == "language."]
    assert provisions[-1].startswith("for acts committed")
    assert [c.text for c in clauses if c.text.startswith("Done at")] == ["Done at Lakeport, on 3 March 2025, in two original copies in the English\nlanguage."]
    for c in clauses:  # still exact slices of their page
        assert SCANNED[c.page - 1][c.start : c.end] == c.text


def test_a_page_number_alone_is_furniture_but_a_numbered_provision_is_not():
    from classify.segment import is_boilerplate

    assert all(is_boilerplate(p) for p in ("12", "- 12 -", "Page 3 of 9", "3/9", "\u2013 4 \u2013"))
    assert not is_boilerplate("12. The Parties shall release all prisoners.")


def test_words_broken_at_line_ends_are_joined_for_scoring():
    from classify.coding import document_units
    from classify.segment import join_broken_words

    assert join_broken_words("demobili-\nsation and re-\n  integration") == "demobilisation and reintegration"
    assert join_broken_words("a cease-fire and post-war aid") == "a cease-fire and post-war aid"
    units = document_units(SCANNED)
    assert any("river territories within" in t for t in units.texts)
    # the provision the page break cut is scored whole too, as the clause it starts
    first = next(i for i, c in enumerate(units.clauses) if "grant an amnesty" in c.text)
    joined = [t for t, k in zip(units.texts, units.clause) if k == first and "except war crimes" in t]
    assert joined and "members of the River Movement for acts committed" in joined[0]


def test_web_page_rules_leave_agreement_text_alone():
    # a wrapped provision line opening with "accept all" is no cookie notice
    text = "The Parties agree as follows on every matter below.\n\nArticle 4\nThe Parties undertake to respect and to\naccept all decisions of the Joint Military Commission."
    assert [c.kind for c in segment_text(text)][-1] == "provision"
    # a line in capitals that says what shall be done is a provision, not a title
    text = ("The Parties agree as follows on every matter below.\n\n1. The first provision is long enough to stand.\n\n"
            "THE AGREEMENT SHALL BE MONITORED BY THE JOINT MILITARY COMMISSION\n\n2. The commission shall meet weekly.")
    assert all(c.kind != "title" for c in segment_text(text))
    # a sub-agreement's title between provisions: a title, with the clauses still in order and apart
    text = ("The Parties agree as follows:\n\n1. The first provision is long enough to stand.\n\n2. The second provision is long enough to stand."
            "\n\nAGREEMENT ON WEALTH SHARING\n\n3. Oil revenues shall be shared equally between the regions.")
    clauses = segment_text(text)
    assert [c.kind for c in clauses] == ["boilerplate", "provision", "provision", "title", "provision"]
    assert all(a.end <= b.start for a, b in zip(clauses, clauses[1:]))
    # a list of headlines ends at an article heading
    text = "A lead paragraph about the talks that were held.\n\nRead more\n\nArticle 1\nThe Parties shall cease fire at midnight."
    assert segment_text(text)[-1].kind == "provision"
    # a heading left over a list of headlines stays a title line: the clauses after it do not reach back over the list
    text = ("The Parties agree as follows on every matter below.\n\n1. The first provision is long enough to stand.\n\nSECURITY ARRANGEMENTS\n\n"
            "Read more\n\nSome headline here\n\nThe Parties shall withdraw their forces within thirty days.")
    clauses = segment_text(text)
    assert all(a.end <= b.start for a, b in zip(clauses, clauses[1:]))
    assert clauses[-1].text == "The Parties shall withdraw their forces within thirty days."


def test_a_page_with_one_paragraph_per_line_is_split_at_its_paragraph_ends():
    # text taken from a web page by many tools: no blank lines, each paragraph one line
    page = ("Parties sign truce after weeks of talks\n"
            "By a staff reporter\n"
            "The government and the Front signed a truce on Thursday, officials said, after six weeks of talks in the capital "
            "that mediators described as difficult but constructive, and that both delegations twice threatened to leave.\n"
            "\"This is an important day for the whole country,\" a spokesman for the mediators told reporters.\n"
            "The full text of the agreement, as released by the mediators, reads:\n"
            "AGREEMENT ON THE CESSATION OF HOSTILITIES\n"
            "1. The Parties shall cease all military operations from midnight on the day of signature.")
    clauses = {c.text: c.kind for c in segment_text(page)}
    lead = ("The government and the Front signed a truce on Thursday, officials said, after six weeks of talks in the capital "
            "that mediators described as difficult but constructive, and that both delegations twice threatened to leave.")
    assert clauses[lead] == "provision"
    assert clauses["Parties sign truce after weeks of talks"] == "provision" and clauses["By a staff reporter"] == "boilerplate"
    assert clauses["AGREEMENT ON THE CESSATION OF HOSTILITIES"] == "title"
    ordered = segment_text(page)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:]))
    assert "\"This is an important day for the whole country,\" a spokesman for the mediators told reporters." in clauses
    assert clauses["The full text of the agreement, as released by the mediators, reads:"] == "boilerplate"  # it announces the text
    assert clauses["1. The Parties shall cease all military operations from midnight on the day of signature."] == "provision"


def test_lines_wrapped_by_a_pdf_stay_one_paragraph():
    wrapped = ("The Parties shall release all persons detained in connection with the\n"
               "conflict within thirty days of the signature of this Agreement. The\n"
               "International Committee of the Red Cross shall have access to all places\n"
               "of detention, and the Joint Commission shall publish the lists of names.")
    assert [c.text for c in segment_text(wrapped)] == [wrapped]
    # a line that ends at a comma before a capital, a short line in a list: still wrapped lines
    commission = ("The Parties shall establish a Joint Monitoring Commission composed of the\n"
                  "Government, the Movement and the Guarantors, which shall meet in Nairobi,\n"
                  "Addis Ababa or Kampala at least once a month during the Interim Period.")
    assert [c.text for c in segment_text(commission)] == [commission]
    assert [commission[s:e] for s, e in sentence_spans(commission)] == [commission]
    listed = ("1. to cease all hostilities with immediate effect;\n"
              "2. to release all detainees within thirty days of signature, including those held in\n"
              "Northern Province;\n"
              "3. to meet again in Geneva within one month of the signature of this text.")
    assert "including those held in\nNorthern Province;" in [c.text for c in segment_text(listed)][1]
    # a wide PDF page's header line is long only for its spaces
    header = "CEASEFIRE AGREEMENT" + " " * 150 + "Page 3\n" + commission
    assert commission in [c.text for c in segment_text(header)][-1]


def test_a_title_after_a_lead_in_and_its_second_line_do_not_overlap_the_provision():
    text = ("The full text of the statement reads:\n\nJoint Statement\nof the Co-Chairs of the Geneva Talks\n\n"
            "1. The participants agreed to meet again in March.")
    clauses = segment_text(text)
    assert all(a.end <= b.start for a, b in zip(clauses, clauses[1:]))
    assert clauses[-1].text == "1. The participants agreed to meet again in March."


def test_numbered_lists_run_from_item_one_through_consecutive_numbers():
    pieces = ["Package of measures", "1. Immediate cessation of hostilities.", "2. Withdrawal of artillery:", "- for the army;",
              "(a) within ten days;", "(b) under monitoring;", "3. Release of detainees.", "Done at Velko."]
    assert numbered_lists(pieces).tolist() == [-1, 0, 0, 0, 0, 0, 0, -1]
    # two items are no list; a list starts at 1; a number without its point is a sentence
    assert numbered_lists(["1. One.", "2. Two.", "Text."]).tolist() == [-1, -1, -1]
    assert numbered_lists(["2. Two.", "3. Three.", "4. Four."]).tolist() == [-1, -1, -1]
    assert numbered_lists(["12 people died.", "13 were hurt.", "14 fled."]).tolist() == [-1, -1, -1]
    assert numbered_lists(["Article 1 Scope", "Article 2 Ceasefire", "Article 3 Monitoring"]).tolist() == [0, 0, 0]


def test_a_line_that_announces_an_agreements_text():
    for line in ["The full text of the agreement, as released by the mediators, reads:", "Full text:", "The text of the statement follows.",
                 "The following is the text of the document agreed by the parties, as published by the host government.",
                 "The full text of the joint statement,\nas released by the ministry, reads:",
                 "GENEVA, 9 Oct (Reuters) - The following is the full text of the joint statement issued on Monday:",
                 "The full text of the U.N. statement reads:"]:
        assert announces_text(line), line
    for line in ["The text of the agreement has not been published.", "The full text of the interview follows:",
                 "The text of the agreement has not been published, but officials listed its main points:", "What the text of the deal says:",
                 "Have agreed as follows:", "The text of the minister's speech reads:", "The parties agreed on a deal. " * 10 + "The text reads:"]:
        assert not announces_text(line), line


def test_a_page_whose_lines_are_mostly_furniture_and_headlines_is_split_at_its_line_ends():
    # few of its lines end a sentence, but the menu, the masthead and the byline are lines of their own
    page = ("World | Politics | Opinion\nTHE EVENING COURIER\nTruce agreed after all-night session\nBy our correspondent\n"
            "The two sides agreed a truce early on Saturday, a diplomat said.\n\"We hope it holds,\" a resident said.\n"
            "Statement by the Joint Contact Group on the Velko district\nThe Joint Contact Group agrees on a cessation of hostilities from 16 June.")
    provisions = [c.text for c in segment_text(page) if c.kind == "provision"]
    assert "Statement by the Joint Contact Group on the Velko district" in provisions
    assert provisions[-1] == "The Joint Contact Group agrees on a cessation of hostilities from 16 June."


def test_the_title_under_an_announcing_line_announces_and_is_no_provision_of_the_text():
    from pathlib import Path

    from classify.coding import document_units

    # "The full text of the statement follows.", then "JOINT STATEMENT ON ...", then its provisions
    page = (Path(__file__).parent / "data" / "pages" / "news_carrying_statement.txt").read_text(encoding="utf-8")
    units = document_units(page)
    announced = {t.split("\n")[0][:40]: a for t, n, a in zip(units.texts, units.chars, units.announced) if n}
    assert not announced["The full text of the statement follows."]
    assert not announced["JOINT STATEMENT ON THE NORMALISATION OF "]
    assert announced["1. The Parties decide to normalise their"]
    assert not announced["Eastland and Westmark signed a joint sta"]


def test_a_line_that_names_an_agreed_document():
    for line in ["Statement by the Trilateral Contact Group as of 17 July 2019", "Package of measures for the settlement of the situation",
                 "Agreement on the Cessation of Hostilities", "JOINT DECLARATION ON PEACE AND FRIENDSHIP", "Statement by the Contact Group\nThe Group agrees ...",
                 # a place or a meeting first; "agreed" before the document's noun is no verb
                 "Sorvany Declaration of Principles between the Parties", 'Sorvany "Lakeside" Summit Common agreed conclusions',
                 "FRAMEWORK AGREEMENT ON THE EASTERN DISTRICTS", "Tarvelia Peace Agreement", "Agreed minutes of the third meeting",
                 "Sorvany Peace Agreement of 5 May 2024"]:
        assert names_document(line), line
    for line in ["Agreement reached on ceasefire", "Statements by officials were cautious.", "The agreement on prisoners was signed.",
                 "Agreement on grain exports extended", "Declaration of war looms as talks collapse",
                 "Agreement on the release of prisoners shall enter into force on signature",
                 # a headline in title case has a verb
                 "Rebels Reject Peace Agreement", "Government Welcomes Joint Statement", "Leaders Sign Sorvany Declaration",
                 # or a word no title opens with; or it is the first line of a wrapped sentence
                 "Leaders To Discuss Peace Agreement", "Talks On Peace Agreement", "The Sorvany Agreement of 28 June 2024 between the"]:
        assert not names_document(line), line


def test_a_wire_reports_dateline():
    for piece in ["KESSA, 12 February (Eastline) - Negotiators agreed ...", "VIENNA, 3 June 2025 - Delegations resumed ...",
                  "GENEVA (Reuters) - The following is the text ...", "NEW YORK, March 3 (AP) \u2014 Diplomats said ..."]:
        assert opens_with_dateline(piece), piece
    for piece in ["ARTICLE 3 - CEASEFIRE", "The Parties - both of them - shall ...", "PREAMBLE", "Eastland, Westmark resume border talks in Vienna",
                  "1. The Parties shall ...", "ARTICLE III - CEASEFIRE", "CHAPTER ONE - GENERAL PROVISIONS", "PREAMBLE - Recalling ...",
                  "A - The Parties shall ...", "JOINT COMMUNIQUE - The two sides met ...", "PREAMBLE\n- Recalling ..."]:
        assert not opens_with_dateline(piece), piece


def test_a_heading_joined_to_its_provision_is_not_scored_alone():
    from classify.coding import document_units

    # the heading gives the provision context; alone its generic words score high ("political" for elections)
    text = ("The sides met in Sorvany and agreed on the following.\n\n"
            "1. Measures to implement the political provisions\nThe sides express their interest in agreeing on the special status "
            "of the district. They will hold local elections under international observation.\n\n"
            "Article 3. The Parties shall release all detainees within thirty days. The Committee shall verify the release.")
    units = document_units(text)
    assert "Measures to implement the political provisions" not in units.texts
    assert "They will hold local elections under international observation." in units.texts
    # a sentence that opens its line after the article's number is no heading
    assert "The Parties shall release all detainees within thirty days." in units.texts
