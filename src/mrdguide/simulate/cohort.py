"""Seeded virtual cohorts: :func:`simulate_cohort` and the Asan-sized preset.

Everything is SYNTHETIC. Patient ids look like ``SIM-000001`` so that no record can be
mistaken for a real patient.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.domain import Case
from mrdguide.errors import InputError
from mrdguide.simulate._cases import case_from_row
from mrdguide.simulate._engine import YEAR, Design, simulate_arrays
from mrdguide.simulate.params import METHODS, SimulationParams, default_params

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

SeedLike = int | np.random.SeedSequence

#: Columns holding day numbers (integer-valued floats, NaN when the event did not happen).
DAY_COLUMNS: tuple[str, ...] = (
    "entry_day",
    "relapse_day",
    "smn_day",
    "death_day",
    "last_follow_up_day",
    "intensification_day",
)
_HEH_GAINS = (4, 6, 10, 14, 17, 18, 21, 8, 5, 12, 20)


def _seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatedCohort:
    """A simulated cohort as read-only numpy columns (one row per patient).

    Day columns are days since diagnosis (integer-valued, NaN when absent). ``true_*`` columns
    are the latent truth the generator used; ``*_status``/``*_level`` are what the chosen assay
    measured (status 0 negative, 1 positive_nq, 2 positive). Endpoint columns follow
    :func:`mrdguide.domain.derive_endpoints` (induction failure is an EFS event at day 0).
    """

    params: SimulationParams
    method: str
    seed_entropy: int
    start_year: int
    columns: Mapping[str, NDArray[Any]]

    @property
    def n(self) -> int:
        """Number of patients."""
        return int(self.columns["subtype"].size)

    @property
    def subtype_keys(self) -> tuple[str, ...]:
        """Subtype key of each integer code in ``columns['subtype']``."""
        return self.params.subtype_keys

    def to_columns(self) -> dict[str, NDArray[Any]]:
        """Copies of all columns, plus ``subtype_key`` and ``patient_id`` as object arrays."""
        out = {k: np.array(v) for k, v in self.columns.items()}
        out["subtype_key"] = np.array(self.subtype_keys, dtype=object)[self.columns["subtype"]]
        out["patient_id"] = np.array([f"SIM-{i + 1:06d}" for i in range(self.n)], dtype=object)
        return out

    def to_records(self) -> list[dict[str, Any]]:
        """One flat dict per patient (wide format, plain Python values, None for NaN)."""
        cols = self.to_columns()
        names = sorted(cols)
        rows = []
        for i in range(self.n):
            row: dict[str, Any] = {}
            for k in names:
                v = cols[k][i]
                v = v.item() if isinstance(v, np.generic) else v
                row[k] = None if isinstance(v, float) and np.isnan(v) else v
            rows.append(row)
        return rows

    def to_frame(self) -> pd.DataFrame:
        """The wide table as a pandas DataFrame (needs the ``io`` extra)."""
        import pandas as pd

        return pd.DataFrame(self.to_columns())

    def to_cases(self) -> list[Case]:
        """Domain :class:`~mrdguide.domain.Case` objects, ready for ``case_to_dict``."""
        start = dt.date(self.start_year, 1, 1)
        meth = self.params.methods[self.method]
        return [
            case_from_row(self.columns, i, self.params, self.method, meth, start)
            for i in range(self.n)
        ]


def _genetics(
    keys: tuple[str, ...], st: NDArray[np.int64], rng: np.random.Generator
) -> dict[str, NDArray[Any]]:
    n = st.size
    key = np.array(keys, dtype=object)[st]
    modal = np.full(n, 46, dtype=np.int64)
    heh = key == "high_hyperdiploid"
    modal[heh] = rng.choice(np.arange(51, 66), size=int(heh.sum()))
    hypo = key == "hypodiploid"
    near_haploid = rng.random(n) < 0.4
    modal[hypo] = np.where(
        near_haploid[hypo], rng.integers(24, 31, n)[hypo], rng.integers(31, 40, n)[hypo]
    )
    modal[key == "iamp21"] = rng.choice([46, 47], size=int((key == "iamp21").sum()))
    mask = np.zeros(n, dtype=np.int64)
    for i in np.flatnonzero(heh):
        k = min(int(modal[i]) - 46, len(_HEH_GAINS))
        for c in rng.choice(_HEH_GAINS[:9], size=min(k, 9), replace=False):
            mask[i] |= 1 << int(c)
    return {
        "modal_chromosome_number": modal,
        "trisomy_mask": mask,
        "kmt2a_partner": rng.integers(0, 4, n).astype(np.int64),
    }


def _to_days(cols: dict[str, NDArray[Any]]) -> None:
    for k in DAY_COLUMNS:
        cols[k] = np.ceil(cols[k])
    death, fu = cols["death_day"], cols["last_follow_up_day"]
    cols["last_follow_up_day"] = np.where(np.isfinite(death), death, fu)


def _endpoints(cols: dict[str, NDArray[Any]]) -> None:
    rel, death, smn = cols["relapse_day"], cols["death_day"], cols["smn_day"]
    fu = cols["last_follow_up_day"]
    fail = cols["induction_failure"]
    first = np.fmin(np.fmin(rel, death), smn)
    has = np.isfinite(first)
    cols["efs_event"] = fail | has
    cols["efs_days"] = np.where(fail, 0.0, np.where(has, first, fu))
    cols["os_event"] = np.isfinite(death)
    cols["os_days"] = np.where(np.isfinite(death), death, fu)
    cause = np.where(rel == first, 1, np.where(death == first, 2, np.where(smn == first, 3, 0)))
    cols["cir_cause"] = np.where(fail, -1, np.where(has, cause, 0)).astype(np.int64)
    cols["cir_days"] = np.where(fail, np.nan, np.where(has, first, fu))


def _design(n: int, method: str, accrual_years: float, followup_years: float) -> Design:
    if n < 1:
        raise InputError("n must be >= 1.", field="n", value=n, rule="n >= 1")
    if method not in METHODS:
        raise InputError(f"method must be one of {METHODS}.", field="method", value=method)
    return Design(
        n=n, method=method, accrual_days=accrual_years * YEAR, followup_days=followup_years * YEAR
    )


def simulate_outcomes(
    n: int,
    *,
    seed: SeedLike,
    params: SimulationParams | None = None,
    method: str = "flow",
    accrual_years: float = 8.0,
    followup_years: float = 5.0,
) -> dict[str, NDArray[Any]]:
    """The columns of :func:`simulate_cohort` without the genetic profile, as plain arrays.

    Faster for many replicates (no per-patient karyotype draws); for the same arguments every
    returned column equals the one :func:`simulate_cohort` produces (the genetic profile is
    drawn after everything else).
    """
    design = _design(n, method, accrual_years, followup_years)
    cols = simulate_arrays(params or default_params(), design, np.random.default_rng(seed))
    _to_days(cols)
    _endpoints(cols)
    return cols


def simulate_cohort(
    n: int,
    *,
    seed: SeedLike,
    params: SimulationParams | None = None,
    method: str = "flow",
    start_year: int = 2013,
    accrual_years: float = 8.0,
    followup_years: float = 5.0,
) -> SimulatedCohort:
    """Simulate ``n`` synthetic patients, reproducibly from ``seed``.

    Parameters
    ----------
    n : int
        Number of patients.
    seed : int or numpy.random.SeedSequence
        Root of all randomness (no global RNG is touched).
    params : SimulationParams, optional
        Defaults to :func:`~mrdguide.simulate.params.default_params`.
    method : {"flow", "pcr", "ngs"}
        Assay used to measure EOI and EOC MRD (its LOD and LLOQ come from ``params``).
    start_year : int
        Calendar year of the first possible diagnosis (accrual starts on 1 January).
    accrual_years, followup_years : float
        Uniform accrual period, then follow-up until the data cut-off (administrative
        censoring); random loss to follow-up is added on top.

    Returns
    -------
    SimulatedCohort
    """
    design = _design(n, method, accrual_years, followup_years)
    p = params or default_params()
    ss = _seed_sequence(seed)
    rng = np.random.default_rng(ss)
    cols = simulate_arrays(p, design, rng)
    cols.update(_genetics(p.subtype_keys, cols["subtype"], rng))
    _to_days(cols)
    _endpoints(cols)
    frozen = {k: _readonly(v) for k, v in cols.items()}
    entropy = ss.entropy if isinstance(ss.entropy, int) else 0
    return SimulatedCohort(
        params=p,
        method=method,
        seed_entropy=int(entropy),
        start_year=start_year,
        columns=MappingProxyType(frozen),
    )


def _is_asan(p: SimulationParams) -> bool:
    return p.intensification.fraction > 0 and p.source_id.endswith("+asan")


def _readonly(a: NDArray[Any]) -> NDArray[Any]:
    a = np.array(a)
    a.flags.writeable = False
    return a


#: Asan preset [sources: asan2025; asan2025-press]. Intensified share of MRD-high patients:
#: 12 of 21 post-induction MRD-high patients [V].
ASAN_FRACTION = 12 / 21
#: Shift of every subtype's log10 EOI MRD mean in the Asan cohort [CAL]: 21 of 209 (10%) had
#: flow MRD >= 0.1% after induction [V], against 22% with the European PCR-calibrated
#: distributions. Why (population, COG-style induction, flow under-call, exclusions) is [GAP].
ASAN_EOI_LOG10_SHIFT = -0.6
#: Days from the MRD sample to the start of intensified therapy [CAL]: the start is not reported
#: [GAP]; intensification "at the next phase" (about 2-4 months) reproduces the published gap
#: between intensified and not intensified patients together with the selection below.
ASAN_DELAY_DAYS = 120
#: Confounding by indication [CAL]: log odds ratio of being intensified per SD of the latent
#: frailty (fitter patients intensified more often); the published comparison is not
#: randomised and the choice depended on clinicians and era [V: asan2025].
ASAN_CONFOUNDING_LOG_OR = -3.0
#: Accrual January 2013 - June 2023 [V]; data cut-off one year later [A: not reported].
ASAN_ACCRUAL_YEARS = 10.5
ASAN_FOLLOWUP_YEARS = 1.0


def asan_params(
    params: SimulationParams | None = None,
    *,
    true_hr: float | None = None,
    confounding_log_or: float = ASAN_CONFOUNDING_LOG_OR,
    delay_days: int = ASAN_DELAY_DAYS,
    eoi_log10_shift: float = ASAN_EOI_LOG10_SHIFT,
) -> SimulationParams:
    """The Asan preset parameters (see the module constants); ``true_hr`` overrides the effect
    of intensification on relapse (default: the packaged ``intensification.hr``)."""
    p = params or default_params()
    changes: dict[str, Any] = {
        "fraction": ASAN_FRACTION,
        "confounding_log_or": confounding_log_or,
        "delay_days": delay_days,
    }
    if true_hr is not None:
        changes["hr"] = (true_hr,)
        changes["hr_breaks_years"] = ()
    p = p.with_intensification(**changes)
    for s in p.subtypes:
        p = p.with_subtype(s.key, eoi_log10_mean=s.eoi_log10_mean + eoi_log10_shift)
    return replace(p, source_id=f"{p.source_id}+asan")


def asan_like_cohort(
    seed: SeedLike, *, n: int = 209, params: SimulationParams | None = None
) -> SimulatedCohort:
    """An Asan-sized synthetic cohort [sources: asan2025]: 209 patients, Jan 2013 - Jun 2023.

    Flow MRD (LOD 1e-4); MRD >= 0.1% at the end of induction or consolidation triggers
    intensification in 12/21 of eligible patients (the post-induction ratio reported in the
    press), with the default hazard ratio, a start ``ASAN_DELAY_DAYS`` after the sample and
    selection on frailty (``ASAN_CONFOUNDING_LOG_OR``); EOI MRD is shifted by
    ``ASAN_EOI_LOG10_SHIFT`` (all three [CAL], see :func:`asan_params`). The data cut-off (one
    year after accrual ends) is an assumption: it is not reported. ``n`` scales the cohort
    (e.g. for calibration). ``params`` are used as given when they already carry the preset
    (build them with :func:`asan_params`); plain parameters get the preset applied.
    """
    p = params if params is not None and _is_asan(params) else asan_params(params)
    return simulate_cohort(
        n,
        seed=seed,
        params=p,
        method="flow",
        start_year=2013,
        accrual_years=ASAN_ACCRUAL_YEARS,
        followup_years=ASAN_FOLLOWUP_YEARS,
    )
