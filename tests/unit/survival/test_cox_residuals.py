"""Unit tests for CoxResult.residuals / predict / predict_survival: identities and errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import cox_ph


def cohort(seed: int, n: int = 150) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Seeded cohort, integer (tied) times, two covariates."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t = rng.exponential(1.0 / np.exp(x @ [0.5, -0.4])) * 20
    c = rng.uniform(0, 40, n)
    return x, np.ceil(np.minimum(t, c)), (t <= c).astype(int)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_residual_identities(ties: str) -> None:
    """Martingale residuals sum to 0, score residuals to the score (0 at the MLE), and
    Schoenfeld residuals sum to the score too; dfbeta = score @ V."""
    x, t, e = cohort(1)
    res = cox_ph(x, t, e, ties=ties)
    assert abs(res.residuals("martingale").sum()) < 1e-8
    np.testing.assert_allclose(res.residuals("score").sum(axis=0), 0.0, atol=1e-6)
    np.testing.assert_allclose(res.residuals("schoenfeld").sum(axis=0), 0.0, atol=1e-6)
    dfbeta = res.residuals("score") @ res.naive_covariance
    np.testing.assert_allclose(res.residuals("dfbeta"), dfbeta, rtol=1e-12)
    assert res.residuals("schoenfeld").shape == (int(e.sum()), 2)


def test_residuals_follow_caller_order() -> None:
    """Permuting the rows permutes the per-row residuals the same way."""
    x, t, e = cohort(2)
    p = np.random.default_rng(3).permutation(t.size)
    a, b = cox_ph(x, t, e), cox_ph(x[p], t[p], e[p])
    np.testing.assert_allclose(b.residuals("deviance"), a.residuals("deviance")[p], rtol=1e-9)
    np.testing.assert_allclose(b.residuals("dfbetas"), a.residuals("dfbetas")[p], rtol=1e-8)


def test_predictions_are_consistent() -> None:
    """risk = exp(lp); expected for the fitted rows = event - martingale; predicted S at the
    covariate means of a row equals exp(-expected) of that row over its follow-up."""
    x, t, e = cohort(4)
    res = cox_ph(pd.DataFrame(x, columns=["mrd", "sex"]), t, e)
    lp = res.predict(kind="lp")
    np.testing.assert_allclose(res.predict(kind="risk").value, np.exp(lp.value), rtol=1e-12)
    # centred as R: at the mean of mrd; the 0/1 column sex is not centred (R's nocenter)
    assert float(np.mean(lp.value)) == pytest.approx(float(np.mean(x[:, 1])) * res.coef[1])
    exp_ = res.predict(kind="expected").value
    np.testing.assert_allclose(exp_, e - res.residuals("martingale"), rtol=1e-12)
    new = pd.DataFrame(x[:3], columns=["mrd", "sex"])
    s = res.predict_survival(new, [5.0, 10.0, 20.0])
    direct = res.predict(new, "survival", time=[5.0, 10.0, 20.0]).value
    np.testing.assert_allclose(np.diag(s.survival), direct, rtol=1e-12)
    assert np.all(s.ci_lower <= s.survival) and np.all(s.survival <= s.ci_upper)
    json.dumps(s.to_dict(), allow_nan=True)


def test_bad_requests() -> None:
    """Unknown kinds, wrong columns and strata for an unstratified fit are refused."""
    x, t, e = cohort(5)
    res = cox_ph(x, t, e)
    with pytest.raises(InputError):
        res.residuals("pearson")
    with pytest.raises(InputError):
        res.residuals("schoenfeld", collapse=np.arange(t.size))
    with pytest.raises(InputError):
        res.predict(x[:, :1])
    with pytest.raises(InputError):
        res.predict_survival(x[:2], [1.0], strata=[1, 2])
    with pytest.raises(InputError):
        res.predict_survival(x[:2], [1.0], conf_type="logit")
    with pytest.raises(InputError):
        res.predict(x[:2], "expected")
