"""Derive the facts a rule may reference from a :class:`~mrdguide.domain.Case`.

A fact is a value, or, for an MRD result that was not detected, an upper bound: a negative
result with sample sensitivity ``s`` means the level is below ``s`` and nothing more. A fact that
is absent from :class:`Facts` is *missing*; a fact that is present but cannot be compared (a
negative without a recorded sensitivity, a ``positive_nq`` result without an estimate or a
quantitative range) is *unresolved*. Both make a condition unknown, never silently false.

Fields
------
``patient.<attribute>``
    Presenting features of :class:`~mrdguide.domain.Patient` (enum values as strings).
``nci_risk``
    ``"standard"`` or ``"high"`` (NCI/Rome: age 1 to <10 years and WBC <50,000/µL is standard;
    Smith M et al., J Clin Oncol 1996;14:18-24), from :attr:`Patient.nci_risk`.
``prednisone_response``
    ``"good"`` when day-8 peripheral-blood blasts are < 1,000/µL, else ``"poor"`` (BFM
    prednisone response after 7 days of prednisone and one intrathecal methotrexate; Riehm H et
    al. 1987, as used in AIEOP-BFM ALL 2000: Conter V et al., Blood 2010;115:3206-14; eviQ
    ANZCHOG ALL06: PGR is < 1.0 x 10^9/L) [V]. Comparator: good is ``<``.
``induction_outcome``
    ``"cr"`` or ``"no_cr"``.
``patient.etp``
    The recorded early-T-precursor status; a B-ALL case with none recorded is ``False`` (ETP-ALL
    is a subtype of T-ALL).
``patient.eoi_marrow_blasts_percent``
    The recorded end-of-induction marrow blast percentage; with none recorded and
    ``induction_outcome == "cr"`` it is known only to be below 5% (an M1 marrow), an upper bound
    like a negative MRD result.
``genetics.*``
    From :func:`mrdguide.genetics.classify`: ``uk_tier``, ``cog_tier``, ``stjude_tier``,
    ``ploidy_class``, ``modal_chromosome_number``, ``ikzf1plus`` and ``lesions`` (a tuple; any
    ``KMT2A::X`` fusion also implies ``KMT2A-r``), plus ``dna_index`` and ``trisomies`` from the
    profile.
``mrd.<timepoint>.<attribute>``
    For each time point the rule set maps: ``available`` and ``evaluable`` (always present),
    ``status``, ``detected``, ``negative_at_required``, ``level``, ``method``, ``tissue``,
    ``day``, ``markers``. ``evaluable`` means detected, or negative at the required sensitivity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mrdguide.domain import (
    Case,
    GeneticProfile,
    Immunophenotype,
    InductionOutcome,
    MRDMeasurement,
    MRDStatus,
    Patient,
    Tissue,
)
from mrdguide.domain.display import format_mrd_threshold
from mrdguide.domain.labels import label
from mrdguide.errors import InputError
from mrdguide.genetics import GeneticClassification, classify
from mrdguide.protocols.schema import RuleSet, TimepointSpec

#: Prednisone good response: day-8 peripheral-blood blasts strictly below this (per µL).
#: Conter V et al., Blood 2010;115:3206-14; eviQ ANZCHOG ALL06 (PGR < 1.0 x 10^9/L) [V]
#: [sources: conter2010; eviq-all06].
PGR_MAX_BLASTS_PER_UL = 1000.0
#: A complete remission is an M1 marrow: blasts strictly below this percentage [V]
#: [sources: buchmann2022; nct02339350].
M1_MAX_BLASTS_PERCENT = 5.0

FactValue = str | float | int | bool | tuple[str, ...] | tuple[int, ...] | None


@dataclass(frozen=True, slots=True)
class Fact:
    """One derived value.

    ``below`` is set (and ``value`` is ``None``) when only an upper bound is known: the level is
    strictly below ``below``. ``resolved`` is false when the fact exists but cannot be compared.
    """

    value: FactValue = None
    below: float | None = None
    resolved: bool = True
    note: str = ""

    def observed(self) -> Any:
        """The value as shown in a trace."""
        if not self.resolved:
            return f"unresolved ({self.note})" if self.note else "unresolved"
        if self.below is not None:
            return f"<{self.below:g}"
        if isinstance(self.value, tuple):
            return list(self.value)
        return self.value


@dataclass(frozen=True, slots=True)
class Facts:
    """Every fact derived from one case for one rule set, and the caveats found on the way."""

    values: Mapping[str, Fact] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def get(self, name: str) -> Fact | None:
        """The fact named ``name``, or ``None`` when it is missing."""
        return self.values.get(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form: every fact as shown in a trace, plus the caveats."""
        return {
            "facts": {k: v.observed() for k, v in sorted(self.values.items())},
            "caveats": list(self.caveats),
        }


