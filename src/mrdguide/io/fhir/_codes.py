"""Every code mrdguide writes into FHIR resources, from its own enums and nothing else.

fhir.resources checks structure, cardinality and primitive formats, but not value sets: it
accepts ``Observation.status = "bogus"``. So every coded value in an exported resource comes from
a table in this module, keyed by an mrdguide enum, and the tests check every table against the
official value sets (FHIR R4B 4.3.0 and R5 5.0.0 core, HL7 Terminology 7.0.1).

Local codes live in mrdguide's own code systems under :data:`BASE`. ``mrdguide.invalid`` is a
reserved, never-resolvable domain (RFC 2606): the URLs name mrdguide's concepts without
pretending that a server answers there. A site that publishes its own canonical base can
rewrite them; receivers match on the exact strings below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mrdguide.domain import MRDMethod, MRDStatus, ReviewState, Sex, Timepoint, Tissue

#: Canonical base of mrdguide's own code systems, extensions and identifier systems.
BASE = "https://mrdguide.invalid/fhir"

# -- mrdguide code systems ----------------------------------------------------------------------
CS_MRD = f"{BASE}/CodeSystem/mrd"  # observation, component, report and outcome codes
CS_MRD_STATUS = f"{BASE}/CodeSystem/mrd-status"
CS_METHOD = f"{BASE}/CodeSystem/mrd-method"
CS_TISSUE = f"{BASE}/CodeSystem/tissue"
CS_TIMEPOINT = f"{BASE}/CodeSystem/timepoint"
CS_REVIEW = f"{BASE}/CodeSystem/review-action"
CS_PROTOCOL = f"{BASE}/CodeSystem/protocol"
#: Risk groups are protocol-specific: ``{CS_RISK_GROUP}/{protocol id}``.
CS_RISK_GROUP = f"{BASE}/CodeSystem/risk-group"

# -- extensions --------------------------------------------------------------------------------
EXT_TIMEPOINT = f"{BASE}/StructureDefinition/mrd-timepoint"  # valueCoding (CS_TIMEPOINT)
EXT_SAMPLE_DAY = f"{BASE}/StructureDefinition/sample-day"  # valueInteger, days since diagnosis
EXT_RECORD_VERSION = f"{BASE}/StructureDefinition/record-version"  # valueInteger
EXT_REVIEW_STATE = f"{BASE}/StructureDefinition/review-state"  # valueCode (ReviewState)
EXT_PROBABILITY_CI = f"{BASE}/StructureDefinition/probability-ci"  # valueRange, 95% CI
EXT_RULE_FILE_SHA256 = f"{BASE}/StructureDefinition/rule-file-sha256"  # valueString
EXT_REVIEW_REASON = f"{BASE}/StructureDefinition/review-reason"  # valueString

# -- identifier systems ------------------------------------------------------------------------
ID_PATIENT = f"{BASE}/patient-id"
ID_MRD_RESULT = f"{BASE}/mrd-result"
ID_SPECIMEN = f"{BASE}/specimen"
ID_ACTOR = f"{BASE}/actor"

# -- external code systems ---------------------------------------------------------------------
UCUM = "http://unitsofmeasure.org"
V3_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
V2_SPECIMEN_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0487"
V2_DIAGNOSTIC_SECTION = "http://terminology.hl7.org/CodeSystem/v2-0074"
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
V3_DATA_OPERATION = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
V3_DOCUMENT_COMPLETION = "http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion"
ISO_LIFECYCLE = "http://terminology.hl7.org/CodeSystem/iso-21089-lifecycle"

#: UCUM unit of a fraction ("1", the unity). MRD levels are exported only in this unit.
UCUM_FRACTION = "1"
UCUM_PERCENT = "%"
UCUM_CELLS = "{cells}"
UCUM_NANOGRAM = "ng"
UCUM_YEAR = "a"


class FHIRVersion(StrEnum):
    """FHIR release of a bundle (fhir.resources: R5 by default; R4B in ``fhir.resources.R4B``)."""

    R4B = "R4B"
    R5 = "R5"


@dataclass(frozen=True, slots=True)
class Code:
    """One coding: system, code and display."""

    system: str
    code: str
    display: str

    def coding(self) -> dict[str, Any]:
        """The FHIR ``Coding`` JSON (no ``display`` when it is empty)."""
        out = {"system": self.system, "code": self.code}
        if self.display:
            out["display"] = self.display
        return out


def concept(*codes: Code, text: str | None = None) -> dict[str, Any]:
    """A FHIR ``CodeableConcept`` of ``codes`` (and optional text)."""
    out: dict[str, Any] = {"coding": [c.coding() for c in codes]}
    if text:
        out["text"] = text
    return out


# -- required bindings (code-typed elements) ---------------------------------------------------


#: ``Observation.status`` (required: observation-status).
class ObservationStatus(StrEnum):
    """The Observation statuses mrdguide writes (a subset of FHIR observation-status)."""

    PRELIMINARY = "preliminary"
    FINAL = "final"
    AMENDED = "amended"


#: ``Bundle.type`` (required: bundle-type).
BUNDLE_TYPE = "collection"

#: ``Patient.gender`` (required: administrative-gender) from mrdguide's recorded sex.
GENDER: dict[Sex, str] = {Sex.MALE: "male", Sex.FEMALE: "female"}

#: ``Quantity.comparator`` (required: quantity-comparator) of a negative or unquantifiable result.
COMPARATOR_BELOW = "<"

#: ``DiagnosticReport.status`` (required: diagnostic-report-status).
REPORT_STATUS: dict[ObservationStatus, str] = {
    ObservationStatus.PRELIMINARY: "preliminary",
    ObservationStatus.FINAL: "final",
    ObservationStatus.AMENDED: "amended",
}

#: ``RiskAssessment.status`` (required: observation-status).
RISK_STATUS: dict[ObservationStatus, str] = {
    ObservationStatus.PRELIMINARY: "preliminary",
    ObservationStatus.FINAL: "final",
    ObservationStatus.AMENDED: "final",  # the assessment itself is not an amendment
}

#: ``Attachment.contentType`` (required: mimetypes, BCP 13) of the presented report.
CONTENT_TYPES = ("application/pdf", "text/html")

#: ``Identifier.use`` (required: identifier-use).
IDENTIFIER_USE = "usual"


def observation_status(state: ReviewState, *, amends_authorised: bool) -> ObservationStatus:
    """FHIR status of one MRD version from its review state.

    ``draft``, ``submitted`` and ``returned`` are ``preliminary``; ``authorised`` is ``final``,
    or ``amended`` when the version amends an earlier authorised version of the same result.
    """
    if state is not ReviewState.AUTHORISED:
        return ObservationStatus.PRELIMINARY
    return ObservationStatus.AMENDED if amends_authorised else ObservationStatus.FINAL


# -- codeable concepts -------------------------------------------------------------------------

CATEGORY_LABORATORY = Code(OBSERVATION_CATEGORY, "laboratory", "Laboratory")
REPORT_CATEGORY = Code(V2_DIAGNOSTIC_SECTION, "LAB", "Laboratory")

#: ``Observation.interpretation`` (extensible: observation-interpretation), by MRD status.
INTERPRETATION: dict[MRDStatus, Code] = {
    MRDStatus.NEGATIVE: Code(V3_INTERPRETATION, "ND", "Not detected"),
    MRDStatus.POSITIVE: Code(V3_INTERPRETATION, "POS", "Positive"),
    MRDStatus.POSITIVE_NQ: Code(V3_INTERPRETATION, "DET", "Detected"),
    MRDStatus.NOT_EVALUABLE: Code(V3_INTERPRETATION, "IND", "Indeterminate"),
}
#: The mrdguide status itself, sent beside the HL7 interpretation (EuroMRD terms).
MRD_STATUS: dict[MRDStatus, Code] = {
    MRDStatus.NEGATIVE: Code(CS_MRD_STATUS, "negative", "MRD negative"),
    MRDStatus.POSITIVE: Code(CS_MRD_STATUS, "positive", "MRD positive, quantifiable"),
    MRDStatus.POSITIVE_NQ: Code(
        CS_MRD_STATUS, "positive_nq", "MRD positive, not quantifiable (below quantitative range)"
    ),
    MRDStatus.NOT_EVALUABLE: Code(CS_MRD_STATUS, "not_evaluable", "MRD not evaluable"),
}

#: ``Specimen.type`` (example: v2-0487): HL7 specimen type plus mrdguide's tissue code.
SPECIMEN_TYPE: dict[Tissue, tuple[Code, Code]] = {
    Tissue.BONE_MARROW: (
        Code(V2_SPECIMEN_TYPE, "MAR", "Marrow"),
        Code(CS_TISSUE, "bm", "Bone marrow"),
    ),
    Tissue.PERIPHERAL_BLOOD: (
        Code(V2_SPECIMEN_TYPE, "BLD", "Whole blood"),
        Code(CS_TISSUE, "pb", "Peripheral blood"),
    ),
}

METHOD: dict[MRDMethod, Code] = {
    MRDMethod.FLOW: Code(CS_METHOD, "flow", "Multiparameter flow cytometry"),
    MRDMethod.PCR: Code(CS_METHOD, "pcr", "RQ-PCR of Ig/TCR gene rearrangements"),
    MRDMethod.NGS: Code(CS_METHOD, "ngs", "High-throughput sequencing of Ig/TCR clonotypes"),
}

TIMEPOINT: dict[Timepoint, Code] = {
    Timepoint.DAY8: Code(CS_TIMEPOINT, "day8", "Day 8"),
    Timepoint.DAY15: Code(CS_TIMEPOINT, "day15", "Day 15"),
    Timepoint.DAY19: Code(CS_TIMEPOINT, "day19", "Day 19"),
    Timepoint.EOI: Code(CS_TIMEPOINT, "eoi", "End of induction"),
    Timepoint.EOC: Code(CS_TIMEPOINT, "eoc", "End of consolidation"),
    Timepoint.POST_IM1: Code(CS_TIMEPOINT, "post_im1", "After interim maintenance 1"),
    Timepoint.POST_DI1: Code(CS_TIMEPOINT, "post_di1", "After delayed intensification 1"),
    Timepoint.PRE_MAINTENANCE: Code(CS_TIMEPOINT, "pre_maintenance", "Before maintenance"),
}


def observation_code(method: MRDMethod, tissue: Tissue) -> Code:
    """mrdguide's local code of an MRD result by method and tissue (always sent)."""
    where = "bone marrow" if tissue is Tissue.BONE_MARROW else "peripheral blood"
    return Code(
        CS_MRD,
        f"mrd-{method.value}-{tissue.value}",
        f"Measurable residual disease by {METHOD[method].display.lower()}, {where} "
        "(fraction of nucleated cells)",
    )


