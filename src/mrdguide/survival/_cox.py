"""Cox proportional-hazards regression, equal to R ``survival::coxph``."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import EstimationError, InputError, StatisticalWarning
from mrdguide.survival._concordance import concordance_counts
from mrdguide.survival._cox_core import (
    CoxData,
    CoxEval,
    Prepared,
    PrepLike,
    event_pieces,
    linear_predictor,
)
from mrdguide.survival._cox_exact import evaluate_exact, exact_groups
from mrdguide.survival._cox_fast import Prep, evaluate_any, prepare_any
from mrdguide.survival._cox_inputs import (
    CoxInputs,
    apply_timefix,
    as_design,
    read_cox_inputs,
    resolve_robust,
    variance_kind,
)
from mrdguide.survival._cox_result import CoxResult
from mrdguide.survival._cox_variance import aliased, chi2, quad, robust_variance
from mrdguide.survival._dist import norm_ppf, norm_sf
from mrdguide.survival._types import FloatArray, IntArray, TestResult

__all__ = ["CoxResult", "as_design", "cox_ph"]

EPS = 1e-9  # R coxph.control(eps)
ITER_MAX = 20  # R coxph.control(iter.max)
TOLER_INF = EPS**0.5  # R coxph.control(toler.inf)
TIES = ("efron", "breslow", "exact")

Evaluator = Callable[[FloatArray], CoxEval]
Mask = np.ndarray[Any, np.dtype[np.bool_]]


def _step(ev: CoxEval) -> FloatArray:
    """Newton step; a singular information matrix is an estimation error, not a crash."""
    try:
        return np.asarray(np.linalg.solve(ev.info, ev.score), dtype=np.float64)
    except np.linalg.LinAlgError as exc:
        raise EstimationError("information matrix is singular during the Newton iteration") from exc


def _newton(
    fn: Evaluator, p: int, ev0: CoxEval | None = None
) -> tuple[FloatArray, CoxEval, CoxEval, int, bool]:
    """Newton–Raphson with step halving, with R ``coxfit6``'s stopping rule."""
    beta = np.zeros(p)
    ev0 = fn(beta) if ev0 is None else ev0
    cur, old_lik = ev0, ev0.loglik
    new_beta = beta + _step(ev0)
    halving = False
    for it in range(1, ITER_MAX + 1):
        cand = fn(new_beta)
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
    step: FloatArray, beta: FloatArray, conv: bool, names: tuple[str, ...], keep: Mask
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


def _baseline(prep: PrepLike, ev: CoxEval, shift: float) -> tuple[FloatArray, FloatArray, IntArray]:
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


def _expand(values: FloatArray, keep: Mask) -> FloatArray:
    out = np.full(keep.shape[0], np.nan)
    out[keep] = values
    return out


