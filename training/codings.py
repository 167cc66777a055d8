"""PA-X codings CSVs: read and validate them, and apply corrections or new agreements.

A codings CSV is what a PA-X export or a coder's spreadsheet looks like: one row per agreement,
an ``AgtId`` column, metadata columns, and one column per category holding 0/1 (or 0-3 where
graded). Files saved by Excel are read as they come: a BOM, UTF-16 or cp1252 text, ``;`` or
tab delimiters. Every problem is reported as a DataError that lists the offending rows (row
numbers as a spreadsheet shows them, the header being row 1); columns that are ignored are
reported with a DataWarning.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import DataError, DataWarning

META = ["PP", "PPName", "Agt", "Dat"]
# Agreement metadata in PA-X exports (v10): not categories, never reported as unknown.
PAX_METADATA = {
    "Con", "Contp", "PP", "PPName", "Reg", "AgtId", "Ver", "Agt", "Dat", "Status", "Lgt", "N_characters", "Agtp",
    "Stage", "StageSub", "Part", "ThrdPart", "OthAgr", "Loc1ISO", "Loc2ISO", "Loc1GWNO", "Loc2GWNO", "UcdpCon",
    "UcdpAgr", "PamAgr", "CowWar", "Interim",
    *(f"Pps{p}:{s}" for p in ("Ge", "Ex", "Oro", "OthPr", "Vet", "Aut", "Int", "Oth") for s in ("St", "Sub")),
}
UNKNOWN_VALUES = {"", "na", "n/a", "nan", "null", "none", "-"}
DELIMITERS = [",", ";", "\t", "|"]
MAX_LISTED = 10


def list_some(items: list, total: int | None = None) -> str:
    total = len(items) if total is None else total
    shown = ", ".join(map(str, items[:MAX_LISTED]))
    return shown + (f" and {total - MAX_LISTED} more" if total > MAX_LISTED else "")


def read_text(path: Path, *, kind: str = "CSV") -> str:
    """A data file's text: UTF-8 (BOM or not), UTF-16/32 with a BOM, or a guessed legacy encoding (with a DataWarning)."""
    from classify.documents import decode_text
    from classify.errors import InputError

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    try:
        text, encoding = decode_text(data, str(path), hint=f"a {kind} file must be text (an .xlsx? save it as CSV)")
    except InputError as exc:
        raise DataError(str(exc)) from exc
    if not encoding.upper().startswith("UTF"):
        warnings.warn(f"{path}: not UTF-8; read as {encoding} (a guess). If names look wrong, save it as CSV UTF-8", DataWarning, stacklevel=3)
    return text


def detect_delimiter(header: str) -> str:
    """The delimiter of a CSV from its header line: whichever of , ; tab | occurs most outside quotes."""
    outside, quoted = [], False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted:
            outside.append(ch)
    outside = "".join(outside)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the earlier (comma first)
    return best if counts[best] else ","


def _rows(path: Path, text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, cells) of every non-blank row, cells stripped and padded to the header.

    Row numbers are a spreadsheet's: the header is row 1, and a cell spanning lines is one row.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row = 1
    try:
        header = next(reader, None)
        if header is None or not any(h.strip() for h in header):
            raise DataError(f"{path}: the file is empty; expected a header row with AgtId and category columns")
        header = [h.strip() for h in header]
        rows, long_rows = [], []
        for row, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue  # blank row
            if len(cells) > len(header):
                if any(c.strip() for c in cells[len(header):]):
                    long_rows.append(f"{row} ({len(cells)})")
                    continue
                cells = cells[: len(header)]
            rows.append((row, [c.strip() for c in cells] + [""] * (len(header) - len(cells))))
    except csv.Error as exc:
        raise DataError(f"{path}: cannot be read as CSV (row {row + 1}: {exc}); check its quoting") from exc
    if long_rows:
        raise DataError(
            f"{path}: expected {len(header)} cells per row, as in the header (delimiter {delimiter!r}); "
            f"found more in rows {list_some(long_rows)}. Quote cells that contain {delimiter!r}"
        )
    dup = sorted({h for h in header if header.count(h) > 1 and h})
    if dup:
        raise DataError(f"{path}: column {', '.join(dup)} appears more than once in the header; keep one")
    return header, rows


