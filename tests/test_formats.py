"""PDF, Word and HTML inputs. Every fixture is built here, with our own wording."""

import io
import json
import re

import pytest
from click.testing import CliRunner

from classify.cli import cli
from classify.documents import iter_documents, read_file
from classify.errors import InputError, InputWarning
from classify.formats import detect_format, docx_text, html_text, pdf_pages

PAGE_1 = ["Joint Statement of the Parties", "Preamble: the parties met in the capital and discussed the way forward."]
PAGE_2 = [
    "1. The parties agree to an immediate ceasefire and the cessation of all hostilities.",
    "2. All prisoners and detainees held in connection with the conflict shall be released.",
]


def make_pdf(pages: list[list[str]]) -> bytes:
    """A PDF with a real text layer, one list of lines per page (an empty list: a page without text)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for lines in pages:
        y = 780
        for line in lines:
            c.drawString(60, y, line)
            y -= 30
        if not lines:  # what a scan looks like to a text extractor: graphics, no text
            c.rect(60, 400, 200, 200, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Agreement on the Cessation of Hostilities", level=1)
    d.add_paragraph("1. The parties agree to an immediate ceasefire and the cessation of all hostilities.")
    d.add_paragraph("2. All prisoners and detainees held in connection with the conflict shall be released.")
    table = d.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Party", "Signature"
    table.cell(1, 0).text, table.cell(1, 1).text = "Northern Front", "Signed"
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


HTML = """<!DOCTYPE html>
<html><head><title>Site title</title><meta charset="utf-8">
<style>p { color: red }</style><script>var tracking = "do not read me";</script></head>
<body>
<header><a href="/">Home</a> | <a href="/about">About the site</a></header>
<nav><ul><li>Menu item one</li><li>Menu item two</li></ul></nav>
<main>
  <article>
    <header><h1>Agreement on the Cessation of Hostilities</h1></header>
    <p>1. The parties agree to an immediate
       <b>ceasefire</b> and the cessation of all hostilities.</p>
    <p>2. All prisoners and detainees held in connection<br>with the conflict shall be released.</p>
    <ul><li>Women shall be represented in every commission.</li></ul>
    <nav class="toc">Table of contents</nav>
  </article>
