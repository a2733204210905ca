"""Multi-state Aalen–Johansen estimator with left truncation, as R ``survfit`` on multi-state data.

The state occupancy probabilities p(t) (R's ``pstate``) of a multi-state process, e.g. complete
remission (CR) -> relapse -> death, estimated from counting-process rows ``(start, stop]`` per
subject, with delayed entry, and their infinitesimal-jackknife standard errors.

Notes
-----
R-compatibility choices (survival 3.5-3, ``survfitCI`` / C ``survfitci``):

* At each distinct exit time t the transition matrix H(t) has ``H[a, b] = w_ab / w_a`` for the
  (weighted) moves a -> b among the ``w_a`` at risk in state a, diagonal ``1 - sum_b H[a, b]``,
  and ``p(t) = p(t-) H(t)``. A row is at risk over ``(start, stop]``; rows ending at t are in
  the risk set at t. A "move" into the state a subject is already in is not a transition.
* ``p0`` (the start) is the weighted distribution of the current state over the rows at risk at
  the first transition time (``start < t0 <= stop``), as R when ``p0`` is not given. Subjects
  who enter later (left truncation) join the risk set of their state when they enter.
* The standard error is R's only multi-state variance: the infinitesimal jackknife with each
  subject (``id``) a cluster, ``sum_i (w_i dp(t)/dw_i)^2``, the influence updated at every
  transition time as in R's C code. As R's default (``influence = FALSE``) the uncertainty of
  ``p0`` is not included. Weights must be constant within a subject.
* Limits come from ``survfit_confint(logse = FALSE)`` elementwise (default ``"log"`` as R).
* Data checks as R's ``survcheck`` (which survfit requires to pass): a subject's rows must not
  overlap and must be contiguous (no gaps), and ``from_state`` of a later row must be the state
  the subject is in. Without ``start`` every row is its own subject, at risk from the start.
* Reported times are the distinct exit times, except where R drops them: a censored row that
  is neither the first nor the last of its subject is merged with the next row (a split point
  such as a covariate change, not a censoring), as ``survfitCI`` does.
* ``timefix=True`` merges near-tied start/stop times first (R's ``aeqSurv``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mrdguide.errors import InputError
from mrdguide.survival._km_summary import as_query_times, step_lookup
from mrdguide.survival._km_var import limits_from_se
from mrdguide.survival._ms_data import StateRows, state_rows
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import check_level

__all__ = ["StateOccupancy", "aalen_johansen"]

_CONF_TYPES = ("log", "log-log", "plain")


@dataclass(frozen=True, slots=True, kw_only=True)
class StateOccupancy:
    """State occupancy probabilities of a multi-state process (R ``survfit`` ``pstate``).

    Attributes
    ----------
    time : ndarray, shape (T,)
        Distinct exit times (see the module notes for the split points R leaves out).
    states : ndarray, shape (S,)
        State labels, in the order of the columns below.
    pstate, std_err, ci_lower, ci_upper : ndarray, shape (T, S)
        P(in state s at t), its infinitesimal-jackknife SE and pointwise limits.
    n_at_risk, n_events : ndarray, shape (T, S)
        Number of subjects at risk in each state just before t, and of transitions into each
        state at t (unweighted, as R's ``n.risk`` / ``n.event``).
    n_censored : ndarray, shape (T,)
        Rows censored at t.
    p0 : ndarray, shape (S,)
        Occupancy at the start (before the first time).
    transitions : ndarray, shape (S, S)
        Number of observed transitions from row state to column state.
    conf_type, conf_level, se_method
        As used; the SE is always ``"infinitesimal-jackknife"`` (R's only choice).
    """

    time: FloatArray
    states: NDArray[Any]
    pstate: FloatArray
    std_err: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    n_at_risk: FloatArray
    n_events: FloatArray
    n_censored: FloatArray
    p0: FloatArray
    transitions: FloatArray
    conf_type: str
    conf_level: float
    se_method: str = "infinitesimal-jackknife"

    def at(self, t: ArrayLike, state: Any, *, extend: bool = False) -> float | FloatArray:
        """P(in ``state`` at ``t``): ``p0`` before the first time, NaN after the last time
        unless ``extend=True`` (R ``summary(fit, times =, extend =)``)."""
        hits = np.flatnonzero(self.states == state)
        if hits.size == 0:
            raise InputError(f"unknown state {state!r}", field="state", value=state)
        k = int(hits[0])
        tt = as_query_times(t)
        vals = step_lookup(self.time, self.pstate[:, k], tt, float(self.p0[k]), extend=extend)
        return float(vals) if vals.ndim == 0 else vals

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _counts(
    rows: StateRows, times: FloatArray, nstate: int
) -> tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per time index: entry/exit indices of rows, at-risk counts and weights per state,
    transition weights (T, S, S), transitions into each state and censorings."""
    nt = times.size
    ie = np.searchsorted(times, rows.entry, side="right")  # first time index at risk
    ix = np.searchsorted(times, rows.stop, side="left")  # exit time index (exact match)
    diff_n = np.zeros((nt + 1, nstate))
    diff_w = np.zeros((nt + 1, nstate))
    np.add.at(diff_n, (ie, rows.cur), 1.0)
    np.add.at(diff_n, (ix + 1, rows.cur), -1.0)
    np.add.at(diff_w, (ie, rows.cur), rows.weight)
    np.add.at(diff_w, (ix + 1, rows.cur), -rows.weight)
    moved = (rows.to >= 0) & (rows.to != rows.cur)
    flow = np.zeros((nt, nstate, nstate))
    np.add.at(flow, (ix[moved], rows.cur[moved], rows.to[moved]), rows.weight[moved])
    n_event = np.zeros((nt, nstate))
    np.add.at(n_event, (ix[moved], rows.to[moved]), 1.0)
    n_cens = np.bincount(ix[rows.to < 0], minlength=nt).astype(np.float64)
    n_risk = np.cumsum(diff_n, axis=0)[:nt]
    w_risk = np.cumsum(diff_w, axis=0)[:nt]
    return ie, ix, n_risk, w_risk, flow, n_event, n_cens


def _initial(rows: StateRows, nstate: int) -> FloatArray:
    """R's p0: weighted current states of the rows at risk at the first transition time."""
    t0 = rows.stop[rows.to >= 0].min() if np.any(rows.to >= 0) else rows.stop.max()
    at0 = (rows.entry < t0) & (rows.stop >= t0)
    w = np.bincount(rows.cur[at0], weights=rows.weight[at0], minlength=nstate)
    with np.errstate(invalid="ignore", divide="ignore"):
        out: FloatArray = w / w.sum()
    return out


def _hazard_matrix(n_risk: FloatArray, w_risk: FloatArray, flow: FloatArray) -> FloatArray:
    """H(t): moves over the weighted number at risk, rows summing to one."""
    nstate = n_risk.size
    h = np.eye(nstate)
    for a in np.flatnonzero(n_risk > 0):
        h[a] = flow[a] / w_risk[a]
        h[a, a] = 1.0 - flow[a].sum() / w_risk[a]
    return h


def _estimate(
    rows: StateRows, times: FloatArray, nstate: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """p(t), its IJ SE, at-risk and event counts per state, censorings and p0."""
    ie, ix, n_risk, w_risk, flow, n_event, n_cens = _counts(rows, times, nstate)
    p0 = _initial(rows, nstate)
    p = p0.copy()
    u = np.zeros((rows.n_subjects, nstate))  # d p / d w_i, per subject
    w2 = rows.subject_weight**2
    moved = (rows.to >= 0) & (rows.to != rows.cur)
    pstate = np.empty((times.size, nstate))
    var = np.zeros((times.size, nstate))
    current = np.zeros(nstate)
    for k in range(times.size):
        if flow[k].sum() > 0:
            h = _hazard_matrix(n_risk[k], w_risk[k], flow[k])
            u = u @ h
            act = np.flatnonzero((ie <= k) & (ix >= k))
            a = rows.cur[act]
            dest = np.where((ix[act] == k) & moved[act], rows.to[act], a)
            c = p[a] / w_risk[k, a]
            subj = rows.subject[act]
            u[subj] -= h[a] * c[:, None]
            u[subj, dest] += c
            p = p @ h
            current = w2 @ (u * u)
        pstate[k] = p
        var[k] = current
    return pstate, np.sqrt(var), n_risk, n_event, n_cens, p0


def aalen_johansen(
    stop: ArrayLike,
    to_state: ArrayLike,
    *,
    start: ArrayLike | None = None,
    id: ArrayLike | None = None,
    from_state: ArrayLike | None = None,
    states: ArrayLike | None = None,
    weights: ArrayLike | None = None,
    censored: Any = 0,
    conf_type: Literal["log", "log-log", "plain"] = "log",
    conf_level: float = 0.95,
    timefix: bool = True,
) -> StateOccupancy:
    """State occupancy probabilities by the multi-state Aalen–Johansen estimator.

    Parameters
    ----------
    stop : array-like
        End of each row's interval ``(start, stop]``.
    to_state : array-like
        State entered at ``stop``, or ``censored`` when the row ends without a transition.
    start : array-like, optional
        Start of each interval (left truncation / delayed entry); requires ``id``.
    id : array-like, optional
        Subject of each row (R's ``id =``); rows of a subject must be contiguous.
    from_state : array-like, optional
        State at the start of each row (R's ``istate``); default ``"(s0)"`` for everyone.
    states : array-like, optional
        Order of the states (like factor levels); default: initial-only states, then the
        entered states, each sorted.
    weights : array-like, optional
        Positive case weights, constant within a subject.
    censored : label
        The ``to_state`` value meaning "no transition" (default 0).
    conf_type : {"log", "log-log", "plain"}
        Transform of the pointwise limits (R's default ``"log"``).
    conf_level : float
        Level of the limits.
    timefix : bool
        Merge near-tied times first (R's rule).

    Returns
    -------
    StateOccupancy

    Raises
    ------
    InputError
        For invalid times, unknown or unordered labels, overlapping or non-contiguous rows of
        a subject, a ``from_state`` inconsistent with the subject's history, ``start`` without
        ``id``, or weights that vary within a subject.

    Notes
    -----
    See the module notes for R-compatibility choices. A competing-risks CIF is the special
    case of one row per subject starting in one state: ``pstate`` of each absorbing state is
    its cumulative incidence.

    Examples
    --------
    CR -> relapse -> death, with one patient entering the cohort late, already in relapse:

    >>> occ = aalen_johansen(
    ...     stop=[100, 300, 200, 250, 400],
    ...     to_state=["relapse", "death", 0, "death", 0],
    ...     start=[0, 100, 0, 50, 0],
    ...     id=["p1", "p1", "p2", "p3", "p4"],
    ...     from_state=["CR", "relapse", "CR", "relapse", "CR"],
    ...     states=["CR", "relapse", "death"],
    ... )
    >>> [round(float(occ.at(260, s)), 3) for s in ("CR", "relapse", "death")]
    [0.5, 0.25, 0.25]
    """
    if conf_type not in _CONF_TYPES:
        raise InputError(
            f"conf_type must be one of {_CONF_TYPES}", field="conf_type", value=conf_type
        )
    level = check_level(conf_level)
    rows, labels = state_rows(
        stop,
        to_state,
        start=start,
        subject=id,
        from_state=from_state,
        states=states,
        weights=weights,
        censored=censored,
        timefix=timefix,
    )
    times = np.unique(rows.stop)
    nstate = labels.size
    pstate, se, n_risk, n_event, n_cens, p0 = _estimate(rows, times, nstate)
    lower, upper = limits_from_se(pstate, se, conf_type, level)
    moved = (rows.to >= 0) & (rows.to != rows.cur)
    trans = np.zeros((nstate, nstate))
    np.add.at(trans, (rows.cur[moved], rows.to[moved]), 1.0)
    return StateOccupancy(
        time=times,
        states=labels,
        pstate=pstate,
        std_err=se,
        ci_lower=lower,
        ci_upper=upper,
        n_at_risk=n_risk,
        n_events=n_event,
        n_censored=n_cens,
        p0=p0,
        transitions=trans,
        conf_type=conf_type,
        conf_level=level,
    )