class Component(StrEnum):
    """Codes (in :data:`CS_MRD`) of the components of an MRD Observation."""

    SENSITIVITY = "sensitivity"
    QUANTITATIVE_RANGE = "quantitative-range"
    LEVEL_ESTIMATE = "level-estimate"
    CELLS_ANALYSED = "cells-analysed"
    MARKERS = "markers"
    DNA_INPUT = "dna-input"
    METHOD = "method"


COMPONENT_DISPLAY: dict[Component, str] = {
    Component.SENSITIVITY: "Sensitivity (limit of detection) of this sample, fraction",
    Component.QUANTITATIVE_RANGE: "Lower limit of the quantitative range of this sample, fraction",
    Component.LEVEL_ESTIMATE: "Estimated level of a non-quantifiable positive result, fraction",
    Component.CELLS_ANALYSED: "Nucleated cells, events or cell equivalents analysed",
    Component.MARKERS: "Number of Ig/TCR markers used",
    Component.DNA_INPUT: "DNA input",
    Component.METHOD: "MRD method",
}

REPORT_CODE = Code(CS_MRD, "mrd-report", "MRD and risk stratification report (research use)")
OUTCOME_RELAPSE = Code(CS_MRD, "relapse-5y", "Relapse within 5 years of diagnosis")


