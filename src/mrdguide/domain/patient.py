"""Patient and presenting features. Units are named in the field names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mrdguide.domain.enums import CNSStatus, Immunophenotype, InductionOutcome, Sex
from mrdguide.errors import InputError, UnitError

#: NCI/Rome standard-risk criteria: age 1 to <10 years and WBC < 50,000/µL.
#: Smith M et al., J Clin Oncol 1996;14:18-24 (NCI/Rome criteria).
NCI_AGE_MIN_YEARS = 1.0
NCI_AGE_MAX_YEARS = 10.0  # standard risk requires age < 10 (comparator: <)
NCI_WBC_PER_UL = 50_000.0  # standard risk requires WBC < 50,000/µL (comparator: <)


def _check_range(name: str, value: float | None, lo: float, hi: float) -> None:
    if value is None:
        return
    if not lo <= value <= hi:
        raise InputError(
            f"{name} must be in [{lo}, {hi}]; got {value!r}.",
            field=name,
            value=value,
            rule=f"{lo} <= {name} <= {hi}",
        )


#: Longest patient identifier accepted (the registry column holds 64 characters).
PATIENT_ID_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """A patient with presenting features. Every feature is optional except the id.

    Notes
    -----
    ``wbc_per_ul`` is white cells per microlitre (50,000/µL = 50 x 10^9/L). A value below 100
    is almost certainly given in 10^9/L and is rejected rather than silently rescaled.

    ``etp`` is the early T-cell precursor immunophenotype (a subtype of T-ALL; ETP-ALL is a
    high-risk or very-high-risk feature in St Jude Total XVI and KSPHO [sources: aacr2021-ct146;
    nct02339350]). ``eoi_marrow_blasts_percent`` is the morphological blast percentage of the
    end-of-induction marrow, whose day the protocol fixes (KSPHO day 28, DCOG day 29, BFM day
    33): M1 < 5%, M2 5-25%, M3 > 25% (induction failure is a day-28 M3 marrow in KSPHO
    [sources: nct02339350]).
    """

    patient_id: str
    age_years: float | None = None
    sex: Sex | None = None
    immunophenotype: Immunophenotype | None = None
    wbc_per_ul: float | None = None
    cns_status: CNSStatus | None = None
    testicular_involvement: bool | None = None
    steroid_pretreatment: bool | None = None
    down_syndrome: bool | None = None
    day8_pb_blasts_per_ul: float | None = None
    induction_outcome: InductionOutcome | None = None
    diagnosis_date: dt.date | None = None
    etp: bool | None = None
    eoi_marrow_blasts_percent: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.patient_id, str) or not self.patient_id.strip():
            raise InputError(
                "patient_id must be a non-empty string.",
                field="patient_id",
                value=self.patient_id,
                rule="non-empty string",
            )
        if len(self.patient_id) > PATIENT_ID_MAX_LENGTH:
            raise InputError(
                f"patient_id must be at most {PATIENT_ID_MAX_LENGTH} characters; got "
                f"{len(self.patient_id)}.",
                field="patient_id",
                value=self.patient_id[:20] + "…",
                rule=f"at most {PATIENT_ID_MAX_LENGTH} characters",
            )
        _check_range("age_years", self.age_years, 0.0, 30.0)
        _check_range("wbc_per_ul", self.wbc_per_ul, 0.0, 2_000_000.0)
        _check_range("day8_pb_blasts_per_ul", self.day8_pb_blasts_per_ul, 0.0, 2_000_000.0)
        _check_range("eoi_marrow_blasts_percent", self.eoi_marrow_blasts_percent, 0.0, 100.0)
        if self.wbc_per_ul is not None and 0 < self.wbc_per_ul < 100:
            raise UnitError(
                f"wbc_per_ul={self.wbc_per_ul!r} looks like 10^9/L, not cells per µL "
                "(multiply by 1000 to convert).",
                field="wbc_per_ul",
                value=self.wbc_per_ul,
                rule="wbc_per_ul is cells per microlitre; values in (0, 100) are rejected",
            )

    @property
    def nci_risk(self) -> str | None:
        """NCI/Rome risk (``"standard"`` or ``"high"``), or ``None`` when age or WBC is missing."""
        if self.age_years is None or self.wbc_per_ul is None:
            return None
        standard = (
            NCI_AGE_MIN_YEARS <= self.age_years < NCI_AGE_MAX_YEARS
            and self.wbc_per_ul < NCI_WBC_PER_UL
        )
        return "standard" if standard else "high"

    def __repr__(self) -> str:
        # Identifiers are masked in repr so they do not leak into logs.
        return f"Patient(patient_id='***', age_years={self.age_years!r}, ...)"
