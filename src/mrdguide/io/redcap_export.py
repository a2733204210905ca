"""A REDCap project from mrdguide's case format: data dictionary, records and site mapping.

Four instruments: ``patient`` (presenting features), ``genetics``, ``mrd`` (a repeating
instrument, one instance per result) and ``events`` (repeating: outcome and treatment events).
Coded fields use mrdguide's own codes as REDCap raw values, with readable labels; MRD levels are
fractions of nucleated cells (0–1) and the mapping says ``unit = "fraction"``, so the files
import back unchanged with ``mrdguide redcap import``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mrdguide.domain import (
    Case,
    CNSStatus,
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
    case_to_dict,
)
from mrdguide.domain.labels import label
from mrdguide.io.redcap_files import (
    DICTIONARY_COLUMNS,
    REPEAT_INSTANCE,
    REPEAT_INSTRUMENT,
    write_csv,
)

__all__ = ["RedcapProject", "redcap_project"]


@dataclass(frozen=True, slots=True)
class _F:
    name: str
    form: str
    ftype: str
    label: str
    target: str
    choices: type[StrEnum] | tuple[str, ...] | None = None
    kind: str | None = None  # label kind for choice labels
    validation: str = ""
    vmin: str = ""
    vmax: str = ""
    note: str = ""


_LEVEL_NOTE = "Fraction of nucleated cells, between 0 and 1 (1e-4 is one cell in 10,000)"

FIELDS: tuple[_F, ...] = (
    _F("record_id", "patient", "text", "Patient id", "patient_id"),
    _F(
        "age_years",
        "patient",
        "text",
        "Age at diagnosis (years)",
        "age_years",
        validation="number",
        vmin="0",
        vmax="30",
    ),
    _F("sex", "patient", "radio", "Sex", "sex", Sex, "sex"),
    _F(
        "immunophenotype",
        "patient",
        "radio",
        "Immunophenotype",
        "immunophenotype",
        Immunophenotype,
        "immunophenotype",
    ),
    _F(
        "wbc_per_ul",
        "patient",
        "text",
        "White cell count at diagnosis (per µL)",
        "wbc_per_ul",
        validation="number",
        vmin="0",
    ),
    _F("cns_status", "patient", "radio", "CNS status", "cns_status", CNSStatus, "cns_status"),
    _F(
        "testicular_involvement",
        "patient",
        "yesno",
        "Testicular involvement",
        "testicular_involvement",
    ),
    _F("steroid_pretreatment", "patient", "yesno", "Steroid pretreatment", "steroid_pretreatment"),
    _F("down_syndrome", "patient", "yesno", "Down syndrome", "down_syndrome"),
    _F(
        "day8_pb_blasts_per_ul",
        "patient",
        "text",
        "Day-8 blood blasts (per µL)",
        "day8_pb_blasts_per_ul",
        validation="number",
        vmin="0",
    ),
    _F(
        "induction_outcome",
        "patient",
        "radio",
        "Induction outcome",
        "induction_outcome",
        InductionOutcome,
        "induction_outcome",
    ),
    _F(
        "diagnosis_date",
        "patient",
        "text",
        "Diagnosis date",
        "diagnosis_date",
        validation="date_ymd",
    ),
    _F("etp", "patient", "yesno", "Early T-cell precursor (ETP) ALL", "etp"),
    _F(
        "eoi_marrow_blasts_percent",
        "patient",
        "text",
        "End-of-induction marrow blasts (morphology, %)",
        "eoi_marrow_blasts_percent",
        validation="number",
        vmin="0",
        vmax="100",
    ),
    _F(
        "lesions",
        "genetics",
        "notes",
        "Genetic lesions",
        "genetics.lesions",
        note="Separate lesions with ';' (e.g. ETV6::RUNX1; IKZF1 deletion)",
    ),
    _F(
        "modal_chromosome_number",
        "genetics",
        "text",
        "Modal chromosome number",
        "genetics.modal_chromosome_number",
        validation="integer",
        vmin="20",
        vmax="100",
    ),
    _F("dna_index", "genetics", "text", "DNA index", "genetics.dna_index", validation="number"),
    _F(
        "trisomies",
        "genetics",
        "text",
        "Trisomies (chromosome numbers)",
        "genetics.trisomies",
        note="Separate with ';' (e.g. 4; 10; 17)",
    ),
    _F("karyotype", "genetics", "notes", "Karyotype (ISCN)", "genetics.karyotype"),
    _F("mrd_timepoint", "mrd", "dropdown", "Time point", "timepoint", Timepoint, "timepoint"),
    _F(
        "mrd_day",
        "mrd",
        "text",
        "Sample day (days since diagnosis)",
        "day",
        validation="integer",
        vmin="0",
    ),
    _F("mrd_tissue", "mrd", "radio", "Tissue", "tissue", Tissue, "tissue"),
    _F("mrd_method", "mrd", "radio", "Method", "method", MRDMethod, "method"),
    _F("mrd_status", "mrd", "radio", "Result", "status", MRDStatus, "mrd_status"),
    _F(
        "mrd_level",
        "mrd",
        "text",
        "MRD level",
        "level",
        validation="number",
        vmin="0",
        vmax="1",
        note=_LEVEL_NOTE,
    ),
    _F(
        "mrd_sensitivity",
        "mrd",
        "text",
        "Sensitivity of this sample",
        "sensitivity",
        validation="number",
        vmin="0",
        vmax="1",
        note=_LEVEL_NOTE,
    ),
    _F(
        "mrd_quantitative_range",
        "mrd",
        "text",
        "Lower limit of the quantitative range",
        "quantitative_range",
        validation="number",
        vmin="0",
        vmax="1",
        note=_LEVEL_NOTE,
    ),
    _F("mrd_markers", "mrd", "text", "Ig/TCR markers", "markers", validation="integer", vmin="0"),
    _F(
        "mrd_cells_analysed",
        "mrd",
        "text",
        "Cells (or cell equivalents) analysed",
        "cells_analysed",
        validation="integer",
        vmin="0",
    ),
    _F("mrd_dna_ng", "mrd", "text", "DNA input (ng)", "dna_ng", validation="number", vmin="0"),
)
#: Outcome and treatment events: a repeating instrument, one instance per event.
EVENT_FIELDS: tuple[_F, ...] = (
    _F(
        "event_kind",
        "events",
        "dropdown",
        "Event",
        "kind",
        tuple(k.value for k in (*OutcomeKind, *TreatmentKind)),
        "outcome",
    ),
    _F(
        "event_day",
        "events",
        "text",
        "Day (days since diagnosis)",
        "day",
        validation="integer",
        vmin="0",
    ),
    _F(
        "event_relapse_site",
        "events",
        "radio",
        "Relapse site",
        "relapse_site",
        RelapseSite,
        "relapse_site",
    ),
    _F("event_in_remission", "events", "yesno", "In remission (death)", "in_remission"),
    _F("event_phase", "events", "text", "Treatment phase", "phase"),
    _F(
        "event_triggered_by",
        "events",
        "dropdown",
        "Triggered by the MRD at",
        "triggered_by",
        Timepoint,
        "timepoint",
    ),
    _F("event_description", "events", "notes", "Description", "description"),
)
FIELDS = (*FIELDS, *EVENT_FIELDS)
REPEATING = ("mrd", "events")
FORMS = ("patient", "genetics", "mrd", "events")
RECORD_HEADER = ("record_id", REPEAT_INSTRUMENT, REPEAT_INSTANCE)


@dataclass(frozen=True, slots=True, kw_only=True)
class RedcapProject:
    """The three files' text."""

    dictionary: str
    records: str
    mapping: str
    patients: int
    mrd_results: int


