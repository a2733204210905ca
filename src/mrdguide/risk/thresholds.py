"""Genotype-specific MRD thresholds: where each group's predicted risk crosses a band.

For each genetic group the predicted cumulative incidence of relapse at the model horizon is
a function of the (detected, i.e. ``mrd_negative = 0``) MRD level at the model's time point.
Every other covariate is held at the model's reference values (cohort medians of WBC, age and
end-of-consolidation MRD). The threshold for a band ``b`` is the lowest MRD in
``[1e-6, 1]`` at which the predicted risk reaches ``b``, located on a log10 grid and refined
with Brent's method. Predictions are monotone in MRD for a linear MRD term with a positive
slope; with a spline or a negative slope the first upward crossing is reported.

Clinically one expects *lower* thresholds for higher-risk genetics (O'Connor et al., JCO 2018
[sources: oconnor2018], finding 3 [R]). :func:`mrd_thresholds` checks this and lists every
violation in ``caveats`` rather than hiding it. These thresholds are research estimates, not
cut-offs for treatment decisions.

**Below every assay's sensitivity.** A threshold below the best routine sensitivity
(:data:`DETECTION_FLOOR`, 1e-5) cannot be measured, so a number would mislead. Each
:class:`GroupThreshold` therefore carries a ``statement`` in words:
``"MRD ≥ 0.032% (3.2 × 10⁻⁴)"`` for a measurable threshold, ``"risk ≥ 10% even when
MRD-negative"`` when the predicted risk of an MRD-negative patient (negative at the reference
sensitivity) already reaches the band and the threshold lies below the floor, ``"risk ≥ 10% at
any detectable MRD"`` when only the detected curve does, and ``"risk < 10% even at MRD 100%"``
when the band is never reached.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize

from mrdguide.domain.display import format_mrd
from mrdguide.errors import InputError
from mrdguide.risk._types import RelapseModel
from mrdguide.risk.design import Covariates, FloatArray
from mrdguide.risk.predict import predict_cif

LOG10_MRD_MIN = -6.0
LOG10_MRD_MAX = 0.0
DEFAULT_BANDS: tuple[float, ...] = (0.05, 0.15)
GRID_POINTS = 241
#: The best routine MRD sensitivity: EuroFlow next-generation flow reaches <= 1e-5 with more
#: than 4 million cells [V] and RQ-PCR about 1e-5 [R]
#: [sources: theunissen2017; vandervelden2007]. NGS reaches 1e-6 [V]
#: [sources: clonoseq-k200009]: pass ``detection_floor=1e-6`` when NGS MRD is available.
#: Comparator: a threshold is *below* the floor when ``mrd < detection_floor``.
DETECTION_FLOOR = 1e-5

Status = Literal["crossed", "always_above", "never_reached"]


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupThreshold:
    """The MRD at which one group's predicted risk reaches one band.

    ``status`` is ``"crossed"`` (``mrd`` is set), ``"always_above"`` (risk >= band already at
    MRD 1e-6) or ``"never_reached"`` (risk < band even at MRD 1); ``mrd`` is ``None`` unless
    crossed.
    """

    group: str
    band: float
    status: Status
    mrd: float | None
    risk_at_min: float
    risk_at_max: float
    risk_when_negative: float | None = None
    detection_floor: float = DETECTION_FLOOR

    @property
    def below_detection(self) -> bool:
        """Whether no routine assay can measure the threshold (or the band is always reached)."""
        if self.status == "always_above":
            return True
        return self.mrd is not None and self.mrd < self.detection_floor

    @property
    def statement(self) -> str:
        """The threshold in words (see the module docstring); never a number below the floor."""
        pct = f"{self.band:.0%}"
        if self.status == "never_reached":
            return f"risk < {pct} even at MRD 100%"
        if self.below_detection:
            neg = self.risk_when_negative
            if neg is not None and neg >= self.band:
                return f"risk ≥ {pct} even when MRD-negative"
            return f"risk ≥ {pct} at any detectable MRD"
        return f"MRD ≥ {format_mrd(self.mrd)}"

    @property
    def log10_mrd(self) -> float | None:
        """log10 of :attr:`mrd`, or ``None``."""
        return None if self.mrd is None else float(np.log10(self.mrd))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation."""
        return {
            "group": self.group,
            "band": self.band,
            "status": self.status,
            "mrd": self.mrd,
            "log10_mrd": self.log10_mrd,
            "risk_at_min": self.risk_at_min,
            "risk_at_max": self.risk_at_max,
            "risk_when_negative": self.risk_when_negative,
            "detection_floor": self.detection_floor,
            "below_detection": self.below_detection,
            "statement": self.statement,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ThresholdTable:
    """Thresholds for every group and band, with the direction check."""

    bands: tuple[float, ...]
    group_order: tuple[str, ...]
    horizon_days: float
    method: str
    thresholds: tuple[GroupThreshold, ...]
    ordered: bool
    caveats: tuple[str, ...]

    def get(self, group: str, band: float) -> GroupThreshold:
        """The entry for ``group`` and ``band``."""
        for t in self.thresholds:
            if t.group == group and np.isclose(t.band, band, rtol=1e-12, atol=0):
                return t
        raise KeyError((group, band))

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation."""
        return {
            "bands": list(self.bands),
            "group_order": list(self.group_order),
            "horizon_days": self.horizon_days,
            "method": self.method,
            "thresholds": [t.to_dict() for t in self.thresholds],
            "ordered": self.ordered,
            "caveats": list(self.caveats),
        }


def _reference_covariates(model: RelapseModel, group: str, log10_mrd: FloatArray) -> Covariates:
    n = log10_mrd.shape[0]
    ref = model.reference
    spec = model.spec

    def const(key: str, default: float) -> FloatArray:
        return np.full(n, ref.get(key, default), dtype=np.float64)

    kinetic = spec.kinetics != "none"
    return Covariates(
        group=(group,) * n,
        mrd=10.0**log10_mrd,
        sensitivity=const("sensitivity", 1e-4),
        mrd_eoc=const("mrd_eoc", 0.0) if kinetic else None,
        eoc_sensitivity=const("eoc_sensitivity", 1e-4) if kinetic else None,
        wbc_per_ul=const("wbc_per_ul", 1e4) if spec.log_wbc else None,
        age_years=const("age_years", 5.0) if spec.age else None,
    )


def risk_curve(model: RelapseModel, group: str, log10_mrd: ArrayLike) -> FloatArray:
    """Predicted risk at the horizon for a detected MRD of ``10**log10_mrd`` in ``group``.

    Parameters
    ----------
    model : RelapseModel
        A fitted model.
    group : str
        One of ``model.spec.group_levels``.
    log10_mrd : array_like
        log10 of the MRD fractions (e.g. ``numpy.linspace(-6, 0, 61)``).

    Returns
    -------
    ndarray of float
        Predicted cumulative incidence of relapse, other covariates held at
        ``model.reference`` (plot data for genotype-specific dose-response curves).
    """
    x = np.asarray(log10_mrd, dtype=np.float64)
    return predict_cif(model, _reference_covariates(model, group, x))


def risk_when_negative(model: RelapseModel, group: str) -> float:
    """Predicted risk of an MRD-negative patient of ``group`` (negative at the model's reference
    sensitivity, coded with the negative indicator as in :mod:`mrdguide.risk.design`)."""
    cov = _reference_covariates(model, group, np.zeros(1))
    return float(predict_cif(model, replace(cov, mrd=np.zeros(1)))[0])


def _one_threshold(
    model: RelapseModel, group: str, band: float, grid: FloatArray, floor: float
) -> GroupThreshold:
    risk = risk_curve(model, group, grid)
    common: dict[str, Any] = {
        "group": group,
        "band": band,
        "risk_at_min": float(risk[0]),
        "risk_at_max": float(risk[-1]),
        "risk_when_negative": risk_when_negative(model, group),
        "detection_floor": floor,
    }
    above = np.flatnonzero(risk >= band)
    if above.size == 0:
        return GroupThreshold(status="never_reached", mrd=None, **common)
    k = int(above[0])
    if k == 0:
        return GroupThreshold(status="always_above", mrd=None, **common)

    def f(x: float) -> float:
        return float(risk_curve(model, group, [x])[0]) - band

    root = optimize.brentq(f, float(grid[k - 1]), float(grid[k]), xtol=1e-10)
    return GroupThreshold(status="crossed", mrd=float(10.0**root), **common)


def _sort_key(t: GroupThreshold) -> float:
    if t.status == "always_above":
        return -np.inf
    if t.status == "never_reached":
        return np.inf
    return float(np.log10(t.mrd)) if t.mrd is not None else np.nan


def _direction_caveats(
    table: Sequence[GroupThreshold], order: Sequence[str], bands: Sequence[float]
) -> list[str]:
    caveats = []
    for band in bands:
        row = {t.group: t for t in table if t.band == band}
        for lower, higher in itertools.pairwise(order):
            a, b = _sort_key(row[lower]), _sort_key(row[higher])
            if b > a or (b == a and np.isfinite(a)):
                caveats.append(
                    f"band {band:g}: threshold for {higher!r} is not lower than for {lower!r} "
                    "(expected lower thresholds for higher-risk genetics)."
                )
    return caveats


def mrd_thresholds(
    model: RelapseModel,
    bands: Sequence[float] = DEFAULT_BANDS,
    *,
    group_order: Sequence[str] | None = None,
    detection_floor: float = DETECTION_FLOOR,
) -> ThresholdTable:
    """Genotype-specific MRD thresholds for each risk band.

    Parameters
    ----------
    model : RelapseModel
        A fitted model.
    bands : sequence of float, optional
        Risk levels in (0, 1) at the model horizon, e.g. ``(0.05, 0.15)``.
    group_order : sequence of str, optional
        Groups from lowest to highest genetic risk, for the direction check. Default: ordered
        by predicted risk at MRD 1e-4.
    detection_floor : float, optional
        Thresholds below this MRD are reported in words, not as numbers
        (:attr:`GroupThreshold.statement`). Default :data:`DETECTION_FLOOR` (1e-5).

    Returns
    -------
    ThresholdTable
        ``ordered`` is true when, for every band, thresholds strictly decrease along
        ``group_order`` (``always_above`` counts as below and ``never_reached`` as above the
        range; ties between two out-of-range groups are accepted).
    """
    bands_t = tuple(float(b) for b in bands)
    if not bands_t or any(not 0 < b < 1 for b in bands_t):
        raise InputError(f"bands must be risks in (0, 1); got {list(bands)!r}.", field="bands")
    groups = model.spec.group_levels
    if group_order is None:
        at_1e4 = {g: float(risk_curve(model, g, [-4.0])[0]) for g in groups}
        order = tuple(sorted(groups, key=lambda g: at_1e4[g]))
    else:
        order = tuple(group_order)
        if sorted(order) != sorted(groups):
            raise InputError("group_order must list every group once.", field="group_order")
    grid = np.linspace(LOG10_MRD_MIN, LOG10_MRD_MAX, GRID_POINTS)
    if not 0 < detection_floor < 1:
        raise InputError(
            f"detection_floor must be in (0, 1); got {detection_floor!r}.", field="detection_floor"
        )
    table = tuple(
        _one_threshold(model, g, b, grid, detection_floor) for b in bands_t for g in order
    )
    caveats = _direction_caveats(table, order, bands_t)
    return ThresholdTable(
        bands=bands_t,
        group_order=order,
        horizon_days=model.horizon_days,
        method=model.method,
        thresholds=table,
        ordered=not caveats,
        caveats=tuple(caveats),
    )
