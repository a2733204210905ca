"""EFS, OS and CIR derivation."""

from __future__ import annotations

import pytest

from mrdguide.domain import EventType, OutcomeEvent, OutcomeKind, derive_endpoints
from mrdguide.errors import InputError


def ev(kind: str, day: int, **kw: object) -> OutcomeEvent:
    """Build an outcome event."""
    return OutcomeEvent(kind=OutcomeKind(kind), day=day, **kw)  # type: ignore[arg-type]


def test_event_free_patient_is_censored_everywhere() -> None:
    """No events: EFS, OS and CIR censored at last contact."""
    e = derive_endpoints([ev("last_follow_up", 2000)])
    assert (e.efs_days, e.efs_event, e.os_days, e.os_event) == (2000, False, 2000, False)
    assert (e.cir_days, e.cir_cause) == (2000, EventType.CENSORED)


def test_relapse_then_death() -> None:
    """Relapse is the EFS and CIR event; death later is the OS event."""
    e = derive_endpoints([ev("relapse", 700), ev("death", 900)])
    assert (e.efs_days, e.efs_event) == (700, True)
    assert (e.os_days, e.os_event) == (900, True)
    assert (e.cir_days, e.cir_cause) == (700, EventType.RELAPSE)


def test_death_in_remission_competes() -> None:
    """Death without relapse is a competing event for CIR."""
    e = derive_endpoints([ev("death", 300, in_remission=True)])
    assert (e.cir_days, e.cir_cause) == (300, EventType.DEATH_IN_REMISSION)
    assert e.efs_event and e.efs_days == 300


def test_second_malignancy_competes() -> None:
    """A second malignancy is an EFS event and competes with relapse."""
    e = derive_endpoints([ev("second_malignancy", 1200), ev("last_follow_up", 1500)])
    assert (e.cir_days, e.cir_cause) == (1200, EventType.SECOND_MALIGNANCY)
    assert (e.efs_days, e.os_event) == (1200, False)


@pytest.mark.parametrize(("convention", "expected"), [("day0", 0), ("observed", 42)])
def test_induction_failure_time_convention(convention: str, expected: int) -> None:
    """Induction failure counts at day 0 (default) or when observed; no CIR."""
    e = derive_endpoints(
        [ev("induction_failure", 42), ev("last_follow_up", 400)],
        induction_failure_time=convention,  # type: ignore[arg-type]
    )
    assert (e.efs_days, e.efs_event) == (expected, True)
    assert e.cir_days is None and e.cir_cause is None


def test_same_day_relapse_and_death_counts_relapse() -> None:
    """Relapse and death on the same day: relapse is the CIR event."""
    e = derive_endpoints([ev("relapse", 500), ev("death", 500)])
    assert e.cir_cause is EventType.RELAPSE


def test_event_after_death_rejected() -> None:
    """A relapse after death is an impossible order."""
    with pytest.raises(InputError, match="after death"):
        derive_endpoints([ev("death", 100), ev("relapse", 200)])


def test_empty_outcomes_rejected() -> None:
    """Endpoints need at least one event or follow-up."""
    with pytest.raises(InputError):
        derive_endpoints([])
