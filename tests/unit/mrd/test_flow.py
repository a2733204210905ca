"""Flow-cytometry MRD interpretation: event thresholds at and around their boundaries."""

from __future__ import annotations

import pytest

from mrdguide.domain import MRDStatus, Timepoint
from mrdguide.errors import InputError
from mrdguide.mrd import interpret_flow

CELLS = 1_000_000


@pytest.mark.parametrize(
    ("events", "status"),
    [
        (19, MRDStatus.NEGATIVE),
        (20, MRDStatus.POSITIVE_NQ),
        (21, MRDStatus.POSITIVE_NQ),
        (49, MRDStatus.POSITIVE_NQ),
        (50, MRDStatus.POSITIVE),
        (51, MRDStatus.POSITIVE),
    ],
)
def test_event_boundaries(events: int, status: MRDStatus) -> None:
    """19/20/21 and 49/50/51 events fall on the documented side of LOD and LLOQ."""
    r = interpret_flow(events=events, cells=CELLS, timepoint=Timepoint.EOI)
    assert r.measurement.status is status


def test_below_lod_is_negative_at_lod_with_warning() -> None:
    """Events below the LOD read negative at the LOD, with no level and a warning."""
    m = interpret_flow(events=19, cells=CELLS, timepoint=Timepoint.EOI).measurement
    assert m.level is None
    assert m.sensitivity is not None
    assert m.sensitivity.fraction == pytest.approx(2e-5)
    assert any("19 event" in w for w in m.warnings)
    assert m.negative_at(1e-4)
    assert not m.negative_at(1e-5)


def test_limits_are_fractions_of_cells() -> None:
    """LOD = 20/cells and LLOQ = 50/cells; the PNQ estimate is events/cells."""
    r = interpret_flow(events=30, cells=4_000_000, timepoint=Timepoint.EOI)
    assert r.lod.fraction == pytest.approx(5e-6)
    assert r.lloq.fraction == pytest.approx(1.25e-5)
    assert r.measurement.level is not None
    assert r.measurement.level.fraction == pytest.approx(7.5e-6)
    assert r.measurement.cells_analysed == 4_000_000


def test_custom_event_thresholds() -> None:
    """lod_events and lloq_events are parameters, not constants."""
    r = interpret_flow(
        events=10, cells=CELLS, timepoint=Timepoint.EOI, lod_events=10, lloq_events=30
    )
    assert r.measurement.status is MRDStatus.POSITIVE_NQ
    assert r.lod.fraction == pytest.approx(1e-5)


def test_zero_events_negative_without_event_warning() -> None:
    """Zero events is negative and carries no below-LOD events warning."""
    m = interpret_flow(events=0, cells=CELLS, timepoint=Timepoint.EOI).measurement
    assert m.status is MRDStatus.NEGATIVE
    assert not any("event(s)" in w for w in m.warnings)


def test_poor_sensitivity_warns() -> None:
    """Too few cells for 1e-4 gives a warning that the result is not negative at 1e-4."""
    m = interpret_flow(events=0, cells=50_000, timepoint=Timepoint.EOI).measurement
    assert any("worse than the target" in w for w in m.warnings)
    assert not m.negative_at(1e-4)


@pytest.mark.parametrize(
    ("kwargs", "fieldname"),
    [
        ({"events": 11, "cells": 10}, "events"),
        ({"events": 0, "cells": 0}, "cells"),
        ({"events": -1, "cells": 10}, "events"),
        ({"events": 2.5, "cells": 10}, "events"),
        ({"events": True, "cells": 10}, "events"),
        ({"events": 1, "cells": 10, "lod_events": 50, "lloq_events": 20}, "lloq_events"),
    ],
)
def test_bad_input_raises(kwargs: dict[str, object], fieldname: str) -> None:
    """Impossible counts or thresholds raise InputError naming the field."""
    with pytest.raises(InputError) as exc:
        interpret_flow(timepoint=Timepoint.EOI, **kwargs)  # type: ignore[arg-type]
    assert exc.value.field == fieldname
