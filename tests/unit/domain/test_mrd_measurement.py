"""MRDMeasurement: negatives count only at their sensitivity."""

from __future__ import annotations

from mrdguide.domain import MRDLevel, MRDMeasurement, MRDMethod, MRDStatus, Timepoint


def m(status: MRDStatus, sens: float | None, level: float | None = None) -> MRDMeasurement:
    """Build an EOI flow measurement."""
    return MRDMeasurement(
        timepoint=Timepoint.EOI,
        method=MRDMethod.FLOW,
        status=status,
        level=None if level is None else MRDLevel(level),
        sensitivity=None if sens is None else MRDLevel(sens),
    )


def test_negative_at_coarser_sensitivity_does_not_count() -> None:
    """'Negative at 1e-3' never satisfies a rule needing 'negative at 1e-4'."""
    assert not m(MRDStatus.NEGATIVE, 1e-3).negative_at(1e-4)
    assert m(MRDStatus.NEGATIVE, 1e-4).negative_at(1e-4)
    assert m(MRDStatus.NEGATIVE, 1e-5).negative_at(1e-4)


def test_negative_without_sensitivity_does_not_count() -> None:
    """A negative with unknown sensitivity cannot be called negative at any level."""
    assert not m(MRDStatus.NEGATIVE, None).negative_at(1e-2)


def test_positive_nq_is_never_negative() -> None:
    """positive_nq never counts as negative."""
    assert not m(MRDStatus.POSITIVE_NQ, 1e-5, 5e-5).negative_at(1e-4)


def test_upper_bound() -> None:
    """Detected -> its level; negative -> its sensitivity; not evaluable -> None."""
    assert m(MRDStatus.POSITIVE, 1e-4, 3e-3).upper_bound() == 3e-3
    assert m(MRDStatus.NEGATIVE, 1e-5).upper_bound() == 1e-5
    assert m(MRDStatus.NOT_EVALUABLE, None).upper_bound() is None
