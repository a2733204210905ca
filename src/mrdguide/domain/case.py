"""A case: one patient's presenting features, genetics, MRD results and events.

``case_from_dict`` and ``case_to_dict`` convert to and from the documented case JSON format
(``mrdguide/schemas/case.schema.json``). Conversion is pure: it reads no files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from mrdguide.domain._parse import check_keys as _check_keys
from mrdguide.domain._parse import fail as _fail
from mrdguide.domain._parse import parse_bool as _bool
from mrdguide.domain._parse import parse_enum as _enum
from mrdguide.domain._parse import parse_int as _int
from mrdguide.domain._parse import parse_num as _num
from mrdguide.domain.endpoints import check_outcome_order
from mrdguide.domain.enums import (
    TIMEPOINT_ORDER,
    CNSStatus,
    CopyNumber,
    Immunophenotype,
    InductionOutcome,
    OutcomeKind,
    RelapseSite,
    Sex,
    Timepoint,
    Tissue,
    TreatmentKind,
)
from mrdguide.domain.events import OutcomeEvent, TreatmentEvent
from mrdguide.domain.genetics import GeneticProfile
from mrdguide.domain.mrd import MRDMeasurement
from mrdguide.domain.patient import Patient
from mrdguide.domain.units import MRDLevel
from mrdguide.errors import InputError, MRDGuideError

E = TypeVar("E", bound=StrEnum)

PATIENT_FIELDS = (
    "patient_id",
    "age_years",
    "sex",
    "immunophenotype",
    "wbc_per_ul",
    "cns_status",
    "testicular_involvement",
    "steroid_pretreatment",
    "down_syndrome",
    "day8_pb_blasts_per_ul",
    "induction_outcome",
    "diagnosis_date",
)
#: Patient fields added for issue 15 (ETP status, end-of-induction marrow blasts). They are part
#: of the case document; the registry does not persist them yet (store mapping pending).
PATIENT_FIELDS_UNSTORED = ("etp", "eoi_marrow_blasts_percent")
_DOC_KEYS = ("genetics", "mrd", "treatments", "outcomes", "$schema")
CASE_KEYS = frozenset((*PATIENT_FIELDS, *PATIENT_FIELDS_UNSTORED, *_DOC_KEYS))
GENETICS_KEYS = frozenset(
    ("lesions", "modal_chromosome_number", "dna_index", "karyotype", "copy_number", "trisomies")
)
TREATMENT_KEYS = frozenset(("kind", "day", "phase", "triggered_by", "description"))
OUTCOME_KEYS = frozenset(("kind", "day", "relapse_site", "in_remission"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Case:
    """Everything known about one patient, as values."""

    patient: Patient
    genetics: GeneticProfile | None = None
    mrd: tuple[MRDMeasurement, ...] = ()
    treatments: tuple[TreatmentEvent, ...] = ()
    outcomes: tuple[OutcomeEvent, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "mrd", tuple(self.mrd))
        object.__setattr__(self, "treatments", tuple(self.treatments))
        object.__setattr__(self, "outcomes", tuple(self.outcomes))
        check_outcome_order(self.outcomes)
        check_mrd_order(self.mrd)

    @property
    def patient_id(self) -> str:
        """The patient's identifier."""
        return self.patient.patient_id

    def mrd_at(self, timepoint: Timepoint, tissue: Tissue | None = None) -> MRDMeasurement | None:
        """The measurement at ``timepoint``; bone marrow is preferred when several exist."""
        found = [m for m in self.mrd if m.timepoint is timepoint]
        if tissue is not None:
            found = [m for m in found if m.tissue is tissue]
        if not found:
            return None
        found.sort(key=lambda m: (m.tissue is not Tissue.BONE_MARROW, m.sample_day or 0))
        return found[0]