</main>
<aside>Related links</aside>
<footer>Copyright notice of the web site</footer>
<script>console.log("also not text")</script>
</body></html>"""


# ---------------------------------------------------------------- detection


@pytest.mark.parametrize(
    "data, suffix, expected",
    [
        (b"%PDF-1.7\n...", ".pdf", "pdf"),
        (b"%PDF-1.4\n...", ".txt", "pdf"),  # content wins over a wrong extension
        (b"%PDF-1.4\n...", "", "pdf"),  # stdin
        (b"junk\r\n%PDF-1.4\n...", ".pdf", "pdf"),  # readers allow a little junk first
        (b"This note explains %PDF-1.4 headers.", ".txt", "text"),
        ("<html><body>x</body></html>".encode("utf-16"), ".txt", "html"),
        (b"\n\n  <!doctype html><html><body>x</body></html>", ".txt", "html"),
        (b"\xef\xbb\xbf<html><body>x</body></html>", "", "html"),
        (b"<p>A fragment</p>", ".htm", "html"),
        (b"<p>A fragment</p>", ".md", "text"),
        (b"Plain words.", ".txt", "text"),
        (b"Plain words.", ".HTML", "html"),
    ],
)
def test_detect_format_by_content_then_extension(data, suffix, expected):
    assert detect_format(data, suffix) == expected


def test_detect_docx_by_content():
    assert detect_format(make_docx(), "") == "docx"
    assert detect_format(make_docx(), ".txt") == "docx"


@pytest.mark.parametrize(
    "data, suffix, message",
    [
        (b"<html><body>404 Not Found</body></html>", ".pdf", "named .pdf but it is not a PDF (HTML (perhaps an error page saved instead of the PDF)); check the file or download it again"),
        (b"plain words", ".pdf", "named .pdf but it is not a PDF (no %PDF header); check the file or download it again"),
        (b"plain words", ".docx", "named .docx but it is not a Word document (not a ZIP archive); check the file or save it again from Word"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".doc", "an old Word 97-2003 (.doc) or other legacy Office file, which cannot be read; save it as .docx or PDF"),
    ],
)
def test_detect_format_errors(data, suffix, message):
    with pytest.raises(InputError, match=re.escape(message)):
        detect_format(data, suffix)


def test_zip_that_is_not_docx(tmp_path):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("content.xml", "<x/>")
    with pytest.raises(InputError, match=re.escape("a ZIP archive but not a Word .docx document")):
        detect_format(buf.getvalue(), ".odt")


# ---------------------------------------------------------------- extraction


def test_pdf_pages_keep_page_numbers():
    pages = pdf_pages(make_pdf([PAGE_1, PAGE_2]))
    assert len(pages) == 2
    assert "Joint Statement of the Parties" in pages[0] and "ceasefire" not in pages[0]
    assert "1. The parties agree to an immediate ceasefire" in pages[1]
    assert "2. All prisoners and detainees" in pages[1]


def test_pdf_blank_page_keeps_numbering():
    pages = pdf_pages(make_pdf([PAGE_1, [], PAGE_2]))
    assert [bool(p) for p in pages] == [True, False, True]


def test_scanned_pdf_suggests_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[], []]))
    with pytest.raises(InputError) as info:
        read_file(path)
    assert str(info.value) == (
        f"{path}: the PDF has no text layer (2 page(s), probably scanned images); "
        "run OCR on it first (e.g. 'ocrmypdf in.pdf out.pdf') or pass its text as a .txt file"
    )


def test_damaged_pdf_is_an_input_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n this is not really a pdf \n%%EOF")
    with pytest.raises(InputError, match=re.escape(f"{path}: cannot be read as a PDF")):
        read_file(path)


def test_encrypted_pdf_asks_for_password_removal(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(make_pdf([PAGE_2]))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(InputError, match=re.escape("the PDF is password-protected; remove the password")):
        pdf_pages(buf.getvalue())


def test_docx_paragraphs_and_tables_in_order():
    text = docx_text(make_docx())
    assert text == (
        "Agreement on the Cessation of Hostilities\n\n"
        "1. The parties agree to an immediate ceasefire and the cessation of all hostilities.\n\n"
        "2. All prisoners and detainees held in connection with the conflict shall be released.\n\n"
        "Party | Signature\n\nNorthern Front | Signed"
    )


def test_damaged_docx_is_an_input_error(tmp_path):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<not-closed")
    path = tmp_path / "broken.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(InputError, match=re.escape(f"{path}: cannot be read as a Word .docx document")):
        read_file(path)


def test_html_main_text_without_navigation_or_scripts():
    text = html_text(HTML.encode())
    assert text == (
        "Agreement on the Cessation of Hostilities\n\n"
        "1. The parties agree to an immediate ceasefire and the cessation of all hostilities.\n\n"
        "2. All prisoners and detainees held in connection\nwith the conflict shall be released.\n\n"
        "Women shall be represented in every commission."
    )


def test_html_without_main_uses_body_and_drops_furniture():
    page = b"<html><body><nav>Menu</nav><div role='navigation'>More menu</div><p>First paragraph of the text.</p><table><tr><td>A</td><td>B</td></tr></table><footer>Site footer</footer></body></html>"
    assert html_text(page) == "First paragraph of the text.\n\nA | B"


def test_html_pre_keeps_its_line_breaks():
    page = b"<body><p>Schedule:</p><pre>1. Day one: talks\n2. Day two: signing</pre></body>"
    assert html_text(page) == "Schedule:\n\n1. Day one: talks\n2. Day two: signing"


def test_html_charset_from_meta():
    page = '<html><head><meta charset="windows-1252"></head><body><p>Caf\u00e9 \u2013 accord</p></body></html>'.encode("cp1252")
    assert html_text(page) == "Caf\u00e9 \u2013 accord"


def test_html_with_only_scripts_is_an_input_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><script>x()</script></head><body><nav>Menu</nav></body></html>")
    with pytest.raises(InputError, match=re.escape(f"{path}: the HTML page has no text outside navigation, scripts and styles")):
        read_file(path)


# ---------------------------------------------------------------- reading files and folders


def test_folder_picks_up_every_format(tmp_path):
    (tmp_path / "a.pdf").write_bytes(make_pdf([PAGE_1, PAGE_2]))
    (tmp_path / "b.docx").write_bytes(make_docx())
    (tmp_path / "c.html").write_text(HTML)
    (tmp_path / "d.htm").write_text("<p>Women shall be represented in every commission.</p>")
    (tmp_path / "e.txt").write_text("Plain text statement of the parties.")
    (tmp_path / "f.png").write_bytes(b"\x89PNG\r\n")  # not a document: skipped, and said so
    with pytest.warns(InputWarning, match=re.escape(f"{tmp_path}: skipped 1 file(s): f.png (not ")):
        docs = list(iter_documents([str(tmp_path)]))
    assert [d.id for d in docs] == ["a", "b", "c", "d", "e"]
    assert isinstance(docs[0].pages, list) and len(docs[0].pages) == 2
    assert all(isinstance(d.pages, str) for d in docs[1:])


def test_empty_folder_names_the_extensions(tmp_path):
    [err] = list(iter_documents([str(tmp_path)]))
    assert str(err) == f"{tmp_path}: the folder has no .txt, .md, .pdf, .docx, .html, .htm files"


def test_mislabelled_file_is_read_by_content(tmp_path):
    path = tmp_path / "agreement.txt"
    path.write_bytes(make_pdf([PAGE_1, PAGE_2]))
    doc = read_file(path)
    assert isinstance(doc.pages, list) and "ceasefire" in doc.pages[1]


# ---------------------------------------------------------------- end to end: page numbers with evidence


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def test_pdf_evidence_carries_page_numbers(tiny_model, tmp_path):
    path = tmp_path / "agreement.pdf"
    path.write_bytes(make_pdf([PAGE_1, PAGE_2]))
    r = run("predict", path, "--model", tiny_model, "-f", "json")
    assert r.exit_code == 0, r.output
    [coding] = json.loads(r.stdout)
    by_code = {c["code"]: c for c in coding["categories"]}
    assert by_code["Ce"]["present"]
    assert by_code["Ce"]["evidence"][0]["page"] == 2
    assert "ceasefire" in by_code["Ce"]["evidence"][0]["text"]
    r = run("predict", path, "--model", tiny_model)
    assert "\u201cPage 2: 1. The parties agree to an immediate ceasefire and the cessation of all hostilities.\u201d" in r.stdout
    r = run("predict", path, "--model", tiny_model, "-f", "csv")
    assert "Page 2: 1. The parties agree to an immediate ceasefire" in r.stdout


def test_pdf_on_stdin(tiny_model):
    r = CliRunner().invoke(cli, ["predict", "-", "--model", str(tiny_model), "-f", "json"], input=make_pdf([PAGE_1, PAGE_2]), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    ce = {c["code"]: c for c in json.loads(r.stdout)[0]["categories"]}["Ce"]
    assert ce["evidence"][0]["page"] == 2


def test_docx_and_html_have_no_page_numbers(tiny_model, tmp_path):
    docs = tmp_path / "docs"  # not tmp_path: folders are read with their subfolders, the model's among them
    docs.mkdir()
    (docs / "a.docx").write_bytes(make_docx())
    (docs / "b.html").write_text(HTML)
    r = run("predict", docs, "--model", tiny_model, "-f", "json")
    assert r.exit_code == 0, r.output
    codings = json.loads(r.stdout)
    assert [c["id"] for c in codings] == ["a", "b"]
    for coding in codings:
        ce = {c["code"]: c for c in coding["categories"]}["Ce"]
        assert ce["present"] and "page" not in ce["evidence"][0]
        assert "ceasefire" in ce["evidence"][0]["text"]


def test_scanned_pdf_cli_message(tiny_model, tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf([[]]))
    r = run("predict", path, "--model", tiny_model)
    assert r.exit_code == 1
    assert f"Error: {path}: the PDF has no text layer (1 page(s), probably scanned images); run OCR on it first" in r.stderr
