"""MRD workflows: interpret assay data (counts or files) and store the result.

The interpretation itself is pure (:mod:`mrdguide.mrd`); this module reads the files (FCS,
RQ-PCR plate CSV, AIRR TSV) and writes results into the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mrdguide.domain import MRDMeasurement, Timepoint, Tissue
from mrdguide.errors import InputError
from mrdguide.mrd import (
    FlowResult,
    NGSCriteria,
    NGSResult,
    PCRResult,
    interpret_flow,
    interpret_ngs,
    interpret_pcr,
)
from mrdguide.store import MRDVersion, Registry

AssayResult = FlowResult | PCRResult | NGSResult

__all__ = [
    "AssayResult",
    "MRDOutcome",
    "Sample",
    "flow_from_counts",
    "flow_from_fcs",
    "ngs_from_files",
    "pcr_from_plate",
    "store_result",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """Where and when the sample was taken (case-format time point, tissue, day)."""

    timepoint: Timepoint = Timepoint.EOI
    tissue: Tissue = Tissue.BONE_MARROW
    day: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MRDOutcome:
    """An interpreted assay: the result, where it came from, and where it was stored."""

    assay: str
    result: AssayResult
    source: str
    files: tuple[tuple[str, str], ...] = ()
    stored_for: str | None = None
    stored: MRDVersion | None = None

    @property
    def measurement(self) -> MRDMeasurement:
        """The reportable measurement."""
        return self.result.measurement

    def _stored(self) -> dict[str, Any]:
        v = self.stored
        info: dict[str, Any] = {"patient": self.stored_for, "unchanged": v is None}
        if v is not None:
            info |= {"version": v.version, "review_state": v.review_state.value,
                     "actor": v.actor, "reason": v.reason}  # fmt: skip
        return info

    def to_dict(self) -> dict[str, Any]:
        """The result (its measurement in case-document shape) plus source and storage."""
        return self.result.to_dict() | {
            "assay": self.assay,
            "source": self.source,
            "files": dict(self.files),
            "stored": None if self.stored_for is None else self._stored(),
        }


def flow_from_counts(
    *, events: int, cells: int, lod_events: int, lloq_events: int, sample: Sample
) -> MRDOutcome:
    """Flow MRD from counted events over analyzed cells."""
    r = interpret_flow(
        events=events, cells=cells, timepoint=sample.timepoint, tissue=sample.tissue,
        lod_events=lod_events, lloq_events=lloq_events, sample_day=sample.day,
    )  # fmt: skip
    return MRDOutcome(assay="flow", result=r, source=f"flow:{events}/{cells}")


def flow_from_fcs(
    events_population: str,
    cells_population: str,
    *,
    lod_events: int,
    lloq_events: int,
    sample: Sample,
) -> MRDOutcome:
    """Flow MRD from FCS exports of gated populations (``FILE.fcs[@CHANNEL=CODE]``)."""
    from mrdguide.io.fcs import PopulationSpec, count_population  # flowio: load on use

    ev = count_population(PopulationSpec.parse(events_population))
    ce = count_population(PopulationSpec.parse(cells_population))
    r = interpret_flow(
        events=ev.events, cells=ce.events, timepoint=sample.timepoint, tissue=sample.tissue,
        lod_events=lod_events, lloq_events=lloq_events, sample_day=sample.day,
    )  # fmt: skip
    files = (("events_file", ev.file), ("cells_file", ce.file))
    source = f"flow-fcs:{events_population}/{cells_population}"
    return MRDOutcome(assay="flow-fcs", result=r, source=source, files=files)


def pcr_from_plate(wells: Path, *, follow_up_sample: str | None, sample: Sample) -> MRDOutcome:
    """RQ-PCR MRD from a plate CSV (EuroMRD-style criteria)."""
    from mrdguide.io.pcr_plate import read_pcr_plate

    r = interpret_pcr(
        read_pcr_plate(wells),
        timepoint=sample.timepoint,
        follow_up_sample=follow_up_sample,
        tissue=sample.tissue,
        sample_day=sample.day,
    )
    return MRDOutcome(assay="pcr", result=r, source=f"pcr:{wells.name}")


def ngs_from_files(
    diagnosis: Path,
    follow_up: Path,
    *,
    criteria: NGSCriteria,
    sample: Sample,
    cells: float | None = None,
    dna_ng: float | None = None,
    spike_in_templates: float | None = None,
    reads_are_templates: bool = False,
) -> MRDOutcome:
    """NGS MRD: track diagnostic index clones into a follow-up sample (AIRR TSV files)."""
    from mrdguide.io.airr_files import read_airr_sample  # airr is slow to import: load on use

    r = interpret_ngs(
        read_airr_sample(diagnosis),
        read_airr_sample(follow_up),
        timepoint=sample.timepoint,
        cells=cells,
        dna_ng=dna_ng,
        spike_in_templates=spike_in_templates,
        reads_are_templates=reads_are_templates,
        tissue=sample.tissue,
        sample_day=sample.day,
        criteria=criteria,
    )
    return MRDOutcome(assay="ngs", result=r, source=f"ngs:{follow_up.name}")


def store_result(
    reg: Registry, patient_id: str, outcome: MRDOutcome, *, amend_reason: str | None = None
) -> MRDOutcome:
    """Store the measurement for a registered patient as a draft version (audited with the
    registry's actor). A result identical to the stored one is not stored again.

    Raises
    ------
    NotFoundError
        If the patient is not registered.
    ConflictError
        If the time point already has a result and no ``amend_reason`` is given; nothing is
        stored and the error carries the stored result.
    InputError
        If ``amend_reason`` is given but blank.
    """
    if amend_reason is not None and not amend_reason.strip():
        raise InputError(
            "an amendment needs a reason", field="reason", value=amend_reason,
            rule="non-blank reason to amend",
        )  # fmt: skip
    version = reg.add_mrd(
        patient_id, outcome.measurement, source=outcome.source, amend_reason=amend_reason
    )
    return replace(outcome, stored_for=patient_id, stored=version)
