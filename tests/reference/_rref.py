"""Shared helpers for the closed-form R reference tests: load inputs, check hashes, compare."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
RTOL = 1e-10
TEXT_COLUMNS = frozenset({"sex", "group"})


def as_num(v: Any) -> Any:
    """R JSON value(s) to numbers: NA/NaN -> nan, "Inf" -> inf, lists -> float arrays."""
    if isinstance(v, list):
        return np.array([as_num(x) for x in v], dtype=np.float64)
    if isinstance(v, np.ndarray):
        return v
    if v is None or v in {"NA", "NaN"}:
        return np.nan
    if v == "Inf":
        return np.inf
    if v == "-Inf":
        return -np.inf
    return v


def load(
    name: str, text_columns: Iterable[str] = TEXT_COLUMNS
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
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
        if k not in set(text_columns)
    }
    return cols, ref["results"]


def close(actual: Any, expected: Any, rtol: float = RTOL) -> None:
    """Assert equality to rtol with NaN matching NaN (R's NA)."""
    np.testing.assert_allclose(actual, as_num(expected), rtol=rtol, atol=0, equal_nan=True)
