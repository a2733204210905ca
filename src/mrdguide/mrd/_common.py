"""Helpers shared by the assay interpreters: input checks and ordering of results."""

from __future__ import annotations

import math

from mrdguide.domain import MRDLevel, MRDMeasurement, MRDStatus
from mrdguide.errors import InputError

#: Order of result categories when several results are combined ("highest wins").
STATUS_RANK: dict[MRDStatus, int] = {
    MRDStatus.NOT_EVALUABLE: 0,
    MRDStatus.NEGATIVE: 1,
    MRDStatus.POSITIVE_NQ: 2,
    MRDStatus.POSITIVE: 3,
}

#: ASH Education Program 2021, Table 1 [V] [sources: ash2021-mrd, Table 1]: MRD-negative needs a
#: sensitivity of at least 1e-4. Used only to attach a warning, never to change a status.
DEFAULT_TARGET_SENSITIVITY = 1e-4


def require_int(name: str, value: object, *, minimum: int) -> int:
    """Return ``value`` if it is an integer >= ``minimum``; raise ``InputError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(
            f"{name} must be an integer count; got {value!r}.",
            field=name,
            value=value,
            rule="integer",
        )
    if value < minimum:
        raise InputError(
            f"{name} must be >= {minimum}; got {value!r}.",
            field=name,
            value=value,
            rule=f"{name} >= {minimum}",
        )
    return value


def require_positive(name: str, value: object) -> float:
    """Return ``value`` as a float if it is finite and > 0; raise ``InputError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(
            f"{name} must be a finite number; got {value!r}.",
            field=name,
            value=value,
            rule="finite number",
        )
    if value <= 0:
        raise InputError(
            f"{name} must be > 0; got {value!r}.", field=name, value=value, rule=f"{name} > 0"
        )
    return float(value)


def require_fraction(name: str, value: object, *, allow_zero: bool = False) -> float:
    """Return ``value`` if it is a fraction in (0, 1] (or [0, 1]); never rescale percentages."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        ok = False
    else:
        ok = (value >= 0 if allow_zero else value > 0) and value <= 1
    if not ok:
        low = "[0" if allow_zero else "(0"
        raise InputError(
            f"{name} must be a fraction in {low}, 1]; got {value!r}. "
            "Percentages are not accepted here: divide by 100 explicitly.",
            field=name,
            value=value,
            rule=f"fraction in {low}, 1]",
        )
    return float(value)  # type: ignore[arg-type]


def capped_level(fraction: float, warnings: list[str], what: str) -> MRDLevel:
    """An ``MRDLevel`` from ``fraction``, capped at 1 with a warning when it exceeds 1."""
    if fraction > 1.0:
        warnings.append(f"{what}: estimate {fraction:.3g} exceeds 1 and was capped at 1.")
        return MRDLevel(1.0)
    return MRDLevel(fraction)


def sensitivity_warning(lod: float, target: float | None) -> list[str]:
    """A warning when the limit of detection ``lod`` is worse than ``target``."""
    if target is not None and lod > target * (1 + 1e-12):
        return [
            f"limit of detection {lod:.3g} is worse than the target sensitivity {target:.3g}; "
            "a negative result here is not 'negative at' the target."
        ]
    return []


def result_key(m: MRDMeasurement) -> tuple[int, float]:
    """Sort key: status rank first, then the level (absent level counts as 0)."""
    return (STATUS_RANK[m.status], m.level.fraction if m.level is not None else 0.0)
