"""RMST comparison between two arms (survRM2 ``rmst2``): fits the curves, then contrasts."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mrdguide.errors import InputError
from mrdguide.survival._km import kaplan_meier
from mrdguide.survival._rmst import (
    RestrictedMean,
    RMSTComparison,
    _contrast,
    _default_tau,
    _z,
    rmst_of,
)
from mrdguide.survival._validate import as_events, as_labels, as_times, check_lengths, check_level

__all__ = ["compare_rmst"]


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
