"""fine_gray(timefix=) against crr on raw and on aeqSurv-merged times (r/finegray_timefix.R).

mgus2 with time in years computed two ways: 297 distinct raw times, 264 after merging (= the
264 distinct days). Same tolerances as the other crr tests.

crr itself is not consistent on raw near-tied times: its censoring distribution comes from
``survfit``, which merges near ties (R's default ``timefix``), while its risk sets compare the
times exactly. ``expected["raw"]`` records that mixture (coefficients ~5e-4 away from both
consistent fits); ``timefix=False`` here compares all times exactly, ``timefix=True`` (the
default) equals crr on the merged times.
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import fine_gray

from ._rref import read_csv, results

pytestmark = pytest.mark.reference
RTOL = 1e-8
COLS = ["age", "male", "hgb", "creat", "mspike"]


@pytest.mark.parametrize(
    ("label", "time", "timefix"),
    [("merged", "years", True), ("days", "etime", True), ("days", "etime", False)],
)
def test_timefix(label: str, time: str, timefix: bool) -> None:
    """timefix=False is crr on the raw times; timefix=True is crr on the merged times."""
    d = read_csv("finegray_timefix", "finegray_timefix")
    r = results("finegray_timefix")[label]
    x = np.column_stack([d[c] for c in COLS])
    res = fine_gray(x, d[time], d["cause"].astype(int), timefix=timefix)
    np.testing.assert_allclose(res.coef, r["coef"], rtol=RTOL)
    np.testing.assert_allclose(res.covariance, r["covariance"], rtol=RTOL, atol=1e-15)
    np.testing.assert_allclose(res.loglik, r["loglik"], rtol=RTOL)
    np.testing.assert_allclose(res.baseline_time, r["baseline_time"], rtol=1e-14)
    np.testing.assert_allclose(res.baseline_cumhaz, r["baseline_cumhaz"], rtol=RTOL)
    assert res.timefix is timefix


def test_without_timefix_every_raw_time_counts() -> None:
    """timefix=False keeps the 297 raw times apart (more distinct failure times)."""
    d = read_csv("finegray_timefix", "finegray_timefix")
    x = np.column_stack([d[c] for c in COLS])
    raw = fine_gray(x, d["years"], d["cause"].astype(int), timefix=False)
    fixed = fine_gray(x, d["years"], d["cause"].astype(int))
    assert raw.baseline_time.size == np.unique(d["years"][d["cause"] == 1]).size
    assert raw.baseline_time.size > fixed.baseline_time.size
    assert not np.allclose(raw.coef, fixed.coef, rtol=1e-6)


def test_distinct_times() -> None:
    """The raw years hold 297 distinct values; merged, the 264 distinct days."""
    d = read_csv("finegray_timefix", "finegray_timefix")
    counts = results("finegray_timefix")["distinct"]
    assert np.unique(d["years"]).size == counts["raw"] == 297
    fixed = fine_gray(np.column_stack([d[c] for c in COLS]), d["years"], d["cause"].astype(int))
    assert counts["merged"] == counts["days"] == 264
    assert fixed.baseline_time.size == np.unique(d["etime"][d["cause"] == 1]).size
