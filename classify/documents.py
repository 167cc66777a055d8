"""Read the documents to code: text, PDF, Word and HTML files, stdin, folders of them, CSV rows.

Every problem with one input becomes an :class:`InputError` naming it, so the other inputs
still get coded. Things worth knowing but not fatal (a guessed encoding, text that does not
look English) are reported with ``warnings.warn(..., InputWarning)``; the CLI prints them.

``read_file`` is the one entry point for a single file: it checks the path, reads at most the
size limit, lets :mod:`classify.formats` extract PDF, .docx and HTML (chosen by content and
extension), decodes plain text, and checks the text that comes back.
"""

from __future__ import annotations

import codecs
import re
import stat
import sys
import unicodedata
import warnings
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from .errors import InputError, InputWarning
from .formats import SUFFIXES as DOCUMENT_SUFFIXES, document_pages
from .coding import Document

TEXT_SUFFIXES = {".txt", ".md"}
# The longest PA-X agreement is under 1 MB of text; 10 MB leaves room and keeps memory bounded.
DEFAULT_MAX_BYTES = 10_000_000
# PDF and .docx files hold more than their text (fonts, images): their files may be this many
# times the limit, as long as the text extracted from them is within it.
CONTAINER_SUFFIXES = {".pdf", ".docx"}
CONTAINER_FACTOR = 5

BOMS = [  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
]
# C0 control bytes that do not occur in text (all but tab, newlines, form feed, escape)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b")
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
# Legacy encodings: text that decodes as cp1252 with mostly ASCII letters is taken as cp1252
# (it includes every printable latin-1 character); charset-normalizer alone often picks cp1250
# for short Western text, turning "è" into "č". Other text goes to charset-normalizer.
MAX_NON_ASCII_LETTERS_CP1252 = 0.3
_UTF16_32 = ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"]
_ALLOWED_CONTROLS = set("\t\n\r\f\v")

# Non-English detection: share of words that are common English function words. English prose,
# legal text included, is 30-50%; other languages written in Latin script are under 5%.
_ENGLISH = frozenset(
    "the of and to in a is that for on with as by be shall are this at or from it an which "
    "will not have has all its their any such other been were was they under into these "
    "upon within between both them also".split()
)
_WORD = re.compile(r"[^\W\d_]+")
MIN_WORDS_FOR_LANGUAGE = 20
MIN_ENGLISH_SHARE = 0.08


def _human(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n} bytes"


def _controls(text: str) -> int:
    return sum(1 for ch in text if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")


def _looks_utf16(sample: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the NUL bytes sit in every other byte (BOM-less UTF-16)."""
    if len(sample) < 4:
        return None
    sample = sample[: len(sample) - len(sample) % 2]
    odd, even = sample[1::2], sample[0::2]
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _guess_legacy(data: bytes) -> str | None:
    """The most plausible legacy (not UTF-8/16/32) encoding of ``data``, or None."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    else:
        letters = [ch for ch in text[:100_000] if ch.isalpha()]
        if letters and sum(not ch.isascii() for ch in letters) <= MAX_NON_ASCII_LETTERS_CP1252 * len(letters):
            return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_exclusion=_UTF16_32).best()
    if best is not None:
        return best.encoding
    return "cp1252" if text is not None else None


BINARY_HINT = "give a text, PDF, .docx or HTML file"


def decode_text(data: bytes, name: str, *, hint: str = BINARY_HINT) -> tuple[str, str]:
    """Bytes to text and the encoding used.

    UTF-8, or a BOM's encoding (UTF-8/16/32); BOM-less UTF-16; else the most plausible legacy
    encoding (cp1252 and latin-1 preferred, then what charset-normalizer finds). Raises
    InputError for binary data (ending the message with ``hint``) and for bytes that are text
    in no known encoding.
    """
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), f"{label} with BOM"
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: starts with a {label} byte-order mark but is not valid {label}; re-save it as UTF-8") from exc
    sample = data[:65536]
    if b"\x00" in sample:
        encoding = _looks_utf16(sample)
        if encoding is None:
            raise InputError(f"{name}: looks like a binary file, not text (it contains NUL bytes); {hint}")
        try:
            return data.decode(encoding), encoding.upper()
        except UnicodeDecodeError as exc:
            raise InputError(f"{name}: looks like a binary file, not text (not valid UTF-16 at byte {exc.start}); {hint}") from exc
    controls = len(sample.translate(None, _NOT_CONTROL))
    if controls > max(2, 0.01 * len(sample)):
        raise InputError(f"{name}: looks like a binary file, not text ({controls} control bytes in the first {len(sample)}); {hint}")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    encoding = _guess_legacy(data)
    if encoding is None:
        raise InputError(f"{name}: not text in any encoding recognised (not UTF-8, nor cp1252/latin-1 or another legacy encoding); save it as UTF-8")
    try:
        return data.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError) as exc:  # charset-normalizer judged on a sample
        raise InputError(f"{name}: not UTF-8, and not valid {encoding} either; save it as UTF-8") from exc


