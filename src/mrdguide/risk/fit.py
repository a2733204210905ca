"""Fit and predict the genotype-specific MRD relapse model.

Two methods, both with death in remission (and second malignancy) as competing events:

* ``"fine_gray"``: a Fine–Gray subdistribution-hazard model for relapse. The cumulative
  incidence of relapse is ``F(t|x) = 1 - exp(-Λ₁(t) exp(xβ))`` with ``Λ₁`` the baseline
  cumulative subdistribution hazard (at covariates 0).
* ``"cause_specific"``: cause-specific Cox models for relapse and for the competing events
  (causes >= 2 pooled; covariates chosen by ``ModelSpec.competing_terms``), combined into an
  Aalen–Johansen-type absolute risk ``F(t|x) = Σ_{s<=t} S(s-|x) P₁(s|x)`` with per-step
  transition probabilities from the matrix exponential of the hazard increments,
  ``S(s-|x) = Π_{u<s} exp(-dΛ₁(u|x) - dΛ₂(u|x))`` and
  ``P₁(s|x) = dΛ₁/(dΛ₁ + dΛ₂) · (1 - exp(-dΛ₁ - dΛ₂))`` (as R ``survfit`` for a multi-state
  ``coxph``; see :mod:`mrdguide.risk.predict`).

Prediction and its confidence intervals live in :mod:`mrdguide.risk.predict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mrdguide import survival
from mrdguide.domain import Case
from mrdguide.errors import EstimationError, InputError
from mrdguide.risk._types import (
    FIVE_YEARS_DAYS,
    HazardFit,
    Method,
    Provenance,
    RelapseModel,
    empty_fit,
)
from mrdguide.risk._variance import baseline_components
from mrdguide.risk.cases import GroupOf, risk_data_from_cases, uk_tier
from mrdguide.risk.design import (
    BoolArray,
    Covariates,
    FloatArray,
    ModelSpec,
    RiskData,
    check_estimable,
    design_matrix,
)


def _hazard_fit(
    res: Any, X: FloatArray, rd: RiskData, event: BoolArray, *, fine_gray: bool
) -> HazardFit:
    """Wrap a survival result and add the baseline variance components."""
    coef = np.asarray(res.coef, dtype=np.float64)
    btime = np.asarray(res.baseline_time, dtype=np.float64)
    bcum = np.asarray(res.baseline_cumhaz, dtype=np.float64)
    a, b = baseline_components(X, rd.time, rd.cause, event, coef, btime, bcum, fine_gray=fine_gray)
    return HazardFit(
        coef=coef,
        covariance=np.asarray(res.covariance, dtype=np.float64),
        baseline_time=btime,
        baseline_cumhaz=bcum,
        var_a=a,
        var_b=b,
    )


def _reference(cov: Covariates) -> dict[str, float]:
    ref: dict[str, float] = {}
    for key in ("wbc_per_ul", "age_years", "mrd_eoc", "eoc_sensitivity"):
        v = getattr(cov, key)
        if v is not None and len(v):
            ref[key] = float(np.median(v))
    ref["sensitivity"] = float(np.median(cov.sensitivity)) if len(cov) else 1e-4
    return ref


def _check_args(method: str, horizon_days: float) -> None:
    if method not in ("fine_gray", "cause_specific"):
        raise InputError(
            f"method must be 'fine_gray' or 'cause_specific'; got {method!r}.",
            field="method",
            value=method,
        )
    if not horizon_days > 0:
        raise InputError("horizon_days must be > 0.", field="horizon_days", value=horizon_days)


def _check_estimable_fit(res: Any, names: Sequence[str], what: str) -> None:
    coef = np.asarray(res.coef, dtype=np.float64)
    bad = [n for n, c in zip(names, coef, strict=True) if not np.isfinite(c)]
    if bad:
        raise EstimationError(
            f"The {what} model cannot estimate {bad} (aliased or no events in a level); "
            "simplify the spec (e.g. no interaction) or merge groups."
        )


def _nelson_aalen_fit(rd: RiskData, event: BoolArray, p: int) -> HazardFit:
    """Covariate-free competing hazard: Nelson–Aalen with variance Σ d/n²."""
    times = np.unique(rd.time[event])
    at_risk = rd.time.shape[0] - np.searchsorted(np.sort(rd.time), times, side="left")
    ev = np.sort(rd.time[event])
    d = np.searchsorted(ev, times, "right") - np.searchsorted(ev, times, "left")
    return HazardFit(
        coef=np.zeros(p),
        covariance=np.zeros((p, p)),
        baseline_time=times.astype(np.float64),
        baseline_cumhaz=np.cumsum(d / at_risk).astype(np.float64),
        var_a=np.cumsum(d / at_risk**2).astype(np.float64),
        var_b=np.zeros((times.shape[0], p)),
    )


def _has_events(X: FloatArray, event: BoolArray) -> BoolArray:
    """False for 0/1 indicator columns with no events among the 1s (their MLE would be -inf).

    Such a term is left out of the competing model (coefficient 0: that level shares the
    reference level's competing hazard), which is recorded in ``RelapseModel.notes``.
    """
    binary = np.all((X == 0) | (X == 1), axis=0)
    events_in = (X[event] != 0).any(axis=0)
    return np.asarray(~binary | events_in, dtype=np.bool_)


def _competing_fit(X: FloatArray, rd: RiskData, spec: ModelSpec) -> HazardFit:
    """Cause-specific Cox fit of the pooled competing events on ``spec.competing_mask()``."""
    p = X.shape[1]
    event = rd.cause >= 2
    if not event.any():
        # No competing events: their hazard is zero and the CIF reduces to the relapse part.
        return empty_fit(p)
    mask = spec.competing_mask() & _has_events(X, event)
    if not mask.any():
        return _nelson_aalen_fit(rd, event, p)
    Xc = X[:, mask]
    res = survival.cox_ph(Xc, rd.time, event)
    names = [n for n, m in zip(spec.term_names(), mask, strict=True) if m]
    _check_estimable_fit(res, names, "competing-event")
    sub = _hazard_fit(res, Xc, rd, event, fine_gray=False)
    # Embed in the full design: excluded terms have coefficient 0 and no variance.
    coef, cov, var_b = np.zeros(p), np.zeros((p, p)), np.zeros((sub.var_b.shape[0], p))
    coef[mask] = sub.coef
    cov[np.ix_(mask, mask)] = sub.covariance
    var_b[:, mask] = sub.var_b
    return HazardFit(
        coef=coef,
        covariance=cov,
        baseline_time=sub.baseline_time,
        baseline_cumhaz=sub.baseline_cumhaz,
        var_a=sub.var_a,
        var_b=var_b,
    )


def _fit_notes(X: FloatArray, rd: RiskData, spec: ModelSpec, method: Method) -> tuple[str, ...]:
    if method == "fine_gray" or not np.any(rd.cause >= 2):
        return ()
    dropped = spec.competing_mask() & ~_has_events(X, rd.cause >= 2)
    return tuple(
        f"competing-event model: no competing events with {name}; term left out (HR 1)."
        for name, d in zip(spec.term_names(), dropped, strict=True)
        if d
    )


def _fit_hazards(
    X: FloatArray, rd: RiskData, spec: ModelSpec, method: Method
) -> tuple[HazardFit, HazardFit | None]:
    """The relapse fit and, for cause-specific models, the pooled competing-event fit."""
    relapse_event = rd.cause == 1
    res: survival.CoxResult | survival.FineGrayResult
    if method == "fine_gray":
        res = survival.fine_gray(X, rd.time, rd.cause, cause_of_interest=1)
    else:
        res = survival.cox_ph(X, rd.time, relapse_event)
    _check_estimable_fit(res, spec.term_names(), "relapse")
    relapse = _hazard_fit(res, X, rd, relapse_event, fine_gray=method == "fine_gray")
    return relapse, None if method == "fine_gray" else _competing_fit(X, rd, spec)


def fit_relapse_model(
    data: RiskData | Sequence[Case],
    spec: ModelSpec | None = None,
    *,
    method: Method = "fine_gray",
    horizon_days: float = FIVE_YEARS_DAYS,
    group_of: GroupOf = uk_tier,
    mrdguide_version: str | None = None,
    fit_date: str | None = None,
) -> RelapseModel:
    """Fit the relapse model with competing death in remission.

    Parameters
    ----------
    data : RiskData or sequence of Case
        Model input. Cases are converted with :func:`~mrdguide.risk.cases.risk_data_from_cases`
        (landmark at the MRD time point).
    spec : ModelSpec, optional
        Terms and coding; default ``ModelSpec()`` (UK tier x EOI log10 MRD with interaction).
    method : {"fine_gray", "cause_specific"}, optional
        Subdistribution (Fine–Gray) or cause-specific Cox models.
    horizon_days : float, optional
        Default prediction horizon (5 years).
    group_of : callable, optional
        Genetic group of a case (only used when ``data`` are cases).
    mrdguide_version, fit_date : str, optional
        Provenance supplied by the caller (the core reads no clock).

    Returns
    -------
    RelapseModel

    Raises
    ------
    EstimationError
        If a group level has no patients or there are no relapses.
    """
    spec = ModelSpec() if spec is None else spec
    _check_args(method, horizon_days)
    rd = data if isinstance(data, RiskData) else risk_data_from_cases(data, spec, group_of=group_of)
    check_estimable(rd, spec)
    dm = design_matrix(rd.covariates, spec)
    relapse, competing = _fit_hazards(dm.X, rd, spec, method)
    cause = rd.cause
    notes = _fit_notes(dm.X, rd, spec, method)
    from mrdguide.risk.persist import cohort_sha256

    return RelapseModel(
        spec=spec,
        method=method,
        horizon_days=float(horizon_days),
        names=dm.names,
        relapse=relapse,
        competing=competing,
        n=len(rd),
        n_relapse=int(np.sum(cause == 1)),
        n_competing=int(np.sum(cause >= 2)),
        reference=_reference(rd.covariates),
        provenance=Provenance(
            cohort_sha256=cohort_sha256(rd),
            n_excluded=len(rd.excluded),
            mrdguide_version=mrdguide_version,
            fit_date=fit_date,
        ),
        notes=notes,
    )
