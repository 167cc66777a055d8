"""Reading documents: encodings, bad files, limits, folders. Library level (no model needed)."""

import io
import os
import re
import tracemalloc
import warnings

import pytest

from classify.documents import DEFAULT_MAX_BYTES, decode_text, iter_documents, read_file, read_stdin
from classify.errors import InputError, InputWarning

ENGLISH = (
    "The parties agree to an immediate ceasefire and the cessation of all hostilities. "
    "All prisoners held in connection with the conflict shall be released within thirty days, "
    "and the commission shall report to the parties on the progress of the release."
)
FRENCH = (
    "Les parties conviennent d'un cessez-le-feu immédiat et de la cessation de toutes les hostilités. "
    "Tous les prisonniers détenus en relation avec le conflit seront libérés dans un délai de trente jours, "
    "et la commission fera rapport aux parties sur les progrès de la libération."
)


def write(path, data):
    path.write_bytes(data)
    return path


def no_warnings():
    return warnings.catch_warnings(record=True)


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, text",
    [
        ("utf-8", ENGLISH + " Signed in Bogotá."),
        ("utf-8-sig", ENGLISH),
        ("utf-16", ENGLISH + " Signed in Genève."),  # Python writes a BOM
        ("utf-16-be", ENGLISH),  # no BOM
        ("utf-16-le", ENGLISH),  # no BOM
        ("utf-32", ENGLISH),
    ],
)
def test_unicode_encodings_are_read_without_warning(tmp_path, encoding, text):
    path = write(tmp_path / "doc.txt", text.encode(encoding))
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        doc = read_file(path)
    assert doc.text == text
    assert doc.id == "doc" and doc.source == str(path)


def test_utf16_with_bom_both_byte_orders(tmp_path):
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        path = write(tmp_path / "doc.txt", bom + ENGLISH.encode(codec))
        assert read_file(path).text == ENGLISH


def test_cp1252_is_detected_and_reported(tmp_path):
    text = "The parties\u2019 \u201cceasefire\u201d \u2014 signed in Bogot\u00e1. " + ENGLISH
    path = write(tmp_path / "doc.txt", text.encode("cp1252"))
    with pytest.warns(InputWarning, match=re.escape(f"{path}: not UTF-8; read as cp1252 (a guess)")):
        assert read_file(path).text == text


@pytest.mark.parametrize("text", ["Signed at Gen\u00e8ve by the parties, \u00e0 la fin. " + ENGLISH, "caf\u00e9"])
def test_latin1_is_read_as_western_not_central_european(tmp_path, text):
    # charset-normalizer alone guesses cp1250 here and turns "è" into "č"
    path = write(tmp_path / "doc.txt", text.encode("latin-1"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InputWarning)
        assert decode_text(path.read_bytes(), "x")[0] == text


def test_cyrillic_legacy_encoding_is_detected():
    text = "Стороны договорились о прекращении огня и освобождении всех задержанных лиц."
    assert decode_text(text.encode("cp1251"), "x") == (text, "cp1251")


def test_bom_that_lies_is_an_error(tmp_path):
    path = write(tmp_path / "doc.txt", b"\xef\xbb\xbf" + b"caf\xe9 ceasefire")
    with pytest.raises(InputError, match=re.escape(f"{path}: starts with a UTF-8 byte-order mark but is not valid UTF-8; re-save it as UTF-8")):
        read_file(path)


# --- bad files -------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = write(tmp_path / "empty.txt", b"")
    with pytest.raises(InputError, match=re.escape(f"{path}: the file is empty; nothing to code")):
        read_file(path)


@pytest.mark.parametrize("data", [b" \n\t\r\n  ", "\u00a0\u2003\n".encode(), b"\xef\xbb\xbf  \n", "  \n".encode("utf-16")])
def test_whitespace_only_file(tmp_path, data):
    path = write(tmp_path / "blank.txt", data)
    with pytest.raises(InputError, match=re.escape(f"{path}: the file is empty or only whitespace; nothing to code")):
        read_file(path)


def test_binary_file_with_nul_bytes(tmp_path):
    path = write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match=re.escape(f"{path}: looks like a binary file, not text (it contains NUL bytes); give a text, PDF, .docx or HTML file")):
        read_file(path)


