"""A review folder (``classify review --out``) as training data.

Read from ``state/``, the record the workbench keeps, not from the CSVs derived from it: the state
holds the text of every clause of a reviewed document, so a document PA-X does not have is
learned from, and each clause label keeps its provenance (coder, time, decision).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from classify.review.store import OWN_IDS, implied_parents, load_states

from .codings import list_some
from .errors import DataWarning

REVIEW_GROUP = "reviewed"


@dataclass
class Reviewed:
    """codings : frame indexed by AgtId like ``codings.read_codings``'s (``PP``, ``Agt``, then one
    column per code: the value decided, 1 for a parent of a present sub-code, 0 for every other
    code of a document marked done, -1 blank);
    clauses : one row per clause decision (``sources.REVIEWED_COLUMNS``);
    texts : (AgtId, "reviewed", text) per document, its clauses one paragraph each;
    documents : (AgtId, text) per clause of every reviewed document, decided or not, as the
        coder saw them (``dataset.review_document_rows`` learns the document's codings on them)."""

    codings: pd.DataFrame
    clauses: pd.DataFrame
    texts: pd.DataFrame
    documents: pd.DataFrame


def read_reviewed(folder: Path, columns: list[str], known: set[str], parent_of: dict) -> Reviewed:
    """The decisions saved in ``folder``, as codings over ``columns`` (the data's coded
    categories) and any other ``known`` code decided. Codes not known are left out with a
    DataWarning. Raises ReviewError (naming the file) for a broken folder."""
    from .sources import REVIEWED_COLUMNS

    states = [s for s in load_states(folder) if s.decisions or s.done]
    columns = list(columns) + sorted({c for s in states for c in s.decisions if c in known} - set(columns))
    unknown = sorted({c for s in states for c in s.decisions if c not in known})
    if unknown:
        warnings.warn(f"{folder}: decisions on {len(unknown)} code(s) the data's categories do not know are left out: {list_some(unknown)}",
                      DataWarning, stacklevel=3)
    rows, clauses, texts, documents = [], [], [], []
    for s in states:
        decided = {c: d for c, d in s.decisions.items() if c in known}
        implied = implied_parents(s, parent_of)
        absent = 0 if s.done else -1
        rows.append([d.value if (d := decided.get(c)) else 1 if c in implied else absent for c in columns])
        for code, d in decided.items():
            clauses += [(s.agt_id, code, s.clauses[i], d.value, d.decision, d.coder, d.timestamp, s.id) for i in d.clauses]
        documents += [(s.agt_id, t) for _, t in sorted(s.clauses.items())]
        if s.clauses:
            texts.append((s.agt_id, "reviewed", "\n\n".join(t for _, t in sorted(s.clauses.items()))))
    ids = pd.Index([s.agt_id for s in states], name="AgtId")
    codings = pd.DataFrame(np.array(rows, dtype=np.int8).reshape(len(states), len(columns)), index=ids, columns=columns)
    # a document that is no PA-X agreement forms a peace process of its own reviewed documents
    codings.insert(0, "Agt", pd.Series([s.id if s.agt_id >= OWN_IDS else None for s in states], index=ids, dtype=object))
    codings.insert(0, "PP", pd.Series([REVIEW_GROUP if s.agt_id >= OWN_IDS else None for s in states], index=ids, dtype=object))
    return Reviewed(codings, pd.DataFrame(clauses, columns=REVIEWED_COLUMNS), pd.DataFrame(texts, columns=["AgtId", "kind", "text"]),
                    pd.DataFrame(documents, columns=["AgtId", "text"]))
