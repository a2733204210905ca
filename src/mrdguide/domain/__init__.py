"""Pure domain value types: no I/O, no clock, no global RNG."""

from mrdguide.domain.case import Case, case_from_dict, case_to_dict
from mrdguide.domain.endpoints import Endpoints, check_outcome_order, derive_endpoints
from mrdguide.domain.enums import (
    TIMEPOINT_ORDER,
    CNSStatus,
    CopyNumber,
    EventType,
    Immunophenotype,
    InductionOutcome,
    MRDMethod,
    MRDStatus,
    OutcomeKind,
    RelapseSite,
    Sex,
    Timepoint,
    Tissue,
    TreatmentKind,
)
from mrdguide.domain.events import OutcomeEvent, TreatmentEvent
from mrdguide.domain.genetics import KNOWN_LESIONS, GeneticProfile
from mrdguide.domain.mrd import MRDMeasurement
from mrdguide.domain.patient import Patient
from mrdguide.domain.review import (
    ACTION_ROLES,
    ReviewAction,
    ReviewState,
    Role,
    allowed_actions,
    review_transition,
)
from mrdguide.domain.units import DAYS_PER_YEAR, Z_975, MRDLevel, at_least, strictly_above

__all__ = [
    "ACTION_ROLES",
    "DAYS_PER_YEAR",
    "KNOWN_LESIONS",
    "TIMEPOINT_ORDER",
    "Z_975",
    "CNSStatus",
    "Case",
    "CopyNumber",
    "Endpoints",
    "EventType",
    "GeneticProfile",
    "Immunophenotype",
    "InductionOutcome",
    "MRDLevel",
    "MRDMeasurement",
    "MRDMethod",
    "MRDStatus",
    "OutcomeEvent",
    "OutcomeKind",
    "Patient",
    "RelapseSite",
    "ReviewAction",
    "ReviewState",
    "Role",
    "Sex",
    "Timepoint",
    "Tissue",
    "TreatmentEvent",
    "TreatmentKind",
    "allowed_actions",
    "at_least",
    "case_from_dict",
    "case_to_dict",
    "check_outcome_order",
    "derive_endpoints",
    "review_transition",
    "strictly_above",
]
