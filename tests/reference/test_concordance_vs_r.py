"""concordance_index against R survival::concordance(..., reverse = TRUE) (r/concordance_lung.R).

Pair counts are exact integers; C is compared at 1e-12.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mrdguide.survival import concordance_index

pytestmark = pytest.mark.reference
HERE = Path(__file__).parent

CASES = [
    ("concordance_lung", "age", "age", None),
    ("concordance_lung", "ph_ecog", "ph.ecog", None),
    ("concordance_lung", "ph_ecog_strata_sex", "ph.ecog", "sex"),
    ("concordance_sim", "sim", "score", None),
    ("concordance_sim", "sim_strata", "score", "stratum"),
]


def load(name: str, key: str) -> dict[str, np.ndarray]:
    """Load a CSV after checking its sha256 against the provenance entry ``key``."""
    csv_path = HERE / "data" / f"{name}.csv"
    prov = json.loads((HERE / "expected" / "concordance_lung.json").read_text())["provenance"]
    assert prov[key] == hashlib.sha256(csv_path.read_bytes()).hexdigest(), "CSV differs from R's"
    with csv_path.open() as fh:
        rows = list(csv.DictReader(fh))
    return {k: np.array([float(r[k]) for r in rows]) for k in rows[0]}


def expected(label: str) -> dict[str, Any]:
    """R's result for one case."""
    ref = json.loads((HERE / "expected" / "concordance_lung.json").read_text())
    return ref["results"][label]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("name", "label", "score", "strata"), CASES, ids=[c[1] for c in CASES])
def test_concordance_counts(name: str, label: str, score: str, strata: str | None) -> None:
    """C and the concordant/discordant/tied counts equal R's."""
    key = "input_sha256" if name == "concordance_lung" else "input2_sha256"
    d = load(name, key)
    res = concordance_index(
        d["time"], d["event"], d[score], strata=None if strata is None else d[strata]
    )
    r = expected(label)
    np.testing.assert_allclose(res.concordance, r["concordance"], rtol=1e-12)
    got = [res.concordant, res.discordant, res.tied_risk, res.tied_time, res.tied_both]
    want = [r["concordant"], r["discordant"], r["tied_risk"], r["tied_time"], r["tied_both"]]
    np.testing.assert_array_equal(got, want)
