"""The three trial analyses of a batch of simulated cohorts (columns ``(R, n)``), batched.

Each analysis is one call of a batched estimator (:mod:`mrdguide.simulate._batch`,
:mod:`mrdguide.simulate._batch_km`) over all replicates of a chunk; a replicate's numbers do
not depend on the chunk it is in. The populations, endpoints and counting-process rows are
those described in :mod:`mrdguide.simulate.trials`.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.simulate._arrays import take_rows
from mrdguide.simulate._batch import cox_batch
from mrdguide.simulate._batch_km import km_at_batch, logrank_batch
from mrdguide.simulate._design import NAN_SUMMARY, AnalysisSummary, ReplicateSummary, TrialDesign
from mrdguide.simulate._engine import YEAR
from mrdguide.simulate.params import SimulationParams

F = NDArray[np.float64]
B = NDArray[np.bool_]
Cols = dict[str, NDArray[Any]]
EFS_HORIZON_DAYS = 5 * YEAR


def norm_sf2(z: float) -> float:
    """Two-sided normal p-value of a z statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def covariates(cols: Cols, params: SimulationParams, design: TrialDesign) -> F:
    """Adjustment covariates, ``(..., k)``: measured log10 EOI MRD (negatives at LOD/2) and
    the subtype's genetic risk; ``k = 0`` without adjustment."""
    shape = cols["subtype"].shape
    if not design.adjust:
        return np.zeros((*shape, 0))
    lod = params.methods[design.method].lod
    level = np.where(np.isnan(cols["eoi_level"]), lod / 2, cols["eoi_level"])
    risk = np.array([s.relapse_log_rate for s in params.subtypes])[cols["subtype"]]
    return np.stack([np.log10(np.maximum(level, 1e-7)), risk], axis=-1)


def population(cols: Cols, design: TrialDesign, params: SimulationParams) -> tuple[B, F]:
    """Eligible patients and the day their eligibility became known (their entry)."""
    p = params.presenting
    eoi = cols["eligible_eoi"]
    if design.kind != "asan":
        return eoi, np.full(eoi.shape, float(p.eoi_day))
    eoc = cols["eligible_eoc"] & cols["eoc_sampled"]
    return eoi | eoc, np.where(eoi, float(p.eoi_day), float(p.eoc_day))


def endpoint(cols: Cols) -> tuple[F, B, F, B]:
    """Relapse (time, event; deaths and second malignancies censor) and EFS (time, event)."""
    rel = cols["relapse_day"]
    other = np.fmin(cols["death_day"], cols["smn_day"])
    fu = cols["last_follow_up_day"]
    first = np.fmin(rel, other)
    stop = np.where(np.isfinite(first), first, fu)
    event = np.isfinite(rel) & (rel <= np.nan_to_num(other, nan=np.inf))
    return stop, event, np.where(np.isfinite(first), first, fu), np.isfinite(first)


def landmark_day(design: TrialDesign, params: SimulationParams) -> float:
    """The last decision day plus the delay to treatment."""
    last = params.presenting.eoc_day if design.kind == "asan" else params.presenting.eoi_day
    return float(last + params.intensification.delay_days)


def cox_summaries(
    valid: B,
    treat: F,
    cov: F,
    stop: F,
    event: B,
    start: F | None = None,
    cluster: NDArray[np.intp] | None = None,
) -> list[AnalysisSummary]:
    """Cox fit of treatment adjusted for ``cov`` ``(R, M, k)`` in every problem.

    Covariates constant within a problem are dropped from it. With ``cluster`` (the patient
    of each counting-process row) the SE is the grouped sandwich.
    """
    kind = "model" if cluster is None else "cluster"
    n, events = valid.sum(axis=1), (event & valid).sum(axis=1)
    lo = np.where(valid, treat, np.inf).min(axis=1)
    hi = np.where(valid, treat, -np.inf).max(axis=1)
    fit = (n > 0) & (events > 0) & (lo != hi)
    x = np.concatenate([treat[..., None], cov], axis=-1)
    res = cox_batch(x, stop, event, valid & fit[:, None], start, cluster, drop_from=1)
    out = []
    for r in range(valid.shape[0]):
        if not fit[r]:
            out.append(replace(NAN_SUMMARY, n=int(n[r]), events=int(events[r]), variance=kind))
            continue
        b, se = float(res.beta[r, 0]), float(res.se[r, 0])
        ok = bool(res.converged[r]) and math.isfinite(se) and se > 0
        out.append(
            AnalysisSummary(
                log_hr=b if ok else math.nan,
                se=se if ok else math.nan,
                p_value=norm_sf2(b / se) if ok else math.nan,
                n=int(n[r]),
                events=int(events[r]),
                variance=kind,
            )
        )
    return out


