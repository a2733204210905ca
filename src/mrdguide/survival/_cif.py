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
from mrdguide.survival._cif_core import group_curves
from mrdguide.survival._gray_core import all_causes
from mrdguide.survival._km_summary import as_query_times, step_lookup
from mrdguide.survival._tables import event_table
from mrdguide.survival._ties import check_timefix
from mrdguide.survival._types import FloatArray, IntArray, TestResult, dataclass_to_dict
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
    estimate, variance : ndarray, shape (n_groups, n_causes, n_times)
        CIF and its cmprsk variance, right-continuous in time.
    ci_lower, ci_upper : ndarray, shape (n_groups, n_causes, n_times)
        Pointwise log(-log) limits (properties, computed when read; cuminc has none).
    conf_level : float
        Level of the pointwise limits.
    end_time : ndarray, shape (n_groups,)
        Largest follow-up time (event or censoring) of each group; the look-ups give NaN
        after it unless ``extend=True``.
    tests : tuple of TestResult or None
        Gray's test for each cause (order of ``causes``) when requested with ``test=True``,
        as ``cuminc``'s ``Tests``.
    """

    time: FloatArray
    groups: NDArray[Any] | None
    causes: IntArray
    estimate: FloatArray
    variance: FloatArray
    conf_level: float
    end_time: FloatArray
    tests: tuple[TestResult, ...] | None = None

    @property
    def ci_lower(self) -> FloatArray:
        """Lower pointwise log(-log) limit, shape as ``estimate`` (NaN where the CIF is 0)."""
        return _limits(self.estimate, self.variance, self.conf_level)[0]

    @property
    def ci_upper(self) -> FloatArray:
        """Upper pointwise log(-log) limit, shape as ``estimate`` (NaN where the CIF is 0)."""
        return _limits(self.estimate, self.variance, self.conf_level)[1]

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
        lower, upper = _limits(self.estimate, self.variance, self.conf_level)
        lo = self._lookup(lower, float(t), cause, group, extend)
        hi = self._lookup(upper, float(t), cause, group, extend)
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
        """Plain-Python representation (the limits included)."""
        out = dataclass_to_dict(self)
        lower, upper = _limits(self.estimate, self.variance, self.conf_level)
        out["ci_lower"], out["ci_upper"] = lower.tolist(), upper.tolist()
        return out


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
    test: bool = False,
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
    test : bool
        Also compute Gray's test (``rho = 0``, no strata) for every cause, as ``cuminc`` does
        with groups; it shares the sort and tables with the curves. Needs two or more groups.
        A singular test gives NaN statistic and p-value here (``gray_test`` raises).

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
    ngroups = 1 if levels is None else levels.size
    if test and ngroups < 2:
        raise InputError("test=True needs at least two groups", field="group", rule=">= 2")
    present = np.flatnonzero(np.bincount(c))
    causes = present[present > 0]
    if causes.size and causes[-1] != causes.size:  # codes 1..K without gaps
        lookup = np.zeros(int(c.max()) + 1, dtype=np.int64)
        lookup[causes] = np.arange(1, causes.size + 1)
        c = lookup[c]
    tab = event_table(t, c, codes, ngroups, causes.size, timefix=fix)
    grid = tab.time
    est = np.zeros((ngroups, causes.size, grid.size))
    var = np.zeros_like(est)
    if causes.size:
        for g in range(ngroups):
            group_curves(tab.at_risk[g], tab.own[g], tab.counts[g], est[g], var[g])
    tests = all_causes(tab, 0.0, est) if test else None
    return CumulativeIncidence(
        time=grid,
        groups=levels,
        causes=causes,
        estimate=est,
        variance=var,
        conf_level=level,
        end_time=tab.end,
        tests=tests,
    )