class ReviewActivity(StrEnum):
    """Provenance activities: creation of a version and the review actions that follow."""

    CREATE = "create"  # recorded as a draft
    IMPORT_AUTHORISED = "import_authorised"  # historical data imported as authorised
    AMEND = "amend"  # a new version of an existing result
    SUBMIT = "submit"
    AUTHORISE = "authorise"
    RETURN = "return"


REVIEW_ACTIVITY: dict[ReviewActivity, Code] = {
    ReviewActivity.CREATE: Code(CS_REVIEW, "create", "Result recorded"),
    ReviewActivity.IMPORT_AUTHORISED: Code(
        CS_REVIEW, "import_authorised", "Historical result imported as authorised"
    ),
    ReviewActivity.AMEND: Code(CS_REVIEW, "amend", "Result amended (new version)"),
    ReviewActivity.SUBMIT: Code(CS_REVIEW, "submit", "Result submitted for review"),
    ReviewActivity.AUTHORISE: Code(CS_REVIEW, "authorise", "Result authorised (four eyes)"),
    ReviewActivity.RETURN: Code(CS_REVIEW, "return", "Result returned to the laboratory"),
}

#: The standard activity code of each review activity, by FHIR release: R4B binds
#: ``Provenance.activity`` (extensible) to provenance-activity-type (v3 DataOperation,
#: DocumentCompletion ...); R5 gives ISO 21089 life-cycle events as an example binding.
STANDARD_ACTIVITY: dict[FHIRVersion, dict[ReviewActivity, Code]] = {
    FHIRVersion.R4B: {
        ReviewActivity.CREATE: Code(V3_DATA_OPERATION, "CREATE", "create"),
        ReviewActivity.IMPORT_AUTHORISED: Code(V3_DATA_OPERATION, "CREATE", "create"),
        ReviewActivity.AMEND: Code(V3_DATA_OPERATION, "UPDATE", "revise"),
        ReviewActivity.AUTHORISE: Code(V3_DOCUMENT_COMPLETION, "LA", "legally authenticated"),
    },
    FHIRVersion.R5: {
        ReviewActivity.CREATE: Code(
            ISO_LIFECYCLE, "originate", "Originate/Retain Record Lifecycle Event"
        ),
        ReviewActivity.IMPORT_AUTHORISED: Code(
            ISO_LIFECYCLE, "receive", "Receive/Retain Record Lifecycle Event"
        ),
        ReviewActivity.AMEND: Code(ISO_LIFECYCLE, "amend", "Amend (Update) Record Lifecycle Event"),
        ReviewActivity.AUTHORISE: Code(ISO_LIFECYCLE, "verify", "Verify Record Lifecycle Event"),
    },
}

