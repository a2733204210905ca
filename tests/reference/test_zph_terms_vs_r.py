"""proportional_hazards_test(terms=, singledf=) against R cox.zph (r/zph_terms.R).

A factor's dummy columns tested as one term (veteran celltype: 3 df; lung ECOG: 2 df).
Tolerance 1e-8 as the other zph tests (the Cox fit is iterative).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from mrdguide.survival import cox_ph, proportional_hazards_test

from ._rref import read_csv, results

pytestmark = pytest.mark.reference
RTOL = 1e-8
VET = ["smallcell", "adeno", "large", "karno", "age"]
LUNG = ["ecog1", "ecog2", "age", "sex"]


def _check(res: Any, r: dict[str, Any]) -> None:
    assert list(res.terms) == r["terms"]
    np.testing.assert_allclose(res.statistic, r["statistic"], rtol=RTOL)
    np.testing.assert_array_equal(res.df, r["df"])
    np.testing.assert_allclose(res.p_value, r["p_value"], rtol=1e-7)
    np.testing.assert_allclose(res.global_statistic, r["global_statistic"], rtol=RTOL)
    assert res.global_df == r["global_df"]


def _vet() -> Any:
    d = read_csv("zph_terms_veteran", "zph_terms")
    return cox_ph(pd.DataFrame({c: d[c] for c in VET}), d["time"], d["event"])


@pytest.mark.parametrize("transform", ["km", "rank", "identity"])
def test_factor_term_veteran(transform: str) -> None:
    """celltype's three columns as one 3-df test, by index."""
    res = proportional_hazards_test(_vet(), transform, terms={"celltype": [0, 1, 2]})
    _check(res, results("zph_terms")["veteran"][transform])


def test_singledf_and_per_column() -> None:
    """singledf=True gives R's 1-df test; without terms every column is its own test."""
    fit = _vet()
    r = results("zph_terms")
    _check(proportional_hazards_test(fit, terms={"celltype": [0, 1, 2]}, singledf=True),
           r["veteran_singledf"])  # fmt: skip
    per_col = proportional_hazards_test(fit)
    np.testing.assert_allclose(per_col.statistic, r["veteran_columns"]["statistic"], rtol=RTOL)


def test_factor_term_lung_by_name() -> None:
    """Terms may name columns; Breslow fit; ECOG 2-df test."""
    d = read_csv("zph_terms_lung", "zph_terms", key="input2_sha256")
    x = pd.DataFrame({c: d[c] for c in LUNG})
    fit = cox_ph(x, d["time"], d["event"], ties="breslow")
    r = results("zph_terms")
    _check(proportional_hazards_test(fit, terms={"ecog": ["ecog1", "ecog2"]}), r["lung"])
    _check(proportional_hazards_test(fit, terms={"ecog": ["ecog1", "ecog2"]}, singledf=True),
           r["lung_singledf"])  # fmt: skip