def test_binary_file_without_nul_bytes(tmp_path):
    data = bytes(b for b in range(1, 256)) * 8  # control bytes everywhere, no NUL
    path = write(tmp_path / "blob.txt", data)
    with pytest.raises(InputError, match=re.escape(f"{path}: looks like a binary file, not text (")):
        read_file(path)


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match=re.escape(f"{tmp_path / 'nope.txt'}: no such file or folder")):
        read_file(tmp_path / "nope.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path):
    path = write(tmp_path / "secret.txt", ENGLISH.encode())
    path.chmod(0)
    try:
        with pytest.raises(InputError, match=re.escape(f"{path}: cannot be read (Permission denied)")):
            read_file(path)
    finally:
        path.chmod(0o644)


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.txt", ENGLISH.encode())
    real_open = open

    def deny(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError, match=re.escape(f"{path}: cannot be read (Permission denied)")):
        read_file(path)


def test_device_and_pipe_are_refused_not_read_forever(tmp_path):
    with pytest.raises(InputError, match=re.escape("/dev/zero: not a regular file (a device, pipe or socket); give a text file, or '-' to read stdin")):
        read_file("/dev/zero")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_file(fifo)  # would block forever if opened


# --- size limit ------------------------------------------------------------------------------


def test_50_mb_file_is_refused_in_bounded_memory(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:  # sparse: 50 MB without writing 50 MB
        f.write(ENGLISH.encode())
        f.truncate(50_000_000)
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=re.escape(f"{path}: 50.0 MB is over the 10.0 MB limit for one document; split it into parts, or raise the limit with --max-size")):
            read_file(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_limit_is_configurable_and_inclusive(tmp_path):
    path = write(tmp_path / "doc.txt", ENGLISH.encode())
    assert read_file(path, max_bytes=len(ENGLISH)).text == ENGLISH
    with pytest.raises(InputError, match=re.escape(f"{path}: {len(ENGLISH)} bytes is over the {len(ENGLISH) - 1} bytes limit")):
        read_file(path, max_bytes=len(ENGLISH) - 1)


def test_stdin_reads_at_most_the_limit():
    stream = io.BytesIO(b"x" * 1000)
    with pytest.raises(InputError, match=re.escape("<stdin>: more is over the 999 bytes limit")):
        read_stdin(max_bytes=999, stream=stream)
    assert stream.tell() == 1000  # read max_bytes + 1, no more
    assert read_stdin(stream=io.BytesIO(ENGLISH.encode("utf-16"))).text == ENGLISH
    with pytest.raises(InputError, match=re.escape("<stdin>: no text to code")):
        read_stdin(stream=io.BytesIO(b"\n \n"))
    assert DEFAULT_MAX_BYTES == 10_000_000


# --- language --------------------------------------------------------------------------------


def test_non_english_text_is_read_with_a_warning(tmp_path):
    path = write(tmp_path / "fr.txt", FRENCH.encode())
    with pytest.warns(InputWarning, match=re.escape(f"{path}: does not look like English (0% common English words); the model is English-only")):
        assert read_file(path).text == FRENCH


@pytest.mark.parametrize("text", [ENGLISH, "Cessez-le-feu immédiat.", "ARTICLE 1\n\n1.1 " + ENGLISH.upper()])
def test_english_or_too_short_text_gives_no_language_warning(tmp_path, text):
    path = write(tmp_path / "doc.txt", text.encode())
    with warnings.catch_warnings():
        warnings.simplefilter("error", InputWarning)
        read_file(path)


# --- many inputs -----------------------------------------------------------------------------


def test_folder_mixing_good_and_bad_files(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder / "a_good.txt", ENGLISH.encode())
    write(folder / "b_empty.txt", b"")
    write(folder / "c_binary.txt", b"\x00\x01\x02" * 100)
    write(folder / "d_cp1252.md", ("\u201cQuoted\u201d " + ENGLISH).encode("cp1252"))
    os.symlink(folder / "gone.txt", folder / "e_broken_link.txt")
    write(folder / "ignored.png", b"\x89PNG\r\n")
    (folder / "sub.txt").mkdir()  # a folder named like a text file is not a document
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        items = list(iter_documents([str(folder)]))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "InputError", "Document", "InputError"]
    assert [i.id for i in items if not isinstance(i, InputError)] == ["a_good", "d_cp1252"]
    assert str(items[1]) == f"{folder / 'b_empty.txt'}: the file is empty; nothing to code"
    assert str(items[2]).startswith(f"{folder / 'c_binary.txt'}: looks like a binary file")
    assert str(items[4]) == f"{folder / 'e_broken_link.txt'}: no such file or folder"
    assert [str(w.message).split(":")[0] for w in caught] == [str(folder), str(folder / "d_cp1252.md")]
    assert str(caught[0].message) == f"{folder}: skipped 1 file(s): ignored.png (not .txt/.md/.pdf/.docx/.html/.htm)"


def test_folder_without_text_files_and_unreadable_folder(tmp_path, monkeypatch):
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    [err] = list(iter_documents([str(tmp_path)]))
    assert str(err) == f"{tmp_path}: the folder has no .txt, .md, .pdf, .docx, .html, .htm files"

    def deny(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(type(tmp_path), "iterdir", deny)
    [err] = list(iter_documents([str(tmp_path)]))
    assert str(err) == f"{tmp_path}: the folder cannot be read (Permission denied)"


def test_every_input_yields_a_document_or_an_error(tmp_path):
    good = write(tmp_path / "good.txt", ENGLISH.encode())
    items = list(iter_documents([str(tmp_path / "missing.txt"), str(good), "/dev/null"]))
    assert [type(i).__name__ for i in items] == ["InputError", "Document", "InputError"]


# --- CSV rows --------------------------------------------------------------------------------


def test_csv_rows_bad_rows_are_reported_and_good_ones_kept(tmp_path):
    path = write(tmp_path / "docs.csv", ("id,text\nd1,\"" + ENGLISH + "\"\nd2,   \nd3\nd4,\"\x01\x02\x03\x04\x05\"\n").encode())
    items = list(iter_documents([str(path)], text_column="text", id_column="id"))
    assert [str(i) if isinstance(i, InputError) else i.id for i in items] == [
        "d1",
        f"{path}: row 3 (d2): no text in column text",
        f"{path}: row 4 (d3): no text in column text",
        f"{path}: row 5 (d4): looks like a binary file, not text (5 control characters in the first 5); give a text, PDF, .docx or HTML file",
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the CSV file is empty; nothing to code"),
        (b"key,body\nd1,x\n", "expected a column text; found key, body. Pass --text-column / --id-column"),
        ("text\ncaf\u00e9\n".encode("cp1252"), "not UTF-8 (byte 8); save the CSV as UTF-8"),
        (b'text\n"never closed\n', "cannot be read as CSV ("),
    ],
)
def test_csv_file_level_errors(tmp_path, data, message):
    path = write(tmp_path / "docs.csv", data)
    [err] = list(iter_documents([str(path)], text_column="text"))
    assert isinstance(err, InputError)
    assert str(err).startswith(f"{path}: {message}")
    assert "\n" not in str(err)


def test_csv_is_read_in_chunks(tmp_path):
    from classify.documents import read_csv_rows

    rows = "".join(f'd{i},"{ENGLISH}"\n' for i in range(25))
    path = write(tmp_path / "docs.csv", ("id,text\n" + rows).encode())
    docs = list(read_csv_rows(path, "text", "id", chunksize=7))
    assert [d.id for d in docs] == [f"d{i}" for i in range(25)]


def test_tsv_rows(tmp_path):
    path = write(tmp_path / "docs.tsv", f"id\ttext\nd1\t{ENGLISH}\n".encode())
    [doc] = list(iter_documents([str(path)], text_column="text", id_column="id"))
    assert doc.id == "d1" and doc.text == ENGLISH


def test_csv_rows_not_in_english_give_one_warning_for_the_file(tmp_path):
    rows = "".join(f'd{i},"{FRENCH if i % 2 else ENGLISH}"\n' for i in range(30))
    path = write(tmp_path / "docs.csv", ("id,text\n" + rows).encode())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        docs = list(iter_documents([str(path)], text_column="text", id_column="id"))
    assert len(docs) == 30
    assert [str(w.message) for w in caught] == [
        f"{path}: 15 of 30 row(s) do not look like English (rows 3, 5, 7, 9, 11, 13, 15, 17, 19, 21 and 5 more); the model is English-only, so their codes may be missing or wrong"
    ]
