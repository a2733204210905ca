"""Pure domain value types: no I/O, no clock, no global RNG."""

from mrdguide.domain.case import Case, case_from_dict, case_to_dict
from mrdguide.domain.display import (
    format_mrd,
    format_mrd_band,
    format_mrd_negative,
    format_mrd_result,
    format_mrd_threshold,
    format_number,
    format_p,
    format_p_value,
    parse_mrd,
    replace_e_notation,
)
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
from mrdguide.domain.labels import field_label, group_label, label, risk_order
from mrdguide.domain.mrd import MRDMeasurement
from mrdguide.domain.patient import Patient
from mrdguide.domain.units import MRDLevel, at_least, strictly_above

__all__ = [
    "KNOWN_LESIONS",
    "TIMEPOINT_ORDER",
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
    "Sex",
    "Timepoint",
    "Tissue",
    "TreatmentEvent",
    "TreatmentKind",
    "at_least",
    "case_from_dict",
    "case_to_dict",
    "check_outcome_order",
    "derive_endpoints",
    "field_label",
    "format_mrd",
    "format_mrd_band",
    "format_mrd_negative",
    "format_mrd_result",
    "format_mrd_threshold",
    "format_number",
    "format_p",
    "format_p_value",
    "group_label",
    "label",
    "parse_mrd",
    "replace_e_notation",
    "risk_order",
    "strictly_above",
]
