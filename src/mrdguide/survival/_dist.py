"""The chi-squared and normal tail functions the estimators need, from ``scipy.special``.

``scipy.stats`` takes about a second to import; these are the functions its distributions call
(``chi2.sf`` is ``chdtrc``, ``norm.sf(x)`` is ``ndtr(-x)``, ``norm.ppf`` is ``ndtri``), with
``scipy.stats``' handling of arguments outside the support, so results are bit-identical.
"""

from __future__ import annotations

from typing import overload

import numpy as np
from scipy.special import chdtrc, ndtr, ndtri

from mrdguide.survival._types import FloatArray

__all__ = ["chi2_sf", "norm_ppf", "norm_sf"]


@overload
def chi2_sf(x: float, df: float) -> float: ...
@overload
def chi2_sf(x: FloatArray, df: float | FloatArray) -> FloatArray: ...
def chi2_sf(x: float | FloatArray, df: float | FloatArray) -> float | FloatArray:
    """P(X > x) for X ~ chi-squared(df): NaN for df <= 0, 1 for x < 0 (as ``scipy.stats``)."""
    xa, da = np.asarray(x, dtype=np.float64), np.asarray(df, dtype=np.float64)
    out = np.where(da > 0, chdtrc(da, np.maximum(xa, 0.0)), np.nan)
    return float(out) if out.ndim == 0 else out


@overload
def norm_sf(x: float) -> float: ...
@overload
def norm_sf(x: FloatArray) -> FloatArray: ...
def norm_sf(x: float | FloatArray) -> float | FloatArray:
    """P(Z > x) for a standard normal Z."""
    out = ndtr(-np.asarray(x, dtype=np.float64))
    return float(out) if np.ndim(out) == 0 else out


def norm_ppf(q: float) -> float:
    """The standard normal quantile at ``q``."""
    return float(ndtri(q))
