"""Robust (infinitesimal-jackknife) KM variance: definition check and R's automatic rule."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import kaplan_meier


def finite_difference_variance(
    t: np.ndarray, e: np.ndarray, w: np.ndarray, entry: np.ndarray | None
) -> np.ndarray:
    """sum_i (w_i dS/dw_i)^2 with dS/dw_i by central differences (the IJ definition)."""
    base = kaplan_meier(t, e, weights=w, entry=entry, robust=False)
    h = 1e-6
    infl = np.empty((t.size, base.time.size))
    for i in range(t.size):
        up, dn = w.copy(), w.copy()
        up[i] += h
        dn[i] -= h
        s_up = kaplan_meier(t, e, weights=up, entry=entry, robust=False).survival
        s_dn = kaplan_meier(t, e, weights=dn, entry=entry, robust=False).survival
        infl[i] = w[i] * (s_up - s_dn) / (2 * h)
    out: np.ndarray = (infl**2).sum(axis=0)
    return out


@pytest.mark.parametrize("with_entry", [False, True])
def test_ij_variance_is_the_weight_derivative(with_entry: bool) -> None:
    """The closed-form IJ variance equals the sum of squared numerical weight derivatives."""
    rng = np.random.default_rng(11)
    n = 40
    t = rng.integers(1, 15, n).astype(float)
    e = rng.integers(0, 2, n)
    e[t == t.max()] = 0  # keep S > 0 so every derivative is smooth
    w = rng.uniform(0.3, 2.5, n)
    entry = np.where(rng.uniform(size=n) < 0.3, np.floor(t / 2), 0.0) if with_entry else None
    fit = kaplan_meier(t, e, weights=w, entry=entry)
    assert fit.se_method == "infinitesimal-jackknife"
    np.testing.assert_allclose(
        fit.std_err**2, finite_difference_variance(t, e, w, entry), rtol=1e-6, atol=1e-12
    )


def test_automatic_rule_follows_r() -> None:
    """robust=None: IJ only when some weight is not a whole number."""
    t, e = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1, 0, 1, 1])
    assert kaplan_meier(t, e).se_method == "greenwood"
    assert kaplan_meier(t, e, weights=[1, 2, 3, 1]).se_method == "greenwood"
    assert kaplan_meier(t, e, weights=[1, 2.5, 3, 1]).se_method == "infinitesimal-jackknife"
    assert kaplan_meier(t, e, robust=True).se_method == "infinitesimal-jackknife"
    fit = kaplan_meier(t, e, weights=[1, 2.5, 3, 1], robust=False)
    assert fit.se_method == "greenwood"
    with pytest.raises(InputError, match="robust"):
        kaplan_meier(t, e, robust="yes")  # type: ignore[arg-type]


def test_robust_se_is_zero_once_s_is_zero() -> None:
    """R: the influence, and so the SE, is 0 once everyone at risk has failed."""
    fit = kaplan_meier([1.0, 2.0, 3.0], [1, 0, 1], weights=[0.5, 1.5, 1.0])
    assert fit.survival[-1] == 0.0
    assert fit.std_err[-1] == 0.0
    assert np.isnan(fit.ci_lower[-1]) and np.isnan(fit.ci_upper[-1])
