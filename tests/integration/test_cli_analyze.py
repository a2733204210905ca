"""`mrdguide analyze`: outcome tables from the registry equal direct survival calls."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest

from mrdguide.analysis._endpoints import endpoint_table, mrd_band_labels
from mrdguide.cli.main import main
from mrdguide.domain import Timepoint
from mrdguide.protocols import assess
from mrdguide.simulate import simulate_cohort
from mrdguide.store import open_registry
from mrdguide.survival import gray_test, kaplan_meier, logrank_test

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list]:
    """A registry with 500 simulated patients (and the cases as read back)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('an') / 'r.sqlite'}"
    with open_registry(url) as r:
        r.add_cases(simulate_cohort(500, seed=31).to_cases(), source="test")
        cases = list(r.iter_cases())
    return url, cases


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["analyze", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_efs_by_protocol_group_equals_direct_km(
    reg: tuple[str, list], capsys: pytest.CaptureFixture[str]
) -> None:
    """Each group's 5-year EFS and the log-rank p equal direct survival calls."""
    url, cases = reg
    doc = _run(["efs", "--db", url, "--protocol", "ukall2003"], capsys)
    t = endpoint_table(cases)
    by = {c.patient_id: c for c in cases}
    g = np.array([assess(by[p], "ukall2003").risk_group for p in t.patient_id])
    keep = g != "not_assignable"
    for row in doc["rows"]:
        m = keep & (g == row["group"])
        km = kaplan_meier(t.efs_days[m], t.efs_event[m])
        assert row["n"] == int(m.sum())
        want = float(km.at(5 * 365.25))  # NaN past the group's follow-up, as R
        if np.isnan(want):
            assert row["estimate"] is None  # strict JSON: no estimate, not a carried value
        else:
            assert row["estimate"] == pytest.approx(want, rel=1e-12)
    lr = logrank_test(t.efs_days[keep], t.efs_event[keep], g[keep])
    assert doc["p_value"] == pytest.approx(lr.p_value, rel=1e-12)


def test_cir_by_mrd_band_from_landmark(
    reg: tuple[str, list], capsys: pytest.CaptureFixture[str]
) -> None:
    """CIR by EOI MRD band starts at the landmark; Gray's p equals a direct call."""
    url, cases = reg
    doc = _run(["cir", "--db", url, "--mrd", "eoi"], capsys)
    assert doc["landmark_day"] is not None
    assert {r["group"] for r in doc["rows"]} <= {"negative", "<1e-04", "1e-04–1e-03", "≥1e-03"}
    t = endpoint_table(cases)
    by = {c.patient_id: c for c in cases}
    band = np.array(mrd_band_labels([by[p] for p in t.patient_id], Timepoint.EOI))
    lm = doc["landmark_day"]
    keep = (band != "missing") & t.cir_evaluable() & (np.nan_to_num(t.cir_days) > lm)
    gt = gray_test(t.cir_days[keep] - lm, t.cir_cause[keep], band[keep])
    assert doc["p_value"] == pytest.approx(gt.p_value, rel=1e-12)


def test_bad_arguments(reg: tuple[str, list]) -> None:
    """Unknown endpoint or protocol, or both groupings at once, are usage errors."""
    url, _ = reg
    assert main(["analyze", "pfs", "--db", url]) == 2
    assert main(["analyze", "efs", "--db", url, "--protocol", "nope"]) == 2
    assert main(["analyze", "efs", "--db", url, "--protocol", "ukall2003", "--mrd", "eoi"]) == 2


def test_text_labels_groups_in_risk_order_with_one_p_convention(
    reg: tuple[str, list], capsys: pytest.CaptureFixture[str]
) -> None:
    """Text reads group labels in risk order and the reports' p convention, no e-notation."""
    url, _ = reg
    doc = _run(["efs", "--db", url, "--protocol", "ukall2003"], capsys)
    assert main(["analyze", "efs", "--db", url, "--protocol", "ukall2003", "--wide"]) == 0
    text = capsys.readouterr().out
    labels = {
        "mrd-low": "MRD low",
        "mrd-indeterminate": "MRD indeterminate",
        "mrd-high": "MRD high",
    }
    present = [labels[r["group"]] for r in doc["rows"]]
    assert [w for w in ("MRD low", "MRD indeterminate", "MRD high") if w in present] == present
    lines = [ln.strip() for ln in text.splitlines()]
    starts = [next(i for i, ln in enumerate(lines) if ln.startswith(w + " ")) for w in present]
    assert starts == sorted(starts)
    p = doc["p_value"]
    expected = "p < 0.001" if p < 0.001 else f"p = {p:.2g}"
    assert f"log-rank test χ² = {doc['statistic']:.1f}, {expected}" in text
    assert not re.search(r"\d[eE][-+]?\d", text)
    assert "UKALL2003 risk group" in text


def test_plot_and_csv_outputs(
    reg: tuple[str, list], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--plot writes the figure, --out and --format csv the table with codes and fractions."""
    url, _ = reg
    doc = _run(["cir", "--db", url, "--mrd", "eoi"], capsys)
    png, csv_path = tmp_path / "cir.png", tmp_path / "cir.csv"
    args = ["analyze", "cir", "--db", url, "--mrd", "eoi"]
    assert main([*args, "--plot", str(png), "--out", str(csv_path)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (png.stat().st_mode & 0o777) == 0o600
    written = list(csv.DictReader(io.StringIO(csv_path.read_text("utf-8"))))
    assert [r["group"] for r in written] == [r["group"] for r in doc["rows"]]
    for got, row in zip(written, doc["rows"], strict=True):
        assert float(got["estimate"]) == row["estimate"]
        assert int(got["n"]) == row["n"]
    assert written[0]["group"] == "negative" and written[0]["group_label"] == "MRD negative"
    capsys.readouterr()
    assert main([*args, "--format", "csv"]) == 0
    assert capsys.readouterr().out == csv_path.read_text("utf-8")
    assert main([*args, "--plot", str(tmp_path / "cir.jpg")]) == 2
