"""From document scores to codes: per-category thresholds, a cap on how many categories a
document of its length carries, and PA-X's hierarchy.

A document is scored by its best clause for every category, so the more clauses it has, the
more generic sentences pass some threshold: thresholds chosen on one-paragraph summaries code a
full agreement with two to three times as many categories as PA-X does. PA-X's own codings say
how many categories an agreement of a given length carries (log count against log length, over
all coded agreements); a document keeps at most that many of the categories that pass their
thresholds (none above 0.5: a clause given even odds is evidence), the highest-scoring ones. A
sub-code is never present without its parent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np


@dataclass(frozen=True)
class CountPrior:
    """How many categories PA-X codes for an agreement of ``chars`` characters:
    ``log1p(count) = intercept + slope * log(max(chars, min_chars))`` plus a normal residual of
    standard deviation ``residual_std``, a least-squares fit over coded agreements whose length is
    known. The cap is the count at ``quantile`` of that distribution: it binds on over-coding, not
    on a document that carries more than the typical number of codes for its length.
    """

    intercept: float
    slope: float
    residual_std: float = 0.0
    quantile: float = 0.75
    min_chars: int = 200
    n_agreements: int = 0

    def expected(self, chars) -> np.ndarray:
        """The typical (median) number of categories, array like ``chars``."""
        x = np.log(np.maximum(np.asarray(chars, dtype=np.float64), self.min_chars))
        return np.expm1(self.intercept + self.slope * x)

    def cap(self, chars) -> np.ndarray:
        """The most categories a document of ``chars`` characters keeps (at least 1)."""
        z = NormalDist().inv_cdf(self.quantile) * self.residual_std
        return np.maximum(1, np.ceil(np.expm1(np.log1p(self.expected(chars)) + z) - 1e-9)).astype(int)

    @classmethod
    def fit(cls, chars, counts, **options) -> "CountPrior":
        """chars, counts : arrays (n_agreements,), the length of each agreement's text and its number of codes."""
        chars, counts = np.asarray(chars, dtype=np.float64), np.asarray(counts, dtype=np.float64)
        keep = (chars > 0) & np.isfinite(chars)
        x = np.log(np.maximum(chars[keep], options.get("min_chars", cls.min_chars)))
        y = np.log1p(counts[keep])
        if keep.sum() < 3 or np.ptp(x) == 0:
            raise ValueError(f"a count prior needs agreements of at least two lengths; got {int(keep.sum())} agreement(s)")
        slope, intercept = np.polyfit(x, y, 1)
        residual = y - (intercept + slope * x)
        return cls(float(intercept), float(slope), float(residual.std(ddof=2)), n_agreements=int(keep.sum()), **options)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> "CountPrior | None":
        return None if not d else cls(**d)


def ancestors(code: str, parent_of: dict) -> list[str]:
    """The ancestors of ``code``, nearest first. parent_of : code -> parent code (None at the top)."""
    out, seen = [], {code}
    parent = parent_of.get(code)
    while parent and parent not in seen:
        out.append(parent)
        seen.add(parent)
        parent = parent_of.get(parent)
    return out


def ancestor_lists(parent_of: dict, codes: list[str]) -> list[list[int]]:
    """For each of ``codes``, the positions in ``codes`` of its ancestors, nearest first.

    parent_of : code -> parent code, for every category known (an ancestor that is not among
    ``codes`` is passed through: its own parent may be)."""
    col = {c: j for j, c in enumerate(codes)}
    return [[col[a] for a in ancestors(code, parent_of) if a in col] for code in codes]


def decide(
    scores: np.ndarray,
    thresholds: np.ndarray,
    *,
    chars=None,
    prior: CountPrior | None = None,
    max_threshold: float | None = None,
    ancestors: list[list[int]] | None = None,
) -> np.ndarray:
    """Which categories are present, bool array like ``scores``.

    scores : (n_docs, n_cat) document scores; thresholds : (n_cat,)
    chars : (n_docs,) characters of scored text per document, needed with ``prior``
    prior : keep at most ``prior.cap(chars)`` categories per document, the highest-scoring
    max_threshold : no threshold above this. Thresholds are chosen on one-paragraph summaries,
        which must spell a category out; a clause that the regression gives even odds or better
        is evidence for it, and the prior keeps the count in check.
    ancestors : from :func:`ancestor_lists`; a present sub-code makes its ancestors present
    """
    scores = np.atleast_2d(np.asarray(scores, dtype=np.float64))
    thresholds = np.asarray(thresholds, dtype=np.float64)
    if max_threshold is not None:
        thresholds = np.minimum(thresholds, max_threshold)
    present = scores >= thresholds[None, :]
    if prior is None or chars is None or not scores.shape[1]:
        return with_ancestors(present, ancestors) if ancestors is not None else present
    caps = prior.cap(np.asarray(chars))
    chains = ancestors if ancestors is not None else [[] for _ in range(scores.shape[1])]
    out = np.zeros_like(present)
    for d in range(scores.shape[0]):
        # the highest-scoring first, each with the ancestors it makes present; one that would take
        # the count past the cap is skipped, so a sub-code never displaces a parent that passed
        kept = out[d]
        n = 0
        for j in np.argsort(-np.where(present[d], scores[d], -np.inf), kind="stable"):
            if not present[d, j]:
                break
            new = [k for k in (j, *chains[j]) if not kept[k]]
            if n + len(new) > caps[d]:
                continue
            kept[new] = True
            n += len(new)
    return out