def _choices(f: _F) -> str:
    if f.choices is None:
        return ""
    codes = f.choices if isinstance(f.choices, tuple) else tuple(m.value for m in f.choices)
    return " | ".join(f"{c}, {label(f.kind or '', c)}" for c in codes)


def _dictionary() -> str:
    rows = []
    for f in FIELDS:
        rows.append(
            dict(
                zip(
                    DICTIONARY_COLUMNS,
                    (
                        f.name,
                        f.form,
                        "",
                        f.ftype,
                        f.label,
                        _choices(f),
                        f.note,
                        f.validation,
                        f.vmin,
                        f.vmax,
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                        "",
                    ),
                    strict=True,
                )
            )
        )
    return write_csv(DICTIONARY_COLUMNS, rows)


def _cell(v: Any) -> Any:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, list):
        return "; ".join(map(str, v))
    if isinstance(v, float):
        return repr(v)
    return v


def _rows(cases: Iterable[Case]) -> tuple[list[dict[str, Any]], int, int]:
    rows: list[dict[str, Any]] = []
    n_patients = n_mrd = 0
    for case in cases:
        doc = case_to_dict(case)
        flat = {**doc, **{f"genetics.{k}": v for k, v in doc.get("genetics", {}).items()}}
        base = {f.name: _cell(flat.get(f.target)) for f in FIELDS if f.form not in REPEATING}
        base["record_id"] = case.patient_id
        base["patient_complete"] = "2"
        base["genetics_complete"] = "2" if "genetics" in doc else ""
        rows.append(base)
        n_patients += 1
        for i, m in enumerate(doc.get("mrd", []), start=1):
            row = {f.name: _cell(m.get(f.target)) for f in FIELDS if f.form == "mrd"}
            row |= {
                "record_id": case.patient_id,
                REPEAT_INSTRUMENT: "mrd",
                REPEAT_INSTANCE: i,
                "mrd_complete": "2",
            }
            rows.append(row)
            n_mrd += 1
        events = [*doc.get("treatments", []), *doc.get("outcomes", [])]
        for i, ev in enumerate(sorted(events, key=lambda e: e["day"]), start=1):
            row = {f.name: _cell(ev.get(f.target)) for f in EVENT_FIELDS}
            row |= {
                "record_id": case.patient_id,
                REPEAT_INSTRUMENT: "events",
                REPEAT_INSTANCE: i,
                "events_complete": "2",
            }
            rows.append(row)
    return rows, n_patients, n_mrd


