"""The main job end to end on a small seeded cohort: registry, assignments, reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mrdguide.cli.main import main
from mrdguide.protocols import available_protocols
from mrdguide.store import open_registry

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Run `mrdguide demo --format json` once on a small cohort."""
    out = tmp_path_factory.mktemp("demo")
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["demo", "--out", str(out), "--n", "300", "--asan-n", "60", "--format", "json"])
    assert code == 0
    return out, json.loads(buf.getvalue())


def test_demo_fills_the_registry(demo: tuple[Path, dict]) -> None:
    """Both cohorts are registered and every patient has an assignment per protocol."""
    _, doc = demo
    assert doc["registered"] == 360
    with open_registry(doc["registry"], create=False) as reg:
        assert reg.count_patients() == 360
        first = reg.list_assignments("SIM-000001")
        asan = reg.list_assignments("ASAN-000001")
    n_protocols = len(available_protocols())
    assert len(first) == n_protocols  # one per shipped protocol
    assert {a["ruleset_id"] for a in asan} == {"asan-mrd", "aieop-bfm-all-2000"}
    assert doc["assignments"] == 300 * n_protocols + 60 * 2


def test_demo_writes_self_contained_reports(demo: tuple[Path, dict]) -> None:
    """Cohort, Asan and patient reports exist, embed their figures and carry the disclaimer."""
    _, doc = demo
    for key in ("cohort", "asan", "patient"):
        html = Path(doc["reports"][key]).read_text("utf-8")
        assert "not a medical device" in html
        assert not re.search(r'(src|href)="https?://', html)
        assert 'src="data:image/png;base64,' in html
    cohort = Path(doc["reports"]["cohort"]).read_text("utf-8")
    for section in (
        "flow",
        "baseline",
        "survival",
        "landmark",
        "intensification",
        "genotype-mrd",
        "models",
        "what-if",
        "caveats",
        "replication-asan",
        "replication-ukall2003",
    ):
        assert f'<section id="{section}">' in cohort
    assert cohort.index('id="intensification"') < cohort.index('id="replication-asan"')
    assert "T-ALL" in cohort  # the genotype model has a T-ALL tier (model_tier)


def test_demo_is_reproducible_and_its_summary_points_at_the_registry(
    demo: tuple[Path, dict], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same seed gives the same 5-year EFS by group, and the text summary prints them in
    percent with group labels, the test's p as the reports write it, and the one line that
    points the CLI at the demo registry."""
    _, doc = demo
    args = ["demo", "--out", str(tmp_path), "--n", "300", "--asan-n", "60", "--replicates", "2"]
    assert main(args) == 0
    text = capsys.readouterr().out
    labels = {"sr": "standard risk", "mr": "medium risk", "hr": "high risk"}
    for group, efs in doc["efs_5y"].items():
        line = next(ln for ln in text.splitlines() if f"5-year EFS, {labels[group]} " in ln)
        assert f"{100 * efs:.1f}%" in line  # same value as the first run's JSON
    url = f"sqlite:///{tmp_path.resolve() / 'registry.sqlite'}"
    assert f"export MRDGUIDE_DATABASE_URL={url}\n" in text
    assert "Log-rank test" in text and "p = <" not in text
    assert not re.search(r"\d[eE][-+]?\d", text.replace(url, ""))
    assert "create=True" not in text
    code = main(
        ["patients", "list", "--limit", "1", "--format", "json"], env={"MRDGUIDE_DATABASE_URL": url}
    )
    assert code == 0
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_demo_rejects_unknown_protocol(tmp_path: Path) -> None:
    """An unknown primary protocol is a usage error."""
    assert main(["demo", "--out", str(tmp_path), "--protocol", "nope"]) == 2


def test_pdf_report_when_weasyprint_is_available(tmp_path: Path) -> None:
    """write_pdf renders a real PDF from the report HTML (skipped without WeasyPrint/Pango)."""
    pytest.importorskip("weasyprint")
    from mrdguide.reports.render import write_pdf

    html = "<html><body><h1>mrdguide</h1><p>Research use only.</p></body></html>"
    out = write_pdf(html, tmp_path / "r.pdf")
    assert out is not None
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert len(data) > 1000
