"""The main job (``mrdguide demo``): simulate → import → assess → model → report.

Each step reports progress through a callback so the CLI can show a progress bar; the clock and
version are injected so that the same seed gives the same tables.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mrdguide.analysis.cohort import CohortAnalysis, ProtocolInfo, analyze_cohort
from mrdguide.domain import Case, Immunophenotype, Tissue, case_to_dict
from mrdguide.mrd import kinetics
from mrdguide.protocols import RiskAssignment, available_protocols, load_ruleset
from mrdguide.reports.cohort import build_cohort_report
from mrdguide.reports.model import Section
from mrdguide.reports.patient import build_patient_report
from mrdguide.reports.render import render_html, render_pdf, report_pdf
from mrdguide.reports.replication import DEMO_REPLICATES, replication_sections
from mrdguide.services.assess import Progress, assess_all
from mrdguide.services.files import private_dir, write_private
from mrdguide.services.genotype import GenotypeResult, fit_genotype_model, patient_estimate
from mrdguide.simulate import asan_like_cohort, simulate_cohort
from mrdguide.simulate.replicate import STUDIES, replicate
from mrdguide.store import open_registry


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoConfig:
    """Inputs of the main job. Defaults: 3,000 simulated patients plus an Asan-sized cohort."""

    out_dir: Path
    db_url: str | None = None
    n: int = 3000
    asan_n: int = 209
    seed: int = 20251123
    primary: str = "aieop-bfm-all-2000"
    method: str = "pcr"
    protocols: tuple[str, ...] = field(default_factory=available_protocols)
    generated: str = "1970-01-01T00:00:00Z"
    version: str = "0+unknown"
    pdf: bool = False
    #: Seeded replicates per seed study for the report's replication sections (0: none).
    replicates: int = DEMO_REPLICATES


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    """What the main job produced."""

    db_url: str
    cohort_report: Path
    asan_report: Path
    patient_report: Path
    pdf: Path | None
    patient_pdf: Path | None = None
    analysis: CohortAnalysis
    genotype: GenotypeResult | None
    n_registered: int
    n_assignments: int
    registry_bytes: int | None = None


def _relabel(cases: Sequence[Case], prefix: str) -> list[Case]:
    out = []
    for c in cases:
        pid = c.patient_id.replace("SIM-", f"{prefix}-", 1)
        out.append(dataclasses.replace(c, patient=dataclasses.replace(c.patient, patient_id=pid)))
    return out


def data_sha256(cases: Sequence[Case]) -> str:
    """sha256 of the canonical JSON of the cohort (sorted keys)."""
    h = hashlib.sha256()
    for c in sorted(cases, key=lambda c: c.patient_id):
        h.update(json.dumps(case_to_dict(c), sort_keys=True).encode())
    return h.hexdigest()


def _info(pid: str, assignments: Sequence[RiskAssignment]) -> ProtocolInfo:
    rs = load_ruleset(pid)
    return ProtocolInfo(
        protocol=pid,
        version=rs.version,
        sha256=rs.sha256,
        groups={a.case: a.risk_group for a in assignments},
    )


def render_cohort_report(
    cases: Sequence[Case],
    assigned: dict[str, list[RiskAssignment]],
    *,
    primary: str,
    protocols: Sequence[str],
    genotype: GenotypeResult | None,
    generated: str,
    version: str,
    caveats: Sequence[str] = (),
    extra_sections: Sequence[Section] = (),
) -> tuple[CohortAnalysis, str]:
    """Analyze ``cases`` under ``primary`` (plus the what-if ``protocols``); return the HTML.

    ``extra_sections`` (e.g. the seed studies replicated in silico) follow the seed study's
    table.
    """
    info = _info(primary, assigned[primary])
    others = [_info(p, assigned[p]) for p in protocols if p != primary]
    analysis = analyze_cohort(cases, info, others)
    protos = [(i.protocol, i.version, i.sha256) for i in (info, *others)]
    model = build_cohort_report(
        analysis,
        generated=generated,
        version=version,
        data_sha256=data_sha256(cases),
        protocols=protos,
        genotype=None if genotype is None else genotype.view,
        extra_caveats=tuple(caveats),
    )
    if extra_sections:
        model = dataclasses.replace(model, sections=_after(model.sections, extra_sections))
    return analysis, render_html(model)


def _after(sections: tuple[Section, ...], extra: Sequence[Section]) -> tuple[Section, ...]:
    """``extra`` placed after the seed study's table (else at the end)."""
    ids = [s.id for s in sections]
    at = ids.index("intensification") + 1 if "intensification" in ids else len(sections)
    return (*sections[:at], *extra, *sections[at:])


