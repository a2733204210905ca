"""Issue 15: in a demo-sized simulated cohort the fitted tier curves do not cross."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.risk import ModelSpec, fit_relapse_model, mrd_thresholds, risk_curve
from mrdguide.risk.cases import model_tier
from mrdguide.risk.design import MODEL_TIERS
from mrdguide.simulate import simulate_cohort


@pytest.fixture(scope="module")
def model() -> object:
    cases = simulate_cohort(3000, seed=20251123, method="pcr").to_cases()
    spec = ModelSpec(group_levels=MODEL_TIERS)
    return fit_relapse_model(cases, spec, method="fine_gray", group_of=model_tier)


def test_uk_intermediate_never_carries_more_risk_than_high(model: object) -> None:
    """Predicted 5-y relapse: good <= intermediate <= high at every MRD from 1e-6 to 0.1."""
    grid = np.linspace(-6.0, -1.0, 51)
    curve = {g: risk_curve(model, g, grid) for g in ("good", "intermediate", "high")}  # type: ignore[arg-type]
    assert np.all(curve["good"] <= curve["intermediate"])
    assert np.all(curve["intermediate"] <= curve["high"])


def test_t_all_has_its_own_tier_and_thresholds_are_ordered(model: object) -> None:
    """T-ALL patients enter the model; 10% thresholds fall with genetic risk, in words when
    they lie below every assay's sensitivity."""
    assert "T-ALL" in model.spec.group_levels  # type: ignore[attr-defined]
    table = mrd_thresholds(model, (0.10,))  # type: ignore[arg-type]
    assert table.ordered, table.caveats
    order = table.group_order
    assert order.index("good") < order.index("intermediate") < order.index("high")
    for t in table.thresholds:
        if t.below_detection:
            assert t.statement.startswith("risk ≥ 10%")
        else:
            assert t.statement.startswith("MRD ≥")
