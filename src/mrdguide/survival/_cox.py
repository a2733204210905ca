"""Cox proportional-hazards regression, equal to R ``survival::coxph``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from mrdguide.errors import EstimationError, InputError, StatisticalWarning
from mrdguide.survival._concordance import concordance_counts
from mrdguide.survival._cox_core import (
    CoxData,
    CoxEval,
    Prepared,
    build_index,
    evaluate,
    event_pieces,
    prepare,
    score_residuals,
)
from mrdguide.survival._types import FloatArray, IntArray, TestResult, dataclass_to_dict
from mrdguide.survival._validate import (
    as_events,
    as_labels,
    as_times,
    as_weights,
    check_lengths,
)

__all__ = ["CoxResult", "as_design", "cox_ph"]

EPS = 1e-9  # R coxph.control(eps)
ITER_MAX = 20  # R coxph.control(iter.max)
TOLER_INF = EPS**0.5  # R coxph.control(toler.inf)
TOLER_CHOL = float(np.finfo(float).eps) ** 0.75  # R coxph.control(toler.chol)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoxResult:
    """A fitted Cox model.

    Arrays are per covariate (in ``names`` order); a covariate that is not estimable (aliased)
    has NaN in every per-covariate field and NaN rows/columns in ``covariance``. ``covariance`` is
    the robust sandwich when ``robust=True`` and ``naive_covariance`` the inverse information.
    ``baseline_cumhaz`` is the cumulative baseline hazard at covariates = 0 (uncentred), at every
    distinct ``baseline_time`` of its stratum (``baseline_strata``, ``None`` if unstratified).
    ``design`` holds the data the fit used (needed by :func:`proportional_hazards_test`).
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
    n: int
    n_events: int
    iterations: int
    converged: bool
    ties: str
    robust: bool
    baseline_time: FloatArray
    baseline_cumhaz: FloatArray
    baseline_strata: NDArray[Any] | None
    design: CoxData = field(repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation (without the stored design)."""
        out = dataclass_to_dict(self)
        out.pop("design")
        return out


def as_design(x: Any, n: int | None = None) -> tuple[FloatArray, tuple[str, ...]]:
    """Return covariates as a finite float (n, p) matrix and their names.

    A pandas DataFrame (or anything with ``columns``) keeps its column names; other inputs are
    named ``x0, x1, ...``. A 1-d input is one covariate.
    """
    cols = getattr(x, "columns", None)
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError("X must be numeric", field="X", rule="numeric") from exc
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise InputError(
            f"X must be a (n, p) matrix with p >= 1, got shape {arr.shape}",
            field="X",
            rule="2-d, p >= 1",
        )
    if not np.all(np.isfinite(arr)):
        raise InputError(
            "X holds NaN or infinite values; drop incomplete rows first", field="X", rule="finite"
        )
    if n is not None:
        check_lengths(time=n, X=arr.shape[0])
    names = (
        tuple(str(c) for c in cols)
        if cols is not None
        else tuple(f"x{i}" for i in range(arr.shape[1]))
    )
    return arr, names


def _aliased(info: FloatArray, scale: FloatArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Columns a sequential (unpivoted) Cholesky finds singular, like R's ``cholesky2``.

    ``scale`` is R's covariate scaling (1 / mean absolute deviation), applied to the information.
    """
    m = info * np.outer(scale, scale)
    p = m.shape[0]
    eps = TOLER_CHOL * max(float(np.max(np.diag(m), initial=0.0)), 0.0)
    bad = np.zeros(p, dtype=bool)
    for i in range(p):
        piv = m[i, i]
        if not np.isfinite(piv) or piv < max(eps, 0.0) or piv <= 0:
            bad[i] = True
            m[i, :] = 0.0
            m[:, i] = 0.0
            continue
        col = m[i + 1 :, i] / piv
        m[i + 1 :, i + 1 :] -= np.outer(col, m[i, i + 1 :])
    return bad


def _step(ev: CoxEval) -> FloatArray:
    """Newton step; a singular information matrix is an estimation error, not a crash."""
    try:
        return np.asarray(np.linalg.solve(ev.info, ev.score), dtype=np.float64)
    except np.linalg.LinAlgError as exc:
        raise EstimationError("information matrix is singular during the Newton iteration") from exc


def _newton(
    prep: Prepared, ev0: CoxEval | None = None
) -> tuple[FloatArray, CoxEval, CoxEval, int, bool]:
    """Newton–Raphson with step halving, with R ``coxfit6``'s stopping rule."""
    beta = np.zeros(prep.data.x.shape[1])
    ev0 = evaluate(prep, beta) if ev0 is None else ev0
    cur, old_lik = ev0, ev0.loglik
    new_beta = beta + _step(ev0)
    halving = False
    for it in range(1, ITER_MAX + 1):
        cand = evaluate(prep, new_beta)
        if abs(1.0 - old_lik / cand.loglik) <= EPS and not halving:
            return new_beta, cand, ev0, it, True
        if it == ITER_MAX:
            cur = cand
            break
        if cand.loglik < old_lik:
            halving = True
            new_beta = (new_beta + beta) / 2.0
        else:
            halving = False
            old_lik = cand.loglik
            beta = new_beta
            new_beta = beta + _step(cand)
    return new_beta, cur, ev0, ITER_MAX, False


def _warn_infinite(
    step: FloatArray,
    beta: FloatArray,
    conv: bool,
    names: tuple[str, ...],
    keep: np.ndarray[Any, np.dtype[np.bool_]],
) -> None:
    """R's check: converged, but the next Newton step is still large (monotone likelihood)."""
    if not conv:
        return
    infs = (np.abs(step) > EPS) & (np.abs(step) > TOLER_INF * np.abs(beta))
    if np.any(infs):
        bad = ", ".join(np.asarray(names)[keep][infs])
        warnings.warn(
            f"loglik converged before {bad}; the coefficient may be infinite",
            StatisticalWarning,
            stacklevel=4,
        )


def _chi2(stat: float, df: int) -> TestResult:
    return TestResult(statistic=float(stat), df=int(df), p_value=float(stats.chi2.sf(stat, df)))


def _quad(u: FloatArray, m: FloatArray) -> float:
    return float(u @ np.linalg.solve(m, u))


def _baseline(prep: Prepared, ev: CoxEval, shift: float) -> tuple[FloatArray, FloatArray, IntArray]:
    """Cumulative baseline hazard at x = 0 at every distinct stop time of each stratum."""
    data, index = prep.data, prep.index
    r1 = np.add.reduceat(1.0 / event_pieces(prep, ev)[0], index.grp_first)
    inc = ev.meanwt * r1 * np.exp(-shift)
    times, cums, strs = [], [], []
    # rows are sorted by (stratum, stop), so distinct times come from one pass per stratum
    bounds = np.searchsorted(data.strata, np.arange(int(data.strata.max()) + 2))
    for s in range(bounds.size - 1):
        ts = data.stop[bounds[s] : bounds[s + 1]]
        ut = ts[np.r_[True, ts[1:] != ts[:-1]]]
        m = index.grp_stratum == s
        cum = np.r_[0.0, np.cumsum(inc[m])]
        k = np.searchsorted(index.grp_time[m], ut, side="right")
        times.append(ut)
        cums.append(cum[k])
        strs.append(np.full(ut.size, s))
    return np.concatenate(times), np.concatenate(cums), np.concatenate(strs)


def _robust(
    prep: Prepared, ev: CoxEval, ev0: CoxEval, var: FloatArray
) -> tuple[FloatArray, TestResult]:
    """Sandwich variance (each row its own cluster) and R's robust score test."""
    w = prep.data.weights[:, None]
    dfb = w * (score_residuals(prep, ev) @ var)
    r0 = w * score_residuals(prep, ev0)
    u0 = r0.sum(axis=0)
    rvar: FloatArray = dfb.T @ dfb
    return rvar, _chi2(_quad(u0, r0.T @ r0), var.shape[0])


def _check_entry(entry: Any, stop: FloatArray) -> FloatArray | None:
    if entry is None:
        return None
    start = as_times(entry, "entry")
    check_lengths(time=stop.size, entry=start.size)
    if np.any(start >= stop):
        raise InputError(
            "entry must be < time for every row (intervals are (entry, time])",
            field="entry",
            rule="entry < time",
        )
    return start


def _expand(values: FloatArray, keep: np.ndarray[Any, np.dtype[np.bool_]]) -> FloatArray:
    out = np.full(keep.shape[0], np.nan)
    out[keep] = values
    return out


def _expand_matrix(m: FloatArray, keep: np.ndarray[Any, np.dtype[np.bool_]]) -> FloatArray:
    out = np.full((keep.shape[0], keep.shape[0]), np.nan)
    out[np.ix_(keep, keep)] = m
    return out


def cox_ph(
    X: Any,
    time: Any,
    event: Any,
    *,
    ties: str = "efron",
    strata: Any = None,
    entry: Any = None,
    weights: Any = None,
    robust: bool = False,
) -> CoxResult:
    """Fit a Cox proportional-hazards model by Newton–Raphson.

    Parameters
    ----------
    X : array-like or DataFrame, shape (n, p)
        Covariates (no intercept). DataFrame column names are kept as ``names``.
    time : array-like of float
        Event or censoring time; with ``entry`` the end of the interval ``(entry, time]``.
    event : array-like of {0, 1}
        1 = event at ``time``.
    ties : {"efron", "breslow"}
        Handling of tied event times.
    strata : array-like, optional
        Stratum labels: a separate baseline hazard per stratum, as R's ``strata()``.
    entry : array-like of float, optional
        Start of each row's at-risk interval (counting-process input, time-varying covariates
        via several rows per subject, or delayed entry).
    weights : array-like of float, optional
        Case weights (as R ``weights=``).
    robust : bool
        Report the sandwich variance (each row its own cluster), keeping the naive one.

    Returns
    -------
    CoxResult

    Notes
    -----
    Matches R ``coxph(Surv(time, event) ~ X + strata(s), ties=, weights=, robust=)`` (or
    ``Surv(entry, time, event)``): same start (beta = 0), Newton–Raphson with step halving,
    convergence when ``|1 - loglik_old / loglik_new| <= 1e-9``, at most 20 iterations. Aliased
    covariates (singular information, found by a sequential Cholesky with R's ``toler.chol``)
    get NaN (R's NA) and a :class:`StatisticalWarning`. The Wald test uses ``covariance`` (robust
    when ``robust=True``, as R); ``score_test`` is the naive score test at beta = 0 and
    ``robust_score_test`` R's ``rscore``. R switches ``robust`` on by itself for non-integer
    weights; here it is always explicit. ``robust=True`` treats every row as its own cluster: for
    counting-process data with several rows per subject R requires ``cluster()`` instead.
    ``baseline_cumhaz`` is R ``basehaz(fit, centered = FALSE)`` (Efron-type increments for
    ``ties="efron"``). ``concordance`` is R ``fit$concordance["concordance"]``.
    """
    if ties not in ("efron", "breslow"):
        raise InputError(
            "ties must be 'efron' or 'breslow'", field="ties", value=ties, rule="efron | breslow"
        )
    stop = as_times(time)
    ev = as_events(event)
    check_lengths(time=stop.size, event=ev.size)
    x, names = as_design(X, stop.size)
    start = _check_entry(entry, stop)
    w = as_weights(weights, stop.size)
    codes = (
        np.zeros(stop.size, dtype=np.int64)
        if strata is None
        else as_labels(strata, stop.size, "strata")[1]
    )
    if not np.any(ev == 1):
        raise EstimationError("no events: the Cox partial likelihood is undefined")
    return _fit(x, names, stop, start, ev, w, codes, strata, ties == "efron", robust)


def _estimable(
    xc: FloatArray, w: FloatArray, info: FloatArray, names: tuple[str, ...]
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Mask of estimable covariates; warn about aliased ones, fail if none is left."""
    mad = (w @ np.abs(xc)) / w.sum()
    scale = np.where(mad > 0, 1.0 / np.where(mad > 0, mad, 1.0), 1.0)
    keep = ~_aliased(info, scale)
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


def _fit(
    x: FloatArray,
    names: tuple[str, ...],
    stop: FloatArray,
    start: FloatArray | None,
    ev: IntArray,
    w: FloatArray,
    codes: IntArray,
    strata: Any,
    efron: bool,
    robust: bool,
) -> CoxResult:
    order = np.argsort(stop, kind="stable") if strata is None else np.lexsort((stop, codes))
    x, stop, ev, w, codes = x[order], stop[order], ev[order], w[order], codes[order]
    start = None if start is None else start[order]
    mean = (w @ x) / w.sum()
    full = CoxData(
        x=x - mean, stop=stop, start=start, event=ev, weights=w, strata=codes, efron=efron
    )
    index = build_index(full)
    prep_full = prepare(full, index)
    ev_full = evaluate(prep_full, np.zeros(x.shape[1]))
    keep = _estimable(full.x, w, ev_full.info, names)
    for arr in (full.x, stop, ev, w, codes):
        arr.setflags(write=False)
    if np.all(keep):  # the usual case: reuse the sorted terms and the beta = 0 evaluation
        prep, ev_start = prep_full, ev_full
    else:
        xk = x[:, keep] - mean[keep]
        xk.setflags(write=False)
        data = CoxData(x=xk, stop=stop, start=start, event=ev, weights=w, strata=codes, efron=efron)
        prep, ev_start = prepare(data, index), None
    beta, fin, ev0, iters, conv = _newton(prep, ev_start)
    if not conv:
        warnings.warn(
            "Cox model did not converge in 20 iterations; a coefficient may be infinite",
            StatisticalWarning,
            stacklevel=3,
        )
    naive = np.asarray(np.linalg.inv(fin.info), dtype=np.float64)
    _warn_infinite(fin.score @ naive, beta, conv, names, keep)
    var, rscore = _robust(prep, fin, ev0, naive) if robust else (naive, None)
    return _assemble(
        prep, names, keep, beta, fin, ev0, naive, var, rscore, iters, conv, mean, strata, robust
    )


def _assemble(  # noqa: PLR0913 - one private assembly step of the fit
    prep: Prepared,
    names: tuple[str, ...],
    keep: np.ndarray[Any, np.dtype[np.bool_]],
    beta: FloatArray,
    fin: CoxEval,
    ev0: CoxEval,
    naive: FloatArray,
    var: FloatArray,
    rscore: TestResult | None,
    iters: int,
    conv: bool,
    mean: FloatArray,
    strata: Any,
    robust: bool,
) -> CoxResult:
    data = prep.data
    se = np.sqrt(np.diag(var))
    zq = float(stats.norm.ppf(0.975))
    df = int(beta.size)
    lp = data.x @ beta
    conc = concordance_counts(data.stop, data.event, lp, data.strata, data.weights, data.start)
    btime, bcum, bstr = _baseline(prep, fin, float(mean[keep] @ beta))
    labels = None if strata is None else np.unique(np.asarray(strata).reshape(-1))[bstr]
    with np.errstate(over="ignore"):  # an infinite coefficient has an infinite CI bound
        hr, lo, hi = np.exp(beta), np.exp(beta - zq * se), np.exp(beta + zq * se)
    return CoxResult(
        names=names,
        coef=_expand(beta, keep),
        std_err=_expand(se, keep),
        naive_std_err=_expand(np.sqrt(np.diag(naive)), keep),
        hazard_ratio=_expand(hr, keep),
        ci_lower=_expand(lo, keep),
        ci_upper=_expand(hi, keep),
        z=_expand(beta / se, keep),
        p_value=_expand(2.0 * stats.norm.sf(np.abs(beta / se)), keep),
        covariance=_expand_matrix(var, keep),
        naive_covariance=_expand_matrix(naive, keep),
        loglik_null=ev0.loglik,
        loglik=fin.loglik,
        lr_test=_chi2(2.0 * (fin.loglik - ev0.loglik), df),
        wald_test=_chi2(_quad(beta, var), df),
        score_test=_chi2(_quad(ev0.score, ev0.info), df),
        robust_score_test=rscore,
        concordance=conc.concordance,
        n=int(data.stop.size),
        n_events=int(np.sum(data.event)),
        iterations=iters,
        converged=conv,
        ties="efron" if data.efron else "breslow",
        robust=robust,
        baseline_time=btime,
        baseline_cumhaz=bcum,
        baseline_strata=labels,
        design=data,
    )
