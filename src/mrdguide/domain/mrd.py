"""MRD measurement as a value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mrdguide.domain._parse import (
    check_keys,
    fail,
    parse_enum,
    parse_int,
    parse_level,
    parse_num,
)
from mrdguide.domain.enums import MRDMethod, MRDStatus, Timepoint, Tissue
from mrdguide.domain.timepoints import TIMEPOINT_DAYS
from mrdguide.domain.units import MRDLevel
from mrdguide.errors import InputError, TimepointError

#: Keys of one MRD result in the case document (and every other wire format of mrdguide).
MRD_KEYS = frozenset(
    (
        "timepoint",
        "day",
        "tissue",
        "method",
        "status",
        "level",
        "sensitivity",
        "quantitative_range",
        "markers",
        "cells_analysed",
        "dna_ng",
        "warnings",
    )
)


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
        Nucleated cells (flow) or cell equivalents (PCR/NGS) analyzed.
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
        self._check_day(where)
        self._check_limits(where)
        for name in ("markers", "cells_analysed"):
            v = getattr(self, name)
            if v is not None and v < 0:
                raise InputError(
                    f"{where}: {name} must be >= 0; got {v!r}.",
                    field=f"{where}.{name}",
                    value=v,
                    rule=f"{name} >= 0",
                )

    def _check_day(self, where: str) -> None:
        day = self.sample_day
        if day is None:
            return
        if day < 0:
            raise InputError(
                f"{where}: a sample day counts from diagnosis and cannot be negative; got {day!r}.",
                field=f"{where}.day",
                value=day,
                rule="day >= 0",
            )
        lo, hi = TIMEPOINT_DAYS[self.timepoint]
        if not lo <= day <= hi:
            raise TimepointError(
                f"{where}: a {self.timepoint.value} sample is taken on day {lo}–{hi}; got day "
                f"{day}. Is it filed under the right time point?",
                field=f"{where}.day",
                value=day,
                rule=f"{lo} <= day <= {hi} for time point {self.timepoint.value}",
            )

    def _check_limits(self, where: str) -> None:
        sens = None if self.sensitivity is None else self.sensitivity.fraction
        qr = None if self.quantitative_range is None else self.quantitative_range.fraction
        if sens is not None and qr is not None and qr < sens * (1 - 1e-9):
            raise InputError(
                f"{where}: the quantitative range ({qr!r}) cannot be below the sensitivity "
                f"({sens!r}).",
                field=f"{where}.quantitative_range",
                value=qr,
                rule="quantitative_range >= sensitivity",
            )
        lvl = None if self.level is None else self.level.fraction
        if (
            self.status is MRDStatus.POSITIVE
            and sens is not None
            and lvl is not None
            and lvl < sens * (1 - 1e-9)
        ):
            raise InputError(
                f"{where}: a positive result's level ({lvl!r}) cannot be below its own "
                f"sensitivity ({sens!r}).",
                field=f"{where}.level",
                value=lvl,
                rule="level >= sensitivity for a positive result",
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

    def to_dict(self) -> dict[str, Any]:
        """The case-document form: fractions for levels, ``day`` for the sample day; ``None``
        and empty fields are omitted."""
        doc: dict[str, Any] = {
            "timepoint": self.timepoint.value,
            "day": self.sample_day,
            "tissue": self.tissue.value,
            "method": self.method.value,
            "status": self.status.value,
            "level": None if self.level is None else self.level.fraction,
            "sensitivity": None if self.sensitivity is None else self.sensitivity.fraction,
            "quantitative_range": (
                None if self.quantitative_range is None else self.quantitative_range.fraction
            ),
            "markers": self.markers,
            "cells_analysed": self.cells_analysed,
            "dna_ng": self.dna_ng,
            "warnings": list(self.warnings) or None,
        }
        return {k: v for k, v in doc.items() if v is not None}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], *, path: str = "mrd") -> MRDMeasurement:
        """Build a measurement from its case-document form.

        Raises
        ------
        InputError
            Naming the field path (``path.level`` ...), the value and the rule broken.
        """
        check_keys(d, MRD_KEYS, path)
        for req in ("timepoint", "method", "status"):
            if d.get(req) is None:
                raise fail(f"{path}.{req}", None, "is required")
        warnings = d.get("warnings") or ()
        if not isinstance(warnings, list | tuple) or not all(isinstance(w, str) for w in warnings):
            raise fail(f"{path}.warnings", warnings, "must be a list of strings")
        return cls(
            timepoint=parse_enum(Timepoint, d["timepoint"], f"{path}.timepoint"),  # type: ignore[arg-type]
            method=parse_enum(MRDMethod, d["method"], f"{path}.method"),  # type: ignore[arg-type]
            status=parse_enum(MRDStatus, d["status"], f"{path}.status"),  # type: ignore[arg-type]
            tissue=parse_enum(Tissue, d.get("tissue", "bm"), f"{path}.tissue"),  # type: ignore[arg-type]
            level=parse_level(d.get("level"), f"{path}.level"),
            sensitivity=parse_level(d.get("sensitivity"), f"{path}.sensitivity"),
            quantitative_range=parse_level(
                d.get("quantitative_range"), f"{path}.quantitative_range"
            ),
            sample_day=parse_int(d.get("day"), f"{path}.day"),
            markers=parse_int(d.get("markers"), f"{path}.markers"),
            cells_analysed=parse_int(d.get("cells_analysed"), f"{path}.cells_analysed"),
            dna_ng=parse_num(d.get("dna_ng"), f"{path}.dna_ng"),
            warnings=tuple(warnings),
        )
