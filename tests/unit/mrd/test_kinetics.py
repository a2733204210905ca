"""MRD kinetics: log reductions, time to negativity at a sensitivity, re-emergence."""

from __future__ import annotations

import pytest

from mrdguide.domain import MRDLevel, MRDMeasurement, MRDMethod, MRDStatus, Timepoint
from mrdguide.errors import InputError
from mrdguide.mrd import Bound, interpret_flow, kinetics


def pos(tp: Timepoint, level: float, day: int | None = None) -> MRDMeasurement:
    """A positive PCR result."""
    return MRDMeasurement(
        timepoint=tp,
        method=MRDMethod.PCR,
        status=MRDStatus.POSITIVE,
        level=MRDLevel(level),
        sensitivity=MRDLevel(1e-5),
        sample_day=day,
    )


def neg(tp: Timepoint, sens: float, day: int | None = None) -> MRDMeasurement:
    """A negative PCR result at ``sens``."""
    return MRDMeasurement(
        timepoint=tp,
        method=MRDMethod.PCR,
        status=MRDStatus.NEGATIVE,
        sensitivity=MRDLevel(sens),
        sample_day=day,
    )


def test_log_reductions() -> None:
    """Detected to detected is exact; detected to negative is a lower bound."""
    k = kinetics([pos(Timepoint.DAY15, 1e-1), pos(Timepoint.EOI, 1e-3), neg(Timepoint.EOC, 1e-5)])
    assert k.steps[0].log_reduction == pytest.approx(2.0)
    assert k.steps[0].bound is Bound.EXACT
    assert k.steps[1].log_reduction == pytest.approx(2.0)
    assert k.steps[1].bound is Bound.AT_LEAST


def test_insensitive_negative_gives_no_reduction() -> None:
    """A negative whose sensitivity is above the earlier level says nothing about the fall."""
    k = kinetics([pos(Timepoint.EOI, 3e-5), neg(Timepoint.EOC, 1e-3)])
    assert k.steps[0].bound is Bound.UNKNOWN
    assert k.steps[0].log_reduction is None


def test_negative_at_1e3_does_not_satisfy_1e4() -> None:
    """A negative at 1e-3 is not negativity at 1e-4; the later 1e-5 negative is."""
    k = kinetics([neg(Timepoint.EOI, 1e-3, 33), neg(Timepoint.EOC, 1e-5, 78)])
    assert k.negative_timepoint is Timepoint.EOC
    assert k.time_to_negativity_days == 78
    loose = kinetics([neg(Timepoint.EOI, 1e-3, 33)], required_sensitivity=1e-3)
    assert loose.negative_timepoint is Timepoint.EOI


def test_pnq_is_never_negative() -> None:
    """A PNQ result does not count as negativity."""
    pnq = MRDMeasurement(
        timepoint=Timepoint.EOI,
        method=MRDMethod.PCR,
        status=MRDStatus.POSITIVE_NQ,
        sensitivity=MRDLevel(1e-5),
    )
    assert kinetics([pnq]).negative_timepoint is None


def test_conversion_flags_re_emergence() -> None:
    """Negative then positive is re-emergence."""
    k = kinetics([neg(Timepoint.EOI, 1e-5), pos(Timepoint.EOC, 1e-4)])
    assert k.re_emergence
    assert k.re_emergence_timepoint is Timepoint.EOC
    assert "conversion" in k.reasons[0]


@pytest.mark.parametrize(("later", "flag"), [(1e-4, True), (9e-5, False)])
def test_one_log_rise(later: float, flag: bool) -> None:
    """A rise of >= 1 log over the nadir flags re-emergence; 0.95 log does not."""
    k = kinetics([pos(Timepoint.EOI, 1e-5), pos(Timepoint.EOC, later)])
    assert k.re_emergence is flag


def test_order_by_sample_day() -> None:
    """Measurements are ordered by sample day when all have one."""
    k = kinetics([pos(Timepoint.EOC, 1e-4, 78), pos(Timepoint.EOI, 1e-2, 33)])
    assert [m.timepoint for m in k.measurements] == [Timepoint.EOI, Timepoint.EOC]
    assert not k.re_emergence


def test_mixed_methods_warn() -> None:
    """A series mixing methods carries a warning."""
    flow = MRDMeasurement(
        timepoint=Timepoint.DAY15,
        method=MRDMethod.FLOW,
        status=MRDStatus.POSITIVE,
        level=MRDLevel(1e-2),
    )
    assert kinetics([flow, pos(Timepoint.EOI, 1e-4)]).warnings


@pytest.mark.parametrize(
    ("series", "kw"),
    [
        ([], {}),
        ([pos(Timepoint.EOI, 1e-3), pos(Timepoint.EOI, 1e-4)], {}),
        ([pos(Timepoint.EOI, 1e-3)], {"required_sensitivity": 0.0}),
    ],
)
def test_bad_input(series: list[MRDMeasurement], kw: dict[str, float]) -> None:
    """Empty series, duplicate time points and impossible parameters raise InputError."""
    with pytest.raises(InputError):
        kinetics(series, **kw)


def test_docs_worked_example() -> None:
    """The flow kinetics example in docs/mrd.md gives the numbers printed there."""
    tps = (Timepoint.DAY15, Timepoint.EOI, Timepoint.EOC, Timepoint.PRE_MAINTENANCE)
    data = ((12_000, 1_000_000, 15), (30, 1_000_000, 33), (0, 3_000_000, 78), (80, 2_000_000, 150))
    series = [
        interpret_flow(events=e, cells=c, timepoint=tp, sample_day=d).measurement
        for tp, (e, c, d) in zip(tps, data, strict=True)
    ]
    k = kinetics(series)
    assert [s.bound for s in k.steps] == [Bound.EXACT, Bound.AT_LEAST, Bound.UNKNOWN]
    assert k.steps[0].log_reduction == pytest.approx(2.60, abs=0.005)
    assert k.steps[1].log_reduction == pytest.approx(0.65, abs=0.005)
    assert (k.negative_timepoint, k.time_to_negativity_days) == (Timepoint.EOC, 78)
    assert k.re_emergence_timepoint is Timepoint.PRE_MAINTENANCE
