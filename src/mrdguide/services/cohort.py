"""Reading the cohort: the patient list and one patient's record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mrdguide.domain import Case, case_to_dict
from mrdguide.store import PatientSummary, Registry

__all__ = ["PatientRecord", "list_patients", "patient_record"]


def list_patients(reg: Registry) -> list[PatientSummary]:
    """A summary line per registered patient, ordered by patient id."""
    return reg.list_patients()


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientRecord:
    """One patient's case and stored risk assignments."""

    case: Case
    assignments: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        """The case document plus ``assignments``."""
        return case_to_dict(self.case) | {"assignments": list(self.assignments)}


def patient_record(reg: Registry, patient_id: str) -> PatientRecord:
    """The stored case and assignments of ``patient_id``.

    Raises
    ------
    NotFoundError
        If no such patient is registered.
    """
    with reg.transaction(write=False):
        case = reg.get_case(patient_id)
        assignments = tuple(reg.list_assignments(patient_id))
    return PatientRecord(case=case, assignments=assignments)
