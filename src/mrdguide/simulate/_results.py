"""Aggregation of replicate summaries into operating characteristics (:class:`TrialResult`)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from mrdguide.domain import Z_975
from mrdguide.simulate._design import AnalysisSummary, ReplicateSummary, TrialDesign


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisResult:
    """Operating characteristics of one analysis over all replicates.

    ``rejection_rate`` is the power (superiority: p < alpha; de-escalation: upper 95% limit of
    the HR below the NI margin) under the design's effect; ``type_i_error`` is the same rate
    under the null design (NaN when the null was not run). ``bias`` is mean(log HR) minus the
    true log HR; ``coverage`` the share of 95% Wald CIs that contain the true log HR.
    ``variance`` names the SE behind ``mean_se``, ``coverage`` and the tests: ``"model"``
    (inverse information) or ``"cluster"`` (grouped sandwich over each patient's rows, for the
    time-dependent analysis).
    """

    name: str
    n_valid: int
    mean_log_hr: float
    bias: float
    empirical_se: float
    mean_se: float
    coverage: float
    rejection_rate: float
    type_i_error: float
    null_bias: float
    variance: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialResult:
    """Aggregate of ``replicates`` runs of one design (and of its null, if run)."""

    design: TrialDesign
    replicates: int
    seed: int
    true_log_hr: float
    mean_eligible: float
    mean_treated: float
    mean_efs5_treated: float
    mean_efs5_untreated: float
    analyses: tuple[AnalysisResult, ...]

    def analysis(self, name: str) -> AnalysisResult:
        """The result of analysis ``name``."""
        for a in self.analyses:
            if a.name == name:
                return a
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python form (for JSON)."""
        d = {f: getattr(self.design, f) for f in self.design.__dataclass_fields__ if f != "params"}
        d["analyses"] = list(d["analyses"])
        return {
            "design": {
                **d,
                "hr_breaks_years": list(d["hr_breaks_years"]),
                "late_hr": list(d["late_hr"]),
            },
            "replicates": self.replicates,
            "seed": self.seed,
            "true_log_hr": self.true_log_hr,
            "mean_eligible": self.mean_eligible,
            "mean_treated": self.mean_treated,
            "mean_efs5_treated": self.mean_efs5_treated,
            "mean_efs5_untreated": self.mean_efs5_untreated,
            "analyses": [asdict(a) for a in self.analyses],
        }


def _rejects(design: TrialDesign, a: AnalysisSummary) -> bool:
    if not math.isfinite(a.log_hr):
        return False
    if design.superiority:
        return a.p_value < design.alpha
    return a.log_hr + Z_975 * a.se < math.log(design.ni_margin_hr)


def _mean(v: list[float]) -> float:
    arr = np.asarray(v, dtype=np.float64)
    arr = arr[np.isfinite(arr)]
    return float(arr.mean()) if arr.size else math.nan


def _analysis_result(
    name: str,
    design: TrialDesign,
    alt: list[ReplicateSummary],
    null: list[ReplicateSummary] | None,
) -> AnalysisResult:
    truth = math.log(design.true_hr)
    rows = [r.analysis(name) for r in alt]
    valid = [a for a in rows if math.isfinite(a.log_hr)]
    b = np.array([a.log_hr for a in valid])
    se = np.array([a.se for a in valid])
    covered = np.abs(b - truth) <= Z_975 * se
    type_i, null_bias = math.nan, math.nan
    if null is not None:
        nrows = [r.analysis(name) for r in null]
        type_i = sum(_rejects(design, a) for a in nrows) / max(len(nrows), 1)
        null_bias = _mean([a.log_hr for a in nrows]) - math.log(design.null_hr)
    return AnalysisResult(
        name=name,
        n_valid=len(valid),
        mean_log_hr=_mean(list(b)),
        bias=_mean(list(b)) - truth,
        empirical_se=float(b.std(ddof=1)) if b.size > 1 else math.nan,
        mean_se=_mean(list(se)),
        coverage=float(covered.mean()) if b.size else math.nan,
        rejection_rate=sum(_rejects(design, a) for a in rows) / max(len(rows), 1),
        type_i_error=type_i,
        null_bias=null_bias,
        variance="/".join(sorted({a.variance for a in rows})),
    )


def summarise(
    design: TrialDesign,
    alt: list[ReplicateSummary],
    null: list[ReplicateSummary] | None = None,
    *,
    seed: int = 0,
) -> TrialResult:
    """Aggregate replicate summaries into a :class:`TrialResult`."""
    return TrialResult(
        design=design,
        replicates=len(alt),
        seed=seed,
        true_log_hr=math.log(design.true_hr),
        mean_eligible=_mean([r.n_eligible for r in alt]),
        mean_treated=_mean([r.n_treated for r in alt]),
        mean_efs5_treated=_mean([r.efs5_treated for r in alt]),
        mean_efs5_untreated=_mean([r.efs5_untreated for r in alt]),
        analyses=tuple(_analysis_result(a, design, alt, null) for a in design.analyses),
    )
