"""Units: MRD is always a fraction of nucleated cells. Percent appears only at the edges."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mrdguide.domain.display import format_mrd
from mrdguide.errors import UnitError

#: Relative tolerance used when comparing MRD levels against thresholds, so that 1e-3 read from
#: a CSV file equals 10**-3 computed elsewhere.
THRESHOLD_RTOL = 1e-12

#: Days per year (the Julian year), used wherever days become years and back.
DAYS_PER_YEAR = 365.25

#: The 97.5th percentile of the standard normal distribution, for two-sided 95% intervals
#: (``scipy.stats.norm.ppf(0.975)``; R ``qnorm(0.975)``).
Z_975 = 1.959963984540054


@dataclass(frozen=True, slots=True, order=True)
class MRDLevel:
    """Leukaemic cells as a fraction of analyzed (nucleated) cells. ``1e-4`` is 0.01 %.

    Raises
    ------
    UnitError
        If the fraction is not finite, negative, or greater than 1.
    """

    fraction: float

    def __post_init__(self) -> None:
        f = self.fraction
        if isinstance(f, bool) or not isinstance(f, int | float) or not math.isfinite(f):
            raise UnitError(
                f"MRD level must be a finite number; got {f!r}.",
                field="fraction",
                value=f,
                rule="finite number",
            )
        if f < 0 or f > 1:
            raise UnitError(
                f"MRD level must be a fraction in [0, 1]; got {f!r}. "
                "If this is a percentage, convert it explicitly with MRDLevel.from_percent().",
                field="fraction",
                value=f,
                rule="0 <= fraction <= 1",
            )
        object.__setattr__(self, "fraction", float(f))

    @classmethod
    def from_percent(cls, pct: float) -> MRDLevel:
        """Build a level from a percentage (0.01 % -> 1e-4)."""
        if not math.isfinite(pct) or pct < 0 or pct > 100:
            raise UnitError(
                f"MRD percentage must be in [0, 100]; got {pct!r}.",
                field="percent",
                value=pct,
                rule="0 <= percent <= 100",
            )
        return cls(pct / 100.0)

    @classmethod
    def from_log10(cls, exponent: float) -> MRDLevel:
        """Build a level from its base-10 logarithm (-4 -> 1e-4)."""
        if not math.isfinite(exponent) or exponent > 0:
            raise UnitError(
                f"log10 MRD must be finite and <= 0; got {exponent!r}.",
                field="log10",
                value=exponent,
                rule="log10 <= 0",
            )
        return cls(10.0**exponent)

    def to_percent(self) -> float:
        """The level as a percentage."""
        return self.fraction * 100.0

    @property
    def log10(self) -> float:
        """Base-10 logarithm of the fraction (``-inf`` for zero)."""
        return math.log10(self.fraction) if self.fraction > 0 else -math.inf

    def __str__(self) -> str:
        """For people: percent with the power of ten, ``0.003% (3 × 10⁻⁵)`` (see ``display``)."""
        return format_mrd(self.fraction)


def at_least(value: float, threshold: float) -> bool:
    """``value >= threshold`` with the documented tolerance (rel 1e-12)."""
    return value >= threshold or math.isclose(value, threshold, rel_tol=THRESHOLD_RTOL)


def strictly_above(value: float, threshold: float) -> bool:
    """``value > threshold`` with the documented tolerance (rel 1e-12)."""
    return value > threshold and not math.isclose(value, threshold, rel_tol=THRESHOLD_RTOL)
