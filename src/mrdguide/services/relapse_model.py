"""Relapse-model workflows (``mrdguide model``): fit, save, load, predict, thresholds, validate.

The model itself is pure (:mod:`mrdguide.risk`); this module reads cohorts and case files and
writes and reads the model file (strict JSON with its provenance and the research-use notice).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrdguide._disclaimer import DISCLAIMER, SHORT_DISCLAIMER
from mrdguide._json import dumps
from mrdguide.domain import DAYS_PER_YEAR, Z_975, Case
from mrdguide.errors import AssignmentError, IngestError, IngestIssue, InputError
from mrdguide.io import load_json_file, read_cohort
from mrdguide.risk import (
    CrossValidationResult,
    Method,
    ModelSpec,
    RelapseModel,
    RiskPrediction,
    ThresholdTable,
    covariates_from_case,
    cross_validate,
    fit_relapse_model,
    mrd_thresholds,
    predict_risk,
    risk_data_from_cases,
)
from mrdguide.services.files import write_private
from mrdguide.store import Registry

__all__ = [
    "FitOutcome",
    "Prediction",
    "fit_model",
    "load_cohort_file",
    "load_model",
    "load_registry_cohort",
    "predict_case",
    "save_model",
    "threshold_table",
    "validate_model",
]


def load_cohort_file(path: Path) -> list[Case]:
    """Every case of a cohort file (case JSON, CSV, Excel, Parquet).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    IngestError
        Listing every validation problem.
    """
    if not path.exists():
        raise FileNotFoundError(f"cohort file not found: {path}")
    return list(read_cohort(path).cases)


def load_registry_cohort(reg: Registry) -> list[Case]:
    """Every registered case, ordered by patient id."""
    return list(reg.iter_cases())


@dataclass(frozen=True, slots=True, kw_only=True)
class FitOutcome:
    """A fitted model and how many cases it could not use."""

    model: RelapseModel
    n_excluded: int

    def summary(self, model_file: Path | None = None) -> dict[str, Any]:
        """The fit as a table of terms (HR/sHR with 95% CI), counts and provenance."""
        m = self.model
        terms = [
            {
                "term": name,
                "coef": c,
                "std_err": s,
                "hazard_ratio": math.exp(c),
                "ci_lower": math.exp(c - Z_975 * s),
                "ci_upper": math.exp(c + Z_975 * s),
            }
            for name, (c, s) in m.coef_table().items()
        ]
        return {
            "model_file": None if model_file is None else str(model_file),
            "method": m.method,
            "formula": m.spec.formula(),
            "n": m.n,
            "n_relapse": m.n_relapse,
            "n_competing": m.n_competing,
            "n_excluded": self.n_excluded,
            "terms": terms,
            "horizon_years": m.horizon_days / DAYS_PER_YEAR,
            "time_origin": "MRD sample day (landmark); earlier events excluded",
            "notes": list(m.notes),
            "provenance": m.to_dict()["provenance"],
            "disclaimer": SHORT_DISCLAIMER,
        }


def fit_model(
    cases: Sequence[Case],
    spec: ModelSpec,
    *,
    method: Method,
    horizon_years: float,
    version: str,
    fit_date: str,
) -> FitOutcome:
    """Fit the relapse model (competing death in remission) on ``cases``.

    Raises
    ------
    InputError, EstimationError
        If the cohort cannot support the model.
    """
    data = risk_data_from_cases(list(cases), spec)
    model = fit_relapse_model(
        data,
        spec,
        method=method,
        horizon_days=horizon_years * DAYS_PER_YEAR,
        mrdguide_version=version,
        fit_date=fit_date,
    )
    return FitOutcome(model=model, n_excluded=len(data.excluded))


def save_model(model: RelapseModel, path: Path) -> Path:
    """Write the model file: strict JSON, with the research-use notice, mode 0600."""
    doc = model.to_dict() | {"disclaimer": DISCLAIMER}
    return write_private(path, dumps(doc, indent=1) + "\n")


def load_model(path: Path) -> RelapseModel:
    """Read a model file written by :func:`save_model`.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    IngestError
        If it is not a valid model document.
    """
    doc = load_json_file(path)
    try:
        if not isinstance(doc, dict):
            raise InputError("a model file holds one JSON object", field="model")
        return RelapseModel.from_dict(doc)
    except InputError as exc:
        issue = IngestIssue(
            file=str(path), row=None, field=exc.field, value=exc.value, rule=exc.rule or str(exc)
        )
        raise IngestError([issue]) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class Prediction:
    """One patient's estimated cumulative incidence of relapse under a fitted model."""

    patient_id: str
    group: str
    mrd: float
    model: RelapseModel
    estimate: RiskPrediction

    @property
    def horizon_years(self) -> float:
        """The prediction horizon in years."""
        return self.estimate.horizon_days / DAYS_PER_YEAR

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary (MRD as a fraction)."""
        return {
            "patient_id": self.patient_id,
            "group": self.group,
            "mrd": self.mrd,
            "mrd_timepoint": self.model.spec.timepoint,
            "horizon_years": self.horizon_years,
            "estimate": self.estimate.to_dict(),
            "model": {
                "method": self.model.method,
                "formula": self.model.spec.formula(),
                "cohort_sha256": self.model.provenance.cohort_sha256,
            },
            "disclaimer": SHORT_DISCLAIMER,
        }


def predict_case(model: RelapseModel, case: Case, *, horizon_years: float | None) -> Prediction:
    """Estimate one patient's cumulative incidence of relapse, with a confidence interval.

    Raises
    ------
    AssignmentError
        If the case lacks what the model needs (genetic group, MRD, ...).
    """
    try:
        cov = covariates_from_case(case, model.spec)
    except InputError as exc:
        raise AssignmentError(str(exc)) from exc
    horizon = None if horizon_years is None else horizon_years * DAYS_PER_YEAR
    pred = predict_risk(model, cov, horizon_days=horizon)
    return Prediction(
        patient_id=case.patient_id,
        group=cov.group[0],
        mrd=float(cov.mrd[0]),
        model=model,
        estimate=pred,
    )


def threshold_table(model: RelapseModel, bands: Sequence[float]) -> ThresholdTable:
    """Genotype-specific MRD levels at which the estimated risk reaches each band."""
    return mrd_thresholds(model, tuple(bands))


def validate_model(
    cases: Sequence[Case],
    spec: ModelSpec,
    *,
    method: Method,
    folds: int,
    seed: int,
    mrd_threshold: float,
) -> CrossValidationResult:
    """Cross-validated C-index, AUC, Brier score, calibration and NRI against one cut-off."""
    data = risk_data_from_cases(list(cases), spec)
    return cross_validate(
        data, spec, method=method, n_splits=folds, seed=seed, mrd_threshold=mrd_threshold
    )