#: ``Provenance.agent.type``: who recorded a version, and who reviewed it.
AGENT_AUTHOR = Code(PARTICIPANT_TYPE, "author", "Author")
AGENT_VERIFIER = Code(PARTICIPANT_TYPE, "verifier", "Verifier")
AGENT_ENTERER = Code(PARTICIPANT_TYPE, "enterer", "Enterer")


def risk_group_system(protocol: str) -> str:
    """The code system of ``protocol``'s risk groups."""
    return f"{CS_RISK_GROUP}/{protocol}"


def local_code_systems() -> dict[str, dict[str, str]]:
    """Every fixed local code system: ``{system: {code: display}}`` (for documentation, tests
    and receivers). Risk-group and protocol codes come from the rule files."""
    out: dict[str, dict[str, str]] = {}
    tables: list[list[Code]] = [
        list(MRD_STATUS.values()),
        [t[1] for t in SPECIMEN_TYPE.values()],
        list(METHOD.values()),
        list(TIMEPOINT.values()),
        list(REVIEW_ACTIVITY.values()),
        [observation_code(m, t) for m in MRDMethod for t in Tissue],
        [Code(CS_MRD, c.value, COMPONENT_DISPLAY[c]) for c in Component],
        [REPORT_CODE, OUTCOME_RELAPSE],
    ]
    for table in tables:
        for c in table:
            out.setdefault(c.system, {})[c.code] = c.display
    return out
