"""Vectorised generator core: parameters + Generator -> dict of numpy columns.

Times are floats in days since diagnosis. Hazards are piecewise constant on a grid of cell
edges that contains every MRD day, every intensification start and every change of the
intensification hazard ratio, so event times are drawn exactly by inverting the cumulative
hazard of each patient (one row of an ``n x G`` matrix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.domain import DAYS_PER_YEAR
from mrdguide.simulate._rngs import Rngs
from mrdguide.simulate.params import MethodParams, SimulationParams

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.int64]  # noqa: E741
Cols = dict[str, NDArray[Any]]

YEAR = DAYS_PER_YEAR
GRID_YEARS = 15.0
GRID_STEP_DAYS = YEAR / 12.0
RESISTANCE_RHO = 0.5  # correlation of day-8 blasts and EOI MRD through a latent resistance

#: Status codes of measured MRD columns.
NEGATIVE, POSITIVE_NQ, POSITIVE = 0, 1, 2


@dataclass(frozen=True, slots=True, kw_only=True)
class Design:
    """Size, accrual and follow-up of one simulated cohort (all in days)."""

    n: int
    method: str
    accrual_days: float
    followup_days: float


def measure(true: F, method: MethodParams, rng: np.random.Generator | Rngs) -> tuple[I, F]:
    """Measure true MRD fractions with an assay: (status code, measured level or NaN)."""
    noise = 10.0 ** rng.normal(0.0, method.noise_sd_log10, true.shape)
    level = np.minimum(true * noise, 1.0)
    status = np.where(
        level >= method.lloq, POSITIVE, np.where(level >= method.lod, POSITIVE_NQ, NEGATIVE)
    ).astype(np.int64)
    return status, np.where(status == NEGATIVE, np.nan, level)


def _presenting(p: SimulationParams, n: tuple[int, int], rng: Rngs) -> Cols:
    subs = p.subtypes
    freq = np.array([s.frequency for s in subs])
    st = rng.choice(len(subs), size=n, p=freq / freq.sum()).astype(np.int64)

    def col(name: str) -> F:
        return np.array([getattr(s, name) for s in subs], dtype=np.float64)[st]

    age = np.exp(np.log(col("age_median_years")) + col("age_sd_log") * rng.standard_normal(n))
    wbc = 10.0 ** (np.log10(col("wbc_median_per_ul")) + col("wbc_sd_log10") * rng.normal(size=n))
    pr = p.presenting
    cns = rng.choice(3, size=n, p=[1.0 - pr.cns2 - pr.cns3, pr.cns2, pr.cns3]) + 1
    hz = p.hazards
    log_frailty = rng.normal(-0.5 * hz.frailty_sd**2, hz.frailty_sd, n)
    resistance = rng.standard_normal(n)
    d8_noise = rng.normal(size=n)
    d8 = 10.0 ** (
        col("d8_log10_blasts_mean")
        + pr.d8_resistance_loading * resistance
        + pr.d8_noise_sd_log10 * d8_noise
    )
    return {
        "subtype": st,
        "age_years": np.round(np.clip(age, 1.0, 17.99), 2),
        "male": rng.random(n) < col("male_fraction"),
        "t_lineage": np.array([s.lineage == "T" for s in subs])[st],
        "wbc_per_ul": np.round(np.clip(wbc, 300.0, 1.5e6), -1),
        "cns": cns.astype(np.int64),
        "down_syndrome": rng.random(n) < pr.down_syndrome,
        "day8_pb_blasts_per_ul": np.round(np.clip(d8, 0.0, 1.5e6), 1),
        "log_frailty": log_frailty,
        "_resistance": resistance,
    }


def _mrd_truth(p: SimulationParams, cols: Cols, rng: Rngs) -> None:
    st = cols["subtype"]
    n = st.shape

    def col(name: str) -> F:
        out: F = np.array([getattr(s, name) for s in p.subtypes], dtype=np.float64)[st]
        return out

    ind_death = rng.random(n) < p.hazards.induction_death
    failure = ~ind_death & (rng.random(n) < col("induction_failure"))
    z = RESISTANCE_RHO * cols["_resistance"] + np.sqrt(1 - RESISTANCE_RHO**2) * rng.normal(size=n)
    log_eoi = np.minimum(col("eoi_log10_mean") + col("eoi_log10_sd") * z, -0.3)
    eoi = np.where(rng.random(n) < col("eoi_p_negative"), 0.0, 10.0**log_eoi)
    eoi = np.where(failure, 10.0 ** rng.uniform(-1.3, -0.3, n), eoi)
    drop = col("eoc_log10_drop_mean") + col("eoc_log10_drop_sd") * rng.normal(size=n)
    eoc = np.where(rng.random(n) < col("eoc_p_clear"), 0.0, eoi * 10.0 ** (-drop))
    cols["induction_death"] = ind_death
    cols["induction_failure"] = failure
    cols["true_eoi_mrd"] = np.where(ind_death, np.nan, eoi)
    cols["true_eoc_mrd"] = np.where(ind_death | failure, np.nan, np.minimum(eoc, 1.0))


def _grid(p: SimulationParams) -> F:
    it, pr = p.intensification, p.presenting
    starts = [float(pr.eoi_day + it.delay_days), float(pr.eoc_day + it.delay_days)]
    extra: list[float] = [float(pr.eoi_day), float(pr.eoc_day), *starts]
    extra += [s + b * YEAR for s in starts for b in it.hr_breaks_years]
    extra += [pr.eoi_day + k * YEAR for k in range(int(GRID_YEARS) + 1)]
    base = np.arange(0.0, GRID_YEARS * YEAR, GRID_STEP_DAYS)
    return np.unique(np.concatenate([base, np.asarray(extra, dtype=np.float64)]))


def _multipliers(mid: F, starts: tuple[float, ...], hr: F, breaks: F) -> F:
    """Hazard multiplier per start code (rows: no treatment, then each start) and cell."""
    rows = [np.ones(mid.size)]
    for st in starts:
        since = (mid - st) / YEAR
        period = np.clip(np.searchsorted(breaks, since, "right"), 0, hr.size - 1)
        rows.append(np.where(since >= 0, hr[period], 1.0))
    return np.vstack(rows)


def _invert(edges: F, h: F, code: I, scale: F, e: F) -> F:
    """Event times for hazards ``scale[i] * h[code[i], cell]`` and unit-exponential draws ``e``.

    Each row of ``h`` is one start code; its cumulative hazard is computed once and inverted
    with ``searchsorted``, so the cost is O(n log G) rather than O(n G). ``code``, ``scale``
    and ``e`` have one shape (a batch of cohorts); the result has it too.
    """
    shape = e.shape
    code, scale, e = code.ravel(), scale.ravel(), e.ravel()
    cum = np.cumsum(h * np.diff(edges)[None, :], axis=1)
    g = h.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        target = e / scale
    out = np.full(e.size, np.inf)
    for k in range(h.shape[0]):
        rows = np.flatnonzero(code == k)
        if rows.size == 0:
            continue
        tg = target[rows]
        idx = np.searchsorted(cum[k], tg, "left")
        inside = idx < g
        safe = np.minimum(idx, g - 1)
        prev = np.where(safe > 0, cum[k][np.maximum(safe - 1, 0)], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t_in = edges[safe] + (tg - prev) / h[k][safe]
            tail = h[k][-1]
            t_tail = edges[-1] + (tg - cum[k][-1]) / tail if tail > 0 else np.full(tg.size, np.inf)
        out[rows] = np.where(inside, t_in, t_tail)
    return out.reshape(shape)


def _relapse_rate(p: SimulationParams, cols: Cols) -> F:
    hz = p.hazards
    st = cols["subtype"]
    alpha = np.array([s.relapse_log_rate for s in p.subtypes])[st]
    beta = np.array([s.mrd_log_hr for s in p.subtypes])[st]
    with np.errstate(divide="ignore", invalid="ignore"):
        m_eoi = np.maximum(np.log10(np.nan_to_num(cols["true_eoi_mrd"])), hz.mrd_floor_log10)
        m_eoc = np.maximum(np.log10(np.nan_to_num(cols["true_eoc_mrd"])), hz.mrd_floor_log10)
    lr = alpha + beta * (m_eoi - hz.mrd_ref_log10) + hz.eoc_log_hr * (m_eoc - hz.mrd_floor_log10)
    # Era effect: extra hazard for MRD-positive patients treated without MRD-directed therapy.
    lr = lr + hz.mrd_positive_log_hr * (m_eoi >= hz.mrd_ref_log10)
    return np.asarray(np.exp(lr + cols["log_frailty"]), dtype=np.float64)


def _assign(p: SimulationParams, cols: Cols, method: str, rng: Rngs) -> F:
    """Planned intensification start day (inf if none), before checking event-free survival."""
    it, pr = p.intensification, p.presenting
    n = cols["subtype"].shape
    start = np.full(n, np.inf)
    if it.fraction <= 0:
        return start
    sd = p.hazards.frailty_sd
    zf = cols["log_frailty"] / sd if sd > 0 else np.zeros(n)
    f = min(max(it.fraction, 1e-9), 1 - 1e-9)
    prob = 1.0 / (1.0 + np.exp(-(np.log(f / (1 - f)) + it.confounding_log_or * zf)))
    if it.fraction >= 1.0:
        prob = np.ones(n)
    chosen = rng.random(n) < prob
    cr = ~cols["induction_death"] & ~cols["induction_failure"]
    for tp, day in (("eoi", pr.eoi_day), ("eoc", pr.eoc_day)):
        key = f"rule_{tp}_level"
        if it.assay == method:
            level = np.nan_to_num(cols[f"{tp}_level"])
        else:
            level = np.nan_to_num(measure(cols[f"true_{tp}_mrd"], p.methods[it.assay], rng)[1])
        cols[key] = level
        hit = level >= it.threshold if it.eligible_if == "at_least" else level < it.threshold
        new = (tp in it.timepoints) & cr & hit & ~np.isfinite(start)
        cols[f"eligible_{tp}"] = new
        start = np.where(new & chosen, day + it.delay_days, start)
    return start


@dataclass(frozen=True, slots=True)
class HazardGrid:
    """What the event-time draws need that depends on the parameters only (not on patients).

    Build it once with :func:`hazard_grid` and pass it to :func:`simulate_arrays` when many
    cohorts share one parameter set (the trial replicates of a chunk).
    """

    edges: F
    base: F
    starts: tuple[float, float]
    m_rel: F
    trm: F
    m_trm: F


def hazard_grid(p: SimulationParams) -> HazardGrid:
    """Cell edges, baseline hazards and treatment multipliers of ``p``."""
    hz, it, pr = p.hazards, p.intensification, p.presenting
    edges = _grid(p)
    mid = 0.5 * (edges[:-1] + edges[1:])
    yrs = (mid - pr.eoi_day) / YEAR
    w = np.asarray(hz.relapse_year_weights, dtype=np.float64)
    base = np.where(yrs >= 0, w[np.clip(yrs.astype(np.int64), 0, w.size - 1)], 0.0)
    base = base / w[:5].sum() / YEAR
    starts = (float(pr.eoi_day + it.delay_days), float(pr.eoc_day + it.delay_days))
    hr = np.asarray(it.hr, dtype=np.float64)
    m_rel = _multipliers(mid, starts, hr, np.asarray(it.hr_breaks_years, dtype=np.float64))
    trm = np.where(yrs < 1.0, hz.trm_first_year, hz.trm_later_per_year)
    trm = np.where(yrs >= 0, -np.log1p(-trm) / YEAR, 0.0)
    m_trm = _multipliers(mid, starts, np.array([it.trm_hr]), np.zeros(0))
    return HazardGrid(edges=edges, base=base, starts=starts, m_rel=m_rel, trm=trm, m_trm=m_trm)


def _event_times(p: SimulationParams, cols: Cols, start: F, rng: Rngs, g: HazardGrid) -> None:
    hz, pr = p.hazards, p.presenting
    n = start.shape
    starts = g.starts
    code = np.select([start == starts[0], start == starts[1]], [1, 2], 0).astype(np.int64)
    t_rel = _invert(
        g.edges, g.base[None, :] * g.m_rel, code, _relapse_rate(p, cols), rng.exponential(size=n)
    )
    t_trm = _invert(g.edges, g.trm[None, :] * g.m_trm, code, np.ones(n), rng.exponential(size=n))
    t_smn = pr.eoi_day + rng.exponential(1.0 / max(hz.smn_per_year, 1e-12), n) * YEAR
    cols["_t_rel"], cols["_t_trm"], cols["_t_smn"] = t_rel, t_trm, t_smn


def _death_after(rate_5y: float, n: tuple[int, int], rng: Rngs) -> F:
    lam = -np.log1p(-min(rate_5y, 0.999)) / (5 * YEAR)
    return rng.exponential(1.0 / lam, n)


def _outcomes(
    p: SimulationParams,
    cols: Cols,
    start: F,
    d: Design,
    rng: Rngs,
) -> None:
    hz, pr = p.hazards, p.presenting
    n = start.shape
    entry = rng.uniform(0.0, d.accrual_days, n)
    ltfu = rng.exponential(YEAR / max(hz.ltfu_per_year, 1e-12), n)
    cens = np.minimum(d.accrual_days + d.followup_days - entry, ltfu)
    cens = np.maximum(cens, p.presenting.eoi_day + 1.0)
    ind_death, fail = cols["induction_death"], cols["induction_failure"]
    t_rel, t_trm, t_smn = cols.pop("_t_rel"), cols.pop("_t_trm"), cols.pop("_t_smn")
    first = np.minimum(np.minimum(t_rel, t_trm), t_smn)
    cr = ~ind_death & ~fail
    relapse = cr & (t_rel == first) & (t_rel <= cens)
    trm = cr & (t_trm == first) & (t_trm <= cens)
    smn = cr & (t_smn == first) & (t_smn <= cens)
    death_rel = t_rel + _death_after(hz.death_after_relapse_5y, n, rng)
    death_fail = pr.eoi_day + _death_after(hz.death_after_failure_5y, n, rng)
    death = np.full(n, np.inf)
    death = np.where(ind_death, rng.integers(3, pr.eoi_day, n).astype(np.float64), death)
    death = np.where(fail & (death_fail <= cens), death_fail, death)
    death = np.where(relapse & (death_rel <= cens), death_rel, death)
    death = np.where(trm, t_trm, death)
    cols["entry_day"] = entry
    cols["relapse_day"] = np.where(relapse, t_rel, np.nan)
    cols["smn_day"] = np.where(smn, t_smn, np.nan)
    cols["death_day"] = np.where(np.isfinite(death), death, np.nan)
    cols["death_in_remission"] = trm
    cols["last_follow_up_day"] = np.where(np.isfinite(death), death, np.maximum(cens, pr.eoi_day))
    cols["last_follow_up_day"] = np.where(ind_death, death, cols["last_follow_up_day"])
    ok = np.isfinite(start) & cr & (np.minimum(first, cens) > start)
    cols["intensification_day"] = np.where(ok, start, np.nan)
    trig = np.where(start == pr.eoi_day + p.intensification.delay_days, 1, 2)
    cols["intensification_trigger"] = np.where(ok, trig, 0).astype(np.int64)
    cols["eoc_sampled"] = cr & (np.minimum(first, cens) > pr.eoc_day)


def simulate_arrays(
    p: SimulationParams,
    d: Design,
    rng: np.random.Generator,
    *,
    grid: HazardGrid | None = None,
    protocol_inputs: bool = True,
) -> Cols:
    """Simulate one cohort as numpy columns (float days since diagnosis).

    ``grid``: :func:`hazard_grid` of ``p``, precomputed (else built here). ``protocol_inputs``
    False skips the columns only some protocol rule sets need (testicular status, day-8/15/19
    MRD, PCR markers, ETP, EOI marrow blasts); they come from a spawned child generator, so
    every other column is the same either way.
    """
    cols = simulate_batch(p, d, [rng], grid=grid, protocol_inputs=protocol_inputs)
    return {k: v[0] for k, v in cols.items()}


def simulate_batch(
    p: SimulationParams,
    d: Design,
    rngs: list[np.random.Generator],
    *,
    grid: HazardGrid | None = None,
    protocol_inputs: bool = True,
) -> Cols:
    """Simulate ``len(rngs)`` cohorts at once: every column is ``(R, d.n)``, row r from rngs[r].

    Row ``r`` equals ``simulate_arrays(p, d, rngs[r], ...)`` exactly: every draw is the one a
    single cohort makes (:class:`~mrdguide.simulate._rngs.Rngs`) and everything else is
    element-wise, so batching only removes per-call overhead.
    """
    rng = Rngs(rngs, d.n)
    cols = _presenting(p, rng.shape, rng)
    _mrd_truth(p, cols, rng)
    meth = p.methods[d.method]
    for tp in ("eoi", "eoc"):
        status, level = measure(np.nan_to_num(cols[f"true_{tp}_mrd"]), meth, rng)
        cols[f"{tp}_status"], cols[f"{tp}_level"] = status, level
    start = _assign(p, cols, d.method, rng)
    _event_times(p, cols, start, rng, hazard_grid(p) if grid is None else grid)
    _outcomes(p, cols, start, d, rng)
    # Drawn from a spawned child generator so the streams above (and every calibrated figure)
    # are unchanged by these extra columns.
    if protocol_inputs:
        _protocol_inputs(p, cols, rng.spawn_one())
    del cols["_resistance"]
    return cols


#: Share of boys with testicular involvement at diagnosis [A: about 2%].
TESTICULAR_FRACTION = 0.02
#: Share with steroid pre-treatment before diagnosis [A: about 3%].
STEROID_PRETREATMENT_FRACTION = 0.03
#: Share of PCR follow-ups with only one informative marker (the rest have two) [A].
ONE_MARKER_FRACTION = 0.15


def _protocol_inputs(p: SimulationParams, cols: Cols, rng: Rngs) -> None:
    """Inputs some protocols need: testicular status, steroid pre-treatment, day-8 blood and
    day-15/day-19 bone-marrow flow MRD, the number of PCR markers, ETP status and the
    end-of-induction marrow blast percentage of induction failures.

    Early MRD is drawn above the end-of-induction level: day 15 is 0.5-1.5 log above it and
    day 19 0.2-0.6 log below day 15 (both [A]); an MRD-negative end of induction starts from
    10**N(-3.5, 0.8) at day 15 [A]. These early values do not enter the relapse hazard.
    """
    n = cols["subtype"].shape
    cols["testicular"] = cols["male"] & (rng.random(n) < TESTICULAR_FRACTION)
    cols["steroid_pretreatment"] = rng.random(n) < STEROID_PRETREATMENT_FRACTION
    eoi = np.nan_to_num(cols["true_eoi_mrd"])
    base = np.where(eoi > 0, np.log10(np.maximum(eoi, 1e-12)), rng.normal(-3.5, 0.8, n))
    log15 = np.minimum(base + rng.uniform(0.5, 1.5, n), -0.05)
    log19 = log15 - rng.uniform(0.2, 0.6, n)
    # Day-8 peripheral-blood MRD sits 0.5-1.5 log above day-15 marrow [A].
    log8 = np.minimum(log15 + rng.uniform(0.5, 1.5, n) - 1.0, -0.05)
    flow = p.methods["flow"]
    for tp, lg in (("day8", log8), ("day15", log15), ("day19", log19)):
        status, level = measure(10.0**lg, flow, rng)
        cols[f"{tp}_status"], cols[f"{tp}_level"] = status, level
    cols["pcr_markers"] = np.where(rng.random(n) < ONE_MARKER_FRACTION, 1, 2).astype(np.int64)
    # Drawn last so the columns above keep their streams. ETP-ALL among T-ALL; the marrow blast
    # percentage is recorded for induction failures only (EOI marrow ~ EOI MRD, 5-50%).
    cols["etp"] = cols["t_lineage"] & (rng.random(n) < p.presenting.etp_fraction_of_t)
    fail = cols["induction_failure"]
    blasts = np.round(100.0 * np.nan_to_num(cols["true_eoi_mrd"]), 1)
    cols["eoi_marrow_blasts_percent"] = np.where(fail, np.clip(blasts, 5.1, 100.0), np.nan)
