"""The learning loop on the shipped model and the PA-X data (slow): one rejected suggestion teaches."""

import os

import numpy as np
import pytest

from classify import Model, config
from classify.review.store import Store
from classify.review.suggest import catalogue
from conftest import SHARED_PAX
from training.train import retrain

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SHARED_PAX.is_dir() and not os.environ.get("CI"), reason=f"no PA-X data folder at {SHARED_PAX}")]

# our own wording: the shipped model takes both for border delimitation (StBor), which neither is:
# territorial sovereignty is the nature of the state (StGen)
REVIEWED = [
    "1. The parties reaffirm their commitment to the sovereignty, independence and territorial integrity of the State within its internationally recognised borders.",
    "2. The parties shall meet again within thirty days to review progress.",
]
ELSEWHERE = "The parties reaffirm their respect for the sovereignty and territorial integrity of the Republic."
# differently worded still, further from the reviewed clause: they move less, but not up
FURTHER = [
    "Both sides shall respect the territorial integrity and sovereign independence of the country inside its recognised frontiers.",
    "The Government and the Movement recognise the sovereignty and territorial integrity of the country and the inviolability of its borders.",
]
BORDER = "The border between the two states shall be demarcated by a joint commission."


def test_one_rejected_suggestion_teaches(tmp_path):
    base = Model.load(config.model_dir(), backend="torch")
    codes = [c.code for c in base.categories]
    j = codes.index("StBor")
    texts = [REVIEWED[0], ELSEWHERE, *FURTHER, BORDER]
    before = base.predict_proba(texts)
    assert (before[:2, j] > 0.5).all()  # suggested on both

    store = Store(tmp_path / "reviewed", catalogue(base))
    store.attach("statement", "statement.txt", REVIEWED, suggested=["StBor"])
    store.start()
    store.decide("statement", 0, "StBor", 0, [0], "ann")  # rejected on the clause shown as evidence
    store.close()
    result = retrain(SHARED_PAX, tmp_path / "model", config.model_dir(), reviewed=tmp_path / "reviewed")
    assert result.refitted == ["StBor"]

    after = Model.load(result.path, backend="torch").predict_proba(texts)
    # the other document's differently worded clause: StBor clearly lower (0.75 -> 0.55 when
    # written), every other category as it was (only StBor was refitted)
    assert after[1, j] < before[1, j] - 0.15, (before[1, j], after[1, j])
    assert np.abs(np.delete(after[1] - before[1], j)).max() < 0.01
    assert (after[2:4, j] < before[2:4, j]).all()  # 0.56 -> 0.48, 0.85 -> 0.80
    assert abs(after[4, j] - before[4, j]) < 0.02  # a real border clause keeps its StBor
