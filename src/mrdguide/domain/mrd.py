"""MRD measurement as a value."""

from __future__ import annotations

from dataclasses import dataclass

from mrdguide.domain.enums import MRDMethod, MRDStatus, Timepoint, Tissue
from mrdguide.domain.units import MRDLevel
from mrdguide.errors import InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class MRDMeasurement:
    """One MRD result at one time point.

    Parameters
    ----------
    timepoint : Timepoint
        Case-format time point.
    method, tissue : MRDMethod, Tissue
        Laboratory method and sample tissue.
    status : MRDStatus
        ``negative``, ``positive`` (quantifiable), ``positive_nq`` or ``not_evaluable``.
    level : MRDLevel, optional
        Leukaemic fraction. Required for ``positive``; an estimate is allowed for
        ``positive_nq``; must be absent or zero for ``negative``.
    sensitivity : MRDLevel, optional
        Limit of detection of this sample. A negative result is negative *at* this level.
    quantitative_range : MRDLevel, optional
        Lower limit of the quantitative range (LLOQ) of this sample.
    sample_day : int, optional
        Days since diagnosis (day 1 is the first day of treatment).
    markers : int, optional
        Number of Ig/TCR markers (PCR/NGS) used.
    cells_analysed : int, optional
        Nucleated cells (flow) or cell equivalents (PCR/NGS) analysed.
    dna_ng : float, optional
        DNA input in nanograms (PCR/NGS).
    warnings : tuple of str
        Quality notes from interpretation.
    """

    timepoint: Timepoint
    method: MRDMethod
    status: MRDStatus
    tissue: Tissue = Tissue.BONE_MARROW
    level: MRDLevel | None = None
    sensitivity: MRDLevel | None = None
    quantitative_range: MRDLevel | None = None
    sample_day: int | None = None
    markers: int | None = None
    cells_analysed: int | None = None
    dna_ng: float | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        where = f"mrd[{self.timepoint}]"
        if self.status is MRDStatus.POSITIVE and self.level is None:
            raise InputError(
                f"{where}: a 'positive' result needs a level.",
                field=f"{where}.level",
                value=None,
                rule="status 'positive' requires level",
            )
        if self.status is MRDStatus.NEGATIVE and self.level is not None and self.level.fraction:
            raise InputError(
                f"{where}: a 'negative' result cannot carry a non-zero level "
                f"({self.level.fraction!r}).",
                field=f"{where}.level",
                value=self.level.fraction,
                rule="status 'negative' requires level absent or 0",
            )
        if self.sample_day is not None and not -30 <= self.sample_day <= 3650:
            raise InputError(
                f"{where}: sample_day must be in [-30, 3650]; got {self.sample_day!r}.",
                field=f"{where}.day",
                value=self.sample_day,
                rule="-30 <= day <= 3650",
            )
        for name in ("markers", "cells_analysed"):
            v = getattr(self, name)
            if v is not None and v < 0:
                raise InputError(
                    f"{where}: {name} must be >= 0; got {v!r}.",
                    field=f"{where}.{name}",
                    value=v,
                    rule=f"{name} >= 0",
                )

    @property
    def is_detected(self) -> bool:
        """True for ``positive`` and ``positive_nq``."""
        return self.status in (MRDStatus.POSITIVE, MRDStatus.POSITIVE_NQ)

    def negative_at(self, required: float) -> bool:
        """Whether this result counts as negative at sensitivity ``required`` (a fraction).

        A negative result counts only when its sensitivity is known and at least as good
        (numerically <=) as ``required``. ``positive_nq`` is never negative.
        """
        if self.status is not MRDStatus.NEGATIVE or self.sensitivity is None:
            return False
        return self.sensitivity.fraction <= required * (1 + 1e-12)

    def upper_bound(self) -> float | None:
        """A level no lower than the truth: the level if detected, else the sensitivity."""
        if self.is_detected and self.level is not None:
            return self.level.fraction
        if self.status is MRDStatus.NEGATIVE and self.sensitivity is not None:
            return self.sensitivity.fraction
        return None
