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
    by_kind: dict[OutcomeKind, int] = {}
    for o in sorted(outcomes, key=lambda o: o.day):
        by_kind.setdefault(o.kind, o.day)
    death = by_kind.get(OutcomeKind.DEATH)
    relapse = by_kind.get(OutcomeKind.RELAPSE)
    smn = by_kind.get(OutcomeKind.SECOND_MALIGNANCY)
    indfail = by_kind.get(OutcomeKind.INDUCTION_FAILURE)

    efs_candidates = [d for d in (relapse, death, smn) if d is not None]
    if indfail is not None:
        efs_candidates.append(0 if induction_failure_time == "day0" else indfail)
    efs_event = bool(efs_candidates)
    efs_days = min(efs_candidates) if efs_event else last_contact

    os_event = death is not None
    os_days = death if death is not None else last_contact

    cir_days: int | None
    cir_cause: EventType | None
    if indfail is not None:
        cir_days, cir_cause = None, None
    else:
        firsts = [
            (d, c)
            for d, c in (
                (relapse, EventType.RELAPSE),
                (death, EventType.DEATH_IN_REMISSION),
                (smn, EventType.SECOND_MALIGNANCY),
            )
            if d is not None
        ]
        if firsts:
            # On the same day, relapse takes precedence over the competing events.
            cir_days, cir_cause = min(firsts, key=lambda x: (x[0], int(x[1])))
        else:
            cir_days, cir_cause = last_contact, EventType.CENSORED
    return Endpoints(
        efs_days=efs_days,
        efs_event=efs_event,
        os_days=os_days,
        os_event=os_event,
        cir_days=cir_days,
        cir_cause=cir_cause,
    )
