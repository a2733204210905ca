"""Export from a registry, import into an empty one: the same MRD results come back.

The cohort is the demo's simulator with the demo's seed (``DemoConfig.seed``), 30 patients with
RQ-PCR plus 10 Asan-like patients with flow cytometry in blood and marrow: the full 3,209-patient
demo takes minutes to export and proves nothing more. Drafts, a returned result and an
authorised amendment are added through the registry API.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mrdguide.domain import MRDLevel, ReviewAction, Role
from mrdguide.errors import ConflictError, IngestError
from mrdguide.services import open_workspace
from mrdguide.services.fhir import ExportOptions, FHIRVersion, export_cohort, import_fhir
from mrdguide.services.pipeline import DemoConfig
from mrdguide.settings import Settings
from mrdguide.simulate import simulate_cohort
from mrdguide.simulate.cohort import asan_like_cohort
from mrdguide.store import Registry

pytest.importorskip("fhir.resources")
pytestmark = pytest.mark.filterwarnings("ignore::mrdguide.errors.StatisticalWarning")

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A registry with the demo-seeded cohort, drafts, a returned result and an amendment."""
    url = f"sqlite:///{tmp_path_factory.mktemp('src') / 'r.sqlite'}"
    seed = DemoConfig(out_dir=Path()).seed
    cases = simulate_cohort(30, seed=seed, method="pcr").to_cases()
    asan = asan_like_cohort(seed + 1, n=10).to_cases()
    asan = [
        dataclasses.replace(
            c,
            patient=dataclasses.replace(
                c.patient, patient_id=c.patient_id.replace("SIM-", "ASAN-")
            ),
        )
        for c in asan
    ]
    settings = Settings.from_env({"MRDGUIDE_DATABASE_URL": url, "MRDGUIDE_ACTOR": "importer"})
    with open_workspace(settings, create=True, clock=lambda: NOW) as ws:
        reg = ws.registry()
        reg.add_cases([*cases, *asan], source="demo-seeded")
        _history(ws.registry("lab-1"), ws.registry("rev-2"), cases)
    return url


def _history(lab: Registry, rev: Registry, cases: list) -> None:  # type: ignore[type-arg]
    """Amend one authorised result (authorised again), leave one draft and one returned."""
    lab.users.add("lab-1", Role.LAB)
    lab.users.add("rev-2", Role.REVIEWER)
    first, second, third = [c for c in cases if len(c.mrd) >= 2][:3]
    for i, case in enumerate((first, second, third)):
        m = case.mrd[-1]
        changed = dataclasses.replace(m, warnings=(f"re-gated {i}",))
        lab.add_mrd(case.patient_id, changed, source="flow", amend_reason=f"re-gated {i}")
        key = (m.timepoint.value, m.tissue.value, m.method.value)
        if i < 2:
            lab.review_mrd(case.patient_id, key, ReviewAction.SUBMIT, role=Role.LAB)
        if i == 0:
            rev.review_mrd(case.patient_id, key, ReviewAction.AUTHORISE, role=Role.REVIEWER)
        if i == 1:
            rev.review_mrd(
                case.patient_id, key, ReviewAction.RETURN, role=Role.REVIEWER, reason="check"
            )


def _quantified(res: dict[str, Any]) -> bool:
    q = res.get("valueQuantity")
    return res["resourceType"] == "Observation" and q is not None and "comparator" not in q


def _opts(version: FHIRVersion, *, drafts: bool) -> ExportOptions:
    return ExportOptions(
        version=version,
        protocols=("aieop-bfm-all-2000", "ukall2003"),
        generated=NOW,
        app_version="test",
        include_drafts=drafts,
        report="none",
    )


def _empty(tmp_path: Path) -> Iterator[Registry]:
    settings = Settings.from_env(
        {"MRDGUIDE_DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite", "MRDGUIDE_ACTOR": "receiver"}
    )
    with open_workspace(settings, create=True, clock=lambda: NOW) as ws:
        yield ws.registry()


def _mrd(reg: Registry, view: str) -> dict[str, list[dict[str, object]]]:
    return {
        v.case.patient_id: [m.to_dict() for m in v.case.mrd] for v in reg.iter_case_views(view=view)
    }  # type: ignore[arg-type]


@pytest.mark.parametrize("version", list(FHIRVersion))
def test_round_trip_authorised(source: str, tmp_path: Path, version: FHIRVersion) -> None:
    """The authorised results of every patient come back, value for value, as authorised."""
    settings = Settings.from_env({"MRDGUIDE_DATABASE_URL": source})
    with open_workspace(settings) as ws:
        res = export_cohort(ws.registry(), tmp_path / "c.ndjson", _opts(version, drafts=False))
        want = _mrd(ws.registry(), "authorised")
    assert res.patients == 40 and (tmp_path / "c.ndjson").stat().st_mode & 0o777 == 0o600
    for reg in _empty(tmp_path):
        got = import_fhir(reg, tmp_path / "c.ndjson")
        assert got.drafts == 0 and got.authorised == res.results
        assert _mrd(reg, "authorised") == want
        if version is FHIRVersion.R5:
            again = import_fhir(reg, tmp_path / "c.ndjson")  # idempotent
            assert again.summary.new_versions == 0


