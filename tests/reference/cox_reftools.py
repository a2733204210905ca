"""Cox-specific comparison shared by the Cox-family R reference tests (not a test module).

Loading goes through :mod:`._rref`; this module only compares a fit with ``cox_summary``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mrdguide.survival import CoxResult

from ._rref import as_num


def check_cox_summary(res: CoxResult, r: dict[str, Any], rtol: float) -> None:
    """Every field of r/cox_common.R's ``cox_summary`` against a CoxResult."""
    coef = as_num(r["coef"], ndmin=1)
    est = ~np.isnan(coef)
    np.testing.assert_allclose(res.coef, coef, rtol=rtol, equal_nan=True)
    np.testing.assert_allclose(res.std_err[est], as_num(r["std_err"], ndmin=1)[est], rtol=rtol)
    np.testing.assert_allclose(
        res.naive_std_err[est], as_num(r["naive_std_err"], ndmin=1)[est], rtol=rtol
    )
    cov = np.array(r["covariance"], dtype=float)
    np.testing.assert_allclose(
        res.covariance[np.ix_(est, est)], cov[np.ix_(est, est)], rtol=rtol, atol=1e-14
    )
    np.testing.assert_allclose(
        [res.loglik_null, res.loglik], [r["loglik_null"], r["loglik"]], rtol=rtol
    )
    got = [res.lr_test.statistic, res.wald_test.statistic, res.score_test.statistic]
    np.testing.assert_allclose(got, [r["lr_test"], r["wald_test"], r["score_test"]], rtol=rtol)
    if r["rscore"] is None:
        assert res.robust_score_test is None
    else:
        assert res.robust_score_test is not None
        np.testing.assert_allclose(res.robust_score_test.statistic, r["rscore"], rtol=rtol)
    assert res.iterations == r["iterations"]
    assert (res.n, res.n_events) == (r["n"], r["n_events"])
    np.testing.assert_allclose(res.concordance, r["concordance"], rtol=1e-12)
    np.testing.assert_allclose(res.concordance_std_err, r["concordance_std"], rtol=rtol)
    # times go through JSON at 15 significant digits
    np.testing.assert_allclose(res.baseline_time, as_num(r["baseline_time"], ndmin=1), rtol=1e-14)
    np.testing.assert_allclose(
        res.baseline_cumhaz, as_num(r["baseline_cumhaz"], ndmin=1), rtol=rtol
    )
