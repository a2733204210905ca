"""Genotype-specific MRD relapse-risk model (pure core).

Fit a Fine–Gray or cause-specific Cox relapse model with competing death in remission on
genetic group x log10 MRD (O'Connor et al., JCO 2018; PIUKALL, Enshaei et al., Blood 2020),
predict one patient's 5-year cumulative incidence of relapse with a confidence interval, derive
genotype-specific MRD thresholds, and validate by cross-validation or bootstrap.
Research use only: outputs are estimates, not treatment recommendations.
"""

from mrdguide.risk._types import HazardFit, Method, Provenance, RelapseModel
from mrdguide.risk.cases import covariates_from_case, model_tier, risk_data_from_cases, uk_tier
from mrdguide.risk.design import (
    MODEL_TIERS,
    T_ALL_TIER,
    UK_TIERS,
    Covariates,
    DesignMatrix,
    ModelSpec,
    RiskData,
    coded_log10_mrd,
    design_matrix,
    rcs_basis,
)
from mrdguide.risk.fit import fit_relapse_model
from mrdguide.risk.persist import cohort_sha256
from mrdguide.risk.predict import RiskPrediction, predict_cif, predict_risk
from mrdguide.risk.thresholds import GroupThreshold, ThresholdTable, mrd_thresholds, risk_curve
from mrdguide.risk.validation import (
    CrossValidationResult,
    Metrics,
    OptimismResult,
    bootstrap_optimism,
    cross_validate,
)

__all__ = [
    "MODEL_TIERS",
    "T_ALL_TIER",
    "UK_TIERS",
    "Covariates",
    "CrossValidationResult",
    "DesignMatrix",
    "GroupThreshold",
    "HazardFit",
    "Method",
    "Metrics",
    "ModelSpec",
    "OptimismResult",
    "Provenance",
    "RelapseModel",
    "RiskData",
    "RiskPrediction",
    "ThresholdTable",
    "bootstrap_optimism",
    "coded_log10_mrd",
    "cohort_sha256",
    "covariates_from_case",
    "cross_validate",
    "design_matrix",
    "fit_relapse_model",
    "model_tier",
    "mrd_thresholds",
    "predict_cif",
    "predict_risk",
    "rcs_basis",
    "risk_curve",
    "risk_data_from_cases",
    "uk_tier",
]