def _enum_value(v: Any) -> Any:
    return getattr(v, "value", v)


def _patient_facts(p: Patient) -> dict[str, Fact]:
    out: dict[str, Fact] = {}
    for name in (
        "age_years",
        "wbc_per_ul",
        "sex",
        "immunophenotype",
        "cns_status",
        "testicular_involvement",
        "steroid_pretreatment",
        "down_syndrome",
        "day8_pb_blasts_per_ul",
        "etp",
        "eoi_marrow_blasts_percent",
    ):
        v = getattr(p, name)
        if v is not None:
            out[f"patient.{name}"] = Fact(_enum_value(v))
    out |= _implied_patient_facts(p, out)
    if p.nci_risk is not None:
        out["nci_risk"] = Fact(p.nci_risk)
    if p.day8_pb_blasts_per_ul is not None:
        good = p.day8_pb_blasts_per_ul < PGR_MAX_BLASTS_PER_UL
        out["prednisone_response"] = Fact("good" if good else "poor")
    if p.induction_outcome is not None:
        out["induction_outcome"] = Fact(_enum_value(p.induction_outcome))
    return out


def _implied_patient_facts(p: Patient, known: Mapping[str, Fact]) -> dict[str, Fact]:
    """Facts implied by others: B-ALL is never ETP; a CR marrow has < 5% blasts."""
    out: dict[str, Fact] = {}
    if "patient.etp" not in known and p.immunophenotype is Immunophenotype.B:
        out["patient.etp"] = Fact(False, note="B-ALL: not ETP")
    blasts = "patient.eoi_marrow_blasts_percent"
    if blasts not in known and p.induction_outcome is InductionOutcome.CR:
        out[blasts] = Fact(below=M1_MAX_BLASTS_PERCENT, note="complete remission (M1 marrow)")
    return out


def _lesions(profile: GeneticProfile, classified: GeneticClassification) -> tuple[str, ...]:
    found = set(profile.lesions) | set(classified.lesions)
    if any(x.startswith("KMT2A::") for x in found):
        found.add("KMT2A-r")
    return tuple(sorted(found))


def _genetic_facts(
    profile: GeneticProfile, patient: Patient, caveats: list[str]
) -> dict[str, Fact]:
    phenotype = patient.immunophenotype.value if patient.immunophenotype else None
    try:
        c = classify(profile, immunophenotype=phenotype, down_syndrome=patient.down_syndrome)
    except InputError as exc:  # e.g. KaryotypeError: the engine stays total
        caveats.append(f"genetics not used: {exc}")
        return {}
    out: dict[str, Fact] = {"genetics.lesions": Fact(_lesions(profile, c))}
    named: dict[str, FactValue] = {
        "uk_tier": c.uk_tier,
        "cog_tier": c.cog_tier,
        "stjude_tier": c.stjude_tier,
        "ploidy_class": c.ploidy_class,
        "ikzf1plus": c.ikzf1plus,
        "modal_chromosome_number": c.modal_chromosome_number,
        "dna_index": c.dna_index,
    }
    out |= {f"genetics.{k}": Fact(v) for k, v in named.items() if v is not None}
    out["genetics.trisomies"] = Fact(tuple(c.trisomies))
    return out


def _pnq_level(m: MRDMeasurement, policy: str) -> Fact:
    est = m.level.fraction if m.level is not None else None
    qr = m.quantitative_range.fraction if m.quantitative_range is not None else None
    order = (est, qr) if policy == "estimate" else (qr, est)
    for v in order:
        if v is not None:
            return Fact(v, note=f"positive_nq; level per policy {policy!r}")
    return Fact(resolved=False, note="positive_nq without an estimate or a quantitative range")


def _level(m: MRDMeasurement, policy: str) -> Fact:
    if m.status is MRDStatus.POSITIVE and m.level is not None:
        return Fact(m.level.fraction)
    if m.status is MRDStatus.POSITIVE_NQ:
        return _pnq_level(m, policy)
    if m.sensitivity is not None:
        return Fact(below=m.sensitivity.fraction, note="not detected")
    return Fact(resolved=False, note="negative without a recorded sensitivity")


