"""`mrdguide analyze`: outcome tables from the registry equal direct survival calls."""

from __future__ import annotations

import json

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
