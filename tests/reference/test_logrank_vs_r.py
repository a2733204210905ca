"""G-rho log-rank tests against R survival::survdiff (committed reference JSON)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mrdguide.survival import logrank_test

pytestmark = pytest.mark.reference
HERE = Path(__file__).parent
RTOL = 1e-10
TEXT_COLUMNS: set[str] = set()


def _num(v: Any) -> Any:
    if isinstance(v, list):
        return np.array([_num(x) for x in v], dtype=np.float64)
    if isinstance(v, np.ndarray):
        return v
    if v is None or v in {"NA", "NaN"}:
        return np.nan
    if v == "Inf":
        return np.inf
    if v == "-Inf":
        return -np.inf
    return v


def load(name: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Load data/<name>.csv and expected/<name>.json, checking the recorded input hash."""
    csv_path = HERE / "data" / f"{name}.csv"
    ref = json.loads((HERE / "expected" / f"{name}.json").read_text())
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    assert ref["provenance"]["input_sha256"] == digest, "CSV differs from the one R used"
    with csv_path.open() as fh:
        rows = list(csv.DictReader(fh))
    cols = {
        k: np.array([np.nan if r[k] in ("", "NA") else float(r[k]) for r in rows])
        for k in rows[0]
        if k not in TEXT_COLUMNS
    }
    return cols, ref["results"]


def close(actual: Any, expected: Any, rtol: float = RTOL) -> None:
    """Assert equality to rtol with NaN matching NaN (R's NA)."""
    np.testing.assert_allclose(actual, _num(expected), rtol=rtol, atol=0, equal_nan=True)


CASES = [
    ("logrank_lung", "rho0", "sex", None, 0.0),
    ("logrank_lung", "rho1", "sex", None, 1.0),
    ("logrank_lung", "ecog", "ph_ecog", None, 0.0),
    ("logrank_veteran", "k4", "celltype", None, 0.0),
    ("logrank_veteran", "k4_strata", "celltype", "trt", 0.0),
    ("logrank_veteran", "k4_strata_rho1", "celltype", "trt", 1.0),
    ("logrank_colon", "rx", "rx", None, 0.0),
    ("logrank_colon", "rx_strata_sex", "rx", "sex", 0.0),
    ("logrank_colon", "rx_rho1", "rx", None, 1.0),
    ("logrank_pbc", "trt", "trt", None, 0.0),
    ("logrank_pbc", "trt_strata_edema", "trt", "edema", 0.0),
    ("logrank_pbc", "stage_strata_edema_rho1", "stage", "edema", 1.0),
    ("logrank_sim", "k5", "group", None, 0.0),
    ("logrank_sim", "k5_strata", "group", "strata", 0.0),
    ("logrank_sim", "k5_strata_rho1", "group", "strata", 1.0),
    ("logrank_sim", "k5_rho05", "group", None, 0.5),
]


@pytest.mark.parametrize(("name", "key", "group", "strata", "rho"), CASES)
def test_survdiff(name: str, key: str, group: str, strata: str | None, rho: float) -> None:
    """Statistic, p-value, df and weighted observed/expected equal survdiff."""
    d, ref = load(name)
    keep = ~np.isnan(d[group])
    res = logrank_test(
        d["time"][keep],
        d["status"][keep],
        d[group][keep],
        strata=None if strata is None else d[strata][keep],
        rho=rho,
    )
    r = ref[key]
    close([res.statistic, res.p_value], [r["chisq"], r["pvalue"]])
    assert res.df == r["df"]
    close(res.observed, r["obs"])
    close(res.expected, r["exp"])
