"""Internal validation of the relapse model: K-fold cross-validation and bootstrap optimism.

Both are seeded (``numpy.random.default_rng(seed)``) and deterministic. Metrics are defined
in :mod:`mrdguide.risk.metrics`; the comparison model for the NRI is a single MRD threshold
(default 1e-4) whose risk in each arm is the Aalen–Johansen incidence in the training data.

* :func:`cross_validate` fits on K-1 folds and predicts the held-out fold; metrics are computed
  on the pooled out-of-fold predictions. Folds are stratified by outcome cause.
* :func:`bootstrap_optimism` is Harrell's optimism correction (Regression Modeling Strategies,
  §5.3.5): ``corrected = apparent - mean(apparent_b - test_b)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import InputError
from mrdguide.risk._types import FIVE_YEARS_DAYS, Method
from mrdguide.risk.design import FloatArray, ModelSpec, RiskData
from mrdguide.risk.fit import fit_relapse_model
from mrdguide.risk.metrics import (
    DEFAULT_BANDS,
    CalibrationBin,
    NRIResult,
    brier_score,
    calibration_table,
    harrell_c,
    net_reclassification,
    single_threshold_risk,
    time_dependent_auc,
)
from mrdguide.risk.predict import predict_cif


@dataclass(frozen=True, slots=True, kw_only=True)
class Metrics:
    """Discrimination and accuracy at the horizon."""

    c_index: float
    auc: float
    brier: float

    def to_dict(self) -> dict[str, float]:
        """Plain-JSON representation."""
        return {"c_index": self.c_index, "auc": self.auc, "brier": self.brier}


@dataclass(frozen=True, slots=True, kw_only=True)
class CrossValidationResult:
    """Out-of-fold performance of the model and of the single-threshold reference."""

    n_splits: int
    seed: int
    horizon_days: float
    model: Metrics
    reference: Metrics
    calibration: tuple[CalibrationBin, ...]
    nri: NRIResult
    mrd_threshold: float
    predicted: FloatArray

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation (without the per-patient predictions)."""
        return {
            "n_splits": self.n_splits,
            "seed": self.seed,
            "horizon_days": self.horizon_days,
            "model": self.model.to_dict(),
            "reference": self.reference.to_dict(),
            "calibration": [vars_of(b) for b in self.calibration],
            "nri": vars_of(self.nri),
            "mrd_threshold": self.mrd_threshold,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class OptimismResult:
    """Apparent, optimism and optimism-corrected metrics from the bootstrap."""

    n_boot: int
    seed: int
    horizon_days: float
    apparent: Metrics
    optimism: Metrics
    corrected: Metrics

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation."""
        return {
            "n_boot": self.n_boot,
            "seed": self.seed,
            "horizon_days": self.horizon_days,
            "apparent": self.apparent.to_dict(),
            "optimism": self.optimism.to_dict(),
            "corrected": self.corrected.to_dict(),
        }


def vars_of(obj: Any) -> dict[str, Any]:
    """Fields of a slotted dataclass as a plain dict (tuples become lists)."""
    out = {}
    for k in obj.__dataclass_fields__:
        v = getattr(obj, k)
        out[k] = list(v) if isinstance(v, tuple) else v
    return out


def metrics_at(data: RiskData, predicted: FloatArray, t: float) -> Metrics:
    """Harrell's C, time-dependent AUC and Brier score of ``predicted`` on ``data`` at ``t``."""
    return Metrics(
        c_index=harrell_c(data.time, data.cause, predicted),
        auc=time_dependent_auc(data.time, data.cause, predicted, t),
        brier=brier_score(data.time, data.cause, predicted, t),
    )


def stratified_folds(cause: NDArray[np.int64], n_splits: int, seed: int) -> NDArray[np.intp]:
    """Fold label (0..n_splits-1) of each patient, balanced within each outcome cause."""
    rng = np.random.default_rng(seed)
    fold = np.empty(cause.shape[0], dtype=np.intp)
    offset = 0
    for c in np.unique(cause):
        idx = rng.permutation(np.flatnonzero(cause == c))
        fold[idx] = (np.arange(idx.shape[0]) + offset) % n_splits
        offset += idx.shape[0]
    return fold


def cross_validate(
    data: RiskData,
    spec: ModelSpec,
    *,
    method: Method = "fine_gray",
    n_splits: int = 5,
    seed: int = 0,
    horizon_days: float = FIVE_YEARS_DAYS,
    bands: tuple[float, ...] = DEFAULT_BANDS,
    mrd_threshold: float = 1e-4,
    n_bins: int = 10,
) -> CrossValidationResult:
    """K-fold cross-validated performance, calibration and NRI versus one MRD threshold.

    Parameters
    ----------
    data : RiskData
        The cohort.
    spec : ModelSpec
        Model terms.
    method : {"fine_gray", "cause_specific"}, optional
        Model type.
    n_splits : int, optional
        Number of folds (>= 2).
    seed : int, optional
        Seed of the fold assignment.
    horizon_days : float, optional
        Horizon of every metric (5 years).
    bands : tuple of float, optional
        Risk bands of the NRI.
    mrd_threshold : float, optional
        The single MRD cut-off of the reference model.
    n_bins : int, optional
        Number of calibration groups.

    Returns
    -------
    CrossValidationResult
    """
    if n_splits < 2 or n_splits > len(data):
        raise InputError(f"n_splits must be in [2, n]; got {n_splits!r}.", field="n_splits")
    fold = stratified_folds(data.cause, n_splits, seed)
    pred = np.zeros(len(data))
    ref = np.zeros(len(data))
    for k in range(n_splits):
        test = np.flatnonzero(fold == k)
        train = data.take(np.flatnonzero(fold != k))
        model = fit_relapse_model(train, spec, method=method, horizon_days=horizon_days)
        pred[test] = predict_cif(model, data.covariates.take(test))
        ref[test] = single_threshold_risk(
            train.time,
            train.cause,
            train.covariates.mrd,
            data.covariates.mrd[test],
            horizon_days,
            threshold=mrd_threshold,
        )
    return CrossValidationResult(
        n_splits=n_splits,
        seed=seed,
        horizon_days=horizon_days,
        model=metrics_at(data, pred, horizon_days),
        reference=metrics_at(data, ref, horizon_days),
        calibration=calibration_table(data.time, data.cause, pred, horizon_days, n_bins=n_bins),
        nri=net_reclassification(data.time, data.cause, pred, ref, horizon_days, bands=bands),
        mrd_threshold=mrd_threshold,
        predicted=pred,
    )


def _minus(a: Metrics, b: Metrics) -> Metrics:
    return Metrics(c_index=a.c_index - b.c_index, auc=a.auc - b.auc, brier=a.brier - b.brier)


def bootstrap_optimism(
    data: RiskData,
    spec: ModelSpec,
    *,
    method: Method = "fine_gray",
    n_boot: int = 50,
    seed: int = 0,
    horizon_days: float = FIVE_YEARS_DAYS,
) -> OptimismResult:
    """Harrell's bootstrap optimism-corrected C, AUC and Brier score.

    Parameters
    ----------
    data : RiskData
        The cohort.
    spec : ModelSpec
        Model terms.
    method : {"fine_gray", "cause_specific"}, optional
        Model type.
    n_boot : int, optional
        Number of bootstrap resamples.
    seed : int, optional
        Seed of ``numpy.random.default_rng`` for the resamples.
    horizon_days : float, optional
        Horizon of every metric (5 years).

    Returns
    -------
    OptimismResult
        Apparent, optimism and corrected metrics.

    Notes
    -----
    Each resample is fitted, scored on itself (apparent) and on the original data (test); the
    mean difference is the optimism (Harrell, Regression Modeling Strategies, §5.3.5). A
    resample in which a group level has no patients raises :class:`EstimationError`; use
    cross-validation for very small groups.
    """
    if n_boot < 1:
        raise InputError(f"n_boot must be >= 1; got {n_boot!r}.", field="n_boot")
    t = horizon_days
    full = fit_relapse_model(data, spec, method=method, horizon_days=t)
    apparent = metrics_at(data, predict_cif(full, data.covariates), t)
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(data), len(data))
        boot = data.take(idx)
        m = fit_relapse_model(boot, spec, method=method, horizon_days=t)
        app_b = metrics_at(boot, predict_cif(m, boot.covariates), t)
        test_b = metrics_at(data, predict_cif(m, data.covariates), t)
        diffs.append(_minus(app_b, test_b))
    optimism = Metrics(
        c_index=float(np.nanmean([d.c_index for d in diffs])),
        auc=float(np.nanmean([d.auc for d in diffs])),
        brier=float(np.nanmean([d.brier for d in diffs])),
    )
    return OptimismResult(
        n_boot=n_boot,
        seed=seed,
        horizon_days=t,
        apparent=apparent,
        optimism=optimism,
        corrected=_minus(apparent, optimism),
    )