def replication_report_sections(replicates: int) -> tuple[Section, ...]:
    """The seed studies replicated in silico with ``replicates`` seeded cohorts each."""
    if replicates <= 0:
        return ()
    return replication_sections(tuple(replicate(s, replicates=replicates) for s in STUDIES))


SIMULATED = ("All patients are simulated (seeded virtual cohort); no real data.",)


def _report(
    cases: Sequence[Case],
    assigned: dict[str, list[RiskAssignment]],
    cfg: DemoConfig,
    genotype: GenotypeResult | None,
    path: Path,
    extra: Sequence[Section] = (),
) -> tuple[CohortAnalysis, str]:
    analysis, html = render_cohort_report(
        cases, assigned, primary=cfg.primary, protocols=cfg.protocols, genotype=genotype,
        generated=cfg.generated, version=cfg.version, caveats=SIMULATED, extra_sections=extra,
    )  # fmt: skip
    write_private(path, html)
    return analysis, html


@dataclass(frozen=True, slots=True, kw_only=True)
class _Registered:
    db_url: str
    main: list[Case]
    asan: list[Case]
    assigned: dict[str, list[RiskAssignment]]
    assigned_asan: dict[str, list[RiskAssignment]]
    n_registered: int
    n_assignments: int


def _simulate(cfg: DemoConfig) -> tuple[list[Case], list[Case]]:
    # RQ-PCR at the end of induction and consolidation, as in AIEOP-BFM ALL 2000 and UKALL2003;
    # the Asan-like cohort uses flow cytometry, as Asan did.
    main = simulate_cohort(cfg.n, seed=cfg.seed, method=cfg.method).to_cases()
    asan = _relabel(asan_like_cohort(cfg.seed + 1, n=cfg.asan_n).to_cases(), "ASAN")
    return main, asan


def demo_database_url(cfg: DemoConfig) -> str:
    """``cfg.db_url``, or a fresh ``registry.sqlite`` in the output folder (an old one, with its
    WAL files, is removed: the demo starts from an empty registry)."""
    if cfg.db_url is not None:
        return cfg.db_url
    path = private_dir(cfg.out_dir) / "registry.sqlite"
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _register(
    cfg: DemoConfig, main: list[Case], asan: list[Case], progress: Progress
) -> _Registered:
    """Import both cohorts, assess what the registry holds and store every assignment."""
    with open_registry(demo_database_url(cfg), actor="mrdguide-demo") as reg:
        progress("import", 0, 2)
        reg.add_cases(main, source="demo:simulated-cohort")
        reg.add_cases(asan, source="demo:asan-like-cohort")
        progress("import", 2, 2)
        # Assess the registry's authorised versions and record which versions were used.
        views = {v.case.patient_id: v for v in reg.iter_case_views()}
        main = [views[c.patient_id].case for c in main]
        asan = [views[c.patient_id].case for c in asan]
        assigned = assess_all(main, cfg.protocols, progress)
        assigned_asan = assess_all(asan, ("asan-mrd", cfg.primary), progress)
        everything = (*assigned.values(), *assigned_asan.values())
        n_saved = reg.save_assignments(
            [(a.case, a, views[a.case].inputs()) for res in everything for a in res]
        )
        return _Registered(
            db_url=reg.url, main=main, asan=asan, assigned=assigned, assigned_asan=assigned_asan,
            n_registered=reg.count_patients(), n_assignments=n_saved,
        )  # fmt: skip