def evidence_rules(unit_scores: np.ndarray, thresholds: np.ndarray, parents: np.ndarray, needs_women: np.ndarray, about_women: np.ndarray) -> np.ndarray:
    """Unit scores (n_units, n_cat) with PA-X's evidence rules applied, a new array.

    A sub-code counts on a unit only as far as its parent does there: its score is scaled by the
    parent's score over the parent's threshold (at most 1), so a clause that does not carry the
    parent cannot carry its sub-code. A category of ``needs_women`` (bool, n_cat: the Wgg codes)
    scores 0 on a unit that is not ``about_women`` (bool, n_units).

    parents : int array (n_cat,), the column of each category's nearest modelled ancestor, -1 none
    """
    out = np.array(unit_scores, dtype=np.float32, copy=True)
    has = np.flatnonzero(parents >= 0)
    if len(has):
        p = parents[has]
        out[:, has] *= np.minimum(1.0, out[:, p] / np.maximum(thresholds[p], 1e-6)[None, :])
    out[np.ix_(~np.asarray(about_women, dtype=bool), np.asarray(needs_women, dtype=bool))] = 0
    return out


def with_ancestors(present: np.ndarray, ancestors: list[list[int]]) -> np.ndarray:
    """``present`` (n_docs, n_cat) with the ancestors of every present category made present."""
    present = present.copy()
    for j, chain in enumerate(ancestors):
        if chain:
            rows = present[:, j]
            if rows.any():
                present[np.ix_(rows, chain)] = True
    return present


@dataclass(frozen=True)
class GradeTable:
    """The value PA-X records in a graded category's column (1-3; the codebook: 1 rhetorical,
    2 anti-discrimination, 3 substantive, though coders use them more freely), from which of its
    modelled sub-codes are present: the most common grade among training agreements with that
    pattern, else among all its positive agreements (``default``).

    table : pattern -> grade, a pattern being one "0"/"1" per code of ``children``.
    """

    code: str
    children: tuple
    table: dict
    default: int

    def grade(self, present: dict) -> int:
        """present : code -> bool, for (at least) the children."""
        return self.table.get("".join("1" if present.get(c) else "0" for c in self.children), self.default)

    def to_dict(self) -> dict:
        return {"code": self.code, "children": list(self.children), "table": dict(self.table), "default": self.default}

    @classmethod
    def from_dict(cls, d: dict) -> "GradeTable":
        return cls(d["code"], tuple(d["children"]), dict(d["table"]), int(d["default"]))


def fit_grade_tables(grades: np.ndarray, codes: list[str], parent_of: dict) -> list[GradeTable]:
    """A table for every category that PA-X grades (some value above 1) in ``grades``.

    grades : int array (n_agreements, n_codes), PA-X's values 0-3, -1 unknown; parent_of : code -> parent.
    """
    col = {c: j for j, c in enumerate(codes)}
    out = []
    for j, code in enumerate(codes):
        g = grades[:, j]
        if not (g > 1).any():
            continue
        children = tuple(c for c in codes if parent_of.get(c) == code)
        positive = g > 0
        values, counts = np.unique(g[positive], return_counts=True)
        default = int(values[np.argmax(counts)])
        table = {}
        if children:
            child = np.stack([grades[:, col[c]] > 0 for c in children], axis=1)[positive]
            patterns = ["".join("1" if x else "0" for x in row) for row in child]
            for pattern in sorted(set(patterns)):
                v, n = np.unique(g[positive][[p == pattern for p in patterns]], return_counts=True)
                table[pattern] = int(v[np.argmax(n)])
        out.append(GradeTable(code, children, table, default))
    return out


def predicted_grades(present: np.ndarray, tables: list, codes: list[str]) -> np.ndarray:
    """The grade of every present graded category, int8 like ``present`` (0 elsewhere)."""
    out = np.zeros(present.shape, dtype=np.int8)
    col = {c: j for j, c in enumerate(codes)}
    for table in tables:
        j = col[table.code]
        for i in np.flatnonzero(present[:, j]):
            out[i, j] = table.grade({c: bool(present[i, col[c]]) for c in table.children})
    return out
