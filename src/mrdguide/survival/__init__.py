"""Survival and competing-risks estimators (pure core)."""

from mrdguide.survival._cif import CumulativeIncidence, cumulative_incidence
from mrdguide.survival._concordance import ConcordanceResult, concordance_index
from mrdguide.survival._cox import CoxResult, cox_ph
from mrdguide.survival._cox_predict import PredictedSurvival
from mrdguide.survival._cox_predict_lp import CoxPrediction
from mrdguide.survival._fg_predict import PredictedIncidence
from mrdguide.survival._finegray import FineGrayResult, fine_gray
from mrdguide.survival._gray import gray_test
from mrdguide.survival._km import MedianSurvival, RestrictedMean, SurvivalCurve, kaplan_meier
from mrdguide.survival._landmark import LandmarkData, landmark
from mrdguide.survival._logrank import logrank_test
from mrdguide.survival._types import TestResult
from mrdguide.survival._zph import PHTestResult, proportional_hazards_test

__all__ = [
    "ConcordanceResult",
    "CoxPrediction",
    "CoxResult",
    "CumulativeIncidence",
    "FineGrayResult",
    "LandmarkData",
    "MedianSurvival",
    "PHTestResult",
    "PredictedIncidence",
    "PredictedSurvival",
    "RestrictedMean",
    "SurvivalCurve",
    "TestResult",
    "concordance_index",
    "cox_ph",
    "cumulative_incidence",
    "fine_gray",
    "gray_test",
    "kaplan_meier",
    "landmark",
    "logrank_test",
    "proportional_hazards_test",
]