def test_round_trip_with_drafts(source: str, tmp_path: Path) -> None:
    """With drafts, preliminary results come back as drafts and final ones as authorised."""
    settings = Settings.from_env({"MRDGUIDE_DATABASE_URL": source})
    with open_workspace(settings) as ws:
        export_cohort(ws.registry(), tmp_path / "d.ndjson", _opts(FHIRVersion.R4B, drafts=True))
        latest, authorised = _mrd(ws.registry(), "latest"), _mrd(ws.registry(), "authorised")
    lines = [json.loads(x) for x in (tmp_path / "d.ndjson").read_text("utf-8").splitlines()]
    statuses = {
        e["resource"]["status"]
        for b in lines
        for e in b["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }
    assert statuses == {"final", "amended", "preliminary"}
    for reg in _empty(tmp_path):
        got = import_fhir(reg, tmp_path / "d.ndjson")
        assert got.drafts == 2  # the draft and the returned amendment
        assert _mrd(reg, "latest") == latest
        back = _mrd(reg, "authorised")
        assert back != authorised  # the two preliminary versions are not authorised copies
        assert {p for p in back if back[p] != latest[p]} == {
            p for p in latest if latest[p] != authorised[p]
        }


def test_changed_import_needs_a_reason_and_failures_write_nothing(
    source: str, tmp_path: Path
) -> None:
    """A changed result is a conflict (exit 6 at the CLI); a bad file writes nothing."""
    settings = Settings.from_env({"MRDGUIDE_DATABASE_URL": source})
    with open_workspace(settings) as ws:
        export_cohort(ws.registry(), tmp_path / "c.ndjson", _opts(FHIRVersion.R5, drafts=False))
    text = (tmp_path / "c.ndjson").read_text("utf-8")
    for reg in _empty(tmp_path):
        import_fhir(reg, tmp_path / "c.ndjson")
        counts = reg.table_counts()
        first, obs = next(
            (b, e["resource"])
            for b in map(json.loads, text.splitlines())
            for e in b["entry"]
            if _quantified(e["resource"])
        )
        obs["valueQuantity"]["value"] = MRDLevel(obs["valueQuantity"]["value"] / 2).fraction
        changed = tmp_path / "changed.json"
        changed.write_text(json.dumps(first), "utf-8")
        with pytest.raises(ConflictError):
            import_fhir(reg, changed)
        obs["valueQuantity"]["value"] = 7.0  # above 1 with UCUM "1": invalid
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(first), "utf-8")
        with pytest.raises(IngestError):
            import_fhir(reg, bad)
        assert reg.table_counts() == counts
        res = import_fhir(reg, changed, amend_reason="corrected by the laboratory")
        assert res.summary.new_versions == 1


def _form(path: Path) -> dict[str, Any]:
    bundle = json.loads(path.read_text("utf-8"))
    report = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "DiagnosticReport"
    )
    return dict(report["presentedForm"][0])


def test_presented_form_is_the_patient_report(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The attached report is `report patient`'s report; PDF when WeasyPrint renders it, else
    the HTML with a note."""
    import base64

    from mrdguide.services import fhir as fhir_service
    from mrdguide.services.report import patient_report

    settings = Settings.from_env({"MRDGUIDE_DATABASE_URL": source})
    opts = dataclasses.replace(
        _opts(FHIRVersion.R4B, drafts=False), report="html", protocols=("ukall2003",)
    )
    with open_workspace(settings) as ws:
        reg = ws.registry()
        pid = reg.patient_ids()[0]
        res = fhir_service.export_patient(reg, pid, tmp_path / "h.json", opts)
        want = patient_report(
            reg,
            pid,
            protocols=["ukall2003"],
            generated=NOW.strftime("%Y-%m-%d %H:%M UTC"),
            version="test",
        )
        form = _form(tmp_path / "h.json")
        assert (res.report, form["contentType"]) == ("html", "text/html")
        assert base64.b64decode(form["data"]).decode("utf-8") == want.html
        monkeypatch.setattr(
            fhir_service, "render_pdf", lambda html: b"%PDF-1.7 " + html[:5].encode()
        )
        pdf = dataclasses.replace(opts, report="pdf")
        fhir_service.export_patient(reg, pid, tmp_path / "p.json", pdf)
        assert _form(tmp_path / "p.json")["contentType"] == "application/pdf"
        monkeypatch.setattr(fhir_service, "render_pdf", lambda html: None)
        res = fhir_service.export_patient(reg, pid, tmp_path / "n.json", pdf)
        assert _form(tmp_path / "n.json")["contentType"] == "text/html"
        assert res.report == "html" and "WeasyPrint" in res.notes[0]
