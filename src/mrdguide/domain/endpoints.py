"""Derived endpoints: EFS, OS and relapse with competing events.

Definitions (Ponte di Legno consensus, Buchmann et al. Blood 2022 [sources: buchmann2022;
schrappe2012; enshaei2021]):

* **EFS**: time to induction failure, relapse (any site), death from any cause or second
  malignancy, whichever comes first; otherwise censored at last contact.
* **OS**: time to death from any cause; otherwise censored at last contact.
* **Relapse with competing events (CIR)**: among patients who reached remission, relapse is the
  event of interest (cause 1); death in remission (2) and second malignancy (3) compete.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mrdguide.domain.enums import EventType, OutcomeKind
from mrdguide.domain.events import OutcomeEvent
from mrdguide.errors import InputError

InductionFailureTime = Literal["day0", "observed"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoints:
    """Event times in days and indicators for one patient.

    ``cir_days`` and ``cir_cause`` are ``None`` for patients who never reached remission
    (induction failure); they are not at risk of relapse.
    """

    efs_days: int
    efs_event: bool
    os_days: int
    os_event: bool
    cir_days: int | None
    cir_cause: EventType | None


def check_outcome_order(outcomes: Sequence[OutcomeEvent], where: str = "outcomes") -> None:
    """Raise :class:`InputError` if the outcome events are in an impossible order.

    Rules: at most one death; nothing but last follow-up after death (and follow-up may not be
    after death); last follow-up is not before any other event.
    """
    deaths = [o for o in outcomes if o.kind is OutcomeKind.DEATH]
    if len(deaths) > 1:
        raise InputError(
            f"{where}: more than one death recorded.",
            field=f"{where}.death",
            value=len(deaths),
            rule="at most one death",
        )
    if deaths:
        d = deaths[0].day
        for o in outcomes:
            if o.kind is not OutcomeKind.DEATH and o.day > d:
                raise InputError(
                    f"{where}: {o.kind} on day {o.day} is after death on day {d}.",
                    field=f"{where}.{o.kind}.day",
                    value=o.day,
                    rule="no event after death",
                )
    fups = [o.day for o in outcomes if o.kind is OutcomeKind.LAST_FOLLOW_UP]
    others = [o for o in outcomes if o.kind is not OutcomeKind.LAST_FOLLOW_UP]
    if fups and others:
        last = max(fups)
        latest = max(others, key=lambda o: o.day)
        if latest.day > last:
            raise InputError(
                f"{where}: last follow-up on day {last} is before {latest.kind} on day "
                f"{latest.day}.",
                field=f"{where}.last_follow_up.day",
                value=last,
                rule="last follow-up >= every event day",
            )


def derive_endpoints(
    outcomes: Sequence[OutcomeEvent],
    *,
    induction_failure_time: InductionFailureTime = "day0",
) -> Endpoints:
    """Derive EFS, OS and CIR from a patient's outcome events.

    Parameters
    ----------
    outcomes : sequence of OutcomeEvent
        All outcome events of one patient. Must include at least one event or follow-up.
    induction_failure_time : {"day0", "observed"}, optional
        Induction failure counts as an EFS event at day 0 (COG/BFM convention, the default)
        or on the day it was observed.

    Returns
    -------
    Endpoints
    """
    if not outcomes:
        raise InputError(
            "At least one outcome event (or last follow-up) is needed to derive endpoints.",
            field="outcomes",
            value=None,
            rule="non-empty outcomes",
        )
    check_outcome_order(outcomes)
    last_contact = max(o.day for o in outcomes)
    first: dict[OutcomeKind, int] = {}
    for o in sorted(outcomes, key=lambda o: o.day):
        first.setdefault(o.kind, o.day)
    death = first.get(OutcomeKind.DEATH)
    efs_days, efs_event = _efs(first, last_contact, induction_failure_time)
    cir_days, cir_cause = _cir(first, last_contact)
    return Endpoints(
        efs_days=efs_days,
        efs_event=efs_event,
        os_days=death if death is not None else last_contact,
        os_event=death is not None,
        cir_days=cir_days,
        cir_cause=cir_cause,
    )


def _efs(
    first: dict[OutcomeKind, int], last_contact: int, induction_failure_time: InductionFailureTime
) -> tuple[int, bool]:
    """First of relapse, death, second malignancy and induction failure; else censored."""
    kinds = (OutcomeKind.RELAPSE, OutcomeKind.DEATH, OutcomeKind.SECOND_MALIGNANCY)
    candidates = [first[k] for k in kinds if k in first]
    indfail = first.get(OutcomeKind.INDUCTION_FAILURE)
    if indfail is not None:
        candidates.append(0 if induction_failure_time == "day0" else indfail)
    return (min(candidates), True) if candidates else (last_contact, False)


def _cir(first: dict[OutcomeKind, int], last_contact: int) -> tuple[int | None, EventType | None]:
    """Relapse (cause 1) with death in remission and second malignancy competing."""
    if OutcomeKind.INDUCTION_FAILURE in first:
        return None, None  # never in remission: not at risk of relapse
    causes = (
        (OutcomeKind.RELAPSE, EventType.RELAPSE),
        (OutcomeKind.DEATH, EventType.DEATH_IN_REMISSION),
        (OutcomeKind.SECOND_MALIGNANCY, EventType.SECOND_MALIGNANCY),
    )
    firsts = [(first[k], c) for k, c in causes if k in first]
    if not firsts:
        return last_contact, EventType.CENSORED
    # On the same day, relapse takes precedence over the competing events.
    return min(firsts, key=lambda x: (x[0], int(x[1])))
