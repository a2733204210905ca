"""Test of proportional hazards, equal to R ``survival::cox.zph`` (survival 3.x)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mrdguide.errors import InputError
from mrdguide.survival._cox import CoxResult
from mrdguide.survival._cox_core import CoxData, build_index, evaluate, group_terms, prepare
from mrdguide.survival._dist import chi2_sf
from mrdguide.survival._types import FloatArray, IntArray, dataclass_to_dict

__all__ = ["PHTestResult", "proportional_hazards_test"]

TRANSFORMS = ("km", "rank", "identity")


@dataclass(frozen=True, slots=True, kw_only=True)
class PHTestResult:
    """Per-covariate and global score tests of proportional hazards (chi-square)."""

    terms: tuple[str, ...]
    statistic: FloatArray
    df: IntArray
    p_value: FloatArray
    global_statistic: float
    global_df: int
    global_p_value: float
    transform: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


def _km_left(data: CoxData) -> FloatArray:
    """Unweighted, unstratified Kaplan–Meier S(t-) at every row's stop time."""
    ev = data.event == 1
    ue, d = np.unique(data.stop[ev], return_counts=True)
    stops = np.sort(data.stop)
    n_risk = stops.size - np.searchsorted(stops, ue, side="left")
    if data.start is not None:
        starts = np.sort(data.start)
        n_risk = n_risk - (starts.size - np.searchsorted(starts, ue, side="left"))
    surv = np.r_[1.0, np.cumprod(1.0 - d / n_risk)]
    out: FloatArray = surv[np.searchsorted(ue, data.stop, side="left")]
    return out


def _transform(data: CoxData, transform: str) -> FloatArray:
    if transform == "identity":
        return data.stop
    if transform == "rank":
        from scipy.stats import rankdata  # scipy.stats is slow to import

        return np.asarray(rankdata(data.stop, method="average"), dtype=np.float64)
    return 1.0 - _km_left(data)


def _term_groups(
    result: CoxResult, terms: Mapping[str, Sequence[int | str]] | None
) -> list[tuple[str, list[int]]]:
    """Tests in model order: each named group of columns once, other columns alone.

    Indices are positions among the estimable columns (aliased columns are left out, as R).
    """
    names = result.names
    est = [i for i, c in enumerate(result.coef) if np.isfinite(c)]
    pos = {col: k for k, col in enumerate(est)}
    owner: dict[int, str] = {}
    for term, cols in (terms or {}).items():
        for c in cols:
            j = names.index(c) if isinstance(c, str) and c in names else c
            if not isinstance(j, int | np.integer) or not 0 <= int(j) < len(names):
                raise InputError(
                    f"terms[{term!r}] names an unknown column {c!r}",
                    field="terms",
                    value=c,
                    rule="column index or name of the fit",
                )
            if int(j) in owner:
                raise InputError(
                    f"column {names[int(j)]!r} is in two terms",
                    field="terms",
                    value=term,
                    rule="each column in at most one term",
                )
            owner[int(j)] = term
    groups: list[tuple[str, list[int]]] = []
    seen: set[str] = set()
    for j in est:
        grp = owner.get(j)
        if grp is None:
            groups.append((names[j], [pos[j]]))
        elif grp not in seen:
            seen.add(grp)
            groups.append((grp, [pos[i] for i in est if owner.get(i) == grp]))
    return groups


def proportional_hazards_test(
    result: CoxResult,
    transform: str = "km",
    *,
    terms: Mapping[str, Sequence[int | str]] | None = None,
    singledf: bool = False,
) -> PHTestResult:
    """Score tests of a time-varying coefficient beta_j + theta_j g(t), one per term.

    Parameters
    ----------
    result : CoxResult
        A fit from :func:`cox_ph` (its stored design is reused; nothing is refitted).
    transform : {"km", "rank", "identity"}
        The time scale g(t): 1 - KM(t-) (unweighted, pooled over strata), the rank of the
        follow-up times, or time itself.
    terms : mapping of str to column indices or names, optional
        Columns that form one term (the dummy columns of a factor, a spline basis): e.g.
        ``{"stage": [2, 3]}`` gives one test with 2 df for columns 2 and 3, as R's
        ``cox.zph(fit, terms = TRUE)`` does for a factor. Other columns are tested alone.
    singledf : bool
        Test a multi-column term with 1 df along the fitted coefficients (R's ``singledf``).

    Returns
    -------
    PHTestResult

    Notes
    -----
    Equals R survival 3.x ``cox.zph(fit, transform=, terms=, singledf=)$table``: g is centred
    at its mean over the events, and each test is the score test of theta = 0 for the term's
    columns at (beta-hat, 0), using the full information matrix of the model augmented with
    g(t) x (Efron or Breslow, as fitted, with case weights and strata); the global test sets
    all theta = 0 (df = number of estimable covariates). Aliased covariates are left out, as
    in R. This is not the pre-3.0 test based on correlations of scaled Schoenfeld residuals
    (lifelines' ``proportional_hazard_test``).
    """
    if transform not in TRANSFORMS:
        raise InputError(
            "transform must be 'km', 'rank' or 'identity'",
            field="transform",
            value=transform,
            rule=" | ".join(TRANSFORMS),
        )
    groups = _term_groups(result, terms)
    data = result.design
    beta = result.coef[np.isfinite(result.coef)]
    prep = prepare(data, build_index(data))
    u_g, v_g = group_terms(prep, evaluate(prep, beta, info=False))
    tt = _transform(data, transform)
    gt = tt - float(np.mean(tt[data.event == 1]))
    g = gt[prep.index.ev_rows[prep.index.grp_first]]
    p = beta.size
    imat = np.zeros((2 * p, 2 * p))
    imat[:p, :p] = v_g.sum(axis=0)
    imat[:p, p:] = imat[p:, :p] = np.einsum("g,gij->ij", g, v_g)
    imat[p:, p:] = np.einsum("g,gij->ij", g * g, v_g)
    u = np.r_[np.zeros(p), g @ u_g]
    stat = np.empty(len(groups))
    df = np.ones(len(groups), dtype=np.int64)
    for k, (_, cols) in enumerate(groups):
        jj = np.asarray(cols)
        kk = np.r_[np.arange(p), p + jj]
        sub = imat[np.ix_(kk, kk)]
        if singledf and jj.size > 1:
            vv = np.linalg.inv(sub)[p:, p:]
            t1 = float(beta[jj] @ u[p + jj])
            stat[k] = t1 * t1 * float(beta[jj] @ vv @ beta[jj])
        else:
            stat[k] = u[kk] @ np.linalg.solve(sub, u[kk])
            df[k] = jj.size
    glob = float(u @ np.linalg.solve(imat, u))
    return PHTestResult(
        terms=tuple(name for name, _ in groups),
        statistic=stat,
        df=df,
        p_value=chi2_sf(stat, df.astype(np.float64)),
        global_statistic=glob,
        global_df=p,
        global_p_value=chi2_sf(float(glob), p),
        transform=transform,
    )