def _select(case: Case, spec: TimepointSpec, caveats: list[str]) -> MRDMeasurement | None:
    tissue = Tissue(spec.tissue)
    at = [m for m in case.mrd if m.timepoint.value == spec.timepoint]
    chosen = case.mrd_at(at[0].timepoint, tissue) if at else None
    if at and chosen is None:
        caveats.append(
            f"{_when(spec)}: result(s) from {label('tissue', at[0].tissue)} not used; "
            f"{spec.label} requires {label('tissue', spec.tissue)}"
        )
    return chosen


def _when(spec: TimepointSpec) -> str:
    """The time point as a caveat's subject: ``End of induction``."""
    short = label("timepoint_short", spec.timepoint)
    return short[:1].upper() + short[1:]


def _quality_caveats(m: MRDMeasurement, spec: TimepointSpec, required: float) -> list[str]:
    """Caveats in words (MRD in percent, labels for methods and tissues); JSON keeps them."""
    out: list[str] = []
    tp = _when(spec)
    window = f"day {spec.day_min}–{spec.day_max}"
    if m.sample_day is None:
        out.append(f"{tp}: sample day not recorded; window {window} not checked")
    elif not spec.day_min <= m.sample_day <= spec.day_max:
        out.append(f"{tp}: sample taken on day {m.sample_day}; {spec.label} window is {window}")
    if m.method.value not in spec.methods:
        theirs = ", ".join(label("method", x) for x in spec.methods)
        ours = label("method", m.method)
        out.append(f"{tp}: method {ours} differs from the protocol's ({theirs})")
    if m.status is MRDStatus.NEGATIVE and not m.negative_at(required):
        at = (
            "with the sensitivity not recorded"
            if m.sensitivity is None
            else f"at a sensitivity of {format_mrd_threshold(m.sensitivity.fraction)}"
        )
        out.append(
            f"{tp}: insufficient sensitivity: negative {at}; the protocol requires "
            f"{format_mrd_threshold(required)} for a negative result"
        )
    if m.status is MRDStatus.NOT_EVALUABLE:
        out.append(f"{tp}: result not evaluable")
    return out


def _mrd_facts(case: Case, spec: TimepointSpec, rs: RuleSet, caveats: list[str]) -> dict[str, Fact]:
    p = f"mrd.{spec.timepoint}"
    m = _select(case, spec, caveats)
    if m is None:
        return {f"{p}.available": Fact(False), f"{p}.evaluable": Fact(False)}
    required = spec.required_sensitivity or rs.required_sensitivity
    caveats.extend(_quality_caveats(m, spec, required))
    out = {f"{p}.status": Fact(m.status.value)}
    if m.status is MRDStatus.NOT_EVALUABLE:
        out |= {f"{p}.available": Fact(False), f"{p}.evaluable": Fact(False)}
        return out
    neg = m.negative_at(required)
    out |= {
        f"{p}.available": Fact(True),
        f"{p}.evaluable": Fact(m.is_detected or neg),
        f"{p}.detected": Fact(m.is_detected),
        f"{p}.negative_at_required": Fact(neg),
        f"{p}.level": _level(m, rs.positive_nq_level),
        f"{p}.method": Fact(m.method.value),
        f"{p}.tissue": Fact(m.tissue.value),
    }
    if m.sample_day is not None:
        out[f"{p}.day"] = Fact(m.sample_day)
    if m.markers is not None:
        out[f"{p}.markers"] = Fact(m.markers)
    return out


def derive_facts(case: Case, ruleset: RuleSet) -> Facts:
    """Every fact ``ruleset`` may reference, derived from ``case``.

    Parameters
    ----------
    case : Case
        The case.
    ruleset : RuleSet
        Supplies the time-point mapping, the required sensitivity and the ``positive_nq``
        level policy.

    Returns
    -------
    Facts
        The facts, plus caveats about sample windows, methods, tissues and sensitivity.
    """
    values = _patient_facts(case.patient)
    caveats: list[str] = []
    if case.genetics is not None:
        values |= _genetic_facts(case.genetics, case.patient, caveats)
    for spec in ruleset.timepoints:
        values |= _mrd_facts(case, spec, ruleset, caveats)
    return Facts(values, tuple(caveats))
