"""G-rho log-rank tests against R survival::survdiff (committed reference JSON)."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import logrank_test

from ._rref import close, load

pytestmark = pytest.mark.reference


CASES = [
    ("logrank_lung", "rho0", "sex", None, 0.0),
    ("logrank_lung", "rho1", "sex", None, 1.0),
    ("logrank_lung", "ecog", "ph_ecog", None, 0.0),
    ("logrank_veteran", "k4", "celltype", None, 0.0),
    ("logrank_veteran", "k4_strata", "celltype", "trt", 0.0),
    ("logrank_veteran", "k4_strata_rho1", "celltype", "trt", 1.0),
    ("logrank_colon", "rx", "rx", None, 0.0),
    ("logrank_colon", "rx_strata_sex", "rx", "sex", 0.0),
    ("logrank_colon", "rx_rho1", "rx", None, 1.0),
    ("logrank_pbc", "trt", "trt", None, 0.0),
    ("logrank_pbc", "trt_strata_edema", "trt", "edema", 0.0),
    ("logrank_pbc", "stage_strata_edema_rho1", "stage", "edema", 1.0),
    ("logrank_sim", "k5", "group", None, 0.0),
    ("logrank_sim", "k5_strata", "group", "strata", 0.0),
    ("logrank_sim", "k5_strata_rho1", "group", "strata", 1.0),
    ("logrank_sim", "k5_rho05", "group", None, 0.5),
]


@pytest.mark.parametrize(("name", "key", "group", "strata", "rho"), CASES)
def test_survdiff(name: str, key: str, group: str, strata: str | None, rho: float) -> None:
    """Statistic, p-value, df and weighted observed/expected equal survdiff."""
    d, ref = load(name)
    keep = ~np.isnan(d[group])
    res = logrank_test(
        d["time"][keep],
        d["status"][keep],
        d[group][keep],
        strata=None if strata is None else d[strata][keep],
        rho=rho,
    )
    r = ref[key]
    close([res.statistic, res.p_value], [r["chisq"], r["pvalue"]])
    assert res.df == r["df"]
    close(res.observed, r["obs"])
    close(res.expected, r["exp"])
