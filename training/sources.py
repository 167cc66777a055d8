"""Find and read every PA-X source in a data folder, whatever the files are called.

Files are recognised by their columns, so the files in ``../shared/pax``, the PA-X site's
exports (full-text corpus, clause-level segment export) and files a user renamed all work.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from classify.segment import join_broken_words

from .errors import DataError, DataWarning

# The kinds of file, each recognised by the columns it must have.
KINDS = {
    "codings": {"AgtId", "PP", "GeWom", "Ce"},
    "gender_codings": {"AgtId", "PP", "WggPar"},
    "descriptions": {"AgtId", "description"},
    "fulltext": {"AgtId", "Agreement text"},
    # classify review's reviewed_clauses.csv: read from the review's state/ (classify train --reviewed)
    "reviewed_clauses": {"AgtId", "category", "tagged_text", "decision"},
    "segments": {"AgtId", "category", "tagged_text"},
    "api_details": {"AgtId", "code", "details"},
    "provisions": {"AgtId", "provision_text"},
    # agreement-level codings without a peace process (classify review's codings.csv): read through
    # --codings, and recognised here only so their cells are never taken for quoted text
    "extra_codings": {"AgtId", "Agt"},
    "gender_text": {"AgtId", "GeWom"},
    "wgg_text": {"AgtId", "WggPar"},
    "categories": {"code", "name", "group", "parent"},
}
# A file matches the first kind (in this order) whose columns it has.
ORDER = ["codings", "gender_codings", "fulltext", "reviewed_clauses", "segments", "api_details", "provisions", "descriptions", "extra_codings", "gender_text", "wgg_text", "categories"]

REVIEWED_COLUMNS = ["AgtId", "code", "text", "value", "decision", "coder", "timestamp", "document"]

_PAGE_BLOCK = re.compile(r"(?:^|\n)\s*(?=Page\s+\d+\s*,)")
_PAGE_HEAD = re.compile(r"^Page\s+\d+\s*,[^\n:]{0,200}:?")
_ELLIPSIS = re.compile(r"\[\s*\.\.\.\s*\]|\.\.\.|\u2026")


def read_csv(path: Path, **kwargs) -> pd.DataFrame:
    """A PA-X CSV as a frame, whatever its encoding (see ``codings.read_text``) and delimiter (, ; tab |)."""
    import io

    from .codings import detect_delimiter, read_text

    text = read_text(path)
    kwargs.setdefault("sep", detect_delimiter(text.split("\n", 1)[0]))
    try:
        return pd.read_csv(io.StringIO(text), low_memory=False, **kwargs)
    except Exception as exc:
        message = " ".join(str(exc).split())
        raise DataError(f"{path}: cannot be read as CSV ({exc.__class__.__name__}: {message})") from exc


def sniff(path: Path) -> str | None:
    """The kind of PA-X file ``path`` is, or None."""
    from classify.documents import BOMS

    from .codings import detect_delimiter

    try:
        with open(path, "rb") as f:
            head = f.read(65536)
        codec = next((c for bom, c, _ in BOMS if head.startswith(bom)), "utf-8")
        header = head.decode(codec, errors="ignore").lstrip("\ufeff").split("\n", 1)[0]
        columns = {c.strip().strip('"') for c in header.split(detect_delimiter(header))}
    except Exception:
        return None
    for kind in ORDER:
        if KINDS[kind] <= columns:
            return kind
    return None


def find_sources(data_dir: Path) -> dict[str, list[Path]]:
    """Every recognised CSV under ``data_dir`` (recursively), by kind."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: no such data folder; point --data at a folder of PA-X files (data/labelled/), or download them there with `classify data fetch`")
    found: dict[str, list[Path]] = {}
    for path in sorted(data_dir.rglob("*.csv")):
        kind = sniff(path)
        if kind:
            found.setdefault(kind, []).append(path)
    if "codings" not in found:
        raise DataError(
            f"{data_dir}: expected a PA-X codings CSV (columns AgtId, PP and category columns such as GeWom, Ce); "
            f"found {', '.join(p.name for p in sorted(data_dir.glob('*.csv'))) or 'no CSV files'}"
        )
    return found


