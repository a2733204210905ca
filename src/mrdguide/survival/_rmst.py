"""Restricted mean survival time (RMST) and its two-arm contrasts, as R survival / survRM2.

Notes
-----
* One arm: the area under the Kaplan–Meier curve from 0 to ``tau`` with the Greenwood-type
  variance of ``survival:::survmean`` (``print(survfit(...), rmean = tau)``), which is also the
  variance ``survRM2::rmst1`` uses. Its limits are the plain Wald interval ``est -/+ z se``
  (survRM2).
* Two arms (:func:`compare_rmst`): the survRM2 ``rmst2`` contrasts without covariates, each
  with a Wald interval and a two-sided p-value from the normal distribution:

  - difference ``mu1 - mu0`` with SE ``sqrt(v1 + v0)``;
  - ratio ``mu1 / mu0`` on the log scale, SE ``sqrt(v1 / mu1^2 + v0 / mu0^2)`` (delta method);
  - ratio of restricted mean time lost ``(tau - mu1) / (tau - mu0)``, likewise on the log scale.
* ``tau`` defaults to the smallest of the arms' largest follow-up times (survRM2's default).
  A larger ``tau`` is refused unless every arm whose follow-up ends before it has a curve that
  has already dropped to 0 (the area is then known up to ``tau``), as survRM2 >= 1.0-3.
* The variance ignores the weights' robust (IJ) option: R's ``survmean`` uses the Greenwood
  form from the (weighted) counts in every case, and so does this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri

from mrdguide.errors import InputError
from mrdguide.survival._types import dataclass_to_dict
from mrdguide.survival._validate import as_events, as_labels, as_times, check_lengths, check_level

if TYPE_CHECKING:
    from mrdguide.survival._km import SurvivalCurve

__all__ = ["RMSTComparison", "RMSTContrast", "RestrictedMean", "compare_rmst", "rmst_of"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RestrictedMean:
    """Restricted mean survival time up to ``tau``, its standard error and Wald limits."""

    tau: float
    estimate: float
    std_err: float
    ci_lower: float
    ci_upper: float
    conf_level: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class RMSTContrast:
    """One between-arm contrast: estimate, SE (log scale for ratios), limits and p-value."""

    estimate: float
    std_err: float
    ci_lower: float
    ci_upper: float
    p_value: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class RMSTComparison:
    """RMST of two arms and their contrasts (``survRM2::rmst2`` without covariates).

    Attributes
    ----------
    tau : float
        Truncation time.
    groups : ndarray
        ``(reference, comparator)`` labels; contrasts are comparator vs reference.
    rmst, rmtl : tuple of RestrictedMean
        Per arm (reference first): restricted mean survival time and restricted mean time
        lost (``tau - rmst``, same SE).
    difference, ratio, rmtl_ratio : RMSTContrast
        ``rmst1 - rmst0``, ``rmst1 / rmst0`` and ``rmtl1 / rmtl0``.
    conf_level : float
    """

    tau: float
    groups: NDArray[Any]
    rmst: tuple[RestrictedMean, RestrictedMean]
    rmtl: tuple[RestrictedMean, RestrictedMean]
    difference: RMSTContrast
    ratio: RMSTContrast
    rmtl_ratio: RMSTContrast
    conf_level: float

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _z(level: float) -> float:
    return float(ndtri(0.5 + level / 2.0))


def check_tau(tau: float) -> float:
    """A positive, finite truncation time."""
    value = float(tau)
    if not np.isfinite(value) or value <= 0:
        raise InputError(
            "tau must be a positive finite time", field="tau", value=tau, rule="0 < tau < inf"
        )
    return value


def rmst_of(curve: SurvivalCurve, tau: float, conf_level: float = 0.95) -> RestrictedMean:
    """RMST and SE of a Kaplan–Meier curve up to ``tau`` (``survival:::survmean``)."""
    tau = check_tau(tau)
    level = check_level(conf_level)
    n, d = curve.n_at_risk, curve.n_events
    free = n - d
    hh = np.divide(d, n * free, out=np.zeros_like(n), where=free != 0)
    keep = curve.time <= tau
    times = np.append(curve.time[keep], tau)
    surv = np.append(curve.survival[keep], curve.survival[keep][-1] if keep.any() else 1.0)
    hh = np.append(hh[keep], 0.0)
    delta = np.diff(np.concatenate(([0.0], times)))
    rect = delta * np.concatenate(([1.0], surv[:-1]))
    tail_area = np.cumsum(rect[1:][::-1])
    se = float(np.sqrt(np.sum(tail_area**2 * hh[::-1][1:])))
    est = float(rect.sum())
    half = _z(level) * se
    return RestrictedMean(
        tau=tau,
        estimate=est,
        std_err=se,
        ci_lower=est - half,
        ci_upper=est + half,
        conf_level=level,
    )


def _contrast(est: float, se: float, level: float, *, log: bool) -> RMSTContrast:
    z = _z(level)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.log(np.float64(est)) if log else np.float64(est)
        lo, hi = stat - z * se, stat + z * se
        p = float(2.0 * ndtr(-abs(stat / np.float64(se))))
    if log:
        lo, hi = np.exp(lo), np.exp(hi)
    return RMSTContrast(estimate=est, std_err=se, ci_lower=float(lo), ci_upper=float(hi), p_value=p)


def _default_tau(curves: list[SurvivalCurve], tau: float | None) -> float:
    last = [float(c.time[-1]) for c in curves]
    if tau is None:
        return min(last)
    value = check_tau(tau)
    for c, end in zip(curves, last, strict=True):
        if value > end and c.survival[-1] > 0:
            raise InputError(
                f"tau = {value} is beyond the last follow-up time {end} of an arm whose curve "
                "has not reached 0; the RMST is not estimable there (survRM2 refuses it too)",
                field="tau",
                value=value,
                rule=f"tau <= {min(last)}",
            )
    return value


def compare_rmst(
    time: ArrayLike,
    event: ArrayLike,
    group: ArrayLike,
    *,
    tau: float | None = None,
    reference: Any = None,
    conf_level: float = 0.95,
    timefix: bool = True,
) -> RMSTComparison:
    """RMST per arm and the difference and ratios between two arms (``survRM2::rmst2``).

    Parameters
    ----------
    time, event : array-like
        Follow-up times and 0/1 event indicators.
    group : array-like
        Exactly two arm labels.
    tau : float, optional
        Truncation time; default the smaller of the two arms' largest follow-up times.
    reference : label, optional
        The control arm (contrasts are the other arm vs it); default the first sorted label,
        so 0/1 coding gives survRM2's ``arm = 1`` vs ``arm = 0``.
    conf_level : float
        Level of all Wald intervals.
    timefix : bool
        Merge near-tied times first (R's rule), as :func:`kaplan_meier`.

    Returns
    -------
    RMSTComparison

    Raises
    ------
    InputError
        For invalid inputs, a number of arms other than two, an unknown ``reference`` or a
        ``tau`` beyond the follow-up of an arm.

    Notes
    -----
    See the module notes for the formulas (survRM2's Greenwood plug-in variance and delta
    method for the ratios).
    """
    from mrdguide.survival._km import kaplan_meier  # local import: _km imports this module

    t = as_times(time, "time")
    e = as_events(event, "event")
    check_lengths(time=t.size, event=e.size)
    level = check_level(conf_level)
    levels, codes = as_labels(group, t.size, "group")
    if levels.size != 2:
        raise InputError(
            f"compare_rmst needs exactly two arms, got {levels.size}",
            field="group",
            rule="2 groups",
        )
    ref = 0
    if reference is not None:
        hit = np.flatnonzero(levels == reference)
        if hit.size == 0:
            raise InputError(f"unknown reference arm {reference!r}", field="reference")
        ref = int(hit[0])
    order = (ref, 1 - ref)
    curves = [kaplan_meier(t[codes == k], e[codes == k], timefix=timefix) for k in order]
    cut = _default_tau(curves, tau)
    r0, r1 = (rmst_of(c, cut, level) for c in curves)
    return _comparison(cut, levels[list(order)], r0, r1, level)


def _comparison(
    tau: float, groups: NDArray[Any], r0: RestrictedMean, r1: RestrictedMean, level: float
) -> RMSTComparison:
    v0, v1 = r0.std_err**2, r1.std_err**2
    z = _z(level)
    lost = tuple(
        RestrictedMean(
            tau=tau,
            estimate=tau - r.estimate,
            std_err=r.std_err,
            ci_lower=tau - r.estimate - z * r.std_err,
            ci_upper=tau - r.estimate + z * r.std_err,
            conf_level=level,
        )
        for r in (r0, r1)
    )
    l0, l1 = np.float64(lost[0].estimate), np.float64(lost[1].estimate)
    m0, m1 = np.float64(r0.estimate), np.float64(r1.estimate)
    with np.errstate(divide="ignore", invalid="ignore"):  # NaN/inf where an RMST or RMTL is 0
        se_ratio = float(np.sqrt(v1 / m1**2 + v0 / m0**2))
        se_lost = float(np.sqrt(v1 / l1**2 + v0 / l0**2))
        ratio, ratio_lost = float(m1 / m0), float(l1 / l0)
    return RMSTComparison(
        tau=tau,
        groups=groups,
        rmst=(r0, r1),
        rmtl=(lost[0], lost[1]),
        difference=_contrast(r1.estimate - r0.estimate, float(np.sqrt(v1 + v0)), level, log=False),
        ratio=_contrast(ratio, se_ratio, level, log=True),
        rmtl_ratio=_contrast(ratio_lost, se_lost, level, log=True),
        conf_level=level,
    )