def read_codings(path: Path, *, known_codes: set[str] | None = None) -> pd.DataFrame:
    """A codings CSV as a frame indexed by AgtId: PA-X metadata columns kept, categories as 1/0/-1.

    ``known_codes``: the category codes to keep; other columns (apart from PA-X metadata) are
    reported with a DataWarning and ignored. Without it, every non-metadata column whose values
    are mostly numbers is a category.
    Values: 0/1 or 0-3 (graded, kept as they are); anything > 0 is present. Blank (or NA) cells are unknown (-1).
    Raises DataError, listing the rows, for a missing AgtId column, ids that are blank or not
    whole numbers, values that are not 0-3, and ids repeated with different codes.
    """
    path = Path(path)
    header, rows = _rows(path, read_text(path))
    if "AgtId" not in header:
        near = [h for h in header if h.lower().replace("_", "").replace(" ", "") in ("agtid", "agreementid", "id")]
        fix = f"Rename {near[0]} to AgtId" if near else "Add a column AgtId with the PA-X agreement id of each row"
        shown = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
        raise DataError(f"{path}: expected a column AgtId; found {shown}. {fix}")
    if not rows:
        raise DataError(f"{path}: has a header but no rows; expected one row per agreement")
    lines = np.array([line for line, _ in rows])
    frame = pd.DataFrame([cells for _, cells in rows], columns=header)

    raw_ids = frame["AgtId"]
    ids = pd.to_numeric(raw_ids, errors="coerce")
    bad = ids.isna() | (ids % 1 != 0)
    if bad.any():
        where = [f"{lines[i]} ({raw_ids.iloc[i]!r})" for i in np.flatnonzero(bad.values)]
        raise DataError(f"{path}: AgtId must be a whole number on every row; found otherwise in rows {list_some(where)}. Fill in or fix the ids")
    frame["AgtId"] = ids.astype(np.int64)

    candidates = [c for c in header if c not in PAX_METADATA and c not in META and c != "AgtId" and c]
    if known_codes is not None:
        codes = [c for c in candidates if c in known_codes]
        ignored = [c for c in candidates if c not in known_codes]
        why = "not PA-X category codes known here; check the spelling"
    else:
        codes, ignored = [], []
        for c in candidates:
            given = frame[c][~frame[c].str.lower().isin(UNKNOWN_VALUES)]
            numeric = pd.to_numeric(given, errors="coerce").notna()
            (codes if not len(given) or numeric.mean() > 0.5 else ignored).append(c)  # all blank: a category with nothing coded
        why = "mostly not numbers, so not category columns"
    if ignored:
        warnings.warn(f"{path}: ignored {len(ignored)} column(s) {why}: {list_some(ignored)}", DataWarning, stacklevel=2)
    if not codes:
        raise DataError(
            f"{path}: expected PA-X category columns (such as GeWom, Ce, TjPrire); found {', '.join(header[:12])}{', ...' if len(header) > 12 else ''}"
        )

    cells = frame[codes]
    flat = pd.Series(cells.values.ravel())
    unknown = flat.str.lower().isin(UNKNOWN_VALUES).values.reshape(cells.shape)
    values = pd.to_numeric(flat, errors="coerce").values.astype(float).reshape(cells.shape)
    with np.errstate(invalid="ignore"):
        bad = ~unknown & (np.isnan(values) | (values < 0) | (values > 3) | (values % 1 != 0))
    if bad.any():
        r, c = np.nonzero(bad)
        where = [f"row {lines[i]} {codes[j]} ({cells.iat[i, j]!r})" for i, j in zip(r, c)]
        raise DataError(f"{path}: category values must be 0, 1, 2, 3 or blank; found {list_some(where, len(r))}. Fix those cells")
    labels = np.where(unknown, -1, values).astype(np.int8)  # PA-X's grades 0-3 kept; load_pax binarises
    out = pd.DataFrame(labels, columns=codes, index=pd.Index(frame["AgtId"].values, name="AgtId"))
    for col in META:
        if col in frame.columns:
            out.insert(0, col, pd.Series([v if v else None for v in frame[col]], index=out.index, dtype=object))

    dup = out.index.duplicated(keep=False)
    if dup.any():
        conflicts = []
        for agt in sorted(set(out.index[dup])):
            pos = np.flatnonzero(out.index == agt)
            block = out.iloc[pos][codes]
            differing = [c for c in codes if block[c].nunique() > 1]
            if differing:
                conflicts.append(f"{agt} (rows {', '.join(map(str, lines[pos]))}: {', '.join(differing[:5])}{', ...' if len(differing) > 5 else ''})")
        if conflicts:
            raise DataError(f"{path}: AgtId repeated with different codes: {list_some(conflicts)}. Keep one row per agreement")
        out = out[~out.index.duplicated(keep="last")]
    return out


def apply_codings(base: pd.DataFrame, extra: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """``base`` updated with ``extra`` (later codings win). Returns the merged frame and a change report.

    Only the cells ``extra`` fills are changed; blank (-1) cells in ``extra`` keep the old value.
    """
    codes = [c for c in extra.columns if c not in META]
    unknown = [c for c in codes if c not in base.columns]
    merged = base.copy()
    for c in unknown:
        merged[c] = np.int8(-1)
    new_ids = [a for a in extra.index if a not in base.index]
    if new_ids:
        add = pd.DataFrame(-1, index=pd.Index(new_ids, name=base.index.name), columns=merged.columns)
        for col in META:
            if col in merged.columns:
                add[col] = None
        merged = pd.concat([merged, add.astype(merged.dtypes.to_dict(), errors="ignore")])
    flips: dict[str, int] = {}
    corrected = set()
    touched = set()  # categories whose labels changed on an agreement already there, unknown ones included
    for c in codes:
        new = extra[c]
        given = new[new >= 0]
        old = merged.loc[given.index, c]
        if ((old.values != given.values) & given.index.isin(base.index)).any():
            touched.add(c)
        changed = given.index[(old.values != given.values) & (old.values >= 0)]
        if len(changed):
            flips[c] = int(len(changed))
            corrected.update(a for a in changed if a in base.index)
        merged.loc[given.index, c] = given.values.astype(np.int8)
    for col in META:
        if col in extra.columns:
            given = extra[col].dropna()
            merged.loc[given.index, col] = given.values
    if "PP" in merged.columns and merged["PP"].isna().any():
        # new agreements without a peace process form their own group each
        missing = merged["PP"].isna()
        merged.loc[missing, "PP"] = ["new-" + str(a) for a in merged.index[missing]]
    report = {
        "rows_added": len(new_ids),
        "rows_corrected": len(corrected),
        "labels_flipped": int(sum(flips.values())),
        "flips_by_category": flips,
        "new_categories": unknown,
        "new_ids": [int(a) for a in new_ids],
        "changed_categories": sorted(touched),
    }
    for c in codes:
        merged[c] = merged[c].astype(np.int8)
    return merged, report
