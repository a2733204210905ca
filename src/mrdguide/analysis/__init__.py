"""Cohort-level workflows composed from the core (pure; no I/O).

Outcome tables by risk group or MRD band (:func:`km_by_group`, :func:`cif_by_group`), landmark
analyses by MRD band and of MRD-triggered intensification, multivariable Cox and Fine–Gray
models from a landmark, the baseline table, and the whole cohort analysis that the reports show
(:func:`analyze_cohort`), and an R-style formula interface to the survival engine
(:func:`coxph`, :func:`finegray`, :func:`survfit`, :func:`survdiff`; needs the ``formula``
extra: pandas and formulaic, imported only when a formula is fitted).
"""

from mrdguide.analysis._endpoints import EndpointTable, endpoint_table, mrd_band_labels
from mrdguide.analysis.baseline import BaselineRow, BaselineTable, baseline_table
from mrdguide.analysis.cohort import (
    CohortAnalysis,
    CohortFlow,
    Methods,
    ProtocolInfo,
    WhatIf,
    analyze_cohort,
    cohort_flow,
    landmark_day_for,
)
from mrdguide.analysis.formula import (
    CoxModel,
    FineGrayModel,
    LogRankResult,
    RegressionSummary,
    SurvfitResult,
    coxph,
    finegray,
    survdiff,
    survfit,
)
from mrdguide.analysis.landmarks import (
    IntensificationRow,
    LandmarkAnalysis,
    at_risk_after,
    intensification_table,
    landmark_by_mrd,
)
from mrdguide.analysis.outcomes import (
    Estimate,
    FollowUp,
    GroupCurve,
    GroupedIncidence,
    GroupedSurvival,
    cif_by_group,
    km_by_group,
    label_counts,
    median_follow_up,
)
from mrdguide.analysis.regression import ModelRow, ModelSummary, covariate_matrix, fit_models

__all__ = [
    "BaselineRow",
    "BaselineTable",
    "CohortAnalysis",
    "CohortFlow",
    "CoxModel",
    "EndpointTable",
    "Estimate",
    "FineGrayModel",
    "FollowUp",
    "GroupCurve",
    "GroupedIncidence",
    "GroupedSurvival",
    "IntensificationRow",
    "LandmarkAnalysis",
    "LogRankResult",
    "Methods",
    "ModelRow",
    "ModelSummary",
    "ProtocolInfo",
    "RegressionSummary",
    "SurvfitResult",
    "WhatIf",
    "analyze_cohort",
    "at_risk_after",
    "baseline_table",
    "cif_by_group",
    "cohort_flow",
    "covariate_matrix",
    "coxph",
    "endpoint_table",
    "finegray",
    "fit_models",
    "intensification_table",
    "km_by_group",
    "label_counts",
    "landmark_by_mrd",
    "landmark_day_for",
    "median_follow_up",
    "mrd_band_labels",
    "survdiff",
    "survfit",
]
