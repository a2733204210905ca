"""Unit tests for cox_ph: invariances, counting-process equivalences, weights, errors."""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pandas as pd
import pytest

from mrdguide.errors import EstimationError, InputError, StatisticalWarning
from mrdguide.survival import CoxResult, concordance_index, cox_ph


def cohort(
    seed: int, n: int = 300, *, ties: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seeded cohort with two covariates; integer times (ties) unless ``ties=False``."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    t = rng.exponential(1.0 / np.exp(x @ [0.5, -0.4])) * 20
    c = rng.uniform(0, 40, n)
    time = np.minimum(t, c)
    if ties:
        time = np.ceil(time)
    return x, time, (t <= c).astype(int)


def test_efron_equals_breslow_without_ties() -> None:
    """With distinct event times the Efron and Breslow likelihoods coincide."""
    x, t, e = cohort(1, ties=False)
    a, b = cox_ph(x, t, e), cox_ph(x, t, e, ties="breslow")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-12)


def test_efron_differs_from_breslow_with_ties() -> None:
    """With heavy ties the two methods give different estimates."""
    x, t, e = cohort(2)
    a, b = cox_ph(x, t, e), cox_ph(x, t, e, ties="breslow")
    assert not np.allclose(a.coef, b.coef, rtol=1e-4)


def test_integer_weights_equal_replicated_rows() -> None:
    """Case weight k gives the same Breslow fit as k copies of the row.

    (Efron is not replication-invariant with ties, in R too: d counts rows, not weight.)
    """
    x, t, e = cohort(3, n=120)
    w = np.random.default_rng(4).integers(1, 4, t.size)
    rep = np.repeat(np.arange(t.size), w)
    a = cox_ph(x, t, e, weights=w, ties="breslow")
    b = cox_ph(x[rep], t[rep], e[rep], ties="breslow")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-9)
    np.testing.assert_allclose(a.std_err, b.std_err, rtol=1e-9)
    np.testing.assert_allclose(a.loglik, b.loglik, rtol=1e-12)
    np.testing.assert_allclose(a.baseline_cumhaz, b.baseline_cumhaz, rtol=1e-9)


def test_split_intervals_equal_unsplit_fit() -> None:
    """Splitting follow-up into (0, s] and (s, t] rows leaves the counting-process fit unchanged."""
    x, t, e = cohort(5, n=150)
    s = np.floor(t / 2)
    split = s > 0
    start = np.r_[np.zeros(t.size), s[split]]
    stop = np.r_[np.where(split, s, t), t[split]]
    ev = np.r_[np.where(split, 0, e), e[split]]
    xx = np.vstack([x, x[split]])
    a = cox_ph(x, t, e)
    b = cox_ph(xx, stop, ev, entry=start)
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-9)
    np.testing.assert_allclose(b.std_err, a.std_err, rtol=1e-9)
    np.testing.assert_allclose(b.loglik, a.loglik, rtol=1e-12)
    np.testing.assert_allclose(b.concordance, a.concordance, rtol=1e-12)
    np.testing.assert_allclose(b.baseline_cumhaz, a.baseline_cumhaz, rtol=1e-9)


def test_row_order_does_not_matter() -> None:
    """Permuting the rows gives the same fit."""
    x, t, e = cohort(6)
    p = np.random.default_rng(7).permutation(t.size)
    a, b = cox_ph(x, t, e, robust=True), cox_ph(x[p], t[p], e[p], robust=True)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)
    np.testing.assert_allclose(a.covariance, b.covariance, rtol=1e-9)
    assert a.concordance == pytest.approx(b.concordance, rel=1e-12)


def test_covariate_shift_moves_only_the_baseline() -> None:
    """Adding c to X leaves beta unchanged and scales the x = 0 baseline by exp(-c'beta)."""
    x, t, e = cohort(8)
    c = np.array([3.0, -2.0])
    a, b = cox_ph(x, t, e), cox_ph(x + c, t, e)
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-9)
    np.testing.assert_allclose(
        b.baseline_cumhaz, a.baseline_cumhaz * np.exp(-c @ a.coef), rtol=1e-8
    )


def test_stratum_labels_are_arbitrary() -> None:
    """Renaming strata (strings vs integers) changes nothing but the labels."""
    x, t, e = cohort(9)
    s = np.random.default_rng(10).integers(0, 3, t.size)
    a = cox_ph(x, t, e, strata=s)
    b = cox_ph(x, t, e, strata=np.array(["a", "b", "c"])[s])
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    assert set(np.unique(b.baseline_strata)) == {"a", "b", "c"}
    assert not np.allclose(a.coef, cox_ph(x, t, e).coef, rtol=1e-6)


