"""Near-tied times (timefix): KM and log-rank against R survfit/survdiff on lung in years.

Men's times are days / 365.25 and women's weeks / 52, so equal days differ in the last bits
between the sexes: 184 distinct floats against R's 178 merged times (see r/km_timefix.R).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import kaplan_meier, logrank_test

from ._rref import close
from ._rref import load as _load
from .test_km_vs_r import check_curve

pytestmark = pytest.mark.reference


def load() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The lung-in-years input (sex read as a number) and R's results."""
    return _load("km_timefix_lung")


def test_input_really_has_near_ties() -> None:
    """The committed input has 184 distinct floats; R merges them to 178 times."""
    d, ref = load()
    assert np.unique(d["time"]).size == ref["n_distinct_raw"] == 184
    assert ref["n_distinct_merged"] == 178


def test_km_timefix_matches_survfit() -> None:
    """timefix=True (default): every survfit column equals R's default survfit."""
    d, ref = load()
    fit = kaplan_meier(d["time"], d["status"])
    assert fit.time.size == 178
    check_curve(fit, ref["km"])


def test_km_without_timefix_matches_survfit_timefix_false() -> None:
    """timefix=False keeps the 184 float times, as survfit(timefix = FALSE)."""
    d, ref = load()
    fit = kaplan_meier(d["time"], d["status"], timefix=False)
    assert fit.time.size == 184
    check_curve(fit, ref["km_raw"])


def test_km_timefix_with_weights() -> None:
    """Merging also holds for weighted curves (Greenwood, robust = FALSE in R)."""
    d, ref = load()
    fit = kaplan_meier(d["time"], d["status"], weights=d["weight"], conf_type="log", robust=False)
    check_curve(fit, ref["km_weights"])


@pytest.mark.parametrize(
    ("key", "group", "strata", "rho"),
    [
        ("logrank_sex", "sex", None, 0.0),
        ("logrank_ecog", "ph_ecog", None, 0.0),
        ("logrank_ecog_strata_rho1", "ph_ecog", "sex", 1.0),
    ],
)
def test_logrank_timefix_matches_survdiff(
    key: str, group: str, strata: str | None, rho: float
) -> None:
    """timefix=True: statistic, p-value, observed and expected equal survdiff."""
    d, ref = load()
    res = logrank_test(
        d["time"], d["status"], d[group], strata=None if strata is None else d[strata], rho=rho
    )
    r = ref[key]
    close([res.statistic, res.p_value], [r["chisq"], r["pvalue"]])
    close(res.observed, r["obs"])
    close(res.expected, r["exp"])


@pytest.mark.parametrize(("key", "group"), [("logrank_sex", "sex"), ("logrank_ecog", "ph_ecog")])
def test_logrank_without_timefix_matches_raw_times(key: str, group: str) -> None:
    """timefix=False equals R on the raw times, and differs from the merged answer."""
    d, ref = load()
    res = logrank_test(d["time"], d["status"], d[group], timefix=False)
    close(res.statistic, ref[f"{key}_raw"]["chisq"])
    close(res.expected, ref[f"{key}_raw"]["exp"])
    assert abs(res.statistic - ref[key]["chisq"]) > 1e-4
