"""Every number the cohort analysis reports matches a direct call of the survival core."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.analysis._endpoints import endpoint_table, mrd_band_labels
from mrdguide.analysis.outcomes import cif_by_group, km_by_group, median_follow_up
from mrdguide.domain import Timepoint
from mrdguide.survival import (
    cumulative_incidence,
    gray_test,
    kaplan_meier,
    logrank_test,
)

from .cohort_fixture import group_of, make_cohort

H = 5 * 365.25


@pytest.fixture(scope="module")
def data() -> tuple:
    """Cohort, endpoint table and group labels."""
    cases = make_cohort()
    table = endpoint_table(cases)
    by = {c.patient_id: c for c in cases}
    groups = np.array([group_of(by[p]) for p in table.patient_id])
    return cases, table, groups


def test_km_by_group_matches_direct_calls(data: tuple) -> None:
    """5-year EFS, CI, counts and log-rank p equal direct kaplan_meier/logrank_test calls."""
    _, t, g = data
    res = km_by_group(t.efs_days, t.efs_event, g, endpoint="EFS", horizon_days=H)
    assert [x.group for x in res.groups] == ["standard", "high"]
    for gc in res.groups:
        m = g == gc.group
        km = kaplan_meier(t.efs_days[m], t.efs_event[m])
        i = np.searchsorted(km.time, H, side="right") - 1
        assert gc.at_horizon.value == pytest.approx(km.survival[i], rel=1e-12)
        assert gc.at_horizon.ci_lower == pytest.approx(km.ci_lower[i], rel=1e-12)
        assert gc.at_horizon.ci_upper == pytest.approx(km.ci_upper[i], rel=1e-12)
        assert gc.n == int(m.sum()) and gc.n_events == int(t.efs_event[m].sum())
        assert gc.n_at_risk[0] == gc.n
        assert gc.n_at_risk[2] == int((t.efs_days[m] >= 2 * 365.25).sum())
    lr = logrank_test(t.efs_days, t.efs_event, g)
    assert res.p_value == pytest.approx(lr.p_value, rel=1e-12)
    assert res.groups[1].at_horizon.value < res.groups[0].at_horizon.value


def test_cif_by_group_matches_direct_calls(data: tuple) -> None:
    """5-year CIR and Gray's p equal direct cumulative_incidence/gray_test calls."""
    _, t, g = data
    m = t.cir_evaluable()
    res = cif_by_group(t.cir_days[m], t.cir_cause[m], g[m], horizon_days=H)
    cif = cumulative_incidence(t.cir_days[m], t.cir_cause[m], group=g[m])
    for gc in res.groups:
        direct = float(np.asarray(cif.at(H, cause=1, group=gc.group)))
        assert gc.at_horizon.value == pytest.approx(direct, rel=1e-12)
        assert gc.at_horizon.ci_lower < gc.at_horizon.value < gc.at_horizon.ci_upper
    gt = gray_test(t.cir_days[m], t.cir_cause[m], g[m])
    assert res.p_value == pytest.approx(gt.p_value, rel=1e-12)


def test_median_follow_up_is_reverse_km(data: tuple) -> None:
    """Median follow-up equals the median of the reverse Kaplan–Meier curve."""
    _, t, _ = data
    fu = median_follow_up(t.os_days, t.os_event)
    rev = kaplan_meier(t.os_days, ~t.os_event)
    med = rev.median().estimate
    assert fu.median == pytest.approx(med, abs=1.0)
    assert fu.q1 <= fu.median <= fu.q3


def test_mrd_bands_use_ge_comparator(data: tuple) -> None:
    """A level exactly at 1e-3 falls in the ≥1e-3 band; negatives have their own band."""
    cases, _, _ = data
    labels = mrd_band_labels(cases, Timepoint.EOI)
    assert set(labels) <= {"negative", "<1e-04", "1e-04–1e-03", "≥1e-03", "missing"}
    for c, lab in zip(cases, labels, strict=True):
        m = c.mrd_at(Timepoint.EOI)
        assert m is not None
        if m.level is not None and m.level.fraction >= 1e-3:
            assert lab == "≥1e-03"