def _patient_report(
    cfg: DemoConfig, r: _Registered, genotype: GenotypeResult | None, out: Path
) -> tuple[Path, Path | None]:
    """Write the chosen patient's report (HTML, and PDF with traces expanded when asked)."""
    patient = _pick_patient(r.main, r.assigned[cfg.primary])
    i = r.main.index(patient)
    assignments = [r.assigned[p][i].to_dict() for p in cfg.protocols]
    model = build_patient_report(
        patient, assignments, generated=cfg.generated, version=cfg.version,
        relapse=None if genotype is None else patient_estimate(genotype, patient),
        flags=patient_flags(patient, assignments),
    )  # fmt: skip
    base = out / f"patient-{patient.patient_id}"
    html = write_private(base.with_suffix(".html"), render_html(model))
    pdf_bytes = report_pdf(model) if cfg.pdf else None
    pdf = None if pdf_bytes is None else write_private(base.with_suffix(".pdf"), pdf_bytes)
    return html, pdf


def run_demo(cfg: DemoConfig, progress: Progress = _quiet) -> DemoResult:
    """Run the main job end to end and return where everything went."""
    progress("simulate", 0, 2)
    main, asan = _simulate(cfg)
    progress("simulate", 2, 2)
    r = _register(cfg, main, asan, progress)
    progress("model", 0, 1)
    genotype = fit_genotype_model(main, version=cfg.version, fit_date=cfg.generated)
    progress("model", 1, 1)
    progress("report", 0, 4)
    out = private_dir(cfg.out_dir)
    extra = replication_report_sections(cfg.replicates)
    progress("report", 1, 4)
    analysis, html = _report(main, r.assigned, cfg, genotype, out / "cohort-report.html", extra)
    progress("report", 2, 4)
    acfg = dataclasses.replace(cfg, primary="asan-mrd", protocols=("asan-mrd", cfg.primary))
    _report(asan, r.assigned_asan, acfg, None, out / "asan-cohort-report.html")
    progress("report", 3, 4)
    ppath, ppdf = _patient_report(cfg, r, genotype, out)
    pdf_bytes = render_pdf(html) if cfg.pdf else None
    pdf = None if pdf_bytes is None else write_private(out / "cohort-report.pdf", pdf_bytes)
    progress("report", 4, 4)
    return DemoResult(
        db_url=r.db_url, cohort_report=out / "cohort-report.html",
        asan_report=out / "asan-cohort-report.html", patient_report=ppath, pdf=pdf,
        patient_pdf=ppdf, analysis=analysis, genotype=genotype, n_registered=r.n_registered,
        n_assignments=r.n_assignments, registry_bytes=_file_size(r.db_url),
    )  # fmt: skip


def _file_size(url: str) -> int | None:
    """Bytes of an SQLite registry (with its WAL file), ``None`` for other databases."""
    from mrdguide.store.config import sqlite_path

    path = sqlite_path(url)
    if path is None or not path.exists():
        return None
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def patient_flags(case: Case, assignments: Sequence[dict[str, object]]) -> tuple[str, ...]:
    """Re-emergence (bone-marrow series) and out-of-window samples named by any protocol.

    Flags are sentences for people; a protocol's window caveat keeps its exact text after the
    protocol's id (``"<protocol>: <caveat>"``) so the report can tell it was shown already.
    """
    flags: list[str] = []
    bm = [m for m in case.mrd if m.tissue is Tissue.BONE_MARROW]
    if bm:
        k = kinetics(bm)
        if k.re_emergence:
            flags.append("MRD re-emergence: " + " ".join(k.reasons))
        flags.extend(k.warnings)
    for a in assignments:
        for c in a.get("caveats", []):  # type: ignore[attr-defined]
            if "window" in str(c):
                flags.append(f"{a.get('protocol')}: {c}")
    return tuple(dict.fromkeys(flags))


def _pick_patient(cases: Sequence[Case], assigned: Sequence[RiskAssignment]) -> Case:
    """A patient with MRD at several time points in the highest assigned group (deterministic)."""
    ranked = sorted(
        zip(cases, assigned, strict=True),
        key=lambda ca: (
            -len(ca[0].mrd),
            ca[1].risk_group != "hr",
            ca[0].patient.immunophenotype != Immunophenotype.B,  # B-ALL has a UK genetic tier
            ca[0].patient_id,
        ),
    )
    return ranked[0][0]
