"""Multivariable Cox (EFS) and Fine–Gray (relapse) models from a landmark.

Covariates are built from the case data only, so that the models run on any registry:
log10 MRD at the landmark time point (negatives placed at their sensitivity, with an indicator —
never at zero), age ≥ 10 years, WBC ≥ 50,000/µL, T-lineage, and good-/high-risk genetics.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.analysis._endpoints import EndpointTable
from mrdguide.domain import Z_975, Case, Timepoint
from mrdguide.errors import EstimationError, StatisticalWarning

GOOD_LESIONS = ("ETV6::RUNX1",)
HIGH_LESIONS = ("KMT2A-r", "BCR::ABL1", "TCF3::HLF", "iAMP21")

COVARIATE_NAMES = (
    "log10 MRD",
    "MRD negative",
    "age ≥10 y",
    "WBC ≥50,000/µL",
    "T-lineage",
    "good-risk genetics",
    "high-risk genetics",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelRow:
    """One model term as a ratio with its 95% CI."""

    name: str
    coef: float
    ratio: float
    ci_lower: float
    ci_upper: float
    p_value: float


#: How each SE kind reads in reports (``ModelSummary.se_label``).
SE_LABELS: dict[str, str] = {
    "model": "model-based (inverse information)",
    "robust": "robust (sandwich)",
    "cluster": "robust, clustered by patient",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSummary:
    """A fitted model's terms plus sample sizes.

    ``variance`` names the SE behind the CIs and p-values, as the fit reports it: ``"model"``
    (Cox, inverse information) or ``"robust"`` (Fine-Gray, crr's sandwich). Both models have
    one row per patient, so no cluster variance is needed; empty when the model was not fitted.
    ``se_label`` is the phrase reports print for it.
    """

    kind: str
    endpoint: str
    landmark_day: float
    n: int
    n_events: int
    rows: tuple[ModelRow, ...]
    concordance: float | None
    note: str = ""
    variance: str = ""

    @property
    def se_label(self) -> str:
        """The SE kind in words (empty when the model was not fitted)."""
        return SE_LABELS.get(self.variance, self.variance)


def _genetics_flags(c: Case) -> tuple[float, float]:
    g = c.genetics
    if g is None:
        return math.nan, math.nan
    m = g.modal_chromosome_number
    good = any(g.has(x) for x in GOOD_LESIONS) or (m is not None and 51 <= m <= 67)
    high = any(g.has(x) for x in HIGH_LESIONS) or (m is not None and m < 44)
    return float(good and not high), float(high)


def _mrd_terms(c: Case, tp: Timepoint) -> tuple[float, float]:
    m = c.mrd_at(tp)
    if m is None:
        return math.nan, math.nan
    ub = m.upper_bound()
    if ub is None or ub <= 0:
        return math.nan, math.nan
    return math.log10(ub), float(m.status.value == "negative")


def covariate_matrix(cases: Sequence[Case], tp: Timepoint) -> NDArray[np.float64]:
    """Design matrix (rows = cases, columns = :data:`COVARIATE_NAMES`); NaN where missing."""
    rows = []
    for c in cases:
        p = c.patient
        age = math.nan if p.age_years is None else float(p.age_years >= 10)
        wbc = math.nan if p.wbc_per_ul is None else float(p.wbc_per_ul >= 50_000)
        t = math.nan if p.immunophenotype is None else float(p.immunophenotype.value == "T")
        rows.append((*_mrd_terms(c, tp), age, wbc, t, *_genetics_flags(c)))
    return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(COVARIATE_NAMES))


def _usable(x: NDArray[np.float64], keep: NDArray[np.bool_]) -> tuple[NDArray[np.bool_], list[int]]:
    ok = keep & np.all(np.isfinite(x), axis=1)
    # Drop constant columns (e.g. no T-lineage patients): the model cannot estimate them.
    cols = [j for j in range(x.shape[1]) if ok.any() and np.ptp(x[ok, j]) > 0]
    return ok, cols


def _rows(names: Sequence[str], res: Any) -> tuple[ModelRow, ...]:
    coef = np.asarray(res.coef, dtype=np.float64)
    se = np.asarray(res.std_err, dtype=np.float64)
    p = np.asarray(res.p_value, dtype=np.float64)
    return tuple(
        ModelRow(
            name=n,
            coef=float(b),
            ratio=float(np.exp(b)),
            ci_lower=float(np.exp(b - Z_975 * s)),
            ci_upper=float(np.exp(b + Z_975 * s)),
            p_value=float(pp),
        )
        for n, b, s, pp in zip(names, coef, se, p, strict=True)
    )


#: Minimum events per estimated coefficient before a model is fitted (Peduzzi et al., J Clin
#: Epidemiol 1996: fewer than about 10 events per variable gives unreliable coefficients).
MIN_EVENTS_PER_VARIABLE = 10


def _guarded(
    kind: str, endpoint: str, day: float, n: int, events: int, k: int, fit: Any
) -> ModelSummary:
    """Fit with ``fit()`` unless events are too few or the fit does not converge.

    ``fit()`` returns the rows, the concordance and the name of the fit's variance.
    """

    def summary(
        rows: tuple[ModelRow, ...], conc: float | None, note: str, variance: str = ""
    ) -> ModelSummary:
        return ModelSummary(
            kind=kind,
            endpoint=endpoint,
            landmark_day=day,
            n=n,
            n_events=events,
            rows=rows,
            concordance=conc,
            note=note,
            variance=variance,
        )

    if events < MIN_EVENTS_PER_VARIABLE * k:
        return summary(
            (),
            None,
            f"Not fitted: {events} events for {k} coefficients (fewer "
            f"than {MIN_EVENTS_PER_VARIABLE} events per coefficient).",
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", StatisticalWarning)
        try:
            rows, conc, variance = fit()
        except (StatisticalWarning, EstimationError) as exc:
            return summary((), None, f"Not shown: {exc}.")
    return summary(rows, conc, "", variance)


def fit_models(
    table: EndpointTable, tp: Timepoint, landmark_day: float
) -> tuple[ModelSummary, ...]:
    """Cox model for EFS and Fine–Gray model for relapse, both from ``landmark_day``.

    A model is skipped (with a note) when it has fewer than 10 events per coefficient or does
    not converge.
    """
    from mrdguide.survival import cox_ph, fine_gray

    x = covariate_matrix(table.cases, tp)
    ok, cols = _usable(x, table.efs_days > landmark_day)
    ok2, cols2 = _usable(x, (table.cir_days > landmark_day) & table.cir_evaluable())
    out = []
    if cols:
        names = [COVARIATE_NAMES[j] for j in cols]
        xc = x[np.ix_(ok, np.asarray(cols, dtype=np.intp))]

        def cox() -> tuple[tuple[ModelRow, ...], float | None, str]:
            res = cox_ph(xc, table.efs_days[ok] - landmark_day, table.efs_event[ok])
            return _rows(names, res), float(res.concordance), str(res.variance)

        out.append(
            _guarded(
                "Cox (Efron ties)",
                "EFS",
                landmark_day,
                int(ok.sum()),
                int(table.efs_event[ok].sum()),
                len(cols),
                cox,
            )
        )
    if cols2:
        names2 = [COVARIATE_NAMES[j] for j in cols2]
        xf = x[np.ix_(ok2, np.asarray(cols2, dtype=np.intp))]

        def fg() -> tuple[tuple[ModelRow, ...], float | None, str]:
            res = fine_gray(
                xf, table.cir_days[ok2] - landmark_day, table.cir_cause[ok2], cause_of_interest=1
            )
            return _rows(names2, res), None, str(res.variance)

        out.append(
            _guarded(
                "Fine–Gray",
                "relapse (competing: death in remission, SMN)",
                landmark_day,
                int(ok2.sum()),
                int((table.cir_cause[ok2] == 1).sum()),
                len(cols2),
                fg,
            )
        )
    return tuple(out)
