"""concordance_index(timewt=, ymax=, weights=, cluster=, entry=) and its SE against R
survival::concordance(..., reverse = TRUE) (r/concordance_timewt.R).

Closed form: counts, C and the standard error at 1e-10.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import concordance_index

from ._rref import read_csv, results

pytestmark = pytest.mark.reference
RTOL = 1e-10
TIMEWT = {"n": "n", "S": "S", "SG": "S/G", "nG2": "n/G2", "I": "I"}
FIELDS = ["concordance", "concordant", "discordant", "tied_risk", "tied_time", "tied_both"]


def _check(res: Any, r: dict[str, Any]) -> None:
    np.testing.assert_allclose([getattr(res, f) for f in FIELDS], [r[f] for f in FIELDS],
                               rtol=RTOL, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(res.std_err, r["std_err"], rtol=RTOL)


@pytest.mark.parametrize("label", list(TIMEWT))
@pytest.mark.parametrize(
    ("case", "score", "extra"),
    [
        ("age", "age", {}),
        ("ecog_weights", "ph.ecog", {"weights": "w"}),
        ("ecog_strata", "ph.ecog", {"strata": "sex"}),
        ("age_ymax", "age", {"ymax": 400.0}),
    ],
)
def test_lung_timewt(case: str, score: str, extra: dict[str, Any], label: str) -> None:
    """Every time weighting, with weights, strata and ymax, equals R (counts, C and SE)."""
    d = read_csv("concordance_timewt_lung", "concordance_timewt")
    kw = {k: (d[v] if isinstance(v, str) else v) for k, v in extra.items()}
    res = concordance_index(d["time"], d["event"], d[score], timewt=TIMEWT[label], **kw)
    _check(res, results("concordance_timewt")[case][label])
    assert res.timewt == TIMEWT[label]


def test_lung_cluster() -> None:
    """Clustered (by institution) standard error equals R's."""
    d = read_csv("concordance_timewt_lung", "concordance_timewt")
    res = concordance_index(d["time"], d["event"], d["age"], cluster=d["inst"])
    _check(res, results("concordance_timewt")["age_cluster"])


@pytest.mark.parametrize(("case", "cluster"), [("heart", False), ("heart_cluster", True)])
def test_counting_process(case: str, cluster: bool) -> None:
    """(start, stop] data, with and without clustering by patient, equal R's."""
    d = read_csv("concordance_timewt_heart", "concordance_timewt", key="input2_sha256")
    res = concordance_index(
        d["stop"], d["event"], d["age"], entry=d["start"], cluster=d["id"] if cluster else None
    )
    _check(res, results("concordance_timewt")[case])
