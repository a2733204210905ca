"""Seeded generators of cohorts with known genotype x log10 MRD relapse effects.

The generators draw covariates exactly as :func:`mrdguide.risk.design.design_matrix` codes them
(negatives at log10(sensitivity / 2) with an indicator), so the fitted model is correctly
specified and its coefficients must recover the true values within sampling error.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from mrdguide.risk import Covariates, ModelSpec, RiskData, design_matrix

YEAR = 365.25
GROUP_P = {"good": 0.6, "intermediate": 0.3, "high": 0.1}
GROUP_MU = {"good": -3.8, "intermediate": -3.3, "high": -2.8}
#: True coefficients on the default spec's terms (interaction on, no spline).
TRUE_BETA = {
    "group[intermediate]": 0.7,
    "group[high]": 1.4,
    "log10_mrd": 0.35,
    "mrd_negative": -0.3,
    "group[intermediate]:log10_mrd": 0.15,
    "group[high]:log10_mrd": 0.3,
}
#: Fine–Gray generator (Fine & Gray 1999, §5): F1(t|x) = 1 - (1 - p(1 - exp(-lam t)))^exp(xb).
FG_P, FG_LAM = 0.05, 0.35  # per year


def draw_covariates(n: int, rng: np.random.Generator) -> Covariates:
    """Genetic tier, EOI MRD (30% of samples at sensitivity 1e-4, else 1e-5), WBC and age."""
    groups = rng.choice(list(GROUP_P), size=n, p=list(GROUP_P.values()))
    mu = np.array([GROUP_MU[g] for g in groups])
    latent = rng.normal(mu, 1.2)
    sens = np.where(rng.random(n) < 0.3, 1e-4, 1e-5)
    detected = latent >= np.log10(sens)
    mrd = np.where(detected, 10.0 ** np.minimum(latent, 0.0), 0.0)
    return Covariates(
        group=tuple(str(g) for g in groups),
        mrd=mrd,
        sensitivity=sens,
        wbc_per_ul=10.0 ** rng.normal(4.0, 0.6, n),
        age_years=rng.uniform(1.0, 18.0, n),
    )


def _eta(cov: Covariates, beta: dict[str, float]) -> np.ndarray:
    dm = design_matrix(cov, ModelSpec())
    b = np.array([beta.get(name, 0.0) for name in dm.names])
    return dm.X @ b


def _censor(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform(3.0, 12.0, n)


def simulate_cause_specific(n: int, seed: int) -> RiskData:
    """Exponential cause-specific hazards: relapse 0.012/yr x exp(xb), death 0.004/yr."""
    rng = np.random.default_rng(seed)
    cov = draw_covariates(n, rng)
    eta = _eta(cov, TRUE_BETA)
    t_rel = rng.exponential(1.0 / (0.012 * np.exp(eta)))
    high = np.array([g == "high" for g in cov.group])
    t_death = rng.exponential(1.0 / (0.004 * np.exp(0.5 * high)))
    c = _censor(rng, n)
    t = np.minimum.reduce([t_rel, t_death, c])
    cause = np.where(t == t_rel, 1, np.where(t == t_death, 2, 0))
    return RiskData(covariates=cov, time=np.ceil(t * YEAR), cause=cause)


def fg_true_cif(eta: np.ndarray, t_years: float) -> np.ndarray:
    """True cumulative incidence of relapse under the Fine–Gray generator."""
    base = 1.0 - FG_P * (1.0 - np.exp(-FG_LAM * t_years))
    return 1.0 - base ** np.exp(eta)


def simulate_fine_gray(n: int, seed: int) -> RiskData:
    """Relapse from a proportional-subdistribution-hazards model; competing death exp(0.04/yr)."""
    rng = np.random.default_rng(seed)
    cov = draw_covariates(n, rng)
    eta = _eta(cov, TRUE_BETA)
    f_inf = 1.0 - (1.0 - FG_P) ** np.exp(eta)
    is_rel = rng.random(n) < f_inf
    u = rng.random(n) * f_inf
    inner = 1.0 - (1.0 - (1.0 - u) ** np.exp(-eta)) / FG_P
    t_rel = -np.log(np.clip(inner, 1e-300, None)) / FG_LAM
    t_other = rng.exponential(25.0, n)
    t_event = np.where(is_rel, t_rel, t_other)
    c = _censor(rng, n)
    t = np.minimum(t_event, c)
    cause = np.where(t_event <= c, np.where(is_rel, 1, 2), 0)
    return RiskData(covariates=cov, time=np.ceil(t * YEAR), cause=cause)


@pytest.fixture(scope="session")
def cs_cohort() -> RiskData:
    """4,000 patients from the cause-specific generator (seed 20261123)."""
    return simulate_cause_specific(4000, seed=20261123)


@pytest.fixture(scope="session")
def fg_cohort() -> RiskData:
    """4,000 patients from the Fine–Gray generator (seed 11)."""
    return simulate_fine_gray(4000, seed=11)


@pytest.fixture(scope="session")
def small_cohort() -> RiskData:
    """800 patients from the cause-specific generator, for fast tests (seed 2)."""
    return simulate_cause_specific(800, seed=2)


@pytest.fixture
def simulate() -> Callable[[int, int], RiskData]:
    """The cause-specific generator, for tests that need their own seed or size."""
    return simulate_cause_specific
