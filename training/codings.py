"""PA-X codings CSVs: read and validate them, and apply corrections or new agreements."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from classify.errors import DataError

META = ["PP", "PPName", "Agt", "Dat"]
# Agreement metadata columns of the PA-X codings export (v10). Without a categories file to say
# which columns are categories, these are skipped: several are numbers (Lgt = pages,
# N_characters, country codes) that are not codings.
PAX_METADATA = {
    "Con", "Contp", "PP", "PPName", "Reg", "AgtId", "Ver", "Agt", "Dat", "Status", "Lgt", "N_characters", "Agtp",
    "Stage", "StageSub", "Part", "ThrdPart", "OthAgr", "Loc1ISO", "Loc2ISO", "Loc1GWNO", "Loc2GWNO", "UcdpCon",
    "UcdpAgr", "PamAgr", "CowWar", "Interim",
}


def read_codings(path: Path, *, known_codes: set[str] | None = None) -> pd.DataFrame:
    """A codings CSV as a frame indexed by AgtId: PA-X metadata columns kept, categories as 1/0/-1.

    ``known_codes``: the category codes to keep; other non-metadata columns are ignored.
    Values: 0/1 or 0-3 (graded); anything > 0 is present. Blank cells are unknown (-1).
    """
    from .sources import read_csv

    path = Path(path)
    frame = read_csv(path, sep=None, engine="python") if path.suffix.lower() != ".csv" else read_csv(path)
    if "AgtId" not in frame.columns:
        raise DataError(f"{path}: expected a column AgtId; found {', '.join(map(str, frame.columns[:12]))}{', ...' if len(frame.columns) > 12 else ''}")
    ids = pd.to_numeric(frame["AgtId"], errors="coerce")
    if ids.isna().any():
        rows = ", ".join(str(i + 2) for i in np.flatnonzero(ids.isna())[:10])
        raise DataError(f"{path}: AgtId must be a whole number; rows {rows} are not")
    frame["AgtId"] = ids.astype(int)
    if known_codes is None:
        codes = [
            c for c in frame.columns[frame.columns.get_loc("AgtId") + 1 :]
            if c not in META and c not in PAX_METADATA and pd.api.types.is_numeric_dtype(frame[c])
        ]
    else:
        codes = [c for c in frame.columns if c in known_codes and c not in META]
    if not codes:
        raise DataError(f"{path}: no PA-X category columns found (such as GeWom, Ce, TjPrire)")
    values = frame[codes].apply(pd.to_numeric, errors="coerce")
    bad = (values.isna() & frame[codes].notna()) | (values < 0) | (values > 3)
    if bad.any().any():
        r, c = np.nonzero(bad.values)
        where = ", ".join(f"row {i + 2} column {codes[j]} ({frame[codes[j]].iloc[i]!r})" for i, j in list(zip(r, c))[:5])
        raise DataError(f"{path}: category values must be 0-3 or blank; found {where}")
    labels = np.where(values.isna(), -1, (values > 0).astype(int)).astype(np.int8)
    out = pd.DataFrame(labels, columns=codes, index=frame["AgtId"])
    for col in META:
        if col in frame.columns:
            out.insert(0, col, frame[col].values)
    dup = out.index.duplicated(keep=False)
    if dup.any():
        conflicting = [a for a in sorted(set(out.index[dup])) if len(out.loc[[a], codes].drop_duplicates()) > 1]
        if conflicting:
            raise DataError(f"{path}: AgtId {', '.join(map(str, conflicting[:10]))} appear more than once with different codes; keep one row each")
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
    for c in codes:
        new = extra[c]
        given = new[new >= 0]
        old = merged.loc[given.index, c]
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
    }
    for c in codes:
        merged[c] = merged[c].astype(np.int8)
    return merged, report
