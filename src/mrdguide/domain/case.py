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

from mrdguide.domain.endpoints import check_outcome_order
from mrdguide.domain.enums import (
    CNSStatus,
    CopyNumber,
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
MRD_KEYS = frozenset(
    (
        "timepoint",
        "day",
        "tissue",
        "method",
        "status",
        "level",
        "sensitivity",
        "quantitative_range",
        "markers",
        "cells_analysed",
        "dna_ng",
        "warnings",
    )
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


# ---------------------------------------------------------------------------------------------
# dict -> Case
# ---------------------------------------------------------------------------------------------


def _fail(path: str, value: Any, rule: str) -> InputError:
    return InputError(f"{path}: {rule}; got {value!r}.", field=path, value=value, rule=rule)


def _enum(cls: type[E], value: Any, path: str) -> E | None:
    if value is None:
        return None
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in cls)
        raise _fail(path, value, f"must be one of {allowed}") from None


def _num(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(path, value, "must be a number")
    return float(value)


def _int(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _fail(path, value, "must be an integer")
    return value


def _bool(value: Any, path: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _fail(path, value, "must be true or false")
    return value


def _level(value: Any, path: str) -> MRDLevel | None:
    v = _num(value, path)
    if v is None:
        return None
    if v > 1:
        raise _fail(
            path, value, "MRD values are fractions in [0, 1] (1e-4 = 0.01%); percent is rejected"
        )
    if v < 0:
        raise _fail(path, value, "must be >= 0")
    return MRDLevel(v)


def _check_keys(d: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    if not isinstance(d, Mapping):
        raise _fail(path, d, "must be an object")
    for k in d:
        if k not in allowed:
            raise _fail(f"{path}.{k}" if path else k, d[k], "unknown field")


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


def _mrd(d: Mapping[str, Any], i: int) -> MRDMeasurement:
    p = f"mrd[{i}]"
    _check_keys(d, MRD_KEYS, p)
    for req in ("timepoint", "method", "status"):
        if d.get(req) is None:
            raise _fail(f"{p}.{req}", None, "is required")
    return MRDMeasurement(
        timepoint=_enum(Timepoint, d["timepoint"], f"{p}.timepoint"),  # type: ignore[arg-type]
        method=_enum(MRDMethod, d["method"], f"{p}.method"),  # type: ignore[arg-type]
        status=_enum(MRDStatus, d["status"], f"{p}.status"),  # type: ignore[arg-type]
        tissue=_enum(Tissue, d.get("tissue", "bm"), f"{p}.tissue"),  # type: ignore[arg-type]
        level=_level(d.get("level"), f"{p}.level"),
        sensitivity=_level(d.get("sensitivity"), f"{p}.sensitivity"),
        quantitative_range=_level(d.get("quantitative_range"), f"{p}.quantitative_range"),
        sample_day=_int(d.get("day"), f"{p}.day"),
        markers=_int(d.get("markers"), f"{p}.markers"),
        cells_analysed=_int(d.get("cells_analysed"), f"{p}.cells_analysed"),
        dna_ng=_num(d.get("dna_ng"), f"{p}.dna_ng"),
        warnings=tuple(d.get("warnings") or ()),
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
        mrd=tuple(_mrd(m, i) for i, m in enumerate(_list(d, "mrd"))),
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
    out["mrd"] = [
        _drop_none(
            {
                "timepoint": _val(m.timepoint),
                "day": m.sample_day,
                "tissue": _val(m.tissue),
                "method": _val(m.method),
                "status": _val(m.status),
                "level": _val(m.level),
                "sensitivity": _val(m.sensitivity),
                "quantitative_range": _val(m.quantitative_range),
                "markers": m.markers,
                "cells_analysed": m.cells_analysed,
                "dna_ng": m.dna_ng,
                "warnings": list(m.warnings),
            }
        )
        for m in case.mrd
    ]
    out["treatments"] = [
        _drop_none({k: _val(getattr(t, k)) for k in sorted(TREATMENT_KEYS)})
        for t in case.treatments
    ]
    out["outcomes"] = [
        _drop_none({k: _val(getattr(o, k)) for k in sorted(OUTCOME_KEYS)}) for o in case.outcomes
    ]
    return _drop_none(out)
