"""Tests of the in-silico trial framework."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.simulate import run_replicate, run_trial, trial_design


def test_replicate_is_a_pure_function_of_design_and_seed() -> None:
    """The same SeedSequence gives the same summary; another gives a different one."""
    d = trial_design("asan", patients=400)
    ss = np.random.SeedSequence(9).spawn(2)
    a, b = run_replicate(d, ss[0]), run_replicate(d, ss[0])
    assert a == b
    assert run_replicate(d, ss[1]) != a
    assert a.n_eligible > a.n_treated > 0


@pytest.mark.parametrize("kind", ["asan", "randomised", "deescalation"])
def test_every_design_yields_three_finite_analyses(kind: str) -> None:
    """Each design returns naive, landmark and time-dependent estimates with SEs."""
    s = run_replicate(trial_design(kind, patients=600), np.random.SeedSequence(3))
    for name in ("naive", "landmark", "time_dependent"):
        a = s.analysis(name)
        assert math.isfinite(a.log_hr)
        assert a.se > 0
        assert 0 <= a.p_value <= 1
        assert a.events > 0


def test_randomised_time_dependent_is_nearly_unbiased() -> None:
    """Under randomisation the time-dependent Cox estimate is close to the true log HR."""
    res = run_trial(trial_design("randomised", patients=800), 60, seed=5, include_null=False)
    td = res.analysis("time_dependent")
    assert abs(td.bias) < 3 * td.empirical_se / math.sqrt(td.n_valid) + 0.1
    assert 0.8 <= td.coverage <= 1.0


def test_immortal_time_biases_only_the_naive_analysis() -> None:
    """With a late start and no true effect, naive looks protective; TD and landmark do not."""
    d = trial_design("asan", patients=800, true_hr=1.0, confounding_log_or=0.0, delay_days=240)
    res = run_trial(d, 40, seed=8, include_null=False)
    naive, td = res.analysis("naive"), res.analysis("time_dependent")
    assert naive.mean_log_hr < -0.2
    assert abs(td.mean_log_hr) < 0.15
    assert abs(res.analysis("landmark").mean_log_hr) < 0.15


def test_confounding_by_indication_biases_every_analysis() -> None:
    """Selecting fitter patients for intensification biases even the TD analysis."""
    d = trial_design("asan", patients=800, true_hr=1.0, confounding_log_or=-2.0)
    res = run_trial(d, 40, seed=8, include_null=False)
    assert res.analysis("time_dependent").mean_log_hr < -0.1
    assert res.mean_efs5_treated > res.mean_efs5_untreated


def test_trial_result_reports_power_type_one_error_and_serialises() -> None:
    """run_trial with the null gives type-I error rates and a JSON-ready dict."""
    res = run_trial(trial_design("deescalation", patients=300), 8, seed=2)
    d = res.to_dict()
    assert d["replicates"] == 8
    assert len(d["analyses"]) == 3
    assert all(0 <= a.type_i_error <= 1 for a in res.analyses)
    assert res.design.null().true_hr == res.design.ni_margin_hr


def test_invalid_designs_are_rejected() -> None:
    """Unknown design kinds and tiny trials raise InputError."""
    with pytest.raises(InputError):
        trial_design("crossover")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        trial_design("asan", patients=5)
    with pytest.raises(InputError):
        run_trial(trial_design("asan"), 0, seed=1)


def test_fast_kernels_match_public_survival_estimators() -> None:
    """A replicate analyzed with mrdguide.survival.cox_ph/logrank_test gives the same numbers."""
    ss = np.random.SeedSequence(12)
    fast = run_replicate(trial_design("asan", patients=500), ss)
    ref = run_replicate(trial_design("asan", patients=500, reference_estimators=True), ss)
    for name in ("naive", "landmark", "time_dependent"):
        a, b = fast.analysis(name), ref.analysis(name)
        assert a.log_hr == pytest.approx(b.log_hr, abs=1e-5)
        assert a.se == pytest.approx(b.se, rel=1e-4)
        assert a.p_value == pytest.approx(b.p_value, rel=1e-4, abs=1e-9)


def _td_rows(cols, design, params):  # type: ignore[no-untyped-def]
    """The time-dependent analysis' counting-process rows, built here independently."""
    lod = params.methods["flow"].lod
    eoi, eoc = cols["eligible_eoi"], cols["eligible_eoc"] & cols["eoc_sampled"]
    elig = eoi | eoc
    entry = np.where(eoi, params.presenting.eoi_day, params.presenting.eoc_day)[elig]
    rel, fu = cols["relapse_day"][elig], cols["last_follow_up_day"][elig]
    other = np.fmin(cols["death_day"], cols["smn_day"])[elig]
    first = np.fmin(rel, other)
    stop = np.where(np.isfinite(first), first, fu)
    event = np.isfinite(rel) & (rel <= np.nan_to_num(other, nan=np.inf))
    start = cols["intensification_day"][elig]
    level = np.where(np.isnan(cols["eoi_level"]), lod / 2, cols["eoi_level"])[elig]
    risk = np.array([s.relapse_log_rate for s in params.subtypes])[cols["subtype"][elig]]
    rows: list[tuple[float, float, bool, float, float, float, int]] = []
    for i in np.flatnonzero(stop > entry):
        z = (float(np.log10(max(level[i], 1e-7))), float(risk[i]))
        if np.isfinite(start[i]):
            rows.append((entry[i], start[i], False, 0.0, *z, i))
            rows.append((start[i], stop[i], bool(event[i]), 1.0, *z, i))
        else:
            rows.append((entry[i], stop[i], bool(event[i]), 0.0, *z, i))
    a = np.array(rows, dtype=np.float64)
    return a[:, 0], a[:, 1], a[:, 2] > 0, a[:, 3:6], a[:, 6].astype(np.int64)