def quote_blocks(cell) -> list[str]:
    """The quoted provisions in a PA-X clause-quote cell (``Page N, heading: text`` blocks)."""
    if not isinstance(cell, str) or not cell.strip():
        return []
    out = []
    for block in _PAGE_BLOCK.split(cell):
        block = _PAGE_HEAD.sub("", block.strip())
        block = _ELLIPSIS.sub(" ", block)
        block = re.sub(r"[ \t]*\r?\n[ \t]*", "\n", block).strip()
        if len(block) >= 20:
            out.append(block)
    return out


@dataclass
class PaxData:
    """Everything read from a data folder.

    ``labels`` is an int8 frame indexed by AgtId with one column per category: 1 present,
    0 absent, -1 unknown (e.g. gender sub-codes of an agreement missing from the gender dataset).
    ``quotes`` holds clause-level gold: (AgtId, code, text) rows.
    ``texts`` holds agreement text without per-clause codes: (AgtId, kind, text) rows.
    """

    labels: pd.DataFrame
    groups: pd.Series  # AgtId -> peace process (PP)
    categories: pd.DataFrame  # code -> name, group, parent, definition
    quotes: pd.DataFrame
    texts: pd.DataFrame
    files: dict[str, list[Path]] = field(default_factory=dict)
    # AgtId -> characters of the agreement's full text (PA-X's N_characters, else the corpus text)
    lengths: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    # PA-X's values of the codings file's categories, 0-3 where graded (1 rhetorical ... 3 substantive), -1 unknown
    grades: pd.DataFrame = field(default_factory=pd.DataFrame)
    # AgtId -> the agreement's title (the codings' Agt), where the codings file names it
    titles: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))
    # a coder's clause decisions (classify review): AgtId, code, text, value (0 rejected, 1-3
    # present), decision (accept, add, reject), coder, timestamp, document
    reviewed: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REVIEWED_COLUMNS))
    # every clause of the reviewed documents (AgtId, text), decided or not
    review_clauses: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["AgtId", "text"]))

    @property
    def parent_of(self) -> dict:
        """code -> parent code, for every category in the categories file."""
        parents = self.categories["parent"] if "parent" in self.categories else pd.Series(dtype=object)
        return {c: p for c, p in parents.items() if isinstance(p, str) and p}

    def descriptions(self) -> pd.DataFrame:
        return self.texts[self.texts.kind == "description"]

    def fulltexts(self) -> pd.DataFrame:
        return self.texts[self.texts.kind == "fulltext"]


def binarise(frame: pd.DataFrame, columns: list[str], path: Path) -> pd.DataFrame:
    """PA-X values (0/1, or 0-3 where graded) to 0/1; blanks become -1 (unknown)."""
    values = frame[columns].apply(pd.to_numeric, errors="coerce")
    out = np.where(values.isna(), -1, (values > 0).astype(int))
    return pd.DataFrame(out.astype(np.int8), index=frame.index, columns=columns)


def load_categories(paths: list[Path]) -> pd.DataFrame:
    if not paths:
        return pd.DataFrame(columns=["name", "group", "parent", "definition"]).rename_axis("code")
    cats = read_csv(paths[0]).drop_duplicates("code")
    if "level" in cats.columns:
        cats = cats[cats["level"].notna()]  # rows without a level are agreement metadata (Con, PP, Dat, ...)
    cats = cats.set_index("code")
    cats["definition"] = cats.get("definition_short", pd.Series(index=cats.index, dtype=object)).map(lambda t: join_broken_words(t) if isinstance(t, str) else t)
    cats["parent"] = cats["parent"].where(cats["parent"].notna(), None)
    return cats[["name", "group", "parent", "definition"]]


