"""Prediction-accuracy metrics with competing risks: known values and brute-force checks."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.risk.metrics import (
    brier_score,
    calibration_table,
    harrell_c,
    horizon_status,
    net_reclassification,
    single_threshold_risk,
    time_dependent_auc,
)
from mrdguide.survival import cumulative_incidence


def _uncensored(seed: int, n: int = 300) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times, causes (1 relapse / 2 death, none censored before t=10) and a noisy risk score."""
    rng = np.random.default_rng(seed)
    risk = rng.random(n)
    t_rel = rng.exponential(8.0 / (0.2 + risk))
    t_dth = rng.exponential(40.0, n)
    time = np.minimum.reduce([t_rel, t_dth, np.full(n, 30.0)])
    cause = np.where(time == t_rel, 1, np.where(time == t_dth, 2, 0))
    return time, cause, risk


def test_weights_are_one_without_censoring_before_t() -> None:
    """With no censoring before t, every patient has weight 1 and is a case or a control."""
    time, cause, _ = _uncensored(1)
    st = horizon_status(time, cause, 10.0)
    assert np.allclose(st.weight, 1.0)
    assert np.all(st.case ^ st.control)


def test_auc_equals_brute_force_mann_whitney() -> None:
    """Without censoring the AUC is the Mann–Whitney statistic of cases vs all controls."""
    time, cause, risk = _uncensored(2)
    t = 10.0
    case = (time <= t) & (cause == 1)
    ctrl = ~case
    diff = risk[case][:, None] - risk[ctrl][None, :]
    expected = np.mean((diff > 0) + 0.5 * (diff == 0))
    assert time_dependent_auc(time, cause, risk, t) == pytest.approx(expected, rel=1e-12)


def test_auc_perfect_and_uninformative() -> None:
    """AUC is 1 for a score equal to case status and 0.5 for a constant score."""
    time, cause, _ = _uncensored(3)
    case = ((time <= 10) & (cause == 1)).astype(float)
    assert time_dependent_auc(time, cause, case, 10.0) == pytest.approx(1.0)
    assert time_dependent_auc(time, cause, np.zeros_like(time), 10.0) == pytest.approx(0.5)


def test_brier_without_censoring_is_mean_squared_error() -> None:
    """Without censoring the IPCW Brier score is the plain mean squared error."""
    time, cause, risk = _uncensored(4)
    y = ((time <= 10) & (cause == 1)).astype(float)
    assert brier_score(time, cause, risk, 10.0) == pytest.approx(np.mean((y - risk) ** 2))
    assert brier_score(time, cause, y, 10.0) == pytest.approx(0.0)


def test_ipcw_weights_upweight_survivors_after_censoring() -> None:
    """Censoring before t removes a patient (weight 0) and raises survivors' weight above 1."""
    time = np.array([1.0, 2.0, 3.0, 12.0, 15.0])
    cause = np.array([1, 0, 2, 0, 0])
    st = horizon_status(time, cause, 10.0)
    assert st.weight[1] == 0
    assert st.weight[0] == pytest.approx(1.0)
    assert st.weight[3] == pytest.approx(1 / (1 - 1 / 4))
    assert st.control.tolist() == [False, False, True, True, True]


def test_harrell_c_treats_competing_events_as_censored() -> None:
    """Harrell's C uses relapse as the event; a competing death is a censoring."""
    time = np.array([1.0, 2.0, 3.0])
    cause = np.array([2, 1, 0])
    # Only the pair (2, 3) is comparable: the relapse at 2 has the higher score -> C = 1.
    assert harrell_c(time, cause, np.array([0.0, 0.9, 0.1])) == pytest.approx(1.0)
    assert harrell_c(time, cause, np.array([0.0, 0.1, 0.9])) == pytest.approx(0.0)


def test_nri_zero_for_identical_models_and_known_moves() -> None:
    """Identical risks give NRI 0; moving one case up and one control down gives 1/n_c + 1/n_k."""
    time, cause, risk = _uncensored(5, n=200)
    r = net_reclassification(time, cause, risk * 0.3, risk * 0.3, 10.0)
    assert r.nri == 0
    case = (time <= 10) & (cause == 1)
    old = np.full(time.shape, 0.10)
    new = old.copy()
    i, j = np.flatnonzero(case)[0], np.flatnonzero(~case)[0]
    new[i], new[j] = 0.30, 0.01
    r = net_reclassification(time, cause, new, old, 10.0)
    assert r.nri_events == pytest.approx(1 / case.sum())
    assert r.nri_nonevents == pytest.approx(1 / (~case).sum())


def test_calibration_bins_partition_and_match_aalen_johansen() -> None:
    """Bins cover every patient once and 'observed' is the bin's Aalen–Johansen incidence."""
    time, cause, risk = _uncensored(6, n=500)
    bins = calibration_table(time, cause, risk, 10.0, n_bins=5)
    assert sum(b.n for b in bins) == 500
    order = np.argsort(risk, kind="stable")
    top = order[-100:]
    assert bins[-1].observed == pytest.approx(
        float(cumulative_incidence(time[top], cause[top]).at(10.0, cause=1))
    )
    assert bins[-1].mean_predicted == pytest.approx(float(np.mean(risk[top])))
    assert bins[0].observed_lower <= bins[0].observed <= bins[0].observed_upper


def test_single_threshold_risk_is_incidence_by_arm() -> None:
    """The reference model assigns each arm's Aalen–Johansen incidence at t."""
    time, cause, risk = _uncensored(7, n=400)
    mrd = np.where(risk > 0.5, 1e-3, 1e-5)
    out = single_threshold_risk(time, cause, mrd, np.array([1e-2, 0.0]), 10.0)
    hi = mrd >= 1e-4
    assert out[0] == pytest.approx(float(cumulative_incidence(time[hi], cause[hi]).at(10.0, 1)))
    assert out[1] == pytest.approx(float(cumulative_incidence(time[~hi], cause[~hi]).at(10.0, 1)))
    assert out[0] > out[1]
