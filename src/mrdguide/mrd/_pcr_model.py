"""RQ-PCR value types and the standard-curve fit (see :mod:`mrdguide.mrd.pcr`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from mrdguide.errors import AssayError, InputError


class WellType(StrEnum):
    """Role of a PCR well."""

    STANDARD = "standard"
    DIAGNOSIS = "diagnosis"
    FOLLOW_UP = "follow_up"
    BACKGROUND = "background"
    NTC = "ntc"


@dataclass(frozen=True, slots=True, kw_only=True)
class Well:
    """One PCR well. ``ct`` is None for no amplification (``Undetermined``)."""

    sample: str
    sample_type: WellType
    marker: str
    ct: float | None
    dilution: float | None = None
    replicate: int | None = None
    row: int | None = None

    def __post_init__(self) -> None:
        where = f"well (row {self.row})" if self.row is not None else f"well {self.sample!r}"
        if self.ct is not None and not (math.isfinite(self.ct) and 0 < self.ct <= 60):
            raise InputError(
                f"{where}: ct must be in (0, 60] or None; got {self.ct!r}.",
                field="ct",
                value=self.ct,
                rule="0 < ct <= 60",
            )
        if self.sample_type is WellType.STANDARD and (
            self.dilution is None or not (math.isfinite(self.dilution) and 0 < self.dilution <= 1)
        ):
            raise InputError(
                f"{where}: a standard needs a dilution fraction in (0, 1]; got {self.dilution!r}.",
                field="dilution",
                value=self.dilution,
                rule="0 < dilution <= 1",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class PCRCriteria:
    """EuroMRD interpretation criteria. All defaults are **[R]** [sources: vandervelden2007].

    Attributes
    ----------
    slope_min, slope_max : float
        Acceptable standard-curve slope, default -3.9 to -3.1 (efficiency about 80-110 %) [R].
    r2_min : float
        Minimum R² of the standard curve, default 0.98 [R].
    min_curve_dilutions : int
        Distinct dilutions needed to fit a curve, default 3 (a line through 2 points has R² 1).
    sensitivity_background_delta_ct : float
        Ct below the lowest background Ct for specific amplification, default 1.0 [R].
    sensitivity_min_replicates : int
        Specific replicates needed at a dilution within the sensitivity, default 1 [R].
    qr_replicate_spread_ct : float
        Maximum Ct spread (max - min) between replicates within the QR, default 1.5 [R].
    qr_background_delta_ct : float
        Mean Ct below the lowest background Ct within the QR, default 3.0 [R].
    control_marker : str
        Marker name of the control gene, default ``"ALB"`` (albumin).
    control_efficiency : float
        Amplification efficiency of the control gene for normalisation, default 1.0 (doubling
        per cycle) [R].
    """

    slope_min: float = -3.9
    slope_max: float = -3.1
    r2_min: float = 0.98
    min_curve_dilutions: int = 3
    sensitivity_background_delta_ct: float = 1.0
    sensitivity_min_replicates: int = 1
    qr_replicate_spread_ct: float = 1.5
    qr_background_delta_ct: float = 3.0
    control_marker: str = "ALB"
    control_efficiency: float = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class StandardCurve:
    """Ct = slope * log10(dilution) + intercept, with R² and efficiency 10**(-1/slope) - 1."""

    slope: float
    intercept: float
    r2: float
    efficiency: float
    n_points: int

    def fraction_at(self, ct: float) -> float:
        """Leukaemic fraction (relative to diagnostic DNA) read from the curve at ``ct``."""
        return float(10.0 ** ((ct - self.intercept) / self.slope))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {
            "slope": self.slope,
            "intercept": self.intercept,
            "r2": self.r2,
            "efficiency": self.efficiency,
            "n_points": self.n_points,
        }


def fit_standard_curve(
    dilutions: Sequence[float], cts: Sequence[float], criteria: PCRCriteria, marker: str = ""
) -> StandardCurve:
    """Fit and accept a standard curve; raise :class:`AssayError` if it fails acceptance."""
    x = np.log10(np.asarray(dilutions, dtype=float))
    y = np.asarray(cts, dtype=float)
    if len(set(x.tolist())) < criteria.min_curve_dilutions:
        raise AssayError(
            f"marker {marker!r}: standard curve needs >= {criteria.min_curve_dilutions} "
            f"amplified dilutions within the sensitivity; got {len(set(x.tolist()))}.",
            field=f"{marker}.standard",
            value=sorted(set(dilutions)),
            rule=f">= {criteria.min_curve_dilutions} dilutions",
        )
    from scipy import stats  # scipy.stats is slow to import; only curve fitting needs it

    fit = stats.linregress(x, y)
    slope, intercept, r2 = float(fit.slope), float(fit.intercept), float(fit.rvalue) ** 2
    if not criteria.slope_min <= slope <= criteria.slope_max:
        raise AssayError(
            f"marker {marker!r}: standard-curve slope {slope:.3f} is outside "
            f"[{criteria.slope_min}, {criteria.slope_max}] (EuroMRD acceptance, [R]).",
            field=f"{marker}.slope",
            value=slope,
            rule=f"{criteria.slope_min} <= slope <= {criteria.slope_max}",
        )
    if r2 < criteria.r2_min:
        raise AssayError(
            f"marker {marker!r}: standard-curve R² {r2:.4f} is below {criteria.r2_min} "
            "(EuroMRD acceptance, [R]).",
            field=f"{marker}.r2",
            value=r2,
            rule=f"R² >= {criteria.r2_min}",
        )
    return StandardCurve(
        slope=slope,
        intercept=intercept,
        r2=r2,
        efficiency=float(10.0 ** (-1.0 / slope) - 1.0),
        n_points=len(y),
    )
