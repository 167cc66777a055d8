"""Text out of PDF, Word (.docx) and HTML documents, chosen by content (magic bytes) and extension.

Plain text (.txt, .md) is not handled here: :mod:`classify.documents` decodes it. Every
extractor returns what :class:`classify.coding.Document` takes as ``pages``: a list of page
texts where the format has pages (PDF, numbered from 1, empty pages kept so numbering stays
right), else one text.
"""

from __future__ import annotations

import io
import re
import zipfile

from .errors import InputError

# Extension -> format. Folders are searched for every one of these.
SUFFIXES = {".txt": "text", ".md": "text", ".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html"}
FORMATS = ("text", "pdf", "docx", "html")

_PDF_MAGIC = b"%PDF-"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 .doc (and other old Office files)
_HTML_START = re.compile(rb"^(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE | re.DOTALL)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

OCR_HINT = "run OCR on it first (e.g. 'ocrmypdf in.pdf out.pdf') or pass its text as a .txt file"


def detect_format(data: bytes, suffix: str = "") -> str:
    """The format of a document: one of FORMATS.

    Content decides where it is recognisable (a PDF named .txt is read as a PDF); the extension
    decides otherwise (an HTML fragment named .html). A file whose extension promises PDF or
    Word but whose content is something else is an error, not silently read as text.

    Parameters
    ----------
    data : bytes
        The whole file (only the first kilobytes are looked at).
    suffix : str
        The file name's extension, e.g. ``".pdf"``; ``""`` for stdin.
    """
    suffix = suffix.lower()
    head = data[:4096]
    # PDF readers accept junk before the header within the first 1024 bytes (trusted for .pdf only).
    if head.startswith(_PDF_MAGIC) or (suffix == ".pdf" and _PDF_MAGIC in head[:1024]):
        return "pdf"
    if head.startswith(_ZIP_MAGIC):
        if _is_docx(data):
            return "docx"
        raise InputError("a ZIP archive but not a Word .docx document (no word/document.xml); save it as .docx, PDF or text")
    if head.startswith(_OLE_MAGIC):
        raise InputError("an old Word 97-2003 (.doc) or other legacy Office file, which cannot be read; save it as .docx or PDF")
    text_head = head
    for bom in _BOMS:
        if text_head.startswith(bom):
            text_head = text_head[len(bom):]
            break
    if b"\x00" in text_head[:64]:  # UTF-16: drop the zero bytes to see ASCII markup
        text_head = text_head.replace(b"\x00", b"")
    looks_html = bool(_HTML_START.match(text_head))
    if suffix == ".pdf":
        found = "HTML (perhaps an error page saved instead of the PDF)" if looks_html else "no %PDF header"
        raise InputError(f"named .pdf but it is not a PDF ({found}); check the file or download it again")
    if suffix == ".docx":
        raise InputError("named .docx but it is not a Word document (not a ZIP archive); check the file or save it again from Word")
    if looks_html or suffix in (".html", ".htm"):
        return "html"
    return "text"


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def document_pages(data: bytes, name: str, suffix: str = "") -> str | list[str] | None:
    """A document's ``pages`` if it is a PDF, .docx or HTML file; None if it is plain text.

    ``name`` (a path, or ``<stdin>``) starts every error message. Raises InputError.
    """
    try:
        fmt = detect_format(data, suffix)
        return None if fmt == "text" else extract(data, fmt)
    except InputError as exc:
        raise InputError(f"{name}: {exc}") from exc


def extract(data: bytes, fmt: str) -> str | list[str]:
    """The text of a PDF, .docx or HTML document (``fmt`` from :func:`detect_format`).

    Returns a list of page texts for PDF, one text otherwise. Raises InputError (without the
    file name: the caller adds it) when there is no text to code.
    """
    if fmt == "pdf":
        pages = pdf_pages(data)
    elif fmt == "docx":
        pages = docx_text(data)
    elif fmt == "html":
        pages = html_text(data)
    else:
        raise ValueError(f"not an extractable format: {fmt!r}")
    return pages


def _tidy(text: str) -> str:
    """Trailing spaces off every line, no runs of more than one blank line, no outer blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = re.sub(r"[ \t\u00a0]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# ---------------------------------------------------------------- PDF


def _page_text(page) -> str:
    """A PDF page's text with its paragraphs: pypdf's layout mode keeps the vertical gap between
    paragraphs as a blank line (the plain mode runs every line together, so a PDF would split
    into other clauses than the same text typed), its horizontal padding is dropped."""
    try:
        text = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode fails on some fonts; the plain text is still text
        return page.extract_text() or ""
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip() for line in text.splitlines()]
    return "\n".join(lines)


def pdf_pages(data: bytes) -> list[str]:
    """Page texts of a PDF's text layer, page 1 first (empty strings for pages without text).

    Raises InputError for an encrypted PDF, a damaged one, or one without any text layer
    (a scan), suggesting OCR.
    """
    import logging

    from pypdf import PdfReader

    # pypdf logs harmless irregularities ("Ignoring wrong pointing object") as warnings; with
    # logging unconfigured Python would print them. A NullHandler keeps them unprinted unless
    # the application configures logging itself. Levels are left alone.
    pypdf_logger = logging.getLogger("pypdf")
    if not any(isinstance(h, logging.NullHandler) for h in pypdf_logger.handlers):
        pypdf_logger.addHandler(logging.NullHandler())
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # pypdf raises DependencyError for AES without a crypto library, among others
                ok = 0
            if not ok:
                raise InputError("the PDF is password-protected; remove the password (or export its text) and try again")
        pages = [_tidy(_page_text(page)) for page in reader.pages]
    except InputError:
        raise
    except Exception as exc:  # a damaged PDF can make pypdf raise almost anything (PdfReadError, KeyError, zlib.error, ...)
        raise InputError(f"cannot be read as a PDF ({exc.__class__.__name__}: {exc}); it may be damaged") from exc
    if not pages:
        raise InputError("the PDF has no pages")
    if not any(p.strip() for p in pages):
        raise InputError(f"the PDF has no text layer ({len(pages)} page(s), probably scanned images); {OCR_HINT}")
    return pages


# ---------------------------------------------------------------- Word


def docx_text(data: bytes) -> str:
    """The body text of a .docx: paragraphs and table rows in document order, one blank line apart.

    Word files have no fixed pages (they depend on how the text is laid out), so there are
    no page numbers. Headers, footers, comments and footnotes are left out.
    """
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises bare KeyError / ValueError / lxml errors for damaged files
        raise InputError(f"cannot be read as a Word .docx document ({exc.__class__.__name__}: {exc}); it may be damaged") from exc
    blocks = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_rows(item))
        else:
            blocks.append(item.text)
    text = _tidy("\n\n".join(b.strip() for b in blocks if b.strip()))
    if not text:
        raise InputError("the Word document has no text")
    return text


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            t = " ".join(cell.text.split())
            if t and (not cells or cells[-1] != t):  # merged cells repeat their text
                cells.append(t)
        if cells:
            rows.append(" | ".join(cells))
    return rows


# ---------------------------------------------------------------- HTML

# Never the document's text.
_DROP = ["script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "form", "button", "select", "input", "textarea", "head", "title", "meta", "link"]
# Page furniture: navigation, banners, footers, sidebars.
_FURNITURE = ["nav", "header", "footer", "aside", "menu"]
_FURNITURE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar"}
_BLOCK = {
    "address", "article", "blockquote", "caption", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "thead", "tfoot", "tr", "ul", "body", "center",
}
_PARA, _LINE, _CELL = "\ue000", "\ue001", "\ue002"  # private-use markers, replaced after whitespace is collapsed


def html_text(data: bytes | str) -> str:
    """The main text of an HTML page: no scripts, styles, navigation, headers, footers or sidebars.

    The content of ``<main>`` (or of the page's only ``<article>``) is taken when there is
    one, else the body. Block elements (paragraphs, list items, headings, table rows) become
    paragraphs; ``<br>`` a line break. The character set is taken from the page (BOM,
    ``<meta charset>``), else guessed.
    """
    from bs4 import BeautifulSoup, Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(data, "html.parser")
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, (Comment, Declaration, Doctype, ProcessingInstruction))):
        comment.extract()
    articles = soup.find_all("article")
    root = soup.find("main") or soup.find(attrs={"role": "main"}) or (articles[0] if len(articles) == 1 else None) or soup.body or soup
    for tag in root.find_all(_FURNITURE):
        # an article's own <header>/<footer> (its title, signatures) is content; the page's is not
        if not tag.decomposed and not (tag.name in ("header", "footer") and tag.find_parent(["article", "section", "main"])):
            tag.decompose()
    for tag in root.find_all(attrs={"role": True}):
        if not tag.decomposed and str(tag.get("role", "")).lower() in _FURNITURE_ROLES:
            tag.decompose()
    for tag in root.find_all(True, attrs={"hidden": True}):
        if not tag.decomposed:
            tag.decompose()
    for pre in root.find_all("pre"):
        if pre.decomposed:
            continue
        for string in pre.find_all(string=True):  # preformatted: its line breaks are real
            string.replace_with(string.replace("\r\n", "\n").replace("\n", _LINE))
    for tag in root.find_all(True):
        if tag.decomposed:
            continue
        if tag.name == "br":
            tag.replace_with(_LINE)
        elif tag.name in ("td", "th"):
            tag.append(_CELL)
        elif tag.name in _BLOCK:
            tag.insert_before(_PARA)
            tag.append(_PARA)
    text = root.get_text()
    text = re.sub(r"\s+", " ", text)  # source whitespace (incl. newlines) is one space in HTML
    text = text.replace(_CELL + _PARA, _PARA).replace(_CELL, " | ")
    text = text.replace(_LINE, "\n").replace(_PARA, "\n\n")
    text = re.sub(r" *\n *", "\n", text)
    text = _tidy(text)
    if not text:
        raise InputError("the HTML page has no text outside navigation, scripts and styles")
    return text
