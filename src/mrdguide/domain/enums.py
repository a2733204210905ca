"""Controlled vocabularies. Enum values are stable lowercase strings: they are persisted."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Timepoint(StrEnum):
    """MRD time points of the case format.

    ``EOI`` is the end of induction (TP1: day 29/33/42/46 by protocol). ``EOC`` is the end of
    consolidation (TP2: day 78/79, week 11 or week 14 by protocol). Each rule set maps its own
    labels onto these values.
    """

    DAY8 = "day8"
    DAY15 = "day15"
    DAY19 = "day19"
    EOI = "eoi"
    EOC = "eoc"
    POST_IM1 = "post_im1"
    POST_DI1 = "post_di1"
    PRE_MAINTENANCE = "pre_maintenance"


#: Chronological order of the time points, used for kinetics and trajectories.
TIMEPOINT_ORDER: tuple[Timepoint, ...] = tuple(Timepoint)


class MRDMethod(StrEnum):
    """Laboratory method of an MRD measurement."""

    FLOW = "flow"  # multiparameter flow cytometry
    PCR = "pcr"  # RQ-PCR of Ig/TCR rearrangements (EuroMRD)
    NGS = "ngs"  # high-throughput sequencing of Ig/TCR clonotypes


class MRDStatus(StrEnum):
    """Result category of an MRD measurement (EuroMRD terminology)."""

    NEGATIVE = "negative"
    POSITIVE = "positive"  # quantifiable, within the quantitative range
    POSITIVE_NQ = "positive_nq"  # detected, below the quantitative range
    NOT_EVALUABLE = "not_evaluable"  # insufficient sample or sensitivity


class Tissue(StrEnum):
    """Sample tissue."""

    BONE_MARROW = "bm"
    PERIPHERAL_BLOOD = "pb"


class Sex(StrEnum):
    """Sex recorded at diagnosis."""

    MALE = "male"
    FEMALE = "female"


class Immunophenotype(StrEnum):
    """Lineage of the leukaemia."""

    B = "B"
    T = "T"


class CNSStatus(StrEnum):
    """CNS involvement at diagnosis."""

    CNS1 = "CNS1"
    CNS2 = "CNS2"
    CNS3 = "CNS3"


class InductionOutcome(StrEnum):
    """Morphological response at the end of induction."""

    CR = "cr"
    NO_CR = "no_cr"


class CopyNumber(StrEnum):
    """Copy-number status of a gene (e.g. from MLPA or SNP array)."""

    DELETED = "deleted"
    NORMAL = "normal"
    GAINED = "gained"
    AMPLIFIED = "amplified"


class RelapseSite(StrEnum):
    """Site of relapse."""

    BONE_MARROW = "bm"
    CNS = "cns"
    TESTIS = "testis"
    COMBINED = "combined"
    OTHER = "other"


class OutcomeKind(StrEnum):
    """Kind of outcome event."""

    INDUCTION_FAILURE = "induction_failure"
    RELAPSE = "relapse"
    DEATH = "death"
    SECOND_MALIGNANCY = "second_malignancy"
    LAST_FOLLOW_UP = "last_follow_up"


class TreatmentKind(StrEnum):
    """Kind of treatment event."""

    PHASE_START = "phase_start"
    INTENSIFICATION = "intensification"
    HSCT = "hsct"
    OFF_PROTOCOL = "off_protocol"


class EventType(IntEnum):
    """Competing-risks coding for relapse analyses: 0 is censored, then one code per cause."""

    CENSORED = 0
    RELAPSE = 1
    DEATH_IN_REMISSION = 2
    SECOND_MALIGNANCY = 3
