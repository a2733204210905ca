"""concordance_index against R survival::concordance(..., reverse = TRUE) (r/concordance_lung.R).

Pair counts are exact integers; C is compared at 1e-12.
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import concordance_index

from ._rref import read_csv, results

pytestmark = pytest.mark.reference

CASES = [
    ("concordance_lung", "age", "age", None),
    ("concordance_lung", "ph_ecog", "ph.ecog", None),
    ("concordance_lung", "ph_ecog_strata_sex", "ph.ecog", "sex"),
    ("concordance_sim", "sim", "score", None),
    ("concordance_sim", "sim_strata", "score", "stratum"),
]


@pytest.mark.parametrize(("name", "label", "score", "strata"), CASES, ids=[c[1] for c in CASES])
def test_concordance_counts(name: str, label: str, score: str, strata: str | None) -> None:
    """C and the concordant/discordant/tied counts equal R's."""
    d = read_csv(name, "concordance_lung")
    res = concordance_index(
        d["time"], d["event"], d[score], strata=None if strata is None else d[strata]
    )
    r = results("concordance_lung")[label]
    np.testing.assert_allclose(res.concordance, r["concordance"], rtol=1e-12)
    got = [res.concordant, res.discordant, res.tied_risk, res.tied_time, res.tied_both]
    want = [r["concordant"], r["discordant"], r["tied_risk"], r["tied_time"], r["tied_both"]]
    np.testing.assert_array_equal(got, want)
