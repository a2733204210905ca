"""Merging of near-tied times, as R's ``survival::aeqSurv`` (the ``timefix`` option).

Times computed two ways (``days / 365.25`` against ``months / 12``, say) can differ in their last
bits. Compared exactly they form two distinct times, which changes the risk sets, the log-rank
statistic and the Cox partial likelihood. R's survival package (``survfit``, ``survdiff``,
``coxph``; ``timefix = TRUE`` by default since survival 2.40) merges such times first, with the
tolerance of ``all.equal``: two neighbouring distinct times are tied when their difference is at
most ``sqrt(.Machine$double.eps)``, either absolutely or relative to the mean absolute time.

References
----------
Therneau T. *Roundoff error and tied times.* Vignette of the R package survival (``timefix``).
"""

from __future__ import annotations

import numpy as np

from mrdguide.survival._types import FloatArray

#: ``sqrt(.Machine$double.eps)`` in R: the tolerance of ``all.equal`` and of ``aeqSurv``.
TIMEFIX_TOLERANCE = float(np.sqrt(np.finfo(np.float64).eps))

__all__ = ["TIMEFIX_TOLERANCE", "merge_near_ties"]


def merge_near_ties(
    *times: FloatArray, tolerance: float = TIMEFIX_TOLERANCE
) -> tuple[FloatArray, ...]:
    """Replace near-tied times by the smallest member of their tie group (R ``aeqSurv``).

    Parameters
    ----------
    *times : ndarray
        One or more float vectors that share one time axis (for counting-process data, the
        start and the stop times). The set of distinct finite values is pooled across them.
    tolerance : float, optional
        Absolute and relative tolerance (default ``sqrt(machine epsilon)``, R's default).

    Returns
    -------
    tuple of ndarray
        The inputs with every time mapped to the first value of its tie group; inputs without
        near ties are returned unchanged (the same objects).

    Notes
    -----
    As in R, the groups are formed on the sorted distinct values: a neighbour is tied to the
    previous one when ``diff <= tolerance`` or ``diff / mean(|y|) <= tolerance``. A chain of
    small steps therefore merges into one group. Non-finite values are left as they are.
    """
    if tolerance <= 0 or not times:
        return times
    pooled = np.concatenate([np.asarray(t, dtype=np.float64).ravel() for t in times])
    y = np.unique(pooled[np.isfinite(pooled)])
    if y.size < 2:
        return times
    dy = np.diff(y)
    scale = float(np.mean(np.abs(y)))
    tied = (dy <= tolerance) | ((dy / scale) <= tolerance if scale > 0 else False)
    if not np.any(tied):
        return times
    cuts = y[np.concatenate(([True], ~tied))]
    out: list[FloatArray] = []
    for t in times:
        arr = np.asarray(t, dtype=np.float64)
        finite = np.isfinite(arr)
        idx = np.searchsorted(cuts, arr[finite], side="right") - 1
        merged = arr.copy()
        merged[finite] = cuts[idx]
        out.append(merged)
    return tuple(out)