def test_matches_statsmodels_phreg() -> None:
    """Coefficients and SEs agree with statsmodels PHReg (Efron and Breslow)."""
    sm = pytest.importorskip("statsmodels.duration.hazard_regression")
    x, t, e = cohort(11)
    for ties in ("efron", "breslow"):
        ref = sm.PHReg(t, x, status=e, ties=ties).fit()
        res = cox_ph(x, t, e, ties=ties)
        np.testing.assert_allclose(res.coef, ref.params, rtol=1e-6)
        np.testing.assert_allclose(res.std_err, ref.bse, rtol=1e-6)


def test_dataframe_names_and_default_names() -> None:
    """DataFrame columns become names; arrays get x0, x1, ..."""
    x, t, e = cohort(12)
    df = pd.DataFrame(x, columns=["mrd", "sex"])
    assert cox_ph(df, t, e).names == ("mrd", "sex")
    assert cox_ph(x, t, e).names == ("x0", "x1")
    assert cox_ph(x[:, 0], t, e).names == ("x0",)


def test_constant_covariate_is_aliased() -> None:
    """A constant column gets NaN (not a crash) and a StatisticalWarning."""
    x, t, e = cohort(13)
    xx = np.column_stack([x, np.ones(t.size)])
    with pytest.warns(StatisticalWarning, match="x2"):
        res = cox_ph(xx, t, e)
    assert np.isnan(res.coef[2])
    assert np.isnan(res.covariance[2]).all()
    np.testing.assert_allclose(res.coef[:2], cox_ph(x, t, e).coef, rtol=1e-12)


def test_concordance_field_equals_concordance_index() -> None:
    """CoxResult.concordance is Harrell's C of the linear predictor."""
    x, t, e = cohort(14)
    res = cox_ph(x, t, e)
    assert res.concordance == pytest.approx(concordance_index(t, e, x @ res.coef).concordance)


def test_separated_data_warn_about_infinite_coefficient() -> None:
    """Monotone likelihood (perfect separation) warns that a coefficient may be infinite."""
    rng = np.random.default_rng(15)
    x = rng.integers(0, 2, 60)
    t = np.where(x == 1, rng.uniform(0, 1, 60), rng.uniform(2, 3, 60))
    with pytest.warns(StatisticalWarning, match="infinite"):
        cox_ph(x, t, x)


def test_result_is_frozen_and_serialisable() -> None:
    """The result cannot be mutated and to_dict() is JSON-serialisable without the design."""
    x, t, e = cohort(16)
    res = cox_ph(x, t, e)
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.loglik = 0.0  # type: ignore[misc]
    d = res.to_dict()
    assert "design" not in d
    json.dumps(d)
    assert isinstance(res, CoxResult)
    assert not res.design.x.flags.writeable


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"ties": "discrete"}, InputError),
        ({"entry": "late"}, InputError),
        ({"weights": "neg"}, InputError),
        ({"strata": "short"}, InputError),
    ],
)
def test_invalid_arguments(kwargs: dict, exc: type) -> None:
    """Invalid ties, entry >= time, negative weights and wrong lengths are rejected."""
    x, t, e = cohort(17, n=50)
    value = {
        "late": t + 1,
        "neg": -np.ones(t.size),
        "short": np.ones(t.size - 1),
    }
    kw = {k: value.get(v, v) for k, v in kwargs.items()}
    with pytest.raises(exc):
        cox_ph(x, t, e, **kw)


def test_nan_covariate_and_no_events_are_rejected() -> None:
    """NaN or text in X is an InputError; no events is an EstimationError."""
    x, t, e = cohort(18, n=50)
    with pytest.raises(InputError):
        cox_ph(pd.DataFrame({"a": ["x"] * t.size}), t, e)
    bad = x.copy()
    bad[3, 0] = np.nan
    with pytest.raises(InputError):
        cox_ph(bad, t, e)
    with pytest.raises(EstimationError):
        cox_ph(x, t, np.zeros(t.size))


def test_no_warning_on_ordinary_fit() -> None:
    """A well-posed fit emits no warnings at all."""
    x, t, e = cohort(19)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cox_ph(x, t, e, robust=True)
    assert res.converged
    assert res.robust_score_test is not None
