"""End to end on the project's calibrated simulator: cases -> model -> thresholds."""

from __future__ import annotations

import pytest

from mrdguide.risk import ModelSpec, fit_relapse_model, mrd_thresholds, risk_data_from_cases
from mrdguide.simulate import simulate_cohort


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fine_gray", "cause_specific"])
def test_simulated_cohort_gives_genotype_specific_thresholds(method: str) -> None:
    """On 4,000 simulated cases, risk rises with MRD and good-risk genetics tolerate more MRD."""
    cases = simulate_cohort(4000, seed=7, method="pcr").to_cases()
    spec = ModelSpec(interaction=False)
    data = risk_data_from_cases(cases, spec)
    assert len(data) > 3000
    model = fit_relapse_model(data, spec, method=method)  # type: ignore[arg-type]
    coef = model.coef_table()
    assert coef["log10_mrd"][0] > 3 * coef["log10_mrd"][1]
    assert coef["group[intermediate]"][0] > 0
    assert coef["group[high]"][0] > 0
    table = mrd_thresholds(model, (0.15,))
    assert table.ordered, table.caveats
    good = table.get("good", 0.15)
    assert good.mrd is not None
    for g in ("intermediate", "high"):
        other = table.get(g, 0.15)
        assert other.mrd is not None
        assert other.mrd < good.mrd / 10
