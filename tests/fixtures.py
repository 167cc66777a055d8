"""Small PA-X-format fixtures written by the tests themselves (no PA-X text)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

# Category code -> sentences that carry it (our own wording).
TOPICS = {
    "Ce": ["The parties agree to an immediate ceasefire and the cessation of all hostilities.",
           "All military operations shall stop and a ceasefire line shall be monitored."],
    "TjPrire": ["All prisoners and detainees held in connection with the conflict shall be released.",
                "The release of political prisoners shall be completed within thirty days."],
    "GeWom": ["Women shall be represented in every commission established by this agreement.",
              "Measures shall protect women and girls from sexual violence."],
    "HrDet": ["Detention shall follow procedures set by law and detainees shall be registered.",
              "No person shall be held in detention without access to a lawyer."],
}
FILLER = ["The parties met in the capital and discussed the way forward.",
          "This document is signed in three original copies.",
          "The mediators welcomed the spirit of the talks."]
CATEGORIES = [
    ("Ssr", "Security sector", "Security sector", None, None, 0),
    ("Ce", "Ceasefire", "Security sector", "Ssr", "Binary variable, takes the value of 1 if the agreement provides for a ceasefire.", 1),
    ("Tj", "Transitional justice", "Transitional justice", None, None, 0),
    ("TjPrire", "Prisoner release", "Transitional justice", "Tj", "Includes any provision for releasing prisoners.", 1),
    ("Ge", "Gender", "Gender", None, None, 0),
    ("GeWom", "Women, girls and gender", "Gender", "Ge", "Takes the value of 1 if provisions address women.", 1),
    ("HrRel", "Rights related issues", "Rights related issues", None, None, 0),
    ("WggPar", "Participation", "PA-X Gender: Participation", None, "Women's participation in the peace process or its institutions.", 1),
    ("HrDet", "Detention procedures", "Rights related issues", "HrRel", "Takes the value of 1 if the agreement includes rules for detaining individuals.", 1),
]


def write_pax_fixture(folder: Path, *, n_agreements: int = 48, n_processes: int = 8, seed: int = 0) -> Path:
    """A tiny PA-X data folder: codings, descriptions, categories, gender quotes, API details."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    codes = list(TOPICS)
    rows, descs, gender, api = [], [], [], []
    for i in range(n_agreements):
        agt = 1000 + i
        present = {c: int(rng.random() < 0.45) for c in codes}
        if not any(present.values()):
            present[codes[i % len(codes)]] = 1
        row = {"Con": "Testland", "PP": i % n_processes, "PPName": f"Process {i % n_processes}", "AgtId": agt,
               "Agt": f"Agreement {agt}", "Dat": f"0{1 + i % 9}/01/20{10 + i % 10}"}
        row.update({c: (2 if present[c] and c == "Ce" else present[c]) for c in codes})
        rows.append(row)
        sentences = [TOPICS[c][int(rng.integers(2))] for c in codes if present[c]] + [FILLER[i % 3]]
        descs.append({"AgtId": agt, "description": " ".join(sentences)})
        if present["GeWom"]:
            gender.append({"AgtId": agt, "GeWom": f"Page 1, Article 2: {TOPICS['GeWom'][0]}\n\nPage 3, Article 9: {TOPICS['GeWom'][1]}"})
        if present["TjPrire"] and i % 4 == 0:
            api.append({"AgtId": agt, "code": "TjPrire", "details": f"Page 2,\r\n... 4. {TOPICS['TjPrire'][1]}"})
    pd.DataFrame(rows).to_csv(folder / "codings.csv", index=False)
    pd.DataFrame(descs).to_csv(folder / "meta.csv", index=False)
    pd.DataFrame(gender).to_csv(folder / "gender_text.csv", index=False)
    pd.DataFrame(api).to_csv(folder / "api.csv", index=False)
    pd.DataFrame(CATEGORIES, columns=["code", "name", "group", "parent", "definition_short", "level"]).to_csv(folder / "categories.csv", index=False)
    return folder


class FakeEncoder:
    """Deterministic bag-of-words hashing encoder: fast, no torch, same interface as Encoder."""

    name = "fake-encoder"
    dimension = 64

    def __init__(self, *args, **kwargs):
        self.path = Path("fake")
        self.calls = 0

    def encode(self, texts, progress=False):
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"[a-z]+", t.lower()):
                h = int(hashlib.md5(w.encode()).hexdigest(), 16)
                out[i, h % self.dimension] += 1.0 if (h >> 8) % 2 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def write_more_sources(folder: Path) -> Path:
    """Add the other PA-X formats to a fixture folder: full-text corpus, clause-level segment
    export, constitution-matched provisions, Wgg quotes and gender codings."""
    codings = pd.read_csv(folder / "codings.csv")
    full, segs, provs, wgg, gcod = [], [], [], [], []
    for i, row in codings.iterrows():
        agt = row.AgtId
        clauses = [f"{n + 1}. {TOPICS[c][0]}" for n, c in enumerate(TOPICS) if row[c]] + [f"9. {FILLER[i % 3]}"]
        full.append({"AgtId": agt, "Agreement text": "AGREEMENT\n\n" + "\n\n".join(clauses)})
        for c in TOPICS:
            if row[c]:
                segs.append({"AgtId": agt, "category": c, "issue_label": c, "subissue_label": "", "type": "main",
                             "value": int(row[c]), "max": 1, "tagged_text": TOPICS[c][1]})
        provs.append({"AgtId": agt, "provision_number": 1, "provision_text": FILLER[(i + 1) % 3]})
        if row.GeWom:
            wgg.append({"AgtId": agt, "WggPar": f"Page 1, Article 5: {TOPICS['GeWom'][0]}"})
            gcod.append({"PP": row.PP, "AgtId": agt, "WggPar": 1})
    pd.DataFrame(full).to_csv(folder / "pax_corpus.csv", index=False)
    pd.DataFrame(segs).to_csv(folder / "segments.csv", index=False)
    pd.DataFrame(provs).to_csv(folder / "provisions.csv", index=False)
    pd.DataFrame(wgg).to_csv(folder / "wgg_text.csv", index=False)
    pd.DataFrame(gcod).to_csv(folder / "gender_codings.csv", index=False)
    return folder


def write_partial_corpus(folder: Path, processes: set) -> Path:
    """A full-text corpus that covers only the agreements of some peace processes, as a user who
    downloaded part of PA-X has: numbered provisions under a title, in our own wording."""
    codings = pd.read_csv(folder / "codings.csv")
    rows = []
    for i, row in codings[codings.PP.isin(processes)].iterrows():
        clauses = [s for c, ss in TOPICS.items() if row[c] for s in ss] + [FILLER[i % 3]]
        body = "\n\n".join(f"{n + 1}. {c}" for n, c in enumerate(clauses))
        rows.append({"AgtId": row.AgtId, "Agreement text": f"AGREEMENT ON PEACE\n\n{body}"})
    pd.DataFrame(rows).to_csv(folder / "corpus.csv", index=False)
    return folder