def _landmark(elig: B, treated: B, z: F, stop: F, event: B, day: float) -> list[AnalysisSummary]:
    at = elig & (stop > day)
    out = cox_summaries(at, treated.astype(np.float64), z, stop - day, event)
    n_at, n_tr = at.sum(axis=1), (at & treated).sum(axis=1)
    test = (n_at > 0) & (n_tr > 0) & (n_tr < n_at)
    if test.any():
        idx = np.flatnonzero(test)
        _, p = logrank_batch(stop[idx] - day, event[idx], treated[idx], at[idx])
        for k, r in enumerate(idx.tolist()):
            out[r] = replace(out[r], p_value=float(p[k]))
    return out


def _time_dependent(
    elig: B, treated: B, z: F, stop: F, event: B, entry: F, start: F
) -> list[AnalysisSummary]:
    """Counting-process rows: slot j the untreated (entry, start or stop] row of patient j,
    slot n + j the treated (start, stop] row; each patient is its own cluster."""
    ok = elig & (stop > entry)
    post = ok & treated
    n = ok.shape[1]
    patient = np.broadcast_to(np.tile(np.arange(n), 2), (ok.shape[0], 2 * n))
    out = cox_summaries(
        np.concatenate([ok, post], axis=1),
        np.concatenate([np.zeros(ok.shape), np.ones(ok.shape)], axis=1),
        np.concatenate([z, z], axis=1),
        np.concatenate([np.where(treated, start, stop), stop], axis=1),
        np.concatenate([event & ~treated, event], axis=1),
        start=np.concatenate([entry, np.where(treated, start, 0.0)], axis=1),
        cluster=patient,
    )
    return [replace(s, n=int(k)) for s, k in zip(out, ok.sum(axis=1).tolist(), strict=True)]


#: Columns the analyses read.
_USED = (
    "eligible_eoi",
    "eligible_eoc",
    "eoc_sampled",
    "relapse_day",
    "death_day",
    "smn_day",
    "last_follow_up_day",
    "intensification_day",
    "eoi_level",
    "subtype",
)


def _eligible_only(cols: Cols, design: TrialDesign, params: SimulationParams) -> tuple[Cols, B]:
    """The columns the analyses read, eligible patients first (in patient order), cut to the
    largest number eligible in the batch; and which entries are eligible patients."""
    elig, _ = population(cols, design, params)
    n = max(int(elig.sum(axis=1).max()), 1)
    order = np.argsort(~elig, axis=1, kind="stable")[:, :n]
    return {k: take_rows(cols[k], order) for k in _USED}, take_rows(elig, order)


def analyze_batch(
    cols: Cols, design: TrialDesign, params: SimulationParams
) -> list[ReplicateSummary]:
    """The three analyses of every cohort of a batch (row r of every column is cohort r)."""
    cols, elig = _eligible_only(cols, design, params)
    _, entry = population(cols, design, params)
    stop, event, efs_t, efs_e = endpoint(cols)
    treated = np.isfinite(cols["intensification_day"])
    z = covariates(cols, params, design)
    r = elig.shape[0]
    run = set(design.analyses)
    nan = [NAN_SUMMARY] * r
    naive = nan
    if "naive" in run:
        naive = cox_summaries(elig, treated.astype(np.float64), z, stop, event)
    lm = nan
    if "landmark" in run:
        lm = _landmark(elig, treated, z, stop, event, landmark_day(design, params))
    td = nan
    if "time_dependent" in run:
        istart = cols["intensification_day"]
        td = _time_dependent(elig, treated, z, stop, event, entry, istart)
    km_t = km_at_batch(efs_t, efs_e, elig & treated, EFS_HORIZON_DAYS)
    km_u = km_at_batch(efs_t, efs_e, elig & ~treated, EFS_HORIZON_DAYS)
    n_el, n_tr = elig.sum(axis=1).tolist(), (elig & treated).sum(axis=1).tolist()
    return [
        ReplicateSummary(
            n_eligible=int(n_el[i]),
            n_treated=int(n_tr[i]),
            efs5_treated=float(km_t[i]),
            efs5_untreated=float(km_u[i]),
            naive=naive[i],
            landmark=lm[i],
            time_dependent=td[i],
        )
        for i in range(r)
    ]
