"""proportional_hazards_test against R survival 3.x cox.zph (JSON from r/zph_*.R).

Observed agreement ~1e-13 relative; tolerance 1e-8 (the Cox fit is iterative).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import cox_ph, proportional_hazards_test

from ._rref import load

pytestmark = pytest.mark.reference
RTOL = 1e-8
LUNG = ["age", "sex", "ph.ecog", "wt.loss"]
VET = ["trt2", "karno", "age", "prior"]
HEART = ["age", "year", "surgery", "transplant"]

CASES: list[tuple[str, str, list[str], dict[str, str]]] = [
    ("zph_lung", "efron", LUNG, {}),
    ("zph_lung", "breslow", LUNG, {"ties": "breslow"}),
    ("zph_veteran", "efron", VET, {}),
    ("zph_veteran", "weights", VET, {"weights": "w"}),
    ("zph_veteran", "strata", VET[:3], {"strata": "stratum"}),
    ("zph_heart", "efron", HEART, {"entry": "start"}),
    ("zph_heart", "strata", ["age", "year", "transplant"], {"entry": "start", "strata": "surgery"}),
]


@pytest.mark.parametrize("transform", ["km", "rank", "identity"])
@pytest.mark.parametrize(
    ("name", "label", "cols", "kwargs"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_zph_table(name: str, label: str, cols: list[str], kwargs: dict, transform: str) -> None:
    """Per-term and global chi-squares, df and p-values equal cox.zph(fit, transform)$table."""
    d, ref = load(name)
    r = ref[label][transform]
    kw: dict[str, Any] = {k: (v if k == "ties" else d[v]) for k, v in kwargs.items()}
    time = d["stop"] if "stop" in d else d["time"]
    fit = cox_ph(np.column_stack([d[c] for c in cols]), time, d["event"], **kw)
    res = proportional_hazards_test(fit, transform=transform)
    assert len(res.terms) == len(r["terms"])
    np.testing.assert_allclose(res.statistic, r["statistic"], rtol=RTOL)
    np.testing.assert_array_equal(res.df, r["df"])
    np.testing.assert_allclose(res.p_value, r["p_value"], rtol=1e-7)
    np.testing.assert_allclose(res.global_statistic, r["global_statistic"], rtol=RTOL)
    assert res.global_df == r["global_df"]
    np.testing.assert_allclose(res.global_p_value, r["global_p_value"], rtol=1e-7)
