"""Read the documents to code: text, PDF, Word and HTML files, stdin, folders of them, CSV rows."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError
from .formats import SUFFIXES as DOCUMENT_SUFFIXES, document_pages
from .predict import Document

TEXT_SUFFIXES = {".txt", ".md"}


def decode(data: bytes, name: str) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from exc


def read_text_file(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    pages = document_pages(data, str(path), path.suffix)  # PDF, .docx, HTML (by content and extension)
    if pages is not None:
        return Document(id=path.stem, pages=pages, source=str(path))
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{path}: looks like a binary file, not text")
    text = decode(data, str(path))
    if not text.strip():
        raise InputError(f"{path}: the file is empty; nothing to code")
    return Document(id=path.stem, pages=text, source=str(path))


def read_csv_rows(path: Path, text_column: str, id_column: str | None) -> Iterator[Document]:
    import pandas as pd

    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from exc
    for column in filter(None, (text_column, id_column)):
        if column not in frame.columns:
            raise InputError(f"{path}: expected a column {column}; found {', '.join(frame.columns)}. Pass --text-column / --id-column")
    for i, row in frame.iterrows():
        text = row[text_column]
        doc_id = row[id_column] if id_column else f"{path.stem}:{i + 1}"
        if not text.strip():
            yield InputError(f"{path}: row {i + 2} ({doc_id}) has no text in {text_column}")
            continue
        yield Document(id=str(doc_id), pages=text, source=f"{path}#{doc_id}")


def iter_documents(paths: list[str], *, text_column: str | None = None, id_column: str | None = None) -> Iterator[Document | InputError]:
    """Every document named by ``paths``, or an InputError in its place (so good ones still get coded).

    A path is a file (text, PDF, .docx or HTML, told apart by content and extension), ``-``
    (stdin), a folder (its .txt, .md, .pdf, .docx, .html and .htm files, sorted), or with
    ``text_column`` a CSV file whose rows are documents.
    """
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read()
            try:
                pages = document_pages(data, "<stdin>")
            except InputError as exc:
                yield exc
                continue
            if pages is not None:
                yield Document(id="stdin", pages=pages, source="<stdin>")
                continue
            text = decode(data, "<stdin>")
            yield Document(id="stdin", pages=text, source="<stdin>") if text.strip() else InputError("<stdin>: no text to code")
            continue
        path = Path(raw)
        if not path.exists():
            yield InputError(f"{path}: no such file or folder")
        elif path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
            if not files:
                yield InputError(f"{path}: the folder has no {', '.join(DOCUMENT_SUFFIXES)} files")
            for file in files:
                yield from iter_documents([str(file)])
        elif text_column and path.suffix.lower() in {".csv", ".tsv"}:
            try:
                yield from read_csv_rows(path, text_column, id_column)
            except InputError as exc:
                yield exc
        else:
            try:
                yield read_text_file(path)
            except InputError as exc:
                yield exc
