"""compare_rmst (two-arm RMST contrasts) and the single-curve RMST: rules and errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import compare_rmst, kaplan_meier


def arms(seed: int, n: int = 120) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two arms with exponential times, the second living longer."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, 2, n)
    t = np.round(rng.exponential(np.where(g == 1, 30.0, 20.0)), 1) + 0.1
    e = (rng.uniform(size=n) < 0.7).astype(int)
    return t, e, g


def test_rmst_is_the_area_under_the_curve() -> None:
    """The RMST equals the integral of the step function up to tau."""
    t, e, _ = arms(1)
    fit = kaplan_meier(t, e)
    grid = np.linspace(0, 25, 250_001)
    area = np.sum(fit.at(grid[:-1]) * np.diff(grid))
    assert fit.rmst(25).estimate == pytest.approx(area, rel=1e-4)


def test_reference_arm_flips_the_contrasts() -> None:
    """Choosing the other arm as reference negates the difference and inverts the ratios."""
    t, e, g = arms(2)
    a = compare_rmst(t, e, g, tau=20)
    b = compare_rmst(t, e, g, tau=20, reference=1)
    assert list(b.groups) == [1, 0]
    assert b.difference.estimate == pytest.approx(-a.difference.estimate, rel=1e-12)
    assert b.difference.p_value == pytest.approx(a.difference.p_value, rel=1e-12)
    assert b.ratio.estimate == pytest.approx(1 / a.ratio.estimate, rel=1e-12)
    assert b.rmtl_ratio.ci_lower == pytest.approx(1 / a.rmtl_ratio.ci_upper, rel=1e-12)
    json.dumps(a.to_dict())


def test_arm_rmst_equals_single_curve_rmst() -> None:
    """Each arm's RMST is the KM RMST of that arm alone; RMTL is tau minus it."""
    t, e, g = arms(3)
    res = compare_rmst(t, e, g, tau=15)
    for k, (r, lost) in enumerate(zip(res.rmst, res.rmtl, strict=True)):
        own = kaplan_meier(t[g == k], e[g == k]).rmst(15)
        assert r.estimate == pytest.approx(own.estimate, rel=1e-14)
        assert r.std_err == pytest.approx(own.std_err, rel=1e-14)
        assert lost.estimate == pytest.approx(15 - own.estimate, rel=1e-14)


def test_default_tau_and_tau_rules() -> None:
    """Default tau is the smaller last follow-up time; beyond it only if that curve is 0."""
    t, e, g = arms(4)
    last = min(t[g == 0].max(), t[g == 1].max())
    assert compare_rmst(t, e, g).tau == last
    with pytest.raises(InputError, match="tau"):
        compare_rmst(t, e, g, tau=last + 1)
    t2, e2 = t.copy(), e.copy()
    short = np.flatnonzero(g == int(np.argmin([t[g == 0].max(), t[g == 1].max()])))
    e2[short[np.argmax(t2[short])]] = 1  # that arm's curve now ends at 0
    ok = compare_rmst(t2, e2, g, tau=last + 1)
    assert ok.tau == last + 1


@pytest.mark.parametrize(
    ("group", "kwargs"),
    [([0, 1, 2] * 10, {}), ([0, 1] * 15, {"reference": 5}), ([0, 1] * 15, {"tau": -1.0})],
)
def test_invalid(group: list[int], kwargs: dict[str, float]) -> None:
    """Three arms, an unknown reference or a non-positive tau raise InputError."""
    t = np.arange(1.0, 31.0)
    with pytest.raises(InputError):
        compare_rmst(t, np.ones(30, dtype=int), group, **kwargs)  # type: ignore[arg-type]
