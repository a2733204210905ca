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
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.simulate._engine import YEAR, Design, simulate_arrays
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
from mrdguide.simulate.params import SimulationParams, default_params

__all__ = [
    "ANALYSES",
    "AnalysisResult",
    "AnalysisSummary",
    "ReplicateSummary",
    "TrialDesign",
    "TrialResult",
    "analyse",
    "run_chunk",
    "run_replicate",
    "run_replicates",
    "run_trial",
    "summarise",
    "trial_design",
]

DesignKind = Literal["asan", "randomised", "deescalation"]
ANALYSES: tuple[str, ...] = ("naive", "landmark", "time_dependent")
F = NDArray[np.float64]
B = NDArray[np.bool_]


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialDesign:
    """One in-silico trial. Use :func:`trial_design` for the documented defaults.

    Parameters
    ----------
    kind : {"asan", "randomised", "deescalation"}
    patients : int
        Patients simulated per replicate (the eligible subset is analysed).
    true_hr, hr_breaks_years, late_hr : float, tuple, tuple
        Treatment HR on relapse; optionally ``late_hr`` values after ``hr_breaks_years``.
    fraction, threshold, confounding_log_or, delay_days
        Assignment rule: share of eligible patients treated, MRD threshold, selection on
        frailty (log OR per SD), days from the MRD sample to the start of treatment.
    ni_margin_hr, alpha
        Non-inferiority margin (de-escalation) and test level.
    accrual_years, followup_years : float
        Uniform accrual and minimum follow-up.
    adjust : bool
        Adjust every Cox model for measured log10 EOI MRD and genetic risk.
    analyses : tuple of str
        Which of ``naive``, ``landmark``, ``time_dependent`` to run.
    reference_estimators : bool
        Use the validated public ``mrdguide.survival.cox_ph``/``logrank_test`` instead of the
        fast private kernels (same numbers to ~1e-6, several times slower).
    method : str
        MRD assay used for eligibility.
    params : SimulationParams, optional
        Generator parameters (default: the packaged ones).
    """

    kind: DesignKind
    patients: int = 1000
    true_hr: float = 0.6
    hr_breaks_years: tuple[float, ...] = ()
    late_hr: tuple[float, ...] = ()
    fraction: float = 0.5
    threshold: float = 1e-3
    confounding_log_or: float = 0.0
    delay_days: int | None = None
    ni_margin_hr: float = 1.5
    accrual_years: float = 5.0
    followup_years: float = 5.0
    alpha: float = 0.05
    adjust: bool = True
    analyses: tuple[str, ...] = ("naive", "landmark", "time_dependent")
    reference_estimators: bool = False
    method: str = "flow"
    params: SimulationParams | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in ("asan", "randomised", "deescalation"):
            raise InputError(f"unknown design {self.kind!r}", field="design", value=self.kind)
        unknown = set(self.analyses) - {"naive", "landmark", "time_dependent"}
        if unknown:
            raise InputError(f"unknown analyses {sorted(unknown)}", field="analyses")
        if self.patients < 20:
            raise InputError("a trial needs >= 20 patients", field="patients", value=self.patients)

    @property
    def superiority(self) -> bool:
        """False for the non-inferiority (de-escalation) design."""
        return self.kind != "deescalation"

    @property
    def null_hr(self) -> float:
        """The HR under which rejecting is a type-I error (1, or the NI margin)."""
        return 1.0 if self.superiority else self.ni_margin_hr

    def null(self) -> TrialDesign:
        """The same design with the effect set to its null value."""
        return replace(self, true_hr=self.null_hr, late_hr=())

    def sim_params(self) -> SimulationParams:
        """Generator parameters with this design's assignment rule."""
        p = self.params or default_params()
        return p.with_intensification(
            threshold=self.threshold,
            timepoints=("eoi", "eoc") if self.kind == "asan" else ("eoi",),
            fraction=self.fraction,
            hr=(self.true_hr, *self.late_hr),
            hr_breaks_years=self.hr_breaks_years,
            confounding_log_or=self.confounding_log_or,
            eligible_if="below" if self.kind == "deescalation" else "at_least",
            assay=self.method,
            delay_days=p.intensification.delay_days if self.delay_days is None else self.delay_days,
        )


