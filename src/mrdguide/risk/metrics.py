"""Prediction-accuracy metrics for relapse risk with competing events, at a horizon ``t``.

Definitions (competing risks; Blanche, Dartigues & Jacqmin-Gadda, Stat Med 2013;32:5381):

* **Cases** are patients who relapsed by ``t`` (``time <= t`` and ``cause == 1``).
* **Controls** are everyone else whose status at ``t`` is known: event-free beyond ``t``
  (``time > t``) *or* with a competing event (death in remission, second malignancy) by ``t``
  (Blanche's "definition 2" controls). Patients censored before ``t`` have unknown status.
* Unknown status is handled by **inverse probability of censoring weighting** (IPCW): a
  patient with an event by ``t`` gets weight ``1 / G(T_i-)`` and one still followed at ``t``
  gets ``1 / G(t)``, where ``G`` is the Kaplan–Meier estimate of the censoring distribution
  (censoring as the "event"; every event cause counts as a censoring-free exit).

Harrell's C uses the relapse time with competing events treated as censored (cause-specific
concordance) and the predicted cumulative incidence as the risk score.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from mrdguide import survival
from mrdguide.errors import InputError
from mrdguide.risk.design import FloatArray

#: Default risk bands (<5%, 5–15%, >15%; [sources: oconnor2018]).
DEFAULT_BANDS: tuple[float, ...] = (0.05, 0.15)


@dataclass(frozen=True, slots=True, kw_only=True)
class HorizonStatus:
    """Case/control status at ``t`` with IPCW weights (0 for status unknown)."""

    case: np.ndarray[Any, np.dtype[np.bool_]]
    control: np.ndarray[Any, np.dtype[np.bool_]]
    weight: FloatArray


def _arrays(time: ArrayLike, cause: ArrayLike, *scores: ArrayLike) -> list[FloatArray]:
    t = np.asarray(time, dtype=np.float64).reshape(-1)
    out = [t, np.asarray(cause, dtype=np.int64).reshape(-1).astype(np.float64)]
    out += [np.asarray(s, dtype=np.float64).reshape(-1) for s in scores]
    if any(a.shape[0] != t.shape[0] for a in out):
        raise InputError("time, cause and scores need the same length.", field="time")
    if t.shape[0] == 0:
        raise InputError("No observations.", field="time")
    return out


def horizon_status(time: ArrayLike, cause: ArrayLike, t: float) -> HorizonStatus:
    """Cases, controls and IPCW weights at horizon ``t`` (see module notes).

    Parameters
    ----------
    time : array_like
        Follow-up times from the landmark.
    cause : array_like of int
        :class:`~mrdguide.domain.EventType` codes (0 censored, 1 relapse, >= 2 competing).
    t : float
        Horizon, in the units of ``time``.

    Returns
    -------
    HorizonStatus
        Boolean case and control masks and the IPCW weight of every patient.
    """
    tt, cc = _arrays(time, cause)
    c = cc.astype(np.int64)
    g = survival.kaplan_meier(tt, c == 0)
    g_before = np.asarray(g.at(np.nextafter(tt, -np.inf)), dtype=np.float64)
    g_t = float(g.at(float(t)))
    event_by_t = (tt <= t) & (c > 0)
    followed = tt > t
    w = np.zeros(tt.shape[0])
    with np.errstate(divide="ignore"):
        w[event_by_t] = 1.0 / g_before[event_by_t]
        w[followed] = 1.0 / g_t if g_t > 0 else 0.0
    w[~np.isfinite(w)] = 0.0
    case = event_by_t & (c == 1)
    return HorizonStatus(case=case, control=(event_by_t & (c >= 2)) | followed, weight=w)


def harrell_c(time: ArrayLike, cause: ArrayLike, risk: ArrayLike) -> float:
    """Harrell's C for relapse, with competing events treated as censored.

    Parameters
    ----------
    time, cause : array_like
        Follow-up times and EventType codes.
    risk : array_like
        Predicted risk (higher = earlier relapse), e.g. the predicted CIF at the horizon.

    Returns
    -------
    float
        ``survival.concordance_index(time, cause == 1, risk).concordance``.
    """
    tt, cc, rr = _arrays(time, cause, risk)
    return float(survival.concordance_index(tt, cc == 1, rr).concordance)


def time_dependent_auc(time: ArrayLike, cause: ArrayLike, risk: ArrayLike, t: float) -> float:
    """Cumulative/dynamic AUC at ``t`` with IPCW (cases: relapse by ``t``; see module notes).

    Parameters
    ----------
    time, cause : array_like
        Follow-up times and EventType codes.
    risk : array_like
        Predicted risk; ties between a case and a control count 1/2.
    t : float
        Horizon.

    Returns
    -------
    float
        The weighted probability that a case scores above a control; ``nan`` when there are
        no cases or no controls with positive weight.
    """
    tt, cc, rr = _arrays(time, cause, risk)
    st = horizon_status(tt, cc, t)
    rc, wc = rr[st.case], st.weight[st.case]
    rk, wk = rr[st.control], st.weight[st.control]
    if wc.sum() <= 0 or wk.sum() <= 0:
        return float("nan")
    order = np.argsort(rk)
    rk, wk = rk[order], wk[order]
    cum = np.concatenate(([0.0], np.cumsum(wk)))
    below = cum[np.searchsorted(rk, rc, side="left")]
    tied = cum[np.searchsorted(rk, rc, side="right")] - below
    auc = float(np.sum(wc * (below + 0.5 * tied)) / (wc.sum() * wk.sum()))
    # Weighted sums can overshoot by an ulp (e.g. 1.0000000000000002); the AUC is a probability.
    return min(max(auc, 0.0), 1.0)


def brier_score(time: ArrayLike, cause: ArrayLike, predicted: ArrayLike, t: float) -> float:
    """IPCW Brier score at ``t`` of the predicted cumulative incidence of relapse.

    Parameters
    ----------
    time, cause : array_like
        Follow-up times and EventType codes.
    predicted : array_like
        Predicted cumulative incidence of relapse at ``t``, in [0, 1].
    t : float
        Horizon.

    Returns
    -------
    float
        ``mean_i w_i (1{relapse by t} - F_i(t))^2`` over all patients (weight 0 when the
        status at ``t`` is unknown).

    References
    ----------
    Graf E et al. Stat Med 1999;18:2529-45 (IPCW Brier score).
    """
    tt, cc, pp = _arrays(time, cause, predicted)
    st = horizon_status(tt, cc, t)
    y = st.case.astype(np.float64)
    return float(np.mean(st.weight * (y - pp) ** 2))


@dataclass(frozen=True, slots=True, kw_only=True)
class CalibrationBin:
    """One risk group: mean predicted vs observed (Aalen–Johansen) cumulative incidence."""

    n: int
    mean_predicted: float
    observed: float
    observed_lower: float
    observed_upper: float


def calibration_table(
    time: ArrayLike, cause: ArrayLike, predicted: ArrayLike, t: float, *, n_bins: int = 10
) -> tuple[CalibrationBin, ...]:
    """Calibration plot data: patients split into ``n_bins`` equal-size groups by predicted risk.

    ``observed`` is the Aalen–Johansen cumulative incidence of relapse at ``t`` in each group,
    with its pointwise CI from :func:`mrdguide.survival.cumulative_incidence`.
    """
    tt, cc, pp = _arrays(time, cause, predicted)
    if n_bins < 1:
        raise InputError(f"n_bins must be >= 1; got {n_bins!r}.", field="n_bins")
    order = np.argsort(pp, kind="stable")
    bins = []
    for idx in np.array_split(order, min(n_bins, order.shape[0])):
        ci = survival.cumulative_incidence(tt[idx], cc[idx].astype(np.int64))
        if np.any(ci.causes == 1):
            obs = float(ci.at(t, cause=1, extend=True))  # last value carried, as before
            k = int(np.flatnonzero(ci.causes == 1)[0])
            j = int(np.searchsorted(ci.time, t, side="right")) - 1
            lo = float(ci.ci_lower[0, k, j]) if j >= 0 else 0.0
            hi = float(ci.ci_upper[0, k, j]) if j >= 0 else 0.0
        else:
            obs = lo = hi = 0.0
        bins.append(
            CalibrationBin(
                n=int(idx.shape[0]),
                mean_predicted=float(np.mean(pp[idx])),
                observed=obs,
                observed_lower=lo,
                observed_upper=hi,
            )
        )
    return tuple(bins)


@dataclass(frozen=True, slots=True, kw_only=True)
class NRIResult:
    """Categorical net reclassification improvement of a new over a reference risk model."""

    nri: float
    nri_events: float
    nri_nonevents: float
    bands: tuple[float, ...]


def net_reclassification(
    time: ArrayLike,
    cause: ArrayLike,
    risk_new: ArrayLike,
    risk_reference: ArrayLike,
    t: float,
    *,
    bands: tuple[float, ...] = DEFAULT_BANDS,
) -> NRIResult:
    """Categorical NRI at ``t`` with risk bands, IPCW-weighted.

    Both risks are cut into categories at ``bands``. Among cases (relapse by ``t``) the NRI
    counts moves up minus moves down; among controls (event-free or competing event by ``t``)
    moves down minus moves up; each as an IPCW-weighted proportion (Pencina et al., Stat Med
    2008, with the case/control definitions of this module).
    """
    tt, cc, rn, ro = _arrays(time, cause, risk_new, risk_reference)
    st = horizon_status(tt, cc, t)
    edges = np.asarray(sorted(bands), dtype=np.float64)
    move = np.digitize(rn, edges, right=False) - np.digitize(ro, edges, right=False)
    up, down = (move > 0).astype(np.float64), (move < 0).astype(np.float64)

    def prop(mask: np.ndarray[Any, np.dtype[np.bool_]], v: FloatArray) -> float:
        w = st.weight[mask]
        return float(np.sum(w * v[mask]) / w.sum()) if w.sum() > 0 else float("nan")

    ev = prop(st.case, up) - prop(st.case, down)
    ne = prop(st.control, down) - prop(st.control, up)
    return NRIResult(nri=ev + ne, nri_events=ev, nri_nonevents=ne, bands=tuple(edges.tolist()))


def single_threshold_risk(
    time: ArrayLike,
    cause: ArrayLike,
    mrd: ArrayLike,
    mrd_new: ArrayLike,
    t: float,
    *,
    threshold: float = 1e-4,
) -> FloatArray:
    """Reference risk from one MRD cut-off: the Aalen–Johansen incidence at ``t`` of relapse in
    the training patients with MRD ``>= threshold`` or ``< threshold``, assigned to ``mrd_new``.
    """
    tt, cc, mm = _arrays(time, cause, mrd)
    mn = np.asarray(mrd_new, dtype=np.float64).reshape(-1)
    c = cc.astype(np.int64)
    out = np.zeros(mn.shape[0])
    for high in (False, True):
        sel = (mm >= threshold * (1 - 1e-12)) == high
        target = (mn >= threshold * (1 - 1e-12)) == high
        if not sel.any():
            continue
        ci = survival.cumulative_incidence(tt[sel], c[sel])
        out[target] = float(ci.at(t, cause=1, extend=True)) if np.any(ci.causes == 1) else 0.0
    return out