def decode(data: bytes, name: str) -> str:
    """Bytes to text (see :func:`decode_text`); warns when the encoding had to be guessed."""
    text, encoding = decode_text(data, name)
    if not encoding.upper().startswith("UTF"):
        warnings.warn(f"{name}: not UTF-8; read as {encoding} (a guess). If accents or quotes look wrong, save it as UTF-8", InputWarning, stacklevel=2)
    return text


def english_share(text: str) -> float | None:
    """Share of words that are common English function words, or None for under 20 words."""
    words = _WORD.findall(text[:200_000].lower())
    if len(words) < MIN_WORDS_FOR_LANGUAGE:
        return None
    return sum(w in _ENGLISH for w in words) / len(words)


def check_text(text: str, name: str, *, plain: bool = True, language: bool = True) -> None:
    """Raise InputError for text that cannot be coded; warn when it does not look English.

    ``plain``: the text was decoded from bytes (so control characters mean a binary file),
    rather than extracted from a PDF, .docx or HTML file. ``language``: warn about non-English text.
    """
    if not text.strip():
        raise InputError(f"{name}: the file is empty or only whitespace; nothing to code")
    if plain:
        sample = text[:200_000]
        controls = _controls(sample)
        if controls > max(2, 0.01 * len(sample)):
            raise InputError(f"{name}: looks like a binary file, not text ({controls} control characters in the first {len(sample)}); {BINARY_HINT}")
    share = english_share(text) if language else None
    if share is not None and share < MIN_ENGLISH_SHARE:
        warnings.warn(
            f"{name}: does not look like English ({share:.0%} common English words); the model is English-only, so its codes may be missing or wrong",
            InputWarning,
            stacklevel=2,
        )


def _stat_regular_file(path: Path):
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file or folder") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path}: not a regular file (a device, pipe or socket); give a text file, or '-' to read stdin")
    return st


def _too_large(name: str, size: int | None, max_bytes: int) -> InputError:
    found = f"{_human(size)}" if size is not None else "more"
    return InputError(f"{name}: {found} is over the {_human(max_bytes)} limit for one document; split it into parts, or raise the limit with --max-size")


def _read_bytes(path: Path, limit: int) -> bytes:
    size = _stat_regular_file(path).st_size
    if size > limit:
        raise _too_large(str(path), size, limit)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)  # the file may have grown since stat
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:
        raise _too_large(str(path), None, limit)
    return data


def _document(data: bytes, name: str, doc_id: str, suffix: str, max_bytes: int) -> Document:
    """Bytes of one document (a file's or stdin's) as a checked Document."""
    if not data:
        raise InputError(f"{name}: the file is empty; nothing to code")
    pages = document_pages(data, name, suffix)  # PDF, .docx, HTML (by content and extension); None for text
    if pages is None:
        text = decode(data, name)
        check_text(text, name)
        return Document(id=doc_id, pages=text, source=name)
    document = Document(id=doc_id, pages=pages, source=name)
    text = document.text
    if len(text) > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise InputError(f"{name}: its text is over the {_human(max_bytes)} limit for one document; split it into parts, or raise the limit with --max-size")
    check_text(text, name, plain=False)
    return document