def trial_design(kind: DesignKind, **changes: Any) -> TrialDesign:
    """A design with documented defaults per kind, then ``changes``.

    ``asan``: 12/21 of eligible intensified [sources: asan2025-press], confounding log OR -1
    per SD of frailty, HR 0.6. ``randomised``: 1:1, HR 0.6. ``deescalation``: MRD < 1e-4, 1:1, HR 1,
    NI margin 1.5 on the hazard-ratio scale.
    """
    defaults: dict[str, dict[str, Any]] = {
        "asan": {"fraction": 12 / 21, "confounding_log_or": -1.0},
        "randomised": {"fraction": 0.5},
        "deescalation": {"fraction": 0.5, "threshold": 1e-4, "true_hr": 1.0},
    }
    return TrialDesign(kind=kind, **{**defaults.get(kind, {}), **changes})


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisSummary:
    """One analysis of one replicate (log HR of treatment, its SE and p-value)."""

    log_hr: float
    se: float
    p_value: float
    n: int
    events: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicateSummary:
    """What a replicate returns: small numbers, no patient rows."""

    n_eligible: int
    n_treated: int
    efs5_treated: float
    efs5_untreated: float
    naive: AnalysisSummary
    landmark: AnalysisSummary
    time_dependent: AnalysisSummary

    def analysis(self, name: str) -> AnalysisSummary:
        """The summary of analysis ``name``."""
        if name not in ANALYSES:
            raise KeyError(name)
        out: AnalysisSummary = getattr(self, name)
        return out


_NAN = AnalysisSummary(log_hr=math.nan, se=math.nan, p_value=math.nan, n=0, events=0)


def _cox_summary(
    treat: F, cov: F, stop: F, event: B, start: F | None = None, *, ref: bool = False
) -> AnalysisSummary:
    """Cox fit of treatment (column 0) adjusted for ``cov`` (n x k, k may be 0)."""
    if treat.size == 0 or not event.any() or treat.min() == treat.max():
        return replace(_NAN, n=int(treat.size), events=int(event.sum()))
    keep = cov.shape[1] > 0 and cov.size > 0
    cov = cov[:, np.ptp(cov, axis=0) > 1e-12] if keep else cov
    fit = (cox_fit_reference if ref else cox_fit)(np.column_stack([treat, cov]), stop, event, start)
    b, se = float(fit.beta[0]), float(fit.se[0])
    ok = fit.converged and math.isfinite(se) and se > 0
    return AnalysisSummary(
        log_hr=b if ok else math.nan,
        se=se if ok else math.nan,
        p_value=norm_sf2(b / se) if ok else math.nan,
        n=int(treat.size),
        events=int(event.sum()),
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


def analyse(
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
    naive = _cox_summary(trf, z, s, e, ref=ref) if "naive" in run else _NAN
    last = params.presenting.eoc_day if design.kind == "asan" else params.presenting.eoi_day
    lm_day = float(last + params.intensification.delay_days)
    at = s > lm_day
    lm = _NAN
    if "landmark" in run:
        lm = _cox_summary(trf[at], z[at], s[at] - lm_day, e[at], ref=ref)
        lr = logrank_reference if ref else logrank2
        if at.any() and 0 < tr[at].sum() < at.sum():
            lm = replace(lm, p_value=lr(s[at] - lm_day, e[at], tr[at])[1])
    td = _NAN
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
    out = _cox_summary(rows_x, z_rows, rows_stop, rows_event, rows_start, ref=ref)
    return replace(out, n=int(ok.sum()))


def run_replicate(design: TrialDesign, seed_seq: np.random.SeedSequence) -> ReplicateSummary:
    """Simulate and analyse one replicate. Pure: the result depends only on the arguments."""
    rng = np.random.default_rng(seed_seq)
    d = Design(
        n=design.patients,
        method=design.method,
        accrual_days=design.accrual_years * YEAR,
        followup_days=design.followup_years * YEAR,
    )
    params = design.sim_params()
    cols = simulate_arrays(params, d, rng)
    return analyse(cols, design, params)


def run_chunk(design: TrialDesign, seeds: list[np.random.SeedSequence]) -> list[ReplicateSummary]:
    """Run a chunk of replicates (the unit of work sent to an executor)."""
    return [run_replicate(design, s) for s in seeds]


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