def _header() -> list[str]:
    out = list(RECORD_HEADER)
    for form in FORMS:
        out += [f.name for f in FIELDS if f.form == form and f.name != "record_id"]
        out.append(f"{form}_complete")
    return out


def _mapping() -> str:
    lines = [
        "# Site mapping of mrdguide's own REDCap project (written by `mrdguide redcap export`).",
        "# Coded fields hold mrdguide's codes as raw values; MRD levels are fractions.",
        "version = 1",
        "",
        "[record]",
        'id_field = "record_id"',
        "",
        "[patient]",
    ]
    for f in FIELDS:
        if f.form == "patient" and f.name != "record_id":
            lines.append(f'{f.target} = {{ field = "{f.name}" }}')
    lines += ["", "[genetics]"]
    lines += [
        f'{f.target.split(".")[1]} = {{ field = "{f.name}" }}'
        for f in FIELDS
        if f.form == "genetics"
    ]
    lines += ["", "[[mrd]]", 'form = "mrd"']
    for f in FIELDS:
        if f.form == "mrd":
            unit = (
                ', unit = "fraction"'
                if f.target in ("level", "sensitivity", "quantitative_range")
                else ""
            )
            lines.append(f'{f.target} = {{ field = "{f.name}"{unit} }}')
    lines += ["", "[[events]]", 'form = "events"']
    lines += [f'{f.target} = {{ field = "{f.name}" }}' for f in EVENT_FIELDS]
    return "\n".join(lines) + "\n"


def redcap_project(cases: Sequence[Case]) -> RedcapProject:
    """The data dictionary, flat records (repeating ``mrd`` instrument) and site mapping."""
    rows, n_patients, n_mrd = _rows(cases)
    return RedcapProject(
        dictionary=_dictionary(),
        records=write_csv(_header(), rows),
        mapping=_mapping(),
        patients=n_patients,
        mrd_results=n_mrd,
    )
