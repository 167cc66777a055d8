from classify.segment import segment, segment_text

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
