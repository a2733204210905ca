"""Trial design and per-replicate summaries: the value types of :mod:`mrdguide.simulate.trials`.

They live apart from the trial runner and from :mod:`mrdguide.simulate._results` (which
summarises replicates) so that neither module needs the other.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.simulate.params import SimulationParams, default_params

__all__ = [
    "ANALYSES",
    "AnalysisSummary",
    "DesignKind",
    "PackedSummaries",
    "ReplicateSummary",
    "TrialDesign",
    "trial_design",
]

DesignKind = Literal["asan", "randomised", "deescalation"]
ANALYSES: tuple[str, ...] = ("naive", "landmark", "time_dependent")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialDesign:
    """One in-silico trial. Use :func:`trial_design` for the documented defaults.

    Parameters
    ----------
    kind : {"asan", "randomised", "deescalation"}
    patients : int
        Patients simulated per replicate (the eligible subset is analyzed).
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
    per SD of frailty, HR 0.6. ``randomised``: 1:1, HR 0.6. ``deescalation``: MRD < 1e-4, 1:1,
    HR 1, NI margin 1.5 on the hazard-ratio scale.
    """
    defaults: dict[str, dict[str, Any]] = {
        "asan": {"fraction": 12 / 21, "confounding_log_or": -1.0},
        "randomised": {"fraction": 0.5},
        "deescalation": {"fraction": 0.5, "threshold": 1e-4, "true_hr": 1.0},
    }
    return TrialDesign(kind=kind, **{**defaults.get(kind, {}), **changes})


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisSummary:
    """One analysis of one replicate (log HR of treatment, its SE and p-value).

    ``variance`` names the SE: ``"model"`` (inverse information; one row per patient) or
    ``"cluster"`` (grouped sandwich over each patient's counting-process rows, R's
    ``cluster(id)``).
    """

    log_hr: float
    se: float
    p_value: float
    n: int
    events: int
    variance: str = "model"


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


NAN_SUMMARY = AnalysisSummary(log_hr=math.nan, se=math.nan, p_value=math.nan, n=0, events=0)


_VARIANCES = ("model", "cluster")


@dataclass(frozen=True, slots=True)
class PackedSummaries:
    """Replicate summaries as two small arrays: what an executor task sends back.

    Unpickling thousands of small dataclasses costs the client (which shares the cores with
    the workers) more than the arrays do; :meth:`unpack` rebuilds equal objects.
    ``ints`` columns: n_eligible, n_treated, then per analysis n, events and the variance
    code; ``floats``: efs5_treated, efs5_untreated, then per analysis log HR, SE, p.
    """

    ints: NDArray[np.int64]
    floats: NDArray[np.float64]

    @staticmethod
    def pack(rows: list[ReplicateSummary]) -> PackedSummaries:
        """Arrays of ``rows`` (exact: floats are stored as float64)."""
        ints, floats = [], []
        for r in rows:
            a = [r.analysis(n) for n in ANALYSES]
            ints.append(
                [r.n_eligible, r.n_treated]
                + [v for s in a for v in (s.n, s.events, _VARIANCES.index(s.variance))]
            )
            floats.append(
                [r.efs5_treated, r.efs5_untreated]
                + [v for s in a for v in (s.log_hr, s.se, s.p_value)]
            )
        return PackedSummaries(
            np.array(ints, dtype=np.int64).reshape(len(rows), 2 + 3 * len(ANALYSES)),
            np.array(floats, dtype=np.float64).reshape(len(rows), 2 + 3 * len(ANALYSES)),
        )

    def unpack(self) -> list[ReplicateSummary]:
        """The :class:`ReplicateSummary` objects."""
        out = []
        for i, f in zip(self.ints.tolist(), self.floats.tolist(), strict=True):
            a = [
                AnalysisSummary(
                    log_hr=f[2 + 3 * k],
                    se=f[3 + 3 * k],
                    p_value=f[4 + 3 * k],
                    n=i[2 + 3 * k],
                    events=i[3 + 3 * k],
                    variance=_VARIANCES[i[4 + 3 * k]],
                )
                for k in range(len(ANALYSES))
            ]
            out.append(
                ReplicateSummary(
                    n_eligible=i[0],
                    n_treated=i[1],
                    efs5_treated=f[0],
                    efs5_untreated=f[1],
                    naive=a[0],
                    landmark=a[1],
                    time_dependent=a[2],
                )
            )
        return out