def check_mrd_order(mrd: tuple[MRDMeasurement, ...]) -> None:
    """Raise :class:`InputError` for two results with the same time point, tissue and method,
    or sample days that contradict the time-point order (a later time point sampled before an
    earlier one, in ``TIMEPOINT_ORDER``)."""
    seen: set[tuple[str, str, str]] = set()
    for m in mrd:
        key = (m.timepoint.value, m.tissue.value, m.method.value)
        if key in seen:
            raise InputError(
                f"mrd[{m.timepoint}]: two {m.method.value} results from {m.tissue.value} at one "
                "time point.",
                field=f"mrd[{m.timepoint}]",
                value="/".join(key),
                rule="one result per time point, tissue and method (store others as amendments)",
            )
        seen.add(key)
    rank = {tp: i for i, tp in enumerate(TIMEPOINT_ORDER)}
    dated = sorted((m for m in mrd if m.sample_day is not None), key=lambda m: rank[m.timepoint])
    for later in dated:
        for earlier in dated:
            if rank[earlier.timepoint] < rank[later.timepoint] and (
                earlier.sample_day > later.sample_day  # type: ignore[operator]
            ):
                raise InputError(
                    f"mrd[{later.timepoint}]: sampled on day {later.sample_day}, before the "
                    f"{earlier.timepoint} sample on day {earlier.sample_day}.",
                    field=f"mrd[{later.timepoint}].day",
                    value=later.sample_day,
                    rule=f"time points in order: {earlier.timepoint} before {later.timepoint}",
                )


# ---------------------------------------------------------------------------------------------
# dict -> Case
# ---------------------------------------------------------------------------------------------


