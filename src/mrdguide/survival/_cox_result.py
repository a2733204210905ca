"""The result type of :func:`mrdguide.survival.cox_ph` and its methods."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from numpy.typing import NDArray

from mrdguide.survival._cox_core import CoxData
from mrdguide.survival._types import FloatArray, TestResult, dataclass_to_dict

if TYPE_CHECKING:
    from mrdguide.survival._cox_predict import PredictedSurvival
    from mrdguide.survival._cox_predict_lp import CoxPrediction

__all__ = ["CoxResult"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CoxResult:
    """A fitted Cox model.

    Arrays are per covariate (in ``names`` order); a covariate that is not estimable (aliased)
    has NaN in every per-covariate field and NaN rows/columns in ``covariance``.

    ``covariance`` and ``std_err`` are the variance named by ``variance``: ``"model"`` (inverse
    information), ``"robust"`` (sandwich, every row its own cluster) or ``"cluster"`` (grouped
    sandwich over the ``n_clusters`` clusters of ``cluster=``, R's ``cluster(id)``);
    ``naive_covariance`` is always the inverse information. ``baseline_cumhaz`` is the
    cumulative baseline hazard at covariates = 0 and offset = 0 (uncentred), at every distinct
    ``baseline_time`` of its stratum (``baseline_strata``, ``None`` if unstratified).
    ``concordance`` and ``concordance_std_err`` are R's ``fit$concordance`` (NaN when the fit
    was called with ``concordance=False``). ``design`` holds the data the fit used (sorted by
    stratum and time; needed by the residuals, predictions and
    :func:`proportional_hazards_test`).
    """

    names: tuple[str, ...]
    coef: FloatArray
    std_err: FloatArray
    naive_std_err: FloatArray
    hazard_ratio: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    z: FloatArray
    p_value: FloatArray
    covariance: FloatArray
    naive_covariance: FloatArray
    loglik_null: float
    loglik: float
    lr_test: TestResult
    wald_test: TestResult
    score_test: TestResult
    robust_score_test: TestResult | None
    concordance: float
    concordance_std_err: float
    n: int
    n_events: int
    n_clusters: int | None
    iterations: int
    converged: bool
    ties: str
    robust: bool
    variance: str
    timefix: bool
    means: FloatArray
    baseline_time: FloatArray
    baseline_cumhaz: FloatArray
    baseline_strata: NDArray[Any] | None
    design: CoxData = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation (without the stored design)."""
        out = dataclass_to_dict(self)
        out.pop("design")
        return out

    def residuals(
        self, kind: str = "martingale", *, weighted: bool | None = None, collapse: Any = None
    ) -> FloatArray:
        """Residuals of the fit, one row per input row (R ``residuals.coxph``).

        See :func:`mrdguide.survival._cox_residuals.cox_residuals` for the kinds and their
        R-compatibility notes.
        """
        from mrdguide.survival._cox_residuals import cox_residuals

        return cox_residuals(self, kind, weighted=weighted, collapse=collapse)

    def predict(
        self,
        X_new: Any = None,
        kind: str = "lp",
        *,
        time: Any = None,
        entry: Any = None,
        strata: Any = None,
        offset: Any = None,
        reference: str = "strata",
    ) -> CoxPrediction:
        """Linear predictor, relative risk or expected events (R ``predict.coxph``).

        See :func:`mrdguide.survival._cox_predict_lp.cox_predict`.
        """
        from mrdguide.survival._cox_predict_lp import cox_predict

        return cox_predict(
            self,
            X_new,
            kind,
            time=time,
            entry=entry,
            strata=strata,
            offset=offset,
            reference=reference,
        )

    def predict_survival(
        self,
        X_new: Any,
        times: Any,
        *,
        strata: Any = None,
        offset: Any = None,
        conf_level: float = 0.95,
        conf_type: str = "log",
        extend: bool = False,
    ) -> PredictedSurvival:
        """Predicted survival curves with pointwise CIs (R ``survfit(fit, newdata)``).

        See :func:`mrdguide.survival._cox_predict.cox_predict_survival`.
        """
        from mrdguide.survival._cox_predict import cox_predict_survival

        return cox_predict_survival(
            self,
            X_new,
            times,
            strata=strata,
            offset=offset,
            conf_level=conf_level,
            conf_type=conf_type,
            extend=extend,
        )
