"""What the prediction and residual helpers read from a fitted model (internal).

The helpers type their argument with these protocols rather than with the result classes, so
that ``CoxResult``/``FineGrayResult`` can call the helpers from their methods without an import
cycle. ``FineGrayCurve`` lives here because it is part of the Fine–Gray protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from numpy.typing import NDArray

from mrdguide.survival._cox_core import CoxData
from mrdguide.survival._types import FloatArray

__all__ = ["FineGrayCurve", "FittedCox", "FittedFineGray"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FineGrayCurve:
    """Per failure time pieces of the baseline for predictions (at the centred covariates).

    ``hazard`` are the increments of the cumulative baseline subdistribution hazard at
    ``x = mean``, ``var_hazard`` their model variance ``d / S0^2`` and ``xbar`` the risk-set
    means times the increments (``S1 / S0 * hazard``), as R's ``agsurv``.
    """

    hazard: FloatArray
    var_hazard: FloatArray
    xbar: FloatArray


class FittedCox(Protocol):
    """The fields of a Cox fit read by predictions and residuals (``CoxResult`` has them)."""

    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def coef(self) -> FloatArray: ...
    @property
    def covariance(self) -> FloatArray: ...
    @property
    def naive_covariance(self) -> FloatArray: ...
    @property
    def means(self) -> FloatArray: ...
    @property
    def ties(self) -> str: ...
    @property
    def baseline_strata(self) -> NDArray[Any] | None: ...
    @property
    def design(self) -> CoxData: ...


class FittedFineGray(Protocol):
    """The fields of a Fine–Gray fit read by its predictions (``FineGrayResult`` has them)."""

    @property
    def names(self) -> tuple[str, ...]: ...
    @property
    def coef(self) -> FloatArray: ...
    @property
    def covariance(self) -> FloatArray: ...
    @property
    def means(self) -> FloatArray: ...
    @property
    def baseline_time(self) -> FloatArray: ...
    @property
    def max_time(self) -> float: ...
    @property
    def curve(self) -> FineGrayCurve: ...