def read_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """One file as a Document, whatever its type: the single per-file entry point.

    Checks that ``path`` is a readable regular file within the size limit (``max_bytes``, or
    CONTAINER_FACTOR times that for .pdf and .docx, whose text must then be within it), reads it
    as PDF, .docx, HTML or plain text, and checks the text (not empty, not binary; a warning if
    it does not look English). Raises InputError naming the file and the problem.
    """
    path = Path(path)
    limit = max_bytes * (CONTAINER_FACTOR if path.suffix.lower() in CONTAINER_SUFFIXES else 1)
    data = _read_bytes(path, limit)
    return _document(data, str(path), path.stem, path.suffix, max_bytes)


def read_stdin(*, max_bytes: int = DEFAULT_MAX_BYTES, stream=None) -> Document:
    """Standard input as a Document (text, or a PDF, .docx or HTML file piped in)."""
    stream = stream if stream is not None else sys.stdin.buffer
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large("<stdin>", None, max_bytes)
    if not data.strip():
        raise InputError("<stdin>: no text to code")
    return _document(data, "<stdin>", "stdin", "", max_bytes)


def _csv_sep(path: Path) -> str:
    return "\t" if path.suffix.lower() == ".tsv" else ","


def read_csv_rows(path: Path, text_column: str, id_column: str | None, *, max_bytes: int = DEFAULT_MAX_BYTES, chunksize: int = 1000) -> Iterator[Document | InputError]:
    """Each row of a CSV as a Document (or an InputError for a row without usable text).

    Read ``chunksize`` rows at a time, so memory stays bounded however long the file is.
    """
    import pandas as pd

    _stat_regular_file(path)
    try:
        reader = pd.read_csv(path, sep=_csv_sep(path), dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=chunksize)
        first = True
        offset = 0
        not_english = []
        for frame in reader:
            if first:
                for column in filter(None, (text_column, id_column)):
                    if column not in frame.columns:
                        raise InputError(f"{path}: expected a column {column}; found {', '.join(map(str, frame.columns))}. Pass --text-column / --id-column")
                first = False
            for i, (text, doc_id) in enumerate(zip(frame[text_column], frame[id_column] if id_column else [None] * len(frame))):
                row = offset + i
                text = text if isinstance(text, str) else ""  # a short row: missing cells
                doc_id = doc_id if id_column else f"{path.stem}:{row + 1}"
                name = f"{path}: row {row + 2} ({doc_id})"
                if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
                    yield _too_large(name, len(text.encode("utf-8", "surrogatepass")), max_bytes)
                    continue
                if not text.strip():
                    yield InputError(f"{name}: no text in column {text_column}")
                    continue
                try:
                    check_text(text, name, language=False)
                except InputError as exc:
                    yield exc
                    continue
                share = english_share(text)
                if share is not None and share < MIN_ENGLISH_SHARE:
                    not_english.append(row + 2)
                yield Document(id=str(doc_id), pages=text, source=f"{path}#{doc_id}")
            offset += len(frame)
        if not_english:  # one warning for the file, not one per row
            rows = ", ".join(map(str, not_english[:10])) + (f" and {len(not_english) - 10} more" if len(not_english) > 10 else "")
            warnings.warn(
                f"{path}: {len(not_english)} of {offset} row(s) do not look like English (rows {rows}); the model is English-only, so their codes may be missing or wrong",
                InputWarning,
                stacklevel=2,
            )
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start}); save the CSV as UTF-8") from exc
    except pd.errors.EmptyDataError as exc:
        raise InputError(f"{path}: the CSV file is empty; nothing to code") from exc
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        message = " ".join(str(exc).split())
        raise InputError(f"{path}: cannot be read as CSV ({message}); check its quoting and delimiters") from exc


# Columns that hold a document's text in the CSVs users bring (PA-X's corpus export among them)
TEXT_COLUMNS = ("text", "agreement text", "description", "body", "content")


# Columns that hold a row's id, taken without --id-column (PA-X's AgtId among them)
ID_COLUMNS = ("id", "agtid", "doc_id", "document_id")


def _csv_columns(path: Path) -> list[str] | None:
    import pandas as pd

    _stat_regular_file(path)
    try:
        return [str(c) for c in pd.read_csv(path, sep=_csv_sep(path), nrows=0, encoding="utf-8-sig").columns]
    except Exception:
        return None  # read_csv_rows says what is wrong with the file


