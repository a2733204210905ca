"""Cause-specific absolute risk against R (survival 3.5-3 multi-state coxph + survfit).

Expected values come from ``r/cs_absolute_risk.R`` run on ``data/cs_absolute_risk.csv``
(written by ``r/cs_absolute_risk_input.py``); event times are untied, where R's multi-state
Aalen–Johansen and the Breslow-increment combination used here coincide.
"""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.risk import Covariates, ModelSpec, RiskData, fit_relapse_model, predict_cif

from ._rref import load


def _load() -> tuple[RiskData, dict[str, object]]:
    cols, expected = load("cs_absolute_risk")
    gi, gh, m, neg = cols["gi"], cols["gh"], cols["m"], cols["neg"] == 1
    group = tuple(
        "intermediate" if i else "high" if h else "good" for i, h in zip(gi, gh, strict=True)
    )
    level = 10.0 ** (m - 4)
    cov = Covariates(
        group=group,
        mrd=np.where(neg, 0.0, level),
        # a negative was coded at log10(sensitivity / 2): recover its sensitivity
        sensitivity=np.where(neg, 2 * level, 1e-5),
    )
    return RiskData(covariates=cov, time=cols["time"], cause=cols["cause"].astype(int)), expected


def test_cause_specific_cif_matches_r_multistate_survfit() -> None:
    """Coefficients and 5-year CIR of four profiles equal R's to 1e-6 (iterative fits)."""
    data, expected = _load()
    spec = ModelSpec(interaction=False, competing_terms="all")
    model = fit_relapse_model(data, spec, method="cause_specific")
    assert model.competing is not None
    np.testing.assert_allclose(model.coef, expected["coef_relapse"], rtol=1e-6)
    np.testing.assert_allclose(model.competing.coef, expected["coef_death"], rtol=1e-6)
    nd = expected["newdata"]
    assert isinstance(nd, list)
    groups = ("good", "intermediate", "high", "good")
    m = np.array([row["m"] for row in nd])
    neg = np.array([row["neg"] for row in nd]) == 1
    cov = Covariates(
        group=groups,
        mrd=np.where(neg, 0.0, 10.0 ** (m - 4)),
        sensitivity=np.where(neg, 2 * 10.0 ** (m - 4), 1e-5),
    )
    got = predict_cif(model, cov, horizon_days=float(expected["horizon_days"]))  # type: ignore[arg-type]
    np.testing.assert_allclose(got, expected["cif_relapse"], rtol=1e-6)
    assert got[2] > got[1] > got[0] > got[3]


@pytest.mark.parametrize("competing_terms", ["main", "none"])
def test_competing_terms_change_only_the_competing_model(competing_terms: str) -> None:
    """Changing the competing model's terms leaves the relapse coefficients unchanged."""
    data, expected = _load()
    spec = ModelSpec(interaction=False, competing_terms=competing_terms)  # type: ignore[arg-type]
    model = fit_relapse_model(data, spec, method="cause_specific")
    np.testing.assert_allclose(model.coef, expected["coef_relapse"], rtol=1e-6)
    assert model.competing is not None
    if competing_terms == "none":
        assert np.all(model.competing.coef == 0)
