"""Landmark selection: keep subjects event-free and under follow-up at a landmark time.

Notes
-----
Conventions (risk interval ``(entry, time]``, as R ``Surv(entry, time, status)``):

* A subject is kept when ``time > at``: an event or censoring *exactly at* the landmark removes
  the subject (they are not under follow-up after it), as ``survSplit``-style landmarking in R.
* With ``entry``, a subject is kept only if ``entry <= at``, i.e. under observation at the
  landmark; later entrants are excluded (their landmark covariate, such as an MRD result taken
  at the landmark, would be unknown).
* Kept times are re-zeroed to ``time - at``; status codes are passed through unchanged, so
  cause codes for competing risks survive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from mrdguide.errors import InputError
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_causes, as_times, check_lengths

__all__ = ["LandmarkData", "landmark"]


@dataclass(frozen=True, slots=True, kw_only=True)
class LandmarkData:
    """Subjects retained at a landmark, with time measured from the landmark.

    Attributes
    ----------
    at : float
        The landmark time (original time scale).
    mask : ndarray of bool, shape (n,)
        True for retained rows of the input.
    index : ndarray of int
        Positions of the retained rows in the input (use to subset covariates).
    time : ndarray
        ``time - at`` for retained rows (all > 0).
    status : ndarray of int
        Status/cause codes of retained rows.
    n_ended_before : int
        Rows dropped because their event or censoring was at or before ``at``.
    n_late_entry : int
        Rows dropped because they entered after ``at``.
    """

    at: float
    mask: NDArray[np.bool_]
    index: IntArray
    time: FloatArray
    status: IntArray
    n_ended_before: int
    n_late_entry: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def landmark(
    time: ArrayLike, status: ArrayLike, at: float, *, entry: ArrayLike | None = None
) -> LandmarkData:
    """Select subjects at risk at landmark ``at`` and re-zero their time.

    Parameters
    ----------
    time : array-like
        Follow-up times, finite and >= 0.
    status : array-like of int
        0 = censored, otherwise an event/cause code (kept unchanged).
    at : float
        Landmark time, finite and >= 0.
    entry : array-like, optional
        Delayed-entry times; subjects with ``entry > at`` are excluded.

    Returns
    -------
    LandmarkData

    Raises
    ------
    InputError
        For invalid times/codes, unequal lengths or a negative/non-finite landmark.
    """
    t = as_times(time, "time")
    s = as_causes(status, "status")
    check_lengths(time=t.size, status=s.size)
    at_f = float(at)
    if not np.isfinite(at_f) or at_f < 0:
        raise InputError("landmark must be finite and >= 0", field="at", value=at, rule=">= 0")
    alive = t > at_f
    entered = np.ones(t.size, dtype=bool)
    if entry is not None:
        en = as_times(entry, "entry")
        check_lengths(time=t.size, entry=en.size)
        entered = en <= at_f
    mask = alive & entered
    index = np.flatnonzero(mask)
    return LandmarkData(
        at=at_f,
        mask=mask,
        index=index,
        time=t[index] - at_f,
        status=s[index],
        n_ended_before=int(np.count_nonzero(~alive)),
        n_late_entry=int(np.count_nonzero(alive & ~entered)),
    )
