"""Survival and competing-risks estimators (pure core)."""

from mrdguide.survival._cif import CumulativeIncidence, cumulative_incidence
from mrdguide.survival._concordance import ConcordanceResult, concordance_index
from mrdguide.survival._counting import CountingProcess, counting_process, survsplit
from mrdguide.survival._cox import CoxResult, cox_ph
from mrdguide.survival._cox_predict import PredictedSurvival
from mrdguide.survival._cox_predict_lp import CoxPrediction
from mrdguide.survival._fg_predict import PredictedIncidence
from mrdguide.survival._finegray import FineGrayResult, fine_gray
from mrdguide.survival._gray import gray_test
from mrdguide.survival._km import MedianSurvival, SurvivalCurve, kaplan_meier
from mrdguide.survival._km_summary import SurvivalSummary
from mrdguide.survival._landmark import LandmarkData, landmark
from mrdguide.survival._logrank import logrank_test
from mrdguide.survival._multistate import StateOccupancy, aalen_johansen
from mrdguide.survival._quantile import SurvivalQuantiles
from mrdguide.survival._rmst import RestrictedMean, RMSTComparison, RMSTContrast
from mrdguide.survival._rmst_compare import compare_rmst
from mrdguide.survival._types import TestResult
from mrdguide.survival._zph import PHTestResult, proportional_hazards_test

__all__ = [
    "ConcordanceResult",
    "CountingProcess",
    "CoxPrediction",
    "CoxResult",
    "CumulativeIncidence",
    "FineGrayResult",
    "LandmarkData",
    "MedianSurvival",
    "PHTestResult",
    "PredictedIncidence",
    "PredictedSurvival",
    "RMSTComparison",
    "RMSTContrast",
    "RestrictedMean",
    "StateOccupancy",
    "SurvivalCurve",
    "SurvivalQuantiles",
    "SurvivalSummary",
    "TestResult",
    "aalen_johansen",
    "compare_rmst",
    "concordance_index",
    "counting_process",
    "cox_ph",
    "cumulative_incidence",
    "fine_gray",
    "gray_test",
    "kaplan_meier",
    "landmark",
    "logrank_test",
    "proportional_hazards_test",
    "survsplit",
]
