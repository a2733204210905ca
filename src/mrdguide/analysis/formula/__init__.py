"""R-style formula interface to the survival engine (pandas + formulaic, imported lazily).

``coxph("Surv(time, event) ~ age + C(subtype) + log10(mrd) + strata(sex) + cluster(id)", df)``
and ``finegray("Event(time, cause) ~ ...", df)`` build the design with R's treatment contrasts
and call :func:`mrdguide.survival.cox_ph` / :func:`mrdguide.survival.fine_gray`;
:func:`survfit` and :func:`survdiff` are thin wrappers of Kaplan–Meier and the log-rank test.
See the section "Formulas" of docs/survival-cox.md.
"""

from mrdguide.analysis.formula._cox import CoxModel, coxph
from mrdguide.analysis.formula._finegray import FineGrayModel, finegray
from mrdguide.analysis.formula._nonparam import LogRankResult, SurvfitResult, survdiff, survfit
from mrdguide.analysis.formula._summary import RegressionSummary

__all__ = [
    "CoxModel",
    "FineGrayModel",
    "LogRankResult",
    "RegressionSummary",
    "SurvfitResult",
    "coxph",
    "finegray",
    "survdiff",
    "survfit",
]
