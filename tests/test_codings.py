"""Codings CSVs as people save them: clear errors listing rows, warnings for ignored columns."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from classify.cli import cli
from training.errors import DataError, DataWarning
from training.codings import read_codings
from training.sources import load_pax

KNOWN = {"Ce", "TjPrire", "GeWom", "HrDet"}


def write(tmp_path, text, name="codings.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def read(path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        return read_codings(path, **kwargs)


def test_reads_values_unknowns_and_metadata(tmp_path):
    path = write(tmp_path, "Con,PP,AgtId,Agt,Dat,Ce,GeWom,TjPrire\nX,7,1,A one,01/02/2003,2,0,\nX,,2,A two,,0,1,NA\n")
    out = read(path)
    assert out.index.tolist() == [1, 2] and out.index.name == "AgtId"
    assert out[["Ce", "GeWom", "TjPrire"]].values.tolist() == [[2, 0, -1], [0, 1, -1]]  # grades kept
    assert out["PP"].tolist() == ["7", None] and out["Agt"].tolist() == ["A one", "A two"]
    assert "Con" not in out.columns


@pytest.mark.parametrize(
    "text, message",
    [
        ("Id,Ce\n1,0\n", "expected a column AgtId; found Id, Ce. Rename Id to AgtId"),
        ("agt_id,Ce\n1,0\n", "expected a column AgtId; found agt_id, Ce. Rename agt_id to AgtId"),
        ("Name,Ce\n1,0\n", "expected a column AgtId; found Name, Ce. Add a column AgtId with the PA-X agreement id of each row"),
        ("", "the file is empty; expected a header row with AgtId and category columns"),
        ("AgtId,Ce\n", "has a header but no rows; expected one row per agreement"),
        ("AgtId,Notes\n1,fine\n", "expected PA-X category columns (such as GeWom, Ce, TjPrire); found AgtId, Notes"),
        ("AgtId,Ce,Ce\n1,0,1\n", "column Ce appears more than once in the header; keep one"),
    ],
)
def test_structure_errors(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=re.escape(f"{path}: {message}")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DataWarning)
            read_codings(path, known_codes=KNOWN if "Notes" not in text else None)


def test_bad_ids_are_listed_by_row(tmp_path):
    path = write(tmp_path, "AgtId,Ce\n1,0\n,1\nabc,0\n4.5,1\n5.0,0\n")
    with pytest.raises(DataError, match=re.escape(f"{path}: AgtId must be a whole number on every row; found otherwise in rows 3 (''), 4 ('abc'), 5 ('4.5'). Fill in or fix the ids")):
        read(path)


def test_bad_values_are_listed_by_row_and_column(tmp_path):
    path = write(tmp_path, "AgtId,Ce,GeWom\n1,yes,0\n2,4,-1\n3,0.5,1\n4,1,0\n")
    with pytest.raises(DataError, match=re.escape(
        f"{path}: category values must be 0, 1, 2, 3 or blank; found row 2 Ce ('yes'), row 3 Ce ('4'), row 3 GeWom ('-1'), row 4 Ce ('0.5'). Fix those cells"
    )):
        read(path)


def test_many_bad_values_are_counted_not_all_listed(tmp_path):
    path = write(tmp_path, "AgtId,Ce\n" + "".join(f"{i},x\n" for i in range(25)))
    with pytest.raises(DataError, match=re.escape("row 11 Ce ('x') and 15 more. Fix those cells")):
        read(path, known_codes=KNOWN)


def test_duplicate_ids(tmp_path):
    same = write(tmp_path, "AgtId,Ce,GeWom\n1,1,0\n2,0,0\n1,1,0\n", "same.csv")
    assert sorted(read(same).index) == [1, 2]
    conflicting = write(tmp_path, "AgtId,Ce,GeWom\n1,1,0\n2,0,0\n1,0,1\n2,0,0\n3,1,1\n3,1,0\n", "conflict.csv")
    with pytest.raises(DataError, match=re.escape(f"{conflicting}: AgtId repeated with different codes: 1 (rows 2, 4: Ce, GeWom), 3 (rows 6, 7: GeWom). Keep one row per agreement")):
        read(conflicting)


def test_unknown_category_columns_are_listed_and_ignored(tmp_path):
    path = write(tmp_path, "Con,AgtId,Ce,GeWomm,Notes,Lgt\nX,1,1,1,checked,12\n")
    with pytest.warns(DataWarning, match=re.escape(f"{path}: ignored 2 column(s) not PA-X category codes known here; check the spelling: GeWomm, Notes")):
        out = read_codings(path, known_codes=KNOWN)
    assert list(out.columns) == ["Ce"]
    with pytest.warns(DataWarning, match=re.escape(f"{path}: ignored 1 column(s) mostly not numbers, so not category columns: Notes")):
        out = read_codings(path)
    assert list(out.columns) == ["Ce", "GeWomm"]


@pytest.mark.parametrize(
    "encoding, delimiter",
    [("utf-8-sig", ","), ("utf-8-sig", ";"), ("utf-8", "\t"), ("utf-16", "\t"), ("utf-8", "|"), ("utf-32", ";")],
)
def test_excel_exports_bom_delimiters_and_encodings(tmp_path, encoding, delimiter):
    rows = [["AgtId", "Agt", "Ce", "GeWom"], ["1", "Accord, Genève", "1", "0"], ["2", "Other", "", "3"]]
    text = "\r\n".join(delimiter.join(f'"{c}"' if delimiter in c else c for c in row) for row in rows) + "\r\n"
    out = read(write(tmp_path, text, encoding=encoding), known_codes=KNOWN)
    assert out["Agt"].tolist() == ["Accord, Genève", "Other"]
    assert out[["Ce", "GeWom"]].values.tolist() == [[1, 0], [-1, 3]]


def test_cp1252_file_is_read_with_a_warning(tmp_path):
    path = write(tmp_path, "AgtId;Agt;Ce\n1;Accord de Genève – 2001;1\n", encoding="cp1252")
    with pytest.warns(DataWarning, match=re.escape(f"{path}: not UTF-8; read as cp1252 (a guess)")):
        assert read_codings(path)["Agt"].tolist() == ["Accord de Genève – 2001"]


def test_ragged_rows(tmp_path):
    short = write(tmp_path, "AgtId,Ce,GeWom\n1,1\n2,0,1,\n", "short.csv")
    assert read(short)[["Ce", "GeWom"]].values.tolist() == [[1, -1], [0, 1]]
    long = write(tmp_path, 'AgtId,Agt,Ce\n1,Accord, Geneva,1\n2,"Accord, Paris",0\n3,a,b,c,d\n', "long.csv")
    with pytest.raises(DataError, match=re.escape(f"{long}: expected 3 cells per row, as in the header (delimiter ','); found more in rows 2 (4), 4 (5). Quote cells that contain ','")):
        read(long)


def test_binary_file_is_not_a_codings_csv(tmp_path):
    path = tmp_path / "codings.csv"
    path.write_bytes(b"PK\x03\x04\x00\x00" * 20)  # an .xlsx saved under a .csv name
    with pytest.raises(DataError, match=re.escape(f"{path}: looks like a binary file, not text (it contains NUL bytes); a CSV file must be text (an .xlsx? save it as CSV)")):
        read(path)


# --- property-based --------------------------------------------------------------------------

CODES = ["Ce", "GeWom", "TjPrire", "HrDet"]


@st.composite
def codings_files(draw):
    n = draw(st.integers(1, 12))
    ids = draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n, unique=True))
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, unique=True))
    cells = draw(st.lists(st.lists(st.sampled_from(["0", "1", "2", "3", "", " 1 ", "NA", "1.0"]), min_size=len(codes), max_size=len(codes)), min_size=n, max_size=n))
    # names as in a real file: mostly ASCII, a few accents, and the characters CSV must quote
    names = draw(st.lists(st.text(st.sampled_from(list("Accord de paix, Genève; \"Bogotá\" – Côte d’Ivoire\t\n")), max_size=16), min_size=n, max_size=n))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    header = ["AgtId", "Agt", *codes]
    body = [[str(i), name, *row] for i, name, row in zip(ids, names, cells)]

    def quote(c):
        return '"' + c.replace('"', '""') + '"' if any(ch in c for ch in (delimiter, '"', "\n", "\r")) or c != c.strip() else c

    text = newline.join(delimiter.join(quote(c) for c in row) for row in [header, *body]) + newline
    letters = [ch for ch in text if ch.isalpha()]
    assume(sum(not ch.isascii() for ch in letters) <= 0.2 * len(letters))  # else cp1252 is not a safe guess
    expected = np.array([[-1 if c.strip() in ("", "NA") else int(float(c)) for c in row] for row in cells], dtype=np.int8)
    return text.encode(encoding), ids, codes, names, expected


@settings(max_examples=150, deadline=None)
@given(case=codings_files())
def test_any_well_formed_codings_file_reads_back(tmp_path_factory, case):
    data, ids, codes, names, expected = case
    path = tmp_path_factory.mktemp("codings") / "c.csv"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)  # a guessed encoding
        out = read_codings(path, known_codes=set(CODES))
    assert out.index.tolist() == ids
    assert list(out.columns) == ["Agt", *codes]
    assert out[codes].values.tolist() == expected.tolist()
    assert [a if isinstance(a, str) else "" for a in out["Agt"]] == [n.strip() for n in names]


@settings(max_examples=100, deadline=None)
@given(case=codings_files(), bad=st.sampled_from(["x", "4", "-1", "0.5", "1e9", "yes"]), data=st.data())
def test_one_bad_cell_is_named_by_row_and_column(tmp_path_factory, case, bad, data):
    _, ids, codes, _, _ = case
    row = data.draw(st.integers(0, len(ids) - 1))
    col = data.draw(st.sampled_from(codes))
    frame = pd.DataFrame({"AgtId": ids, **{c: 0 for c in codes}}).astype(str)
    frame.loc[row, col] = bad
    path = tmp_path_factory.mktemp("codings") / "c.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=re.escape(f"found row {row + 2} {col} ({bad!r}). Fix those cells")):
        read_codings(path, known_codes=set(CODES))


# --- in training -----------------------------------------------------------------------------


def test_new_agreements_without_text_are_reported(pax_dir, tmp_path):
    extra = write(tmp_path, "AgtId,Ce\n1000,1\n9001,1\n9002,0\n", "new.csv")
    with pytest.warns(DataWarning, match=re.escape(
        f"{extra}: 2 new agreement(s) have no text in {pax_dir}, so they cannot be learned from: AgtId 9001, 9002. Add their text to the data folder"
    )):
        _, [report] = load_pax(pax_dir, extra_codings=[extra])
    assert report["rows_added"] == 2 and report["no_text"] == [9001, 9002]


def test_train_cli_reports_bad_codings_in_one_line(pax_dir, tmp_path, fake_encoder):
    extra = write(tmp_path, "AgtId;Ce;GeWomm\n1000;1;1\n1001;maybe;0\n", "fix.csv")
    r = CliRunner().invoke(cli, ["train", "--data", str(pax_dir), "--out", str(tmp_path / "m"), "--codings", str(extra)], catch_exceptions=False)
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"Warning: {extra}: ignored 1 column(s) not PA-X category codes known here; check the spelling: GeWomm",
        f"Error: {extra}: category values must be 0, 1, 2, 3 or blank; found row 3 Ce ('maybe'). Fix those cells",
    ]
    assert not (tmp_path / "m").exists()


def test_unreadable_codings_file(tmp_path, monkeypatch):
    from pathlib import Path

    path = write(tmp_path, "AgtId,Ce\n1,1\n")

    def deny(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(DataError, match=re.escape(f"{path}: cannot be read (Permission denied)")):
        read_codings(path)


def test_data_folder_saved_by_excel_is_recognised(pax_dir):
    # every file re-saved as Excel does in a European locale: BOM, semicolons, CRLF
    for path in pax_dir.glob("*.csv"):
        frame = pd.read_csv(path)
        path.write_bytes(frame.to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig"))
    data, _ = load_pax(pax_dir)
    assert list(data.labels.columns[:4]) == ["Ce", "TjPrire", "GeWom", "HrDet"]
    assert len(data.texts) == 48 and len(data.quotes) > 0
