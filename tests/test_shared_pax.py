"""The PA-X files on the project machines (../shared/pax, or $PAXCLASSIFY_DATA): read as the
training and evaluation read them. Slow; run in CI, where the folder is always there."""

import os
import warnings

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED_PAX
from training.sources import find_sources, load_pax

# skipped on a machine without the data, never in CI (CI=true), where a missing folder must fail
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SHARED_PAX.is_dir() and not os.environ.get("CI"), reason=f"no PA-X data folder at {SHARED_PAX}")]
FULLTEXT_AGREEMENTS = {867, 1966, 2109, 2112, 930, 1362, 1363, 1364, 2117, 2118, 2236, 2260, 2440}


@pytest.fixture(scope="module")
def pax():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_pax(SHARED_PAX)[0]


def test_every_csv_is_recognised():
    found = {kind: [p.name for p in paths] for kind, paths in find_sources(SHARED_PAX).items()}
    assert found == {
        "codings": ["pax_data_v10_codings.csv"], "descriptions": ["pax_agreements_v10_meta.csv"],
        "provisions": ["agreement_constitution_provisions.csv"], "categories": ["categories.csv"],
        "api_details": ["pax_api_sample_issue_details.csv"], "fulltext": ["pax_fulltext_sample.csv"],
        "gender_text": ["pax_gender_text.csv"], "gender_codings": ["pax_gender_v9.csv"], "wgg_text": ["wgg_text.csv"],
    }
    recognised = {name for names in found.values() for name in names}
    # the names of the gender sub-codes, which categories.csv holds too
    assert {p.name for p in SHARED_PAX.glob("*.csv")} - recognised == {"gender_categories.csv"}


def test_category_counts_match_the_codings(pax):
    codings = pd.read_csv(SHARED_PAX / "pax_data_v10_codings.csv", low_memory=False)
    categories = pd.read_csv(SHARED_PAX / "categories.csv")
    assert set(categories.code[categories.in_v10_data_columns]) == set(codings.columns)
    columns = [c for c in codings.columns if c in set(categories.code[categories.level.notna()])]
    assert len(codings) == len(pax.labels) == 2132
    for code in [c for c in columns if not c.startswith("Wgg")]:
        assert int((pax.labels[code] == 1).sum()) == int((pd.to_numeric(codings[code], errors="coerce") > 0).sum()), code
    assert len([c for c in pax.labels.columns if c.startswith("Wgg")]) == 53


def test_the_full_text_sample_is_read_with_its_agreements(pax):
    full = pax.fulltexts()
    assert set(full.AgtId) == FULLTEXT_AGREEMENTS and full.AgtId.is_unique
    assert {str(pax.groups[a]) for a in FULLTEXT_AGREEMENTS} == {"90", "107", "121"}
    # PA-X's N_characters and the texts agree to about 2% (the data README; 1966 is 2.2% apart)
    lengths = full.set_index("AgtId").text.str.len()
    assert np.allclose(pax.lengths.reindex(lengths.index), lengths, rtol=0.025)
