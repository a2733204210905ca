"""In-silico MRD-guided trials: three designs, three analyses, many seeded replicates.

Designs (:class:`TrialDesign`):

* ``asan`` — non-randomised: flow MRD >= 1e-3 at EOI or EOC makes a patient eligible and a
  fraction of eligible patients is intensified, possibly with confounding by indication
  (``confounding_log_or``: selection on a latent frailty that also drives relapse);
* ``randomised`` — MRD >= 1e-3 at EOI; eligible patients randomised 1:1 to intensification;
* ``deescalation`` — MRD < 1e-4 at EOI; randomised 1:1 to reduced therapy (``true_hr`` is the
  effect of reduction); non-inferiority is shown when the upper 95% limit of the hazard ratio
  is below ``ni_margin_hr``.

Every replicate analyses relapse (cause-specific; deaths and second malignancies censored) in
the eligible population in three ways:

1. ``naive`` — Cox from diagnosis with "ever treated" as a fixed covariate (immortal-time bias:
   treated patients had to stay event-free until treatment started);
2. ``landmark`` — patients event-free at the last decision day, grouped by treatment received by
   then, time from the landmark (log-rank p-value, Cox HR);
3. ``time_dependent`` — Cox with treatment as a time-dependent covariate (counting-process
   rows; patients enter at the MRD time point that made them eligible).

The estimand is the true log hazard ratio of treatment on relapse (``log(true_hr)``); with a
time-varying HR it is the first period's value. Latent heterogeneity makes even the randomised
estimates slightly attenuated (non-collapsibility); that is reported as bias, not hidden.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.simulate._design import (
    ANALYSES,
    NAN_SUMMARY,
    AnalysisSummary,
    ReplicateSummary,
    TrialDesign,
    trial_design,
)
from mrdguide.simulate._engine import YEAR, Design, HazardGrid, hazard_grid, simulate_arrays
from mrdguide.simulate._results import AnalysisResult, TrialResult, summarise
from mrdguide.simulate._stats import (
    cox_fit,
    cox_fit_reference,
    km_at,
    logrank2,
    logrank_reference,
    norm_sf2,
)
from mrdguide.simulate.executors import ChunkExecutor, SerialExecutor
from mrdguide.simulate.params import SimulationParams

F = NDArray[np.float64]
B = NDArray[np.bool_]

__all__ = [
    "ANALYSES",
    "AnalysisResult",
    "AnalysisSummary",
    "ReplicateSummary",
    "TrialDesign",
    "TrialResult",
    "analyze",
    "run_chunk",
    "run_replicate",
    "run_replicates",
    "run_trial",
    "summarise",
    "trial_design",
]


def _cox_summary(
    treat: F,
    cov: F,
    stop: F,
    event: B,
    start: F | None = None,
    *,
    cluster: NDArray[np.intp] | None = None,
    ref: bool = False,
) -> AnalysisSummary:
    """Cox fit of treatment (column 0) adjusted for ``cov`` (n x k, k may be 0).

    With ``cluster`` (the patient of each counting-process row) the SE is the grouped sandwich.
    """
    kind = "model" if cluster is None else "cluster"
    if treat.size == 0 or not event.any() or treat.min() == treat.max():
        return replace(NAN_SUMMARY, n=int(treat.size), events=int(event.sum()), variance=kind)
    keep = cov.shape[1] > 0 and cov.size > 0
    cov = cov[:, np.ptp(cov, axis=0) > 1e-12] if keep else cov
    fit = (cox_fit_reference if ref else cox_fit)(
        np.column_stack([treat, cov]), stop, event, start, cluster
    )
    b, se = float(fit.beta[0]), float(fit.se[0])
    ok = fit.converged and math.isfinite(se) and se > 0
    return AnalysisSummary(
        log_hr=b if ok else math.nan,
        se=se if ok else math.nan,
        p_value=norm_sf2(b / se) if ok else math.nan,
        n=int(treat.size),
        events=int(event.sum()),
        variance=kind,
    )


def _covariates(cols: dict[str, NDArray[Any]], params: SimulationParams, design: TrialDesign) -> F:
    """Adjustment covariates: measured log10 EOI MRD (negatives at LOD/2), genetic risk."""
    n = cols["subtype"].size
    if not design.adjust:
        return np.zeros((n, 0))
    lod = params.methods[design.method].lod
    level = np.where(np.isnan(cols["eoi_level"]), lod / 2, cols["eoi_level"])
    risk = np.array([s.relapse_log_rate for s in params.subtypes])[cols["subtype"]]
    return np.column_stack([np.log10(np.maximum(level, 1e-7)), risk])


def _population(
    cols: dict[str, NDArray[Any]], design: TrialDesign, params: SimulationParams
) -> tuple[B, F]:
    """Eligible patients and the day their eligibility became known (their entry)."""
    p = params.presenting
    eoi = cols["eligible_eoi"]
    if design.kind != "asan":
        return eoi, np.full(eoi.size, float(p.eoi_day))
    eoc = cols["eligible_eoc"] & cols["eoc_sampled"]
    return eoi | eoc, np.where(eoi, float(p.eoi_day), float(p.eoc_day))


def _endpoint(cols: dict[str, NDArray[Any]]) -> tuple[F, B, F, B]:
    rel = cols["relapse_day"]
    other = np.fmin(cols["death_day"], cols["smn_day"])
    fu = cols["last_follow_up_day"]
    first = np.fmin(rel, other)
    stop = np.where(np.isfinite(first), first, fu)
    event = np.isfinite(rel) & (rel <= np.nan_to_num(other, nan=np.inf))
    return stop, event, np.where(np.isfinite(first), first, fu), np.isfinite(first)


def analyze(
    cols: dict[str, NDArray[Any]], design: TrialDesign, params: SimulationParams
) -> ReplicateSummary:
    """The three analyses of one simulated cohort (see the module docstring)."""
    elig, entry = _population(cols, design, params)
    stop, event, efs_t, efs_e = _endpoint(cols)
    treated = np.isfinite(cols["intensification_day"])
    z = _covariates(cols, params, design)[elig]
    s, e, tr = stop[elig], event[elig], treated[elig]
    trf = tr.astype(np.float64)
    run = set(design.analyses)
    ref = design.reference_estimators
    naive = _cox_summary(trf, z, s, e, ref=ref) if "naive" in run else NAN_SUMMARY
    last = params.presenting.eoc_day if design.kind == "asan" else params.presenting.eoi_day
    lm_day = float(last + params.intensification.delay_days)
    at = s > lm_day
    lm = NAN_SUMMARY
    if "landmark" in run:
        lm = _cox_summary(trf[at], z[at], s[at] - lm_day, e[at], ref=ref)
        lr = logrank_reference if ref else logrank2
        if at.any() and 0 < tr[at].sum() < at.sum():
            lm = replace(lm, p_value=lr(s[at] - lm_day, e[at], tr[at])[1])
    td = NAN_SUMMARY
    if "time_dependent" in run:
        td = _time_dependent(s, e, tr, z, entry[elig], cols["intensification_day"][elig], ref)
    horizon = 5 * YEAR
    return ReplicateSummary(
        n_eligible=int(elig.sum()),
        n_treated=int(tr.sum()),
        efs5_treated=km_at(efs_t[elig][tr], efs_e[elig][tr], horizon),
        efs5_untreated=km_at(efs_t[elig][~tr], efs_e[elig][~tr], horizon),
        naive=naive,
        landmark=lm,
        time_dependent=td,
    )


def _time_dependent(
    s: F, e: B, tr: B, z: F, entry: F, start: F, ref: bool = False
) -> AnalysisSummary:
    ok = s > entry
    s, e, tr, z, entry, start = s[ok], e[ok], tr[ok], z[ok], entry[ok], start[ok]
    pre_stop = np.where(tr, start, s)
    rows_start = np.concatenate([entry, start[tr]])
    rows_stop = np.concatenate([pre_stop, s[tr]])
    rows_event = np.concatenate([e & ~tr, e[tr]])
    rows_x = np.concatenate([np.zeros(entry.size), np.ones(int(tr.sum()))])
    z_rows = np.concatenate([z, z[tr]])
    patient = np.concatenate([np.arange(entry.size), np.flatnonzero(tr)])
    out = _cox_summary(rows_x, z_rows, rows_stop, rows_event, rows_start, cluster=patient, ref=ref)
    return replace(out, n=int(ok.sum()))


def _setup(design: TrialDesign) -> tuple[SimulationParams, Design, HazardGrid]:
    """What every replicate of ``design`` shares: parameters, cohort size, hazard grid."""
    params = design.sim_params()
    d = Design(
        n=design.patients,
        method=design.method,
        accrual_days=design.accrual_years * YEAR,
        followup_days=design.followup_years * YEAR,
    )
    return params, d, hazard_grid(params)


def _replicate(
    design: TrialDesign,
    setup: tuple[SimulationParams, Design, HazardGrid],
    seed_seq: np.random.SeedSequence,
) -> ReplicateSummary:
    params, d, grid = setup
    rng = np.random.default_rng(seed_seq)
    cols = simulate_arrays(params, d, rng, grid=grid, protocol_inputs=False)
    return analyze(cols, design, params)


def run_replicate(design: TrialDesign, seed_seq: np.random.SeedSequence) -> ReplicateSummary:
    """Simulate and analyze one replicate. Pure: the result depends only on the arguments."""
    return _replicate(design, _setup(design), seed_seq)


def run_chunk(design: TrialDesign, seeds: list[np.random.SeedSequence]) -> list[ReplicateSummary]:
    """Run a chunk of replicates (the unit of work sent to an executor).

    The parameters and the hazard grid are derived once per chunk, not once per replicate.
    """
    setup = _setup(design)
    return [_replicate(design, setup, s) for s in seeds]


ProgressFn = Callable[[int, int], None]


def run_replicates(
    design: TrialDesign,
    replicates: int,
    *,
    seed: int,
    executor: ChunkExecutor | None = None,
    chunk_size: int = 50,
    progress: ProgressFn | None = None,
) -> list[ReplicateSummary]:
    """Run ``replicates`` replicates; replicate ``i`` uses ``SeedSequence(seed).spawn(n)[i]``.

    The result does not depend on the executor, the number of workers or ``chunk_size``.
    """
    if replicates < 1:
        raise InputError("replicates must be >= 1", field="replicates", value=replicates)
    seeds = np.random.SeedSequence(seed).spawn(replicates)
    chunks = [seeds[i : i + chunk_size] for i in range(0, replicates, max(chunk_size, 1))]
    done = [0]

    def on_done(i: int) -> None:
        done[0] += len(chunks[i])
        if progress is not None:
            progress(done[0], replicates)

    ex = executor or SerialExecutor()
    parts = ex.map_chunks(functools.partial(run_chunk, design), chunks, on_done)
    return [r for part in parts for r in part]


def run_trial(
    design: TrialDesign,
    replicates: int,
    *,
    seed: int,
    executor: ChunkExecutor | None = None,
    chunk_size: int = 50,
    progress: ProgressFn | None = None,
    include_null: bool = True,
) -> TrialResult:
    """Run the design (and, by default, its null with the same seeds) and aggregate.

    ``progress(done, total)`` counts replicates over both runs.
    """
    total = replicates * (2 if include_null else 1)

    def shifted(offset: int) -> ProgressFn | None:
        if progress is None:
            return None
        return lambda done, _n: progress(offset + done, total)

    kw: dict[str, Any] = {"seed": seed, "executor": executor, "chunk_size": chunk_size}
    alt = run_replicates(design, replicates, progress=shifted(0), **kw)
    null = None
    if include_null:
        null = run_replicates(design.null(), replicates, progress=shifted(replicates), **kw)
    return summarise(design, alt, null, seed=seed)
