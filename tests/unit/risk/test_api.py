"""The public API of mrdguide.risk is exactly what __all__ lists."""

from __future__ import annotations

from mrdguide import risk

EXPECTED = {
    "Covariates",
    "DesignMatrix",
    "GroupThreshold",
    "HazardFit",
    "ModelSpec",
    "Provenance",
    "RelapseModel",
    "RiskData",
    "RiskPrediction",
    "ThresholdTable",
    "coded_log10_mrd",
    "cohort_sha256",
    "covariates_from_case",
    "design_matrix",
    "fit_relapse_model",
    "mrd_thresholds",
    "predict_cif",
    "predict_risk",
    "rcs_basis",
    "risk_curve",
    "risk_data_from_cases",
    "uk_tier",
    "model_tier",
    "MODEL_TIERS",
    "T_ALL_TIER",
    "UK_TIERS",
    "CrossValidationResult",
    "Method",
    "Metrics",
    "OptimismResult",
    "bootstrap_optimism",
    "cross_validate",
}


def test_all_is_exact() -> None:
    """__all__ lists the curated names and every one of them exists."""
    assert set(risk.__all__) == EXPECTED
    assert all(hasattr(risk, name) for name in risk.__all__)