def csv_id_column(path: Path) -> str | None:
    """The column of a CSV without --id-column that obviously holds each row's id (warned about), or None."""
    by_lower = {c.strip().lower(): c for c in _csv_columns(path) or []}
    for name in ID_COLUMNS:
        if name in by_lower:
            warnings.warn(f"{path}: taking each row's id from its {by_lower[name]!r} column (pass --id-column to choose another)", InputWarning, stacklevel=2)
            return by_lower[name]
    return None


def csv_text_column(path: Path) -> str:
    """The column of a CSV without --text-column that obviously holds the text (warned about), or
    an InputError listing its columns."""
    columns = _csv_columns(path)
    if columns is None:
        return "text"
    by_lower = {c.strip().lower(): c for c in columns}
    for name in TEXT_COLUMNS:
        if name in by_lower:
            warnings.warn(f"{path}: coding each row's {by_lower[name]!r} column as a document (pass --text-column to choose another)", InputWarning, stacklevel=2)
            return by_lower[name]
    raise InputError(f"{path}: a CSV holds one document per row; pass --text-column with the column that holds the text (its columns: {', '.join(columns)})")


def _folder_files(path: Path) -> list[tuple[Path, str]]:
    """The documents in a folder and its subfolders, each with its id: its path relative to the
    folder, without the extension unless two files share the rest ("agr.txt", "agr.pdf"). Warns
    once about the files skipped, and why."""
    try:
        next(iter(path.iterdir()), None)  # an unreadable folder is an error, not an empty one
        entries = sorted(p for p in path.rglob("*") if not p.is_dir())
    except OSError as exc:
        raise InputError(f"{path}: the folder cannot be read ({exc.strerror or exc})") from exc
    files, hidden, unsupported = [], [], []
    for p in entries:
        rel = p.relative_to(path)
        if any(part.startswith(".") for part in rel.parts):
            hidden.append(rel.as_posix())
        elif p.suffix.lower() not in DOCUMENT_SUFFIXES:
            unsupported.append(rel.as_posix())
        else:
            files.append(p)
    if not files:
        raise InputError(f"{path}: the folder has no {', '.join(DOCUMENT_SUFFIXES)} files")
    if hidden or unsupported:
        some = lambda names: ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        reasons = ([f"{some(unsupported)} (not {'/'.join(DOCUMENT_SUFFIXES)})"] if unsupported else []) + ([f"{some(hidden)} (hidden)"] if hidden else [])
        warnings.warn(f"{path}: skipped {len(hidden) + len(unsupported)} file(s): {'; '.join(reasons)}", InputWarning, stacklevel=2)
    stems = Counter(p.relative_to(path).with_suffix("").as_posix() for p in files)
    out = []
    for p in files:
        rel = p.relative_to(path)
        stem = rel.with_suffix("").as_posix()
        out.append((p, rel.as_posix() if stems[stem] > 1 else stem))
    return out


def iter_documents(
    paths: list[str],
    *,
    text_column: str | None = None,
    id_column: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Document | InputError]:
    """Every document named by ``paths``, or an InputError in its place (so good ones still get coded).

    A path is a file (text, PDF, .docx or HTML, told apart by content and extension), ``-``
    (stdin), a folder (its .txt, .md, .pdf, .docx, .html and .htm files, sorted), or with
    ``text_column`` a CSV file whose rows are documents. ``max_bytes`` caps one document.
    """
    for raw in paths:
        try:
            if raw == "-":
                yield read_stdin(max_bytes=max_bytes)
                continue
            path = Path(raw)
            if path.is_dir():
                for file, doc_id in _folder_files(path):
                    for item in iter_documents([str(file)], max_bytes=max_bytes):
                        if isinstance(item, Document):
                            item.id = doc_id
                        yield item
            elif path.suffix.lower() in {".csv", ".tsv"}:
                yield from read_csv_rows(path, text_column or csv_text_column(path), id_column or csv_id_column(path), max_bytes=max_bytes)
            else:
                yield read_file(path, max_bytes=max_bytes)
        except InputError as exc:
            yield exc
        except OSError as exc:  # anything the readers did not foresee still names the input
            yield InputError(f"{raw}: cannot be read ({exc.strerror or exc})")
