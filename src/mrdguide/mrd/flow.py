"""Flow-cytometry MRD: leukaemic events over analyzed nucleated cells.

Rules [sources: theunissen2017; floresmontero2017]:

* MRD = ``events / cells``.
* Limit of detection (LOD) = ``lod_events / cells``; lower limit of quantitation (LLOQ) =
  ``lloq_events / cells``. Defaults 20 and 50 events follow the EuroFlow next-generation-flow
  convention (Flores-Montero et al., Leukemia 2017; Theunissen et al., Blood 2017). This is
  tagged **[R]** [sources: floresmontero2017]: it comes from the myeloma NGF paper and is
  widely applied to BCP-ALL, but verify it against your laboratory's ALL SOP. Older "classic"
  flow used clusters of 10-30 events [R]; set ``lod_events`` accordingly.
* ``events < lod_events`` reads **negative at the LOD** (the events are reported in a warning);
  ``lod_events <= events < lloq_events`` reads ``positive_nq`` with the estimate;
  ``events >= lloq_events`` reads ``positive``.
* ``events > cells`` is an error, as is a non-integer count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mrdguide.domain import MRDLevel, MRDMeasurement, MRDMethod, MRDStatus, Timepoint, Tissue
from mrdguide.errors import InputError
from mrdguide.mrd._common import (
    DEFAULT_TARGET_SENSITIVITY,
    require_int,
    sensitivity_warning,
)

#: Events needed to call a cluster positive (EuroFlow NGF convention, [R])
#: [sources: floresmontero2017].
DEFAULT_LOD_EVENTS = 20
#: Events needed to report a quantitative value (EuroFlow NGF convention, [R])
#: [sources: floresmontero2017].
DEFAULT_LLOQ_EVENTS = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowResult:
    """Interpretation of one flow-cytometry MRD tube.

    Attributes
    ----------
    measurement : MRDMeasurement
        The reportable result (method ``flow``).
    events, cells : int
        Leukaemic events and analyzed nucleated cells.
    lod, lloq : MRDLevel
        Limit of detection and lower limit of quantitation of this tube, as fractions.
    lod_events, lloq_events : int
        The event thresholds used.
    """

    measurement: MRDMeasurement
    events: int
    cells: int
    lod: MRDLevel
    lloq: MRDLevel
    lod_events: int
    lloq_events: int

    def to_dict(self) -> dict[str, Any]:
        """The measurement (case-document shape) with the counts and limits behind it."""
        return {
            "measurement": self.measurement.to_dict(),
            "events": self.events,
            "cells": self.cells,
            "lod": self.lod.fraction,
            "lloq": self.lloq.fraction,
            "lod_events": self.lod_events,
            "lloq_events": self.lloq_events,
        }


def _validate(events: int, cells: int, lod_events: int, lloq_events: int) -> None:
    """Raise ``InputError`` unless the counts and thresholds are possible."""
    require_int("events", events, minimum=0)
    require_int("cells", cells, minimum=1)
    require_int("lod_events", lod_events, minimum=1)
    require_int("lloq_events", lloq_events, minimum=1)
    if events > cells:
        raise InputError(
            f"events ({events}) cannot exceed cells ({cells}).",
            field="events",
            value=events,
            rule="events <= cells",
        )
    if lloq_events < lod_events:
        raise InputError(
            f"lloq_events ({lloq_events}) must be >= lod_events ({lod_events}).",
            field="lloq_events",
            value=lloq_events,
            rule="lloq_events >= lod_events",
        )


def interpret_flow(
    *,
    events: int,
    cells: int,
    timepoint: Timepoint,
    tissue: Tissue = Tissue.BONE_MARROW,
    lod_events: int = DEFAULT_LOD_EVENTS,
    lloq_events: int = DEFAULT_LLOQ_EVENTS,
    sample_day: int | None = None,
    target_sensitivity: float | None = DEFAULT_TARGET_SENSITIVITY,
) -> FlowResult:
    """Interpret a flow-cytometry MRD count.

    Parameters
    ----------
    events : int
        Leukaemic (MRD) events, >= 0.
    cells : int
        Analyzed (viable) nucleated cells, > 0 and >= ``events``.
    timepoint, tissue : Timepoint, Tissue
        Where the sample sits in the case format.
    lod_events : int, default 20
        Events needed for a positive call ([R] EuroFlow NGF convention).
    lloq_events : int, default 50
        Events needed for a quantitative value ([R] EuroFlow NGF convention); >= ``lod_events``.
    sample_day : int, optional
        Days since diagnosis.
    target_sensitivity : float or None, default 1e-4
        A warning is attached when the LOD is worse than this (ASH 2021 [V]); None disables it.

    Returns
    -------
    FlowResult

    Raises
    ------
    InputError
        Non-integer or negative counts, ``cells == 0``, ``events > cells``, or
        ``lloq_events < lod_events``.
    """
    _validate(events, cells, lod_events, lloq_events)
    lod = MRDLevel(min(1.0, lod_events / cells))
    lloq = MRDLevel(min(1.0, lloq_events / cells))
    warnings = sensitivity_warning(lod.fraction, target_sensitivity)
    level: MRDLevel | None
    if events < lod_events:
        status, level = MRDStatus.NEGATIVE, None
        if events:
            warnings.append(
                f"{events} event(s) below the detection threshold of {lod_events}: "
                "reported as negative at the LOD."
            )
    else:
        level = MRDLevel(events / cells)
        status = MRDStatus.POSITIVE if events >= lloq_events else MRDStatus.POSITIVE_NQ
    m = MRDMeasurement(
        timepoint=timepoint,
        method=MRDMethod.FLOW,
        status=status,
        tissue=tissue,
        level=level,
        sensitivity=lod,
        quantitative_range=lloq,
        sample_day=sample_day,
        cells_analysed=cells,
        warnings=tuple(warnings),
    )
    return FlowResult(
        measurement=m,
        events=events,
        cells=cells,
        lod=lod,
        lloq=lloq,
        lod_events=lod_events,
        lloq_events=lloq_events,
    )