def _wrap(path: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except InputError:
        raise
    except (MRDGuideError, ValueError, TypeError) as exc:  # pragma: no cover - defensive
        raise _fail(path, None, str(exc)) from exc


def _patient(d: Mapping[str, Any]) -> Patient:
    date = d.get("diagnosis_date")
    if date is not None:
        try:
            date = dt.date.fromisoformat(str(date))
        except ValueError:
            raise _fail("diagnosis_date", date, "must be an ISO date YYYY-MM-DD") from None
    return Patient(
        patient_id=d.get("patient_id"),  # type: ignore[arg-type]
        age_years=_num(d.get("age_years"), "age_years"),
        sex=_enum(Sex, d.get("sex"), "sex"),
        immunophenotype=_enum(Immunophenotype, d.get("immunophenotype"), "immunophenotype"),
        wbc_per_ul=_num(d.get("wbc_per_ul"), "wbc_per_ul"),
        cns_status=_enum(CNSStatus, d.get("cns_status"), "cns_status"),
        testicular_involvement=_bool(d.get("testicular_involvement"), "testicular_involvement"),
        steroid_pretreatment=_bool(d.get("steroid_pretreatment"), "steroid_pretreatment"),
        down_syndrome=_bool(d.get("down_syndrome"), "down_syndrome"),
        day8_pb_blasts_per_ul=_num(d.get("day8_pb_blasts_per_ul"), "day8_pb_blasts_per_ul"),
        induction_outcome=_enum(InductionOutcome, d.get("induction_outcome"), "induction_outcome"),
        diagnosis_date=date,
        etp=_bool(d.get("etp"), "etp"),
        eoi_marrow_blasts_percent=_num(
            d.get("eoi_marrow_blasts_percent"), "eoi_marrow_blasts_percent"
        ),
    )


def _genetics(d: Mapping[str, Any]) -> GeneticProfile:
    _check_keys(d, GENETICS_KEYS, "genetics")
    lesions = d.get("lesions") or []
    if not isinstance(lesions, list) or not all(isinstance(x, str) for x in lesions):
        raise _fail("genetics.lesions", lesions, "must be a list of strings")
    cn_raw = d.get("copy_number") or {}
    if not isinstance(cn_raw, Mapping):
        raise _fail("genetics.copy_number", cn_raw, "must be an object GENE -> status")
    cn = {g: _enum(CopyNumber, s, f"genetics.copy_number.{g}") for g, s in cn_raw.items()}
    tris = d.get("trisomies") or []
    if not isinstance(tris, list):
        raise _fail("genetics.trisomies", tris, "must be a list of integers")
    return GeneticProfile(
        lesions=tuple(lesions),
        modal_chromosome_number=_int(
            d.get("modal_chromosome_number"), "genetics.modal_chromosome_number"
        ),
        dna_index=_num(d.get("dna_index"), "genetics.dna_index"),
        karyotype=d.get("karyotype"),
        copy_number={g: s for g, s in cn.items() if s is not None},
        trisomies=tuple(_int(t, f"genetics.trisomies[{i}]") or 0 for i, t in enumerate(tris)),
    )


def _treatment(d: Mapping[str, Any], i: int) -> TreatmentEvent:
    p = f"treatments[{i}]"
    _check_keys(d, TREATMENT_KEYS, p)
    return TreatmentEvent(
        kind=_enum(TreatmentKind, d.get("kind"), f"{p}.kind"),  # type: ignore[arg-type]
        day=_int(d.get("day"), f"{p}.day"),  # type: ignore[arg-type]
        phase=d.get("phase"),
        triggered_by=_enum(Timepoint, d.get("triggered_by"), f"{p}.triggered_by"),
        description=d.get("description"),
    )


def _outcome(d: Mapping[str, Any], i: int) -> OutcomeEvent:
    p = f"outcomes[{i}]"
    _check_keys(d, OUTCOME_KEYS, p)
    return OutcomeEvent(
        kind=_enum(OutcomeKind, d.get("kind"), f"{p}.kind"),  # type: ignore[arg-type]
        day=_int(d.get("day"), f"{p}.day"),  # type: ignore[arg-type]
        relapse_site=_enum(RelapseSite, d.get("relapse_site"), f"{p}.relapse_site"),
        in_remission=_bool(d.get("in_remission"), f"{p}.in_remission"),
    )


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    v = d.get(key) or []
    if not isinstance(v, list):
        raise _fail(key, v, "must be a list")
    return v


def case_from_dict(d: Mapping[str, Any]) -> Case:
    """Build a :class:`Case` from a case document (a JSON object).

    Raises
    ------
    InputError
        Naming the field path (e.g. ``mrd[1].level``), the value and the rule broken.
    """
    _check_keys(d, CASE_KEYS, "")
    if not d.get("patient_id"):
        raise _fail("patient_id", d.get("patient_id"), "is required")
    gen = d.get("genetics")
    return Case(
        patient=_patient(d),
        genetics=_genetics(gen) if gen is not None else None,
        mrd=tuple(
            MRDMeasurement.from_dict(m, path=f"mrd[{i}]") for i, m in enumerate(_list(d, "mrd"))
        ),
        treatments=tuple(_treatment(t, i) for i, t in enumerate(_list(d, "treatments"))),
        outcomes=tuple(_outcome(o, i) for i, o in enumerate(_list(d, "outcomes"))),
    )


# ---------------------------------------------------------------------------------------------
# Case -> dict
# ---------------------------------------------------------------------------------------------


def _val(v: Any) -> Any:
    if isinstance(v, StrEnum):
        return v.value
    if isinstance(v, MRDLevel):
        return v.fraction
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None and v not in ((), [])}


def case_to_dict(case: Case) -> dict[str, Any]:
    """Serialise a :class:`Case` to a case document; ``None`` fields are omitted."""
    p = case.patient
    out: dict[str, Any] = {f: _val(getattr(p, f)) for f in PATIENT_FIELDS}
    out |= {f: getattr(p, f) for f in PATIENT_FIELDS_UNSTORED if getattr(p, f) is not None}
    g = case.genetics
    if g is not None:
        out["genetics"] = _drop_none(
            {
                "lesions": list(g.lesions),
                "modal_chromosome_number": g.modal_chromosome_number,
                "dna_index": g.dna_index,
                "karyotype": g.karyotype,
                "copy_number": {k: v.value for k, v in sorted(g.copy_number.items())} or None,
                "trisomies": list(g.trisomies),
            }
        )
    out["mrd"] = [m.to_dict() for m in case.mrd]
    out["treatments"] = [
        _drop_none({k: _val(getattr(t, k)) for k in sorted(TREATMENT_KEYS)})
        for t in case.treatments
    ]
    out["outcomes"] = [
        _drop_none({k: _val(getattr(o, k)) for k in sorted(OUTCOME_KEYS)}) for o in case.outcomes
    ]
    return _drop_none(out)
