"""survival._dist equals the scipy.stats functions it replaces, bit for bit (edges included)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from mrdguide.survival._dist import chi2_sf, norm_ppf, norm_sf

XS = [-1.0, 0.0, 1e-300, 0.5, 3.841458820694124, 40.0, 1e4, np.inf, np.nan]


@pytest.mark.parametrize("df", [0, 1, 2, 3.5, 12])
def test_chi2_sf_is_scipy_stats(df: float) -> None:
    """Same values as scipy.stats.chi2.sf, NaN for df 0 and 1 below the support."""
    want = stats.chi2.sf(np.array(XS), df)
    np.testing.assert_array_equal(chi2_sf(np.array(XS), df), want)
    for x, w in zip(XS, want, strict=True):
        got = chi2_sf(x, df)
        assert isinstance(got, float)
        assert got == w or (np.isnan(got) and np.isnan(w))


def test_norm_tail_and_quantile_are_scipy_stats() -> None:
    """norm_sf and norm_ppf equal scipy.stats.norm.sf and .ppf."""
    x = np.array([-40.0, -1.96, 0.0, 1.0, 8.5, np.inf, np.nan])
    np.testing.assert_array_equal(norm_sf(x), stats.norm.sf(x))
    assert norm_sf(1.96) == stats.norm.sf(1.96)
    for q in (1e-12, 0.025, 0.5, 0.975, 1 - 1e-12):
        assert norm_ppf(q) == stats.norm.ppf(q)


def test_survival_does_not_import_scipy_stats() -> None:
    """Importing mrdguide.survival leaves scipy.stats unloaded (it costs about a second)."""
    code = "import sys, mrdguide.survival; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
