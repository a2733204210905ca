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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr, ndtri

from mrdguide.errors import InputError
from mrdguide.survival._types import CurveLike, dataclass_to_dict
from mrdguide.survival._validate import check_level

__all__ = ["RMSTComparison", "RMSTContrast", "RestrictedMean", "rmst_of"]


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


def rmst_of(curve: CurveLike, tau: float, conf_level: float = 0.95) -> RestrictedMean:
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


def _default_tau(curves: Sequence[CurveLike], tau: float | None) -> float:
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