def _expand_matrix(m: FloatArray, keep: Mask) -> FloatArray:
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
    robust: bool | None = None,
    cluster: Any = None,
    offset: Any = None,
    timefix: bool = True,
    concordance: bool = True,
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
    ties : {"efron", "breslow", "exact"}
        Handling of tied event times. ``"exact"`` is the exact (discrete logistic) partial
        likelihood, for grouped times; it needs unit weights and the model variance.
    strata : array-like, optional
        Stratum labels: a separate baseline hazard per stratum, as R's ``strata()``.
    entry : array-like of float, optional
        Start of each row's at-risk interval (counting-process input, time-varying covariates
        via several rows per subject, or delayed entry).
    weights : array-like of float, optional
        Case weights (as R ``weights=``).
    robust : bool or None
        Report the sandwich variance, keeping the model-based one in ``naive_*``. ``None`` (the
        default) decides as R: robust when ``cluster`` is given or a weight is not an integer.
    cluster : array-like, optional
        Cluster labels (a patient id for several rows per patient): the grouped sandwich
        variance, R's ``cluster(id)``. Needs ``robust`` True or None.
    offset : array-like of float, optional
        A known term added to the linear predictor (R's ``offset()``).
    timefix : bool
        Merge event and censoring times that differ only by rounding error, as R's ``timefix``
        (``aeqSurv``; on by default in R too).
    concordance : bool
        Compute R's concordance and its standard error (skip it to save time on large data).

    Returns
    -------
    CoxResult

    Notes
    -----
    Matches R ``coxph(Surv(time, event) ~ X + strata(s) + offset(o), ties=, weights=,
    robust=, cluster=)`` (or ``Surv(entry, time, event)``): same start (beta = 0),
    Newton–Raphson with step halving, convergence when ``|1 - loglik_old / loglik_new| <=
    1e-9``, at most 20 iterations. Aliased covariates (singular information, found by a
    sequential Cholesky with R's ``toler.chol``) get NaN (R's NA) and a
    :class:`StatisticalWarning`. The Wald test uses ``covariance`` (robust when robust, as R);
    ``score_test`` is the naive score test at beta = 0 and ``robust_score_test`` R's
    ``rscore`` (score residuals at beta = 0, summed within clusters). ``robust=True`` without
    ``cluster`` treats every row as its own cluster: for counting-process data with several
    rows per subject pass the subject id as ``cluster`` (R then requires ``cluster()`` or
    ``id``). ``baseline_cumhaz`` is R ``basehaz(fit, centered = FALSE)`` without an offset
    (Efron-type increments for ``ties="efron"``, Breslow-type for ``"breslow"`` and
    ``"exact"``); with an offset it is the hazard at offset 0, where R's is at the mean offset.
    """
    if ties not in TIES:
        raise InputError(
            "ties must be 'efron', 'breslow' or 'exact'",
            field="ties",
            value=ties,
            rule="efron | breslow | exact",
        )
    for name, flag in (("timefix", timefix), ("concordance", concordance)):
        if not isinstance(flag, bool | np.bool_):
            raise InputError(f"{name} must be True or False", field=name, value=flag, rule="bool")
    box = [
        read_cox_inputs(
            X,
            time,
            event,
            strata=strata,
            entry=entry,
            weights=weights,
            cluster=cluster,
            offset=offset,
        )
    ]
    rob = resolve_robust(robust, cluster, box[0].weights)
    if ties == "exact" and (rob or np.any(box[0].weights != 1.0)):
        raise InputError(
            "ties='exact' supports neither case weights nor a robust/cluster variance (as R)",
            field="ties",
            value=ties,
            rule="exact: unit weights, model variance",
        )
    if not np.any(box[0].event == 1):
        raise EstimationError("no events: the Cox partial likelihood is undefined")
    # the box hands the only reference to _fit, which drops it after sorting (memory)
    return _fit(box, ties, rob, bool(timefix), bool(concordance))


def _sort_order(stop: FloatArray, strata: IntArray, one: bool) -> IntArray:
    """Rows by (stratum, stop); ties in any order (results do not depend on it)."""
    if one:
        return np.argsort(stop).astype(np.int64)
    order = np.argsort(stop)
    return order[np.argsort(strata[order], kind="stable")].astype(np.int64)


def _sorted_data(inp: CoxInputs, efron: bool, timefix: bool) -> tuple[CoxData, FloatArray]:
    """Sort by (stratum, stop), merge near ties, centre x at its weighted mean."""
    order = _sort_order(inp.stop, inp.strata, inp.strata_labels is None)
    stop = np.take(inp.stop, order)
    start = None if inp.start is None else np.take(inp.start, order)
    if timefix:  # a monotone map: the order stays sorted
        stop, start = apply_timefix(stop, start, presorted=inp.strata_labels is None)
    w = np.take(inp.weights, order)
    x = np.take(inp.x, order, axis=0)
    mean = (w @ x) / w.sum()
    x -= mean
    data = CoxData(
        x=x,
        stop=stop,
        start=start,
        event=np.take(inp.event, order),
        weights=w,
        strata=np.take(inp.strata, order),
        efron=efron,
        offset=None if inp.offset is None else np.take(inp.offset, order),
        order=order,
        cluster=None if inp.cluster is None else np.take(inp.cluster, order),
        center=mean,
    )
    for arr in (data.x, data.stop, data.event, data.weights, data.strata):
        arr.setflags(write=False)
    return data, mean


def _estimable(
    xc: FloatArray, w: FloatArray, info: FloatArray, names: tuple[str, ...]
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Mask of estimable covariates; warn about aliased ones, fail if none is left."""
    mad = (w @ np.abs(xc)) / w.sum()
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


def _evaluator(prep: Prep, exact: bool) -> Evaluator:
    if not exact:
        return lambda beta: evaluate_any(prep, beta)
    assert isinstance(prep, Prepared)
    groups = exact_groups(prep)
    return lambda beta: evaluate_exact(prep, groups, beta)


@dataclass(frozen=True, slots=True)
class _Meta:
    """The small parts of the inputs the result needs (the big arrays are released early)."""

    names: tuple[str, ...]
    strata_labels: NDArray[Any] | None
    n_clusters: int | None
    clustered: bool
    means: FloatArray


def _reduced(full: CoxData, keep: Mask, mean: FloatArray) -> CoxData:
    """The design without its aliased columns."""
    xk = np.ascontiguousarray(full.x[:, keep])
    xk.setflags(write=False)
    return CoxData(
        x=xk,
        stop=full.stop,
        start=full.start,
        event=full.event,
        weights=full.weights,
        strata=full.strata,
        efron=full.efron,
        offset=full.offset,
        order=full.order,
        cluster=full.cluster,
        center=mean[keep],
    )


def _fit(box: list[CoxInputs], ties: str, robust: bool, timefix: bool, conc: bool) -> CoxResult:
    inp = box.pop()
    meta = _Meta(
        names=inp.names,
        strata_labels=inp.strata_labels,
        n_clusters=inp.n_clusters,
        clustered=inp.cluster is not None,
        means=_r_means(inp.x, inp.weights),
    )
    full, mean = _sorted_data(inp, ties == "efron", timefix)
    del inp  # the caller's copies go (memory at large n)
    exact = ties == "exact"
    prep = prepare_any(full, full=exact)
    fn = _evaluator(prep, exact)
    ev_start: CoxEval | None = fn(np.zeros(full.x.shape[1]))
    assert ev_start is not None
    keep = _estimable(full.x, full.weights, ev_start.info, meta.names)
    if not np.all(keep):
        prep, ev_start = prepare_any(_reduced(full, keep, mean), full=exact), None
        fn = _evaluator(prep, exact)
    del full
    beta, fin, ev0, iters, conv = _newton(fn, int(keep.sum()), ev_start)
    del ev_start, fn
    if not conv:
        warnings.warn(
            "Cox model did not converge in 20 iterations; a coefficient may be infinite",
            StatisticalWarning,
            stacklevel=3,
        )
    naive = np.asarray(np.linalg.inv(fin.info), dtype=np.float64)
    _warn_infinite(fin.score @ naive, beta, conv, meta.names, keep)
    var, rscore = (
        robust_variance(prep, fin, ev0, naive, meta.n_clusters) if robust else (naive, None)
    )
    tests = (
        chi2(2.0 * (fin.loglik - ev0.loglik), beta.size),
        chi2(quad(beta, var), beta.size),
        chi2(quad(ev0.score, ev0.info), beta.size),
        rscore,
    )
    # exact fits carry Breslow risk-set sums: Breslow increments, as R
    base = _baseline(prep, fin, float(mean[keep] @ beta))
    logliks = (ev0.loglik, fin.loglik)
    data = prep.data
    del prep, fin, ev0  # the concordance runs with the risk-set sums released
    conc_c, conc_se = _concordance(data, beta) if conc else (np.nan, np.nan)
    return _assemble(
        data, meta, keep, beta, logliks, (naive, var), tests, (iters, conv), base, ties,
        (robust, timefix, conc_c, conc_se),
    )  # fmt: skip


def _r_means(x: FloatArray, w: FloatArray) -> FloatArray:
    """R's ``fit$means``: weighted column means, 0 for columns within {-1, 0, 1} (``nocenter``)."""
    means: FloatArray = (w @ x) / w.sum()
    inside = (x.min(axis=0) >= -1.0) & (x.max(axis=0) <= 1.0)  # cheap screen first
    for j in np.flatnonzero(inside):
        if np.all((x[:, j] == 0.0) | (x[:, j] == 1.0) | (x[:, j] == -1.0)):
            means[j] = 0.0
    return means


def _concordance(d: CoxData, beta: FloatArray) -> tuple[float, float]:
    """R's ``fit$concordance``: C of the linear predictor and its (clustered) standard error."""
    lp = linear_predictor(d, beta)
    res = concordance_counts(
        d.stop,
        d.event,
        lp,
        d.strata,
        d.weights,
        d.start,
        cluster=d.cluster,
        std_err=True,
        presorted=True,
    )
    return res.concordance, res.std_err


def _assemble(
    data: CoxData,
    meta: _Meta,
    keep: Mask,
    beta: FloatArray,
    logliks: tuple[float, float],
    variances: tuple[FloatArray, FloatArray],
    tests: tuple[TestResult, TestResult, TestResult, TestResult | None],
    it: tuple[int, bool],
    base: tuple[FloatArray, FloatArray, IntArray],
    ties: str,
    flags: tuple[bool, bool, float, float],
) -> CoxResult:
    naive, var = variances
    robust, timefix, conc_c, conc_se = flags
    se = np.sqrt(np.diag(var))
    zq = norm_ppf(0.975)
    btime, bcum, bstr = base
    labels = None if meta.strata_labels is None else meta.strata_labels[bstr]
    with np.errstate(over="ignore"):  # an infinite coefficient has an infinite CI bound
        hr, lo, hi = np.exp(beta), np.exp(beta - zq * se), np.exp(beta + zq * se)
    return CoxResult(
        names=meta.names,
        coef=_expand(beta, keep),
        std_err=_expand(se, keep),
        naive_std_err=_expand(np.sqrt(np.diag(naive)), keep),
        hazard_ratio=_expand(hr, keep),
        ci_lower=_expand(lo, keep),
        ci_upper=_expand(hi, keep),
        z=_expand(beta / se, keep),
        p_value=_expand(2.0 * norm_sf(np.abs(beta / se)), keep),
        covariance=_expand_matrix(var, keep),
        naive_covariance=_expand_matrix(naive, keep),
        loglik_null=logliks[0],
        loglik=logliks[1],
        lr_test=tests[0],
        wald_test=tests[1],
        score_test=tests[2],
        robust_score_test=tests[3],
        concordance=float(conc_c),
        concordance_std_err=float(conc_se),
        n=int(data.stop.size),
        n_events=int(np.sum(data.event)),
        n_clusters=meta.n_clusters,
        iterations=it[0],
        converged=it[1],
        ties=ties,
        robust=robust,
        variance=variance_kind(robust, True if meta.clustered else None),
        timefix=timefix,
        means=meta.means,
        baseline_time=btime,
        baseline_cumhaz=bcum,
        baseline_strata=labels,
        design=data,
    )
