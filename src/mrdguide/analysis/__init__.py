"""Cohort-level workflows composed from the core (pure; no I/O).

Outcome tables by risk group or MRD band (:func:`km_by_group`, :func:`cif_by_group`), landmark
analyses by MRD band and of MRD-triggered intensification, multivariable Cox and Fine–Gray
models from a landmark, the baseline table, and the whole cohort analysis that the reports show
(:func:`analyze_cohort`).
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
    "EndpointTable",
    "Estimate",
    "FollowUp",
    "GroupCurve",
    "GroupedIncidence",
    "GroupedSurvival",
    "IntensificationRow",
    "LandmarkAnalysis",
    "Methods",
    "ModelRow",
    "ModelSummary",
    "ProtocolInfo",
    "WhatIf",
    "analyze_cohort",
    "at_risk_after",
    "baseline_table",
    "cif_by_group",
    "cohort_flow",
    "covariate_matrix",
    "endpoint_table",
    "fit_models",
    "intensification_table",
    "km_by_group",
    "label_counts",
    "landmark_by_mrd",
    "landmark_day_for",
    "median_follow_up",
    "mrd_band_labels",
]
