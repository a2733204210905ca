"""Treatment and outcome events, timed in days since diagnosis."""

from __future__ import annotations

from dataclasses import dataclass

from mrdguide.domain.enums import OutcomeKind, RelapseSite, Timepoint, TreatmentKind
from mrdguide.errors import InputError


def _check_day(where: str, day: int) -> None:
    if isinstance(day, bool) or not isinstance(day, int) or day < 0:
        raise InputError(
            f"{where}: day must be an integer >= 0 (days since diagnosis); got {day!r}.",
            field=f"{where}.day",
            value=day,
            rule="integer day >= 0",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TreatmentEvent:
    """A treatment event. MRD-triggered intensification names the phase that triggered it."""

    kind: TreatmentKind
    day: int
    phase: str | None = None
    triggered_by: Timepoint | None = None
    description: str | None = None

    def __post_init__(self) -> None:
        _check_day(f"treatment[{self.kind}]", self.day)
        if self.kind is TreatmentKind.INTENSIFICATION and self.triggered_by is None:
            raise InputError(
                "An intensification event must name the MRD time point that triggered it.",
                field="treatment.triggered_by",
                value=None,
                rule="intensification requires triggered_by",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeEvent:
    """An outcome event: induction failure, relapse, death, second malignancy, last follow-up.

    ``in_remission`` applies to deaths: ``True`` for death in continuous complete remission.
    """

    kind: OutcomeKind
    day: int
    relapse_site: RelapseSite | None = None
    in_remission: bool | None = None

    def __post_init__(self) -> None:
        _check_day(f"outcome[{self.kind}]", self.day)
        if self.relapse_site is not None and self.kind is not OutcomeKind.RELAPSE:
            raise InputError(
                "relapse_site applies only to relapse events.",
                field="outcome.relapse_site",
                value=self.relapse_site,
                rule="relapse_site only with kind 'relapse'",
            )
