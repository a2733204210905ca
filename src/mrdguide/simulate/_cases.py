"""Turn one row of simulated columns into a domain :class:`~mrdguide.domain.Case`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.domain import (
    Case,
    CNSStatus,
    GeneticProfile,
    Immunophenotype,
    InductionOutcome,
    MRDLevel,
    MRDMeasurement,
    MRDMethod,
    MRDStatus,
    OutcomeEvent,
    OutcomeKind,
    Patient,
    Sex,
    Timepoint,
    Tissue,
    TreatmentEvent,
    TreatmentKind,
)
from mrdguide.simulate.params import MethodParams, SimulationParams

_STATUS = (MRDStatus.NEGATIVE, MRDStatus.POSITIVE_NQ, MRDStatus.POSITIVE)
_KMT2A = ("KMT2A::AFF1", "KMT2A::MLLT1", "KMT2A::MLLT3", "KMT2A::MLLT10")
_LESIONS: dict[str, tuple[str, ...]] = {
    "etv6_runx1": ("ETV6::RUNX1",),
    "high_hyperdiploid": ("hyperdiploidy",),
    "tcf3_pbx1": ("TCF3::PBX1",),
    "bcr_abl1": ("BCR::ABL1",),
    "iamp21": ("iAMP21",),
    "hypodiploid": ("hypodiploidy",),
}


def _f(cols: Mapping[str, NDArray[Any]], key: str, i: int) -> float:
    return float(cols[key][i])


def _opt(cols: Mapping[str, NDArray[Any]], key: str, i: int) -> float | None:
    if key not in cols:
        return None
    v = float(cols[key][i])
    return None if np.isnan(v) else v


def _day(cols: Mapping[str, NDArray[Any]], key: str, i: int) -> int | None:
    v = float(cols[key][i])
    return None if np.isnan(v) else int(v)


def _genetics(cols: Mapping[str, NDArray[Any]], i: int, key: str) -> GeneticProfile:
    modal = int(cols["modal_chromosome_number"][i])
    lesions = _LESIONS.get(key, ())
    if key == "kmt2a_r":
        lesions = (_KMT2A[int(cols["kmt2a_partner"][i])],)
    mask = int(cols["trisomy_mask"][i])
    return GeneticProfile(
        lesions=lesions,
        modal_chromosome_number=modal,
        dna_index=round(modal / 46.0, 2) if key in ("high_hyperdiploid", "hypodiploid") else None,
        trisomies=tuple(c for c in range(1, 23) if mask >> c & 1),
    )


def _mrd(
    cols: Mapping[str, NDArray[Any]],
    i: int,
    tp: str,
    method: str,
    meth: MethodParams,
    day: int,
    tissue: Tissue = Tissue.BONE_MARROW,
) -> MRDMeasurement:
    status = _STATUS[int(cols[f"{tp}_status"][i])]
    level = float(cols[f"{tp}_level"][i])
    markers = int(cols["pcr_markers"][i]) if method == "pcr" and "pcr_markers" in cols else None
    return MRDMeasurement(
        markers=markers,
        timepoint=Timepoint(tp),
        method=MRDMethod(method),
        status=status,
        level=None if status is MRDStatus.NEGATIVE else MRDLevel(level),
        sensitivity=MRDLevel(meth.lod),
        quantitative_range=MRDLevel(meth.lloq),
        sample_day=day,
        tissue=tissue,
    )


def _outcomes(cols: Mapping[str, NDArray[Any]], i: int, eoi_day: int) -> list[OutcomeEvent]:
    out: list[OutcomeEvent] = []
    if bool(cols["induction_failure"][i]):
        out.append(OutcomeEvent(kind=OutcomeKind.INDUCTION_FAILURE, day=eoi_day))
    rel = _day(cols, "relapse_day", i)
    if rel is not None:
        out.append(OutcomeEvent(kind=OutcomeKind.RELAPSE, day=rel))
    smn = _day(cols, "smn_day", i)
    if smn is not None:
        out.append(OutcomeEvent(kind=OutcomeKind.SECOND_MALIGNANCY, day=smn))
    death = _day(cols, "death_day", i)
    if death is not None:
        in_cr = bool(cols["death_in_remission"][i])
        out.append(OutcomeEvent(kind=OutcomeKind.DEATH, day=death, in_remission=in_cr))
    fu = _day(cols, "last_follow_up_day", i)
    out.append(OutcomeEvent(kind=OutcomeKind.LAST_FOLLOW_UP, day=fu or 0))
    return out


def case_from_row(
    cols: Mapping[str, NDArray[Any]],
    i: int,
    params: SimulationParams,
    method: str,
    meth: MethodParams,
    start: dt.date,
) -> Case:
    """Build the case of patient ``i`` (id ``SIM-{i+1:06d}``)."""
    key = params.subtype_keys[int(cols["subtype"][i])]
    pr = params.presenting
    ind_death = bool(cols["induction_death"][i])
    failure = bool(cols["induction_failure"][i])
    patient = Patient(
        patient_id=f"SIM-{i + 1:06d}",
        age_years=_f(cols, "age_years", i),
        sex=Sex.MALE if bool(cols["male"][i]) else Sex.FEMALE,
        immunophenotype=Immunophenotype.T if bool(cols["t_lineage"][i]) else Immunophenotype.B,
        wbc_per_ul=_f(cols, "wbc_per_ul", i),
        cns_status=CNSStatus(f"CNS{int(cols['cns'][i])}"),
        down_syndrome=bool(cols["down_syndrome"][i]),
        testicular_involvement=bool(cols["testicular"][i]) if "testicular" in cols else None,
        steroid_pretreatment=bool(cols["steroid_pretreatment"][i])
        if "steroid_pretreatment" in cols
        else None,
        day8_pb_blasts_per_ul=_f(cols, "day8_pb_blasts_per_ul", i),
        induction_outcome=None
        if ind_death
        else (InductionOutcome.NO_CR if failure else InductionOutcome.CR),
        diagnosis_date=start + dt.timedelta(days=int(cols["entry_day"][i])),
        etp=bool(cols["etp"][i]) if "etp" in cols and bool(cols["t_lineage"][i]) else None,
        eoi_marrow_blasts_percent=_opt(cols, "eoi_marrow_blasts_percent", i),
    )
    mrd = []
    if not ind_death and "day15_status" in cols:
        flow = params.methods["flow"]
        mrd.append(_mrd(cols, i, "day8", "flow", flow, 8, Tissue.PERIPHERAL_BLOOD))
        mrd.append(_mrd(cols, i, "day15", "flow", flow, 15))
        mrd.append(_mrd(cols, i, "day19", "flow", flow, 19))
    if not ind_death:
        mrd.append(_mrd(cols, i, "eoi", method, meth, pr.eoi_day))
    if bool(cols["eoc_sampled"][i]):
        mrd.append(_mrd(cols, i, "eoc", method, meth, pr.eoc_day))
    treatments = []
    iday = _day(cols, "intensification_day", i)
    if iday is not None:
        trig = Timepoint.EOI if int(cols["intensification_trigger"][i]) == 1 else Timepoint.EOC
        treatments.append(
            TreatmentEvent(
                kind=TreatmentKind.INTENSIFICATION,
                day=iday,
                triggered_by=trig,
                description="simulated MRD-triggered intensification",
            )
        )
    return Case(
        patient=patient,
        genetics=_genetics(cols, i, key),
        mrd=tuple(mrd),
        treatments=tuple(treatments),
        outcomes=tuple(_outcomes(cols, i, pr.eoi_day)),
    )