def imply_parents(frame: pd.DataFrame, parent_of: dict) -> pd.DataFrame:
    """Codings with every present sub-code's ancestors present where their cells are blank (-1):
    PA-X codes a parent with its sub-code (``TjAmPro`` makes ``TjAm`` 1)."""
    out = frame.copy()
    for code in [c for c in frame.columns if c in parent_of]:
        present = frame[code].to_numpy() > 0
        parent = parent_of.get(code)
        while parent:
            if parent in out.columns:
                blank = present & (out[parent].to_numpy() < 0)
                out.loc[blank, parent] = 1
            parent = parent_of.get(parent)
    return out


def load_pax(data_dir: Path, *, extra_codings: list[Path] = (), reviewed: Path | None = None) -> tuple[PaxData, list[dict]]:
    """Read a data folder (and optional extra codings CSVs, later ones winning, then a review folder).

    Returns the data and one change report per extra codings file (and one for the review).
    reviewed : a ``classify review --out`` folder: its documents' agreement-level codings are
        applied like an extra codings file, and its clause decisions and document texts are kept
        in ``PaxData.reviewed`` and ``texts`` (kind "reviewed"). Raises ReviewError naming the file
        when the folder is broken.
    """
    from .codings import list_some, apply_codings, read_codings

    files = find_sources(data_dir)
    categories = load_categories(files.get("categories", []))
    codings = read_codings(files["codings"][0], known_codes=set(categories.index) or None)
    for extra in files["codings"][1:]:
        codings, _ = apply_codings(codings, read_codings(extra, known_codes=set(codings.columns)))

    # Gender sub-codes: known where the gender dataset coded the agreement, and 0 where the
    # agreement has no provision on women at all; unknown otherwise. Merged before the extra
    # codings, so a coder's Wgg values correct the gender dataset's rather than being replaced.
    order = list(codings.columns)
    for path in files.get("gender_codings", []):
        gframe = read_csv(path).drop_duplicates("AgtId", keep="last").set_index("AgtId")
        wgg = [c for c in gframe.columns if c.startswith("Wgg")]
        gvals = binarise(gframe, wgg, path).reindex(codings.index)
        fill = np.zeros(len(codings)) - 1
        if "GeWom" in codings:
            fill[(codings["GeWom"] == 0).to_numpy()] = 0
        gvals = gvals.apply(lambda col: col.fillna(pd.Series(fill, index=codings.index)))
        # the gender dataset's values replace the codings' in place (PA-X's column order stays), new codes go last
        codings = pd.concat([codings.drop(columns=[c for c in wgg if c in codings]), gvals.astype(np.int8)], axis=1)
        codings = codings[[c for c in order if c in codings.columns] + [c for c in codings.columns if c not in order]]

    parent_of = PaxData(codings, pd.Series(dtype=str), categories, pd.DataFrame(), pd.DataFrame()).parent_of
    known = set(codings.columns) | set(categories.index)
    reports = []
    for extra in extra_codings:
        frame = imply_parents(read_codings(Path(extra), known_codes=known), parent_of)
        codings, report = apply_codings(codings, frame)
        report["file"] = str(extra)
        reports.append(report)
    review = None
    if reviewed is not None:
        from .reviewed import read_reviewed

        review = read_reviewed(Path(reviewed), [c for c in codings.columns if c not in ("PP", "PPName", "Agt", "Dat")], known, parent_of)
        if len(review.codings):
            codings, report = apply_codings(codings, review.codings)
            report["file"] = str(reviewed)
            reports.append(report)

    groups = codings["PP"].astype(str)
    meta_cols = [c for c in codings.columns if c in ("PP", "Dat", "Agt", "PPName")]
    codes = [c for c in codings.columns if c not in meta_cols]
    grades = codings[codes].astype(np.int8)  # 0-3 where PA-X grades a category, -1 unknown
    labels = grades.clip(upper=1)

    quotes, texts = [], []
    for path in files.get("api_details", []):
        f = read_csv(path)
        quotes += [(a, c, b) for a, c, d in zip(f.AgtId, f.code, f.details) for b in quote_blocks(d)]
    for path in files.get("segments", []):
        f = read_csv(path)
        value = pd.to_numeric(f.get("value", 1), errors="coerce").fillna(1)
        f = f[value > 0]
        quotes += [(a, c, str(t).strip()) for a, c, t in zip(f.AgtId, f.category, f.tagged_text) if isinstance(t, str) and len(t.strip()) >= 20]
    for kind in ("gender_text", "wgg_text"):
        for path in files.get(kind, []):
            f = read_csv(path)
            for code in [c for c in f.columns if c != "AgtId"]:
                quotes += [(a, code, b) for a, cell in zip(f.AgtId, f[code]) for b in quote_blocks(cell)]
    lengths = {}
    for path in files.get("descriptions", []):
        f = read_csv(path)
        texts += [(a, "description", t.strip()) for a, t in zip(f.AgtId, f.description) if isinstance(t, str) and t.strip()]
        if "N_characters" in f:
            n = pd.to_numeric(f["N_characters"], errors="coerce")
            lengths.update({a: float(v) for a, v in zip(f.AgtId, n) if v > 0})
    for path in files.get("provisions", []):
        f = read_csv(path)
        texts += [(a, "provision", t.strip()) for a, t in zip(f.AgtId, f.provision_text) if isinstance(t, str) and len(t.strip()) >= 20]
    for path in files.get("fulltext", []):
        f = read_csv(path)
        texts += [(a, "fulltext", t) for a, t in zip(f.AgtId, f["Agreement text"]) if isinstance(t, str) and t.strip()]
        lengths.update({a: float(len(t)) for a, t in zip(f.AgtId, f["Agreement text"]) if isinstance(t, str) and t.strip() and a not in lengths})

    if review is not None:
        texts += list(review.texts.itertuples(index=False, name=None))
    quotes = pd.DataFrame(quotes, columns=["AgtId", "code", "text"]).drop_duplicates()
    texts = pd.DataFrame(texts, columns=["AgtId", "kind", "text"]).drop_duplicates()
    # only agreements in the codings count: the rest have no gold
    quotes = quotes[quotes.AgtId.isin(labels.index)].reset_index(drop=True)
    texts = texts[texts.AgtId.isin(labels.index)].reset_index(drop=True)
    with_text = set(texts.AgtId) | set(quotes.AgtId)
    for report in reports:
        report["no_text"] = [a for a in report["new_ids"] if a not in with_text]
        if report["no_text"]:
            warnings.warn(
                f"{report['file']}: {len(report['no_text'])} new agreement(s) have no text in {data_dir}, so they cannot be learned from: "
                f"AgtId {list_some(report['no_text'])}. Add their text to the data folder (a CSV with AgtId and description or Agreement text)",
                DataWarning,
                stacklevel=2,
            )
    reported = {a for r in reports for a in r["no_text"]}
    no_text = sorted(a for a in labels.index if a not in with_text and a not in reported)
    if no_text:
        warnings.warn(
            f"{data_dir}: {len(no_text)} of {len(labels)} coded agreement(s) have no text (description, full text or quoted clauses), "
            f"so they are not used: AgtId {list_some(no_text)}",
            DataWarning,
            stacklevel=2,
        )
    lengths = pd.Series(lengths, dtype=float)
    data = PaxData(labels=labels, groups=groups, categories=categories, quotes=quotes, texts=texts, files=files,
                   lengths=lengths[lengths.index.isin(labels.index)], grades=grades,
                   titles=codings["Agt"] if "Agt" in codings else pd.Series(dtype=object),
                   reviewed=review.clauses if review is not None else pd.DataFrame(columns=REVIEWED_COLUMNS),
                   review_clauses=review.documents if review is not None else pd.DataFrame(columns=["AgtId", "text"]))
    return data, reports
