"""Fine–Gray subdistribution-hazard regression, equal to R ``cmprsk::crr``.

The pseudo-likelihood, its iteration and crr's variance terms live in :mod:`._fg_core`; this
module validates the inputs, handles aliased columns and clusters, and assembles the result.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from mrdguide.errors import EstimationError, InputError, StatisticalWarning
from mrdguide.survival._cox_inputs import as_cluster, as_design, as_offset
from mrdguide.survival._cox_variance import aliased, collapse_rows
from mrdguide.survival._dist import norm_ppf, norm_sf
from mrdguide.survival._fg_core import FG, newton, objective, prepare_fg, variance_terms
from mrdguide.survival._fitted import FineGrayCurve
from mrdguide.survival._timefix import merge_near_ties
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict
from mrdguide.survival._validate import as_causes, as_times, check_lengths

if TYPE_CHECKING:
    from mrdguide.survival._fg_predict import PredictedIncidence

__all__ = ["FineGrayCurve", "FineGrayResult", "fine_gray"]

Mask = np.ndarray[Any, np.dtype[np.bool_]]
EPS = 1e-9
TOLER_INF = EPS**0.5


@dataclass(frozen=True, slots=True, kw_only=True)
class FineGrayResult:
    """A fitted Fine–Gray model (per-covariate arrays in ``names`` order).

    ``std_err`` and ``covariance`` are crr's robust (sandwich) variance, summed within clusters
    when ``cluster=`` was given (``variance`` is ``"robust"`` or ``"cluster"``). An aliased
    covariate has NaN in every per-covariate field. ``baseline_cumhaz`` is the cumulative
    baseline subdistribution hazard at covariates = 0 (crr's ``cumsum(bfitj)``) at the distinct
    failure times ``baseline_time``; the CIF for covariates ``x`` at ``t`` is
    ``1 - exp(-baseline_cumhaz * exp(x @ coef))`` (as ``predict.crr``; see :meth:`predict`).
    """

    names: tuple[str, ...]
    coef: FloatArray
    std_err: FloatArray
    hazard_ratio: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    z: FloatArray
    p_value: FloatArray
    covariance: FloatArray
    information: FloatArray
    loglik: float
    loglik_null: float
    n: int
    n_events: int
    n_clusters: int | None
    converged: bool
    cause_of_interest: int
    variance: str
    timefix: bool
    means: FloatArray
    baseline_time: FloatArray
    baseline_cumhaz: FloatArray
    max_time: float
    curve: FineGrayCurve = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation (without the prediction pieces)."""
        out = dataclass_to_dict(self)
        out.pop("curve")
        return out

    def predict(
        self,
        X_new: Any,
        times: Any = None,
        *,
        offset: Any = None,
        conf_level: float = 0.95,
        conf_type: str = "log",
        extend: bool = False,
    ) -> PredictedIncidence:
        """Predicted cumulative incidence with pointwise CIs (R ``predict.crr`` plus CIs).

        See :func:`mrdguide.survival._fg_predict.fine_gray_predict`.
        """
        from mrdguide.survival._fg_predict import fine_gray_predict

        return fine_gray_predict(
            self,
            X_new,
            times,
            offset=offset,
            conf_level=conf_level,
            conf_type=conf_type,
            extend=extend,
        )


def _estimable(fg: FG, names: tuple[str, ...]) -> Mask:
    """Mask of estimable columns (R's Cholesky rule on the information at beta = 0)."""
    info = objective(fg, np.zeros(fg.x.shape[1]))[2]
    mad = np.mean(np.abs(fg.x), axis=0)
    scale = np.where(mad > 0, 1.0 / np.where(mad > 0, mad, 1.0), 1.0)
    keep = ~aliased(info, scale)
    if not np.all(keep):
        bad = ", ".join(n for n, k in zip(names, keep, strict=True) if not k)
        warnings.warn(
            f"covariate(s) not estimable (aliased): {bad}; coefficient set to NaN",
            StatisticalWarning,
            stacklevel=4,
        )
    if not np.any(keep):
        raise EstimationError("no estimable covariate")
    return keep


def _full_newton(fg: FG, beta: FloatArray) -> tuple[FloatArray, FloatArray, bool]:
    """Continue from crr's answer with R coxph's rule (|1 - l_old / l_new| <= 1e-9, halving).

    Returns the point, the Newton step there and whether the rule was met; only used to
    detect a monotone pseudo-likelihood (crr stops earlier, on its gradient tolerance).
    """
    b = beta
    f, u, h, _ = objective(fg, b)
    for _ in range(20):
        try:
            step = np.asarray(np.linalg.solve(h, u), dtype=np.float64)
        except np.linalg.LinAlgError:
            return b, np.full(b.size, np.inf), False
        new = b + step
        fn = objective(fg, new, derivs=False)[0]
        for _half in range(10):
            if np.isfinite(fn) and fn >= f:
                break
            new = (new + b) / 2.0
            fn = objective(fg, new, derivs=False)[0]
        done = abs(1.0 - f / fn) <= EPS if fn != 0 else True
        b = new
        f, u, h, _ = objective(fg, b)
        if done:
            try:
                return b, np.asarray(np.linalg.solve(h, u), dtype=np.float64), True
            except np.linalg.LinAlgError:
                return b, np.full(b.size, np.inf), True
    return b, np.full(b.size, np.inf), False


def _warn_separation(fg: FG, beta: FloatArray, conv: bool, names: tuple[str, ...]) -> None:
    """Monotone pseudo-likelihood: say which coefficient may be infinite (R coxph's check).

    An ordinary fit that crr's rule called converged has a Newton step far below 1 % of its
    coefficients; only otherwise is the iteration continued to R coxph's stricter rule.
    """
    if conv:
        _, u, h, _ = objective(fg, beta)
        try:
            step0 = np.linalg.solve(h, u)
        except np.linalg.LinAlgError:
            step0 = np.full(beta.size, np.inf)
        if np.all(np.abs(step0) <= 0.01 * np.maximum(np.abs(beta), 1.0)):
            return
    b, step, ok = _full_newton(fg, beta)
    infs = (np.abs(step) > EPS) & (np.abs(step) > TOLER_INF * np.abs(b))
    if np.any(infs) or not conv:
        bad = ", ".join(np.asarray(names)[infs]) if np.any(infs) else "a covariate"
        msg = "did not converge" if not conv else "converged while the coefficient still grows"
        warnings.warn(
            f"Fine-Gray fit {msg}; the coefficient of {bad} may be infinite (separation)",
            StatisticalWarning,
            stacklevel=4,
        )
    del ok


def _expand(v: FloatArray, keep: Mask) -> FloatArray:
    out = np.full(keep.size, np.nan)
    out[keep] = v
    return out


def _expand_matrix(m: FloatArray, keep: Mask) -> FloatArray:
    out = np.full((keep.size, keep.size), np.nan)
    out[np.ix_(keep, keep)] = m
    return out


def fine_gray(
    X: Any,
    time: Any,
    cause: Any,
    *,
    cause_of_interest: int = 1,
    cluster: Any = None,
    offset: Any = None,
    timefix: bool = True,
) -> FineGrayResult:
    """Fit the Fine–Gray proportional subdistribution-hazards model.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n, p)
        Covariates; DataFrame column names are kept.
    time : array-like of float
        Time of the first event or of censoring.
    cause : array-like of int
        0 = censored, 1..k = cause of the event.
    cause_of_interest : int
        The cause whose subdistribution hazard is modelled (crr's ``failcode``).
    cluster : array-like, optional
        Cluster labels (e.g. centre, family): the sandwich variance sums the subjects' influence
        terms within each cluster (Zhou, Fine, Latouche & Labopin, *Biostatistics* 2012).
    offset : array-like of float, optional
        A known term added to the linear predictor.
    timefix : bool
        Merge times that differ only by rounding error first (R's ``aeqSurv`` rule). crr does
        not do this; pass ``False`` to reproduce crr on such data.

    Returns
    -------
    FineGrayResult

    Notes
    -----
    Equals R ``cmprsk::crr(time, cause, X, failcode = cause_of_interest)``: censoring weights
    from the Kaplan–Meier estimate of the censoring distribution taken just before each time,
    Breslow handling of ties, crr's Newton iteration (start 0, Armijo step halving,
    ``gtol = 1e-6``, ``maxiter = 10``) so that the (not fully converged) coefficients agree, and
    crr's sandwich variance including the term for the estimated censoring distribution. With
    ``cluster`` the per-subject terms are summed within clusters before the outer product (crr
    has no cluster option; without censoring this equals R ``coxph`` on ``finegray()`` data
    with ``cluster()``). Aliased columns get NaN and a :class:`StatisticalWarning`, as in
    :func:`cox_ph`; a warning also says when a coefficient may be infinite. ``loglik`` is crr's
    log pseudo-likelihood. Time is O(n log n) for the sort plus O(n p^2) per iteration.
    """
    t = as_times(time)
    c = as_causes(cause)
    check_lengths(time=t.size, cause=c.size)
    x, names = as_design(X, t.size)
    k = int(cause_of_interest)
    if k <= 0:
        raise InputError(
            "cause_of_interest must be a cause code >= 1",
            field="cause_of_interest",
            value=cause_of_interest,
            rule=">= 1",
        )
    if not isinstance(timefix, bool | np.bool_):
        raise InputError("timefix must be True or False", field="timefix", value=timefix)
    if not np.any(c == k):
        raise EstimationError(f"no events of cause {k}")
    cl = as_cluster(cluster, t.size)
    off = as_offset(offset, t.size)
    if timefix:
        t = merge_near_ties(t)[0]
    fg = prepare_fg(x, t, c, k, off)
    keep = _estimable(fg, names)
    if not np.all(keep):
        fg = prepare_fg(x[:, keep], t, c, k, off)
    beta, conv = newton(fg)
    _warn_separation(fg, beta, conv, tuple(np.asarray(names)[keep]))
    return _result(fg, beta, conv, names, keep, c, k, cl, bool(timefix))


def _curve(fg: FG, beta: FloatArray) -> tuple[FloatArray, FineGrayCurve]:
    """Baseline increments at the centred covariates and the pieces of their variance."""
    p = fg.x.shape[1]
    s = objective(fg, beta)[3]
    dlam = fg.d / s[:, 0]
    return dlam, FineGrayCurve(
        hazard=dlam,
        var_hazard=fg.d / s[:, 0] ** 2,
        xbar=s[:, 1 : 1 + p] / s[:, :1] * dlam[:, None],
    )


def _result(
    fg: FG,
    beta: FloatArray,
    conv: bool,
    names: tuple[str, ...],
    keep: Mask,
    c: IntArray,
    k: int,
    cl: tuple[IntArray, int] | None,
    timefix: bool,
) -> FineGrayResult:
    """Variance, tests and baseline at the final coefficients."""
    infl, info, _ = variance_terms(fg, beta)
    if cl is not None:
        infl = collapse_rows(infl, cl[0][fg.order], cl[1])
    hinv = np.linalg.inv(info)
    var = hinv @ (infl.T @ infl) @ hinv
    se = np.sqrt(np.diag(var))
    zq = norm_ppf(0.975)
    dlam, curve = _curve(fg, beta)
    shift = float(fg.mean @ beta)
    with np.errstate(over="ignore"):
        hr, lo, hi = np.exp(beta), np.exp(beta - zq * se), np.exp(beta + zq * se)
    return FineGrayResult(
        names=names,
        coef=_expand(beta, keep),
        std_err=_expand(se, keep),
        hazard_ratio=_expand(hr, keep),
        ci_lower=_expand(lo, keep),
        ci_upper=_expand(hi, keep),
        z=_expand(beta / se, keep),
        p_value=_expand(2.0 * norm_sf(np.abs(beta / se)), keep),
        covariance=_expand_matrix(var, keep),
        information=_expand_matrix(info, keep),
        loglik=objective(fg, beta, derivs=False)[0],
        loglik_null=objective(fg, np.zeros_like(beta), derivs=False)[0],
        n=int(c.size),
        n_events=int(np.sum(c == k)),
        n_clusters=None if cl is None else cl[1],
        converged=conv,
        cause_of_interest=k,
        variance="robust" if cl is None else "cluster",
        timefix=timefix,
        means=_expand(fg.mean, keep),
        baseline_time=fg.ftimes,
        baseline_cumhaz=np.cumsum(dlam) * np.exp(-shift),
        max_time=float(fg.time[-1]),
        curve=curve,
    )
