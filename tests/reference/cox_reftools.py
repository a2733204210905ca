"""Helpers shared by the Cox-family R reference tests (not a test module)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from mrdguide.survival import CoxResult

HERE = Path(__file__).parent


def load_csv(name: str, results: str, key: str = "input_sha256") -> dict[str, np.ndarray]:
    """data/<name>.csv as float columns, after checking its sha256 against expected/<results>."""
    csv_path = HERE / "data" / f"{name}.csv"
    prov = json.loads((HERE / "expected" / f"{results}.json").read_text())["provenance"]
    assert prov[key] == hashlib.sha256(csv_path.read_bytes()).hexdigest(), "CSV differs from R's"
    with csv_path.open() as fh:
        rows = list(csv.DictReader(fh))
    return {
        k: np.array([np.nan if r[k] in ("", "NA") else float(r[k]) for r in rows]) for k in rows[0]
    }


def expected(results: str) -> dict[str, Any]:
    """The ``results`` part of expected/<results>.json."""
    ref = json.loads((HERE / "expected" / f"{results}.json").read_text())
    return ref["results"]  # type: ignore[no-any-return]


def num(v: Any) -> np.ndarray:
    """R JSON (null = NA) to a float array."""
    return np.array(v if isinstance(v, list | np.ndarray) else [v], dtype=object).astype(float)


def check_cox_summary(res: CoxResult, r: dict[str, Any], rtol: float) -> None:
    """Every field of r/cox_common.R's ``cox_summary`` against a CoxResult."""
    coef = num(r["coef"])
    est = ~np.isnan(coef)
    np.testing.assert_allclose(res.coef, coef, rtol=rtol, equal_nan=True)
    np.testing.assert_allclose(res.std_err[est], num(r["std_err"])[est], rtol=rtol)
    np.testing.assert_allclose(res.naive_std_err[est], num(r["naive_std_err"])[est], rtol=rtol)
    cov = np.array(r["covariance"], dtype=float)
    np.testing.assert_allclose(
        res.covariance[np.ix_(est, est)], cov[np.ix_(est, est)], rtol=rtol, atol=1e-14
    )
    np.testing.assert_allclose(
        [res.loglik_null, res.loglik], [r["loglik_null"], r["loglik"]], rtol=rtol
    )
    got = [res.lr_test.statistic, res.wald_test.statistic, res.score_test.statistic]
    np.testing.assert_allclose(got, [r["lr_test"], r["wald_test"], r["score_test"]], rtol=rtol)
    if r["rscore"] is None:
        assert res.robust_score_test is None
    else:
        assert res.robust_score_test is not None
        np.testing.assert_allclose(res.robust_score_test.statistic, r["rscore"], rtol=rtol)
    assert res.iterations == r["iterations"]
    assert (res.n, res.n_events) == (r["n"], r["n_events"])
    np.testing.assert_allclose(res.concordance, r["concordance"], rtol=1e-12)
    np.testing.assert_allclose(res.concordance_std_err, r["concordance_std"], rtol=rtol)
    # times go through JSON at 15 significant digits
    np.testing.assert_allclose(res.baseline_time, num(r["baseline_time"]), rtol=1e-14)
    np.testing.assert_allclose(res.baseline_cumhaz, num(r["baseline_cumhaz"]), rtol=rtol)