def test_time_dependent_se_is_the_patient_clustered_sandwich() -> None:
    """The time-dependent SE equals cox_ph(..., cluster=patient) and differs from the model SE."""
    from mrdguide.simulate._engine import YEAR, Design, simulate_arrays
    from mrdguide.simulate.trials import analyze
    from mrdguide.survival import cox_ph

    design = trial_design("asan", patients=1500, confounding_log_or=0.0)
    params = design.sim_params()
    d = Design(n=1500, method="flow", accrual_days=5 * YEAR, followup_days=5 * YEAR)
    cols = simulate_arrays(params, d, np.random.default_rng(np.random.SeedSequence(31)))
    td = analyze(cols, design, params).time_dependent
    start, stop, event, x, patient = _td_rows(cols, design, params)
    ref = cox_ph(x, stop, event, entry=start, ties="breslow", cluster=patient)
    assert td.variance == "cluster"
    assert ref.variance == "cluster"
    assert td.log_hr == pytest.approx(ref.coef[0], abs=1e-7)
    assert td.se == pytest.approx(ref.std_err[0], rel=1e-6)
    assert abs(td.se / ref.naive_std_err[0] - 1) > 1e-3
    assert td.n == len(set(patient.tolist()))


def test_trial_result_names_the_variance_of_each_analysis() -> None:
    """Single-row analyses carry the model SE; the time-dependent one the clustered SE."""
    res = run_trial(trial_design("randomised", patients=300), 4, seed=3, include_null=False)
    kinds = {a.name: a.variance for a in res.analyses}
    assert kinds == {"naive": "model", "landmark": "model", "time_dependent": "cluster"}
    assert [a["variance"] for a in res.to_dict()["analyses"]] == list(kinds.values())


def test_packed_summaries_round_trip_exactly() -> None:
    """What a task sends back (two arrays) unpacks to the same summaries, NaNs included."""
    from mrdguide.simulate._design import PackedSummaries
    from mrdguide.simulate.trials import Chunk, run_chunk

    design = trial_design("randomised", patients=150, analyses=("landmark", "time_dependent"))
    rows = run_chunk(design, Chunk(design, 4, 0, 6).seeds())
    assert any(math.isnan(r.naive.log_hr) for r in rows)
    assert {r.time_dependent.variance for r in rows} == {"cluster"}
    assert repr(PackedSummaries.pack(rows).unpack()) == repr(rows)
