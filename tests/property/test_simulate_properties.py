"""Property tests: invariants of simulated cohorts for arbitrary seeds, sizes and assays."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mrdguide.domain import OutcomeKind, derive_endpoints
from mrdguide.simulate import default_params, simulate_cohort

PARAMS = default_params().with_intensification(fraction=0.7, confounding_log_or=-1.0)


@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 60),
    method=st.sampled_from(["flow", "pcr", "ngs"]),
    followup=st.floats(0.2, 8.0),
)
def test_every_simulated_case_is_internally_consistent(
    seed: int, n: int, method: str, followup: float
) -> None:
    """Cases are valid, time-ordered and agree with the endpoint columns."""
    c = simulate_cohort(n, seed=seed, params=PARAMS, method=method, followup_years=followup)
    cols = c.columns
    assert np.all(cols["efs_days"] <= cols["os_days"])
    for i, case in enumerate(c.to_cases()):
        ep = derive_endpoints(case.outcomes)
        assert ep.efs_days == cols["efs_days"][i]
        fu = [o.day for o in case.outcomes if o.kind is OutcomeKind.LAST_FOLLOW_UP]
        assert len(fu) == 1
        assert all(o.day <= fu[0] for o in case.outcomes)
        for t in case.treatments:
            assert t.day < ep.efs_days
            assert t.day <= fu[0]
