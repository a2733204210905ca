"""Aalen–Johansen cumulative incidence with the variance of R ``cmprsk::cuminc``.

Notes
-----
R-compatibility choices (cmprsk 2.2-11):

* The estimate is the Aalen–Johansen CIF, F_k(t) = sum_{s <= t} S(s-) d_k(s) / n(s), with S the
  all-cause Kaplan–Meier estimate of the same group. Tied times are handled deterministically
  (all events at a time are processed together, censorings at t stay in the risk set at t).
* The variance is the delta-method estimator of cmprsk's Fortran routine ``cinc`` (Gray 2000),
  re-derived in vectorised form: three running sums updated at every event time, with the tie
  correction ``1 - (d - 1)/(n - 1)``. As in cmprsk the reported variance only changes at times
  where the cause of interest has an event; between them it is carried forward.
* Pointwise limits use the log(-log) transform of Pintilie (2006) as ``tidycmprsk``:
  F^exp(±z·se / (F·log F)). They are NaN where F is 0.
* ``.at``, ``.variance_at`` and ``.ci_at`` are right-continuous and give NaN past a group's
  largest follow-up time (censored or not), where ``cmprsk::timepoints`` returns NA; exactly at
  that time the value is given, as there. ``extend=True`` carries the last value forward (as
  R ``summary(survfit, extend = TRUE)``).
* ``timefix=True`` (default) merges near-tied times with R's ``aeqSurv`` rule, as the
  multi-state ``survfit`` does; ``cuminc`` itself compares times exactly (``timefix=False``).
* Groups are the sorted distinct labels (R's factor order for numbers; strings use code-point
  order, which may differ from R's locale collation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtri

from mrdguide.errors import InputError
from mrdguide.survival._km_summary import as_query_times, step_lookup
from mrdguide.survival._ties import check_timefix, merge_sorted
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_causes, as_labels, as_times, check_lengths, check_level

__all__ = ["CumulativeIncidence", "cumulative_incidence"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CumulativeIncidence:
    """Cumulative incidence functions per group and cause on a common time grid.

    Attributes
    ----------
    time : ndarray, shape (n_times,)
        Distinct times at which any cause has an event in any group.
    groups : ndarray or None
        Sorted group labels; ``None`` when no ``group`` was given.
    causes : ndarray of int
        Cause codes with at least one event, sorted.
    estimate, variance, ci_lower, ci_upper : ndarray, shape (n_groups, n_causes, n_times)
        CIF, its cmprsk variance, and pointwise limits, right-continuous in time.
    conf_level : float
        Level of the pointwise limits.
    end_time : ndarray, shape (n_groups,)
        Largest follow-up time (event or censoring) of each group; the look-ups give NaN
        after it unless ``extend=True``.
    """

    time: FloatArray
    groups: NDArray[Any] | None
    causes: IntArray
    estimate: FloatArray
    variance: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    conf_level: float
    end_time: FloatArray

    @overload
    def at(self, t: float, cause: int = 1, group: Any = None, *, extend: bool = False) -> float: ...
    @overload
    def at(
        self, t: ArrayLike, cause: int = 1, group: Any = None, *, extend: bool = False
    ) -> FloatArray: ...
    def at(
        self, t: ArrayLike, cause: int = 1, group: Any = None, *, extend: bool = False
    ) -> float | FloatArray:
        """CIF of ``cause`` in ``group`` at ``t`` (right-continuous; 0 before the first event).

        NaN past the group's last follow-up time (``end_time``), as ``cmprsk::timepoints``,
        unless ``extend=True`` (the last value is carried forward).
        """
        return self._lookup(self.estimate, t, cause, group, extend)

    @overload
    def variance_at(
        self, t: float, cause: int = 1, group: Any = None, *, extend: bool = False
    ) -> float: ...
    @overload
    def variance_at(
        self, t: ArrayLike, cause: int = 1, group: Any = None, *, extend: bool = False
    ) -> FloatArray: ...
    def variance_at(
        self, t: ArrayLike, cause: int = 1, group: Any = None, *, extend: bool = False
    ) -> float | FloatArray:
        """cmprsk variance of the CIF of ``cause`` in ``group`` at ``t`` (NaN as :meth:`at`)."""
        return self._lookup(self.variance, t, cause, group, extend)

    def ci_at(
        self, t: float, cause: int = 1, group: Any = None, *, extend: bool = False
    ) -> tuple[float, float]:
        """Pointwise confidence limits (log(-log), as ``ci_lower``/``ci_upper``) at ``t``.

        NaN where the CIF is 0, as the limits are undefined there, and past the group's last
        follow-up time unless ``extend=True``.
        """
        lo = self._lookup(self.ci_lower, float(t), cause, group, extend)
        hi = self._lookup(self.ci_upper, float(t), cause, group, extend)
        return float(lo), float(hi)

    def _lookup(
        self, arr: FloatArray, t: ArrayLike, cause: int, group: Any, extend: bool
    ) -> float | FloatArray:
        hits = np.flatnonzero(self.causes == cause)
        if hits.size == 0:
            raise InputError(f"cause {cause!r} has no events", field="cause", value=cause)
        if group is None:
            if self.groups is not None and self.groups.size > 1:
                raise InputError("several groups: pass group=", field="group")
            g = 0
        else:
            found: IntArray = (
                np.flatnonzero(self.groups == group)
                if self.groups is not None
                else np.zeros(0, dtype=np.int64)
            )
            if len(found) == 0:
                raise InputError(f"unknown group {group!r}", field="group", value=group)
            g = int(found[0])
        tt = as_query_times(t)
        vals = step_lookup(self.time, arr[g, int(hits[0])], tt, 0.0, extend=True)
        if not extend:
            vals = np.where(tt > self.end_time[g], np.nan, vals)
        return float(vals) if vals.ndim == 0 else vals

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _counts_by_time(ts: FloatArray, codes: IntArray, ncode: int) -> tuple[FloatArray, ...]:
    """Distinct sorted times, number at risk, and a (ncode, n_times) table of code counts."""
    new = np.empty(ts.size, dtype=bool)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    tidx = np.cumsum(new) - 1
    table = np.bincount(codes * starts.size + tidx, minlength=ncode * starts.size)
    at_risk = (ts.size - starts).astype(np.float64)
    return ts[starts], at_risk, table.reshape(ncode, starts.size).astype(np.float64)


def _cinc(rs: FloatArray, counts: FloatArray) -> tuple[FloatArray, FloatArray]:
    """CIF and cmprsk variance for every cause; ``counts[0]`` are censorings.

    Returns arrays of shape (n_causes, n_times) on the group's own distinct times. Terms that
    cmprsk skips (no event of that kind) are zero through their event-count factor.
    """
    d1 = counts[1:]  # (K, T): events of the cause of interest
    nd = d1.sum(axis=0)
    d2 = nd - d1
    fkn = np.cumprod((rs - nd) / rs)
    fk = np.concatenate(([1.0], fkn[:-1]))
    est = np.cumsum(d1 * (fk / rs), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(fkn > 0, 1.0 / fkn, 0.0)
        tie = np.where(rs > 1, 1.0 / (rs - 1.0), 0.0)
    base = fk * fk / (rs * rs)
    t6a = d2 * (base * (fkn > 0)) * (1.0 - (d2 - 1.0) * tie)
    t6b = d1 * base * (1.0 - (d1 - 1.0) * tie)
    t4a = est * inv
    t4b = 1.0 + t4a
    v1 = np.cumsum(t4a * t4a * t6a + t4b * t4b * t6b, axis=1)
    v2 = np.cumsum(inv * (t4a * t6a + t4b * t6b), axis=1)
    v3 = np.cumsum((inv * inv) * (t6a + t6b), axis=1)
    raw = v1 + est * (est * v3 - 2.0 * v2)
    var = np.empty_like(raw)
    for k in range(d1.shape[0]):  # cmprsk updates the variance only at cause-k event times
        jumps = np.flatnonzero(d1[k])
        reps = np.diff(np.concatenate(([0], jumps, [rs.size])))
        var[k] = np.repeat(np.concatenate(([0.0], raw[k, jumps])), reps)
    return est, var


def _limits(est: FloatArray, var: FloatArray, level: float) -> tuple[FloatArray, FloatArray]:
    """log(-log) limits F^exp(-/+ z se / (F log F)), computed as exp(log F * exp(-/+ h))."""
    z = float(ndtri(0.5 + level / 2.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log_f = np.log(est)
        h = np.sqrt(var)
        h *= z
        h /= est * log_f
        np.exp(h, out=h)
        lower = np.divide(log_f, h)
        np.exp(lower, out=lower)
        np.multiply(log_f, h, out=log_f)
        upper = np.exp(log_f, out=log_f)
    lower[est == 0] = np.nan
    upper[est == 0] = np.nan
    return lower, upper


def cumulative_incidence(
    time: ArrayLike,
    cause: ArrayLike,
    *,
    group: ArrayLike | None = None,
    conf_level: float = 0.95,
    timefix: bool = True,
) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence per cause (and group), as ``cmprsk::cuminc``.

    Parameters
    ----------
    time : array-like
        Follow-up times, finite and >= 0.
    cause : array-like of int
        0 = censored, 1..k = cause of the event.
    group : array-like, optional
        Group labels; one set of curves per distinct label.
    conf_level : float
        Level of the pointwise log(-log) limits.
    timefix : bool
        Merge times that differ only by floating-point rounding first, with R's ``aeqSurv``
        rule (pooled over groups), as R's multi-state ``survfit`` does by default.
        ``cmprsk::cuminc`` has no such option and compares times exactly: pass
        ``timefix=False`` to reproduce it on data with near ties.

    Returns
    -------
    CumulativeIncidence

    Raises
    ------
    InputError
        For invalid times or codes, or unequal lengths.

    Notes
    -----
    With no events at all, ``causes`` is empty and the arrays have no cause axis entries
    (documented result). See the module notes for R-compatibility choices.
    """
    t = as_times(time, "time")
    c = as_causes(cause, "cause")
    check_lengths(time=t.size, cause=c.size)
    level = check_level(conf_level)
    fix = check_timefix(timefix)
    levels: NDArray[Any] | None = None
    codes = np.zeros(t.size, dtype=np.int64)
    if group is not None:
        levels, codes = as_labels(group, t.size, "group")
    present = np.flatnonzero(np.bincount(c))
    causes = present[present > 0]
    lookup = np.zeros(int(c.max()) + 1, dtype=np.int64)
    lookup[causes] = np.arange(1, causes.size + 1)
    order = np.argsort(t)
    ts, cs = t[order], lookup[c[order]]
    if fix:
        ts = merge_sorted(ts)
    ev_times = ts[cs > 0]
    grid = ev_times[np.concatenate((ev_times[:1] == ev_times[:1], ev_times[1:] != ev_times[:-1]))]
    ngroups = 1 if levels is None else levels.size
    end = np.empty(ngroups)
    est = np.zeros((ngroups, causes.size, grid.size))
    var = np.zeros_like(est)
    gs = codes[order]
    for g in range(ngroups):
        sel = np.flatnonzero(gs == g) if ngroups > 1 else slice(None)
        ut, at_risk, counts = _counts_by_time(ts[sel], cs[sel], causes.size + 1)
        end[g] = ut[-1]
        e_g, v_g = _cinc(at_risk, counts)
        pos = np.searchsorted(ut, grid, side="right") - 1
        lead = int(np.searchsorted(pos, 0))  # grid times before the group's first time
        np.take(e_g, pos[lead:], axis=1, out=est[g][:, lead:])
        np.take(v_g, pos[lead:], axis=1, out=var[g][:, lead:])
    lower, upper = _limits(est, var, level)
    return CumulativeIncidence(
        time=grid,
        groups=levels,
        causes=causes,
        estimate=est,
        variance=var,
        ci_lower=lower,
        ci_upper=upper,
        conf_level=level,
        end_time=end,
    )
