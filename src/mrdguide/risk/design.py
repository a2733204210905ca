"""Covariates and design matrices for the genotype-specific MRD relapse model.

The model spec (:class:`ModelSpec`) is a frozen, formula-like description of the terms. The
covariate container (:class:`Covariates`) holds *raw* values (MRD as a fraction, sensitivity,
WBC per µL, age in years); :func:`design_matrix` applies the spec's coding. Keeping the raw
values means the same cohort can be re-coded under another spec and hashed for provenance.

Coding conventions (see ``docs/risk-model.md``):

* **Genetic group** is categorical with treatment (dummy) coding. The reference level is
  ``spec.reference_group`` (default ``"good"``, the UK good-risk cytogenetics tier).
* **log10 MRD** is centred at ``spec.mrd_centre`` (default -4, i.e. 1e-4), so group main
  effects are log hazard ratios *at MRD 1e-4* even when the interaction is present.
* **MRD-negative** results are not zero (log10 0 is undefined) and are not dropped. They are
  coded as lying below their own sensitivity, ``log10(sensitivity) - spec.negative_offset_log10``
  (the default offset ``log10(2)`` gives ``log10(sensitivity / 2)``, the usual "LOD / 2"
  floor), and the separate indicator ``mrd_negative`` lets negatives carry their own shift.
* **Restricted cubic spline** (Harrell) on centred log10 MRD with ``spec.spline_knots``; the
  interaction is with the linear term only.
* **Kinetics**: ``"eoc_level"`` adds centred log10 MRD at the end of consolidation plus its own
  negative indicator; ``"log_reduction"`` adds ``log10 MRD(EOI) - log10 MRD(EOC)``.
* **WBC** enters as ``log10(wbc_per_ul) - 4`` (10,000/µL = 0) and **age** as
  ``age_years - 5``; PIUKALL-style (Enshaei et al., Blood 2020) continuous presenting features.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mrdguide.errors import EstimationError, InputError

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

Kinetics = Literal["none", "eoc_level", "log_reduction"]
CompetingTerms = Literal["main", "all", "none"]

#: UK cytogenetic risk tiers [sources: oconnor2018; moorman2014]; the first is the default
#: reference.
UK_TIERS: tuple[str, ...] = ("good", "intermediate", "high")
#: The model's tier for T-ALL, which the UK cytogenetic tiers do not cover (about 14% of
#: childhood ALL; analysed as its own group in UKALL2003 [R]).
#: [sources: oconnor2018; aacr2021-ct146]
T_ALL_TIER = "T-ALL"
#: UK tiers plus T-ALL: every patient of a typical cohort has a level. Use with
#: :func:`mrdguide.risk.cases.model_tier` (``ModelSpec(group_levels=MODEL_TIERS)``).
MODEL_TIERS: tuple[str, ...] = (*UK_TIERS, T_ALL_TIER)
#: log10(WBC per µL) is centred at 10,000/µL; age at 5 years.
WBC_CENTRE_LOG10 = 4.0
AGE_CENTRE_YEARS = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSpec:
    """Formula-like description of the relapse model's terms.

    Parameters
    ----------
    group_levels : tuple of str, optional
        Levels of the genetic factor (risk tier or subtype). Default UK tiers.
    reference_group : str, optional
        Reference level of the factor (no dummy column). Default ``"good"``.
    timepoint : str, optional
        MRD time point of the main MRD term (a :class:`~mrdguide.domain.Timepoint` value).
    interaction : bool, optional
        Add group x log10 MRD interaction terms (one slope per group).
    spline_knots : tuple of float, optional
        Knots (on the *uncentred* log10 MRD scale, e.g. ``(-5, -4, -3, -2)``) of a restricted
        cubic spline for log10 MRD. ``()`` (the default) keeps MRD linear. Needs >= 3 knots.
    kinetics : {"none", "eoc_level", "log_reduction"}, optional
        Add end-of-consolidation MRD as a level or as the log reduction from the main time point.
    log_wbc, age : bool, optional
        Add log10 WBC at diagnosis / age in years.
    negative_offset_log10 : float, optional
        Negatives are coded at ``log10(sensitivity) - negative_offset_log10``. Default
        ``log10(2)``, i.e. half the sensitivity.
    mrd_centre : float, optional
        Centre of log10 MRD. Default -4 (MRD 1e-4).
    competing_terms : {"main", "all", "none"}, optional
        Covariates of the competing-event (death in remission) model of the cause-specific
        method: main effects only (default; interaction and spline terms dropped, because
        deaths in remission are rare and a full model is often not estimable), all terms, or
        none (a Nelson–Aalen competing hazard shared by everyone).
    """

    group_levels: tuple[str, ...] = UK_TIERS
    reference_group: str = "good"
    timepoint: str = "eoi"
    interaction: bool = True
    spline_knots: tuple[float, ...] = ()
    kinetics: Kinetics = "none"
    log_wbc: bool = False
    age: bool = False
    negative_offset_log10: float = math.log10(2.0)
    mrd_centre: float = -4.0
    competing_terms: CompetingTerms = "main"

    def __post_init__(self) -> None:
        object.__setattr__(self, "group_levels", tuple(self.group_levels))
        object.__setattr__(self, "spline_knots", tuple(float(k) for k in self.spline_knots))
        if len(set(self.group_levels)) != len(self.group_levels) or len(self.group_levels) < 1:
            raise _bad("group_levels", self.group_levels, "non-empty and without duplicates")
        if self.reference_group not in self.group_levels:
            raise _bad("reference_group", self.reference_group, "must be one of group_levels")
        knots = self.spline_knots
        if knots and (len(knots) < 3 or any(b <= a for a, b in itertools.pairwise(knots))):
            raise _bad("spline_knots", knots, "at least 3 strictly increasing knots, or none")
        if self.kinetics not in ("none", "eoc_level", "log_reduction"):
            raise _bad("kinetics", self.kinetics, "one of 'none', 'eoc_level', 'log_reduction'")
        if self.competing_terms not in ("main", "all", "none"):
            raise _bad("competing_terms", self.competing_terms, "one of 'main', 'all', 'none'")
        if not math.isfinite(self.negative_offset_log10) or self.negative_offset_log10 < 0:
            raise _bad("negative_offset_log10", self.negative_offset_log10, "finite and >= 0")

    def competing_mask(self) -> NDArray[np.bool_]:
        """Which design columns enter the competing-event model (see ``competing_terms``)."""
        names = self.term_names()
        if self.competing_terms == "all":
            return np.ones(len(names), dtype=bool)
        if self.competing_terms == "none":
            return np.zeros(len(names), dtype=bool)
        return np.array([":" not in n for n in names], dtype=bool)

    @property
    def non_reference_groups(self) -> tuple[str, ...]:
        """Levels that get a dummy column, in ``group_levels`` order."""
        return tuple(g for g in self.group_levels if g != self.reference_group)

    def term_names(self) -> tuple[str, ...]:
        """Column names of the design matrix, in order."""
        names = [f"group[{g}]" for g in self.non_reference_groups]
        names += ["log10_mrd", "mrd_negative"]
        names += [f"log10_mrd:rcs{j + 1}" for j in range(max(len(self.spline_knots) - 2, 0))]
        if self.interaction:
            names += [f"group[{g}]:log10_mrd" for g in self.non_reference_groups]
        if self.kinetics == "eoc_level":
            names += ["log10_mrd_eoc", "eoc_negative"]
        elif self.kinetics == "log_reduction":
            names += ["log10_reduction"]
        if self.log_wbc:
            names.append("log10_wbc")
        if self.age:
            names.append("age_years")
        return tuple(names)

    def formula(self) -> str:
        """A human-readable formula, e.g. ``relapse ~ group + log10_mrd + group:log10_mrd``."""
        parts = [f"C(group, ref={self.reference_group!r})", "log10_mrd", "mrd_negative"]
        if self.spline_knots:
            parts[1] = f"rcs(log10_mrd, knots={list(self.spline_knots)})"
        if self.interaction:
            parts.append("group:log10_mrd")
        if self.kinetics == "eoc_level":
            parts += ["log10_mrd_eoc", "eoc_negative"]
        elif self.kinetics == "log_reduction":
            parts.append("log10_reduction")
        if self.log_wbc:
            parts.append("log10_wbc")
        if self.age:
            parts.append("age_years")
        return f"relapse[{self.timepoint}] ~ " + " + ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation (inverse of :meth:`from_dict`)."""
        return {
            "group_levels": list(self.group_levels),
            "reference_group": self.reference_group,
            "timepoint": self.timepoint,
            "interaction": self.interaction,
            "spline_knots": list(self.spline_knots),
            "kinetics": self.kinetics,
            "log_wbc": self.log_wbc,
            "age": self.age,
            "negative_offset_log10": self.negative_offset_log10,
            "mrd_centre": self.mrd_centre,
            "competing_terms": self.competing_terms,
            "formula": self.formula(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ModelSpec:
        """Rebuild a spec from :meth:`to_dict` output (the ``formula`` key is ignored)."""
        kw = {k: v for k, v in d.items() if k != "formula"}
        kw["group_levels"] = tuple(kw.get("group_levels", UK_TIERS))
        kw["spline_knots"] = tuple(kw.get("spline_knots", ()))
        return cls(**kw)


def _bad(name: str, value: Any, rule: str) -> InputError:
    return InputError(
        f"ModelSpec.{name}: {rule}; got {value!r}.", field=name, value=value, rule=rule
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Covariates:
    """Raw covariates for ``n`` patients (no outcome).

    Parameters
    ----------
    group : tuple of str
        Genetic group (tier or subtype) of each patient.
    mrd : ndarray of float
        MRD fraction at the model's time point; ``0`` means not detected (negative).
    sensitivity : ndarray of float
        Sensitivity (LOD) of each sample, a fraction in (0, 1].
    mrd_eoc, eoc_sensitivity : ndarray of float, optional
        The same at the end of consolidation (needed for kinetics terms).
    wbc_per_ul, age_years : ndarray of float, optional
        Presenting WBC (cells per µL) and age.
    """

    group: tuple[str, ...]
    mrd: FloatArray
    sensitivity: FloatArray
    mrd_eoc: FloatArray | None = None
    eoc_sensitivity: FloatArray | None = None
    wbc_per_ul: FloatArray | None = None
    age_years: FloatArray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "group", tuple(str(g) for g in self.group))
        n = len(self.group)
        for name in ("mrd", "sensitivity", "mrd_eoc", "eoc_sensitivity", "wbc_per_ul", "age_years"):
            v = getattr(self, name)
            if v is None:
                continue
            arr = np.asarray(v, dtype=np.float64).reshape(-1)
            if arr.shape[0] != n:
                raise InputError(
                    f"Covariates.{name} has {arr.shape[0]} values; expected {n} (one per patient).",
                    field=name,
                    value=arr.shape[0],
                    rule="one value per patient",
                )
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        _check_fraction("mrd", self.mrd, allow_zero=True)
        _check_fraction("sensitivity", self.sensitivity, allow_zero=False)
        if self.mrd_eoc is not None:
            _check_fraction("mrd_eoc", self.mrd_eoc, allow_zero=True)
        if self.eoc_sensitivity is not None:
            _check_fraction("eoc_sensitivity", self.eoc_sensitivity, allow_zero=False)

    def __len__(self) -> int:
        return len(self.group)

    def take(self, index: NDArray[np.intp]) -> Covariates:
        """The rows ``index`` (used by cross-validation and the bootstrap)."""

        def sub(a: FloatArray | None) -> FloatArray | None:
            return None if a is None else a[index]

        return Covariates(
            group=tuple(self.group[i] for i in index),
            mrd=self.mrd[index],
            sensitivity=self.sensitivity[index],
            mrd_eoc=sub(self.mrd_eoc),
            eoc_sensitivity=sub(self.eoc_sensitivity),
            wbc_per_ul=sub(self.wbc_per_ul),
            age_years=sub(self.age_years),
        )


def _check_fraction(name: str, arr: FloatArray, *, allow_zero: bool) -> None:
    lo_ok = arr >= 0 if allow_zero else arr > 0
    bad = ~(np.isfinite(arr) & lo_ok & (arr <= 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        rule = "a fraction in [0, 1]" if allow_zero else "a fraction in (0, 1]"
        raise InputError(
            f"Covariates.{name}[{i}] must be {rule} (1e-4 = 0.01%); got {arr[i]!r}.",
            field=f"{name}[{i}]",
            value=float(arr[i]),
            rule=rule,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RiskData:
    """Covariates plus the competing-risks outcome used to fit a relapse model.

    ``time`` is in days from the MRD time point's reference (diagnosis, as in
    :func:`~mrdguide.domain.derive_endpoints`); ``cause`` uses
    :class:`~mrdguide.domain.EventType` codes (0 censored, 1 relapse, >= 2 competing).
    ``ids`` are patient identifiers when built from cases; ``excluded`` lists the cases left
    out and why (``(patient_id, reason)``).
    """

    covariates: Covariates
    time: FloatArray
    cause: IntArray
    ids: tuple[str, ...] = ()
    excluded: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        n = len(self.covariates)
        time = np.asarray(self.time, dtype=np.float64).reshape(-1)
        cause = np.asarray(self.cause, dtype=np.int64).reshape(-1)
        if time.shape[0] != n or cause.shape[0] != n:
            raise InputError(
                f"RiskData: time ({time.shape[0]}) and cause ({cause.shape[0]}) need one value "
                f"per patient ({n}).",
                field="time",
                value=(time.shape[0], cause.shape[0]),
                rule="one value per patient",
            )
        if not np.all(np.isfinite(time)) or np.any(time < 0):
            raise InputError("RiskData.time must be finite and >= 0.", field="time", rule=">= 0")
        if np.any(cause < 0):
            raise InputError("RiskData.cause must use EventType codes >= 0.", field="cause")
        time.setflags(write=False)
        cause.setflags(write=False)
        object.__setattr__(self, "time", time)
        object.__setattr__(self, "cause", cause)
        object.__setattr__(self, "ids", tuple(self.ids))
        object.__setattr__(self, "excluded", tuple(self.excluded))

    def __len__(self) -> int:
        return len(self.covariates)

    def take(self, index: NDArray[np.intp]) -> RiskData:
        """The rows ``index`` (ids follow when present; exclusions are not carried)."""
        ids = tuple(self.ids[i] for i in index) if self.ids else ()
        return RiskData(
            covariates=self.covariates.take(index),
            time=self.time[index],
            cause=self.cause[index],
            ids=ids,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DesignMatrix:
    """A coded design matrix with its column names."""

    X: FloatArray
    names: tuple[str, ...]


def coded_log10_mrd(
    mrd: FloatArray, sensitivity: FloatArray, *, offset_log10: float
) -> tuple[FloatArray, FloatArray]:
    """log10 MRD with negatives placed below their sensitivity, plus the negative indicator.

    Parameters
    ----------
    mrd : ndarray of float
        MRD fractions; ``0`` means not detected.
    sensitivity : ndarray of float
        Sensitivity (LOD) of each sample.
    offset_log10 : float
        Negatives get ``log10(sensitivity) - offset_log10``.

    Returns
    -------
    log10_mrd, negative : ndarray of float
        The (uncentred) log10 value and a 0/1 indicator of negativity.
    """
    negative = mrd <= 0
    safe = np.where(negative, 1.0, mrd)
    value = np.where(negative, np.log10(sensitivity) - offset_log10, np.log10(safe))
    return value.astype(np.float64), negative.astype(np.float64)


def rcs_basis(x: FloatArray, knots: Sequence[float]) -> FloatArray:
    """Non-linear columns of Harrell's restricted cubic spline (``len(knots) - 2`` columns).

    Each column is ``(x-t_j)+^3 - (x-t_{k-1})+^3 (t_k-t_j)/(t_k-t_{k-1})
    + (x-t_k)+^3 (t_{k-1}-t_j)/(t_k-t_{k-1})``, divided by ``(t_k - t_1)^2``; the function is
    linear beyond the outer knots.

    References
    ----------
    Harrell FE. Regression Modeling Strategies, 2nd ed., Springer 2015, §2.4.5.
    """
    t = np.asarray(knots, dtype=np.float64)
    k = t.shape[0]
    scale = (t[-1] - t[0]) ** 2

    def cube(u: FloatArray) -> FloatArray:
        return np.maximum(u, 0.0) ** 3

    cols = []
    for j in range(k - 2):
        c = (
            cube(x - t[j])
            - cube(x - t[k - 2]) * (t[k - 1] - t[j]) / (t[k - 1] - t[k - 2])
            + cube(x - t[k - 1]) * (t[k - 2] - t[j]) / (t[k - 1] - t[k - 2])
        )
        cols.append(c / scale)
    return np.column_stack(cols) if cols else np.empty((x.shape[0], 0))


def _group_dummies(groups: tuple[str, ...], spec: ModelSpec) -> FloatArray:
    allowed = set(spec.group_levels)
    for i, g in enumerate(groups):
        if g not in allowed:
            raise InputError(
                f"group[{i}] = {g!r} is not a level of the model ({', '.join(spec.group_levels)}).",
                field=f"group[{i}]",
                value=g,
                rule="one of the spec's group_levels",
            )
    arr = np.asarray(groups, dtype=object)
    levels = spec.non_reference_groups
    return (
        np.column_stack([(arr == g).astype(np.float64) for g in levels])
        if levels
        else (np.empty((len(groups), 0)))
    )


def _require(name: str, value: FloatArray | None, why: str) -> FloatArray:
    if value is None:
        raise InputError(f"Covariates.{name} is required by {why}.", field=name, rule=why)
    return value


def _kinetics_columns(cov: Covariates, spec: ModelSpec, main: FloatArray) -> list[FloatArray]:
    if spec.kinetics == "none":
        return []
    why = f"kinetics={spec.kinetics!r}"
    eoc, eoc_neg = coded_log10_mrd(
        _require("mrd_eoc", cov.mrd_eoc, why),
        _require("eoc_sensitivity", cov.eoc_sensitivity, why),
        offset_log10=spec.negative_offset_log10,
    )
    if spec.kinetics == "eoc_level":
        return [eoc - spec.mrd_centre, eoc_neg]
    return [main - eoc]


def _presenting_columns(cov: Covariates, spec: ModelSpec) -> list[FloatArray]:
    cols: list[FloatArray] = []
    if spec.log_wbc:
        wbc = _require("wbc_per_ul", cov.wbc_per_ul, "log_wbc=True")
        if np.any(~np.isfinite(wbc) | (wbc <= 0)):
            raise InputError("wbc_per_ul must be > 0 for log10 WBC.", field="wbc_per_ul")
        cols.append(np.log10(wbc) - WBC_CENTRE_LOG10)
    if spec.age:
        age = _require("age_years", cov.age_years, "age=True")
        if np.any(~np.isfinite(age)):
            raise InputError("age_years must be finite.", field="age_years")
        cols.append(age - AGE_CENTRE_YEARS)
    return cols


def design_matrix(cov: Covariates, spec: ModelSpec) -> DesignMatrix:
    """Code ``cov`` into the design matrix described by ``spec``.

    Parameters
    ----------
    cov : Covariates
        Raw covariates.
    spec : ModelSpec
        Terms and coding.

    Returns
    -------
    DesignMatrix
        ``X`` of shape ``(n, len(spec.term_names()))`` and the column names.

    Raises
    ------
    InputError
        If a group is not a level of the spec, or a term needs a covariate that is missing.
    """
    dummies = _group_dummies(cov.group, spec)
    log_mrd, negative = coded_log10_mrd(
        cov.mrd, cov.sensitivity, offset_log10=spec.negative_offset_log10
    )
    centred = log_mrd - spec.mrd_centre
    cols: list[FloatArray] = [dummies[:, j] for j in range(dummies.shape[1])]
    cols += [centred, negative]
    if spec.spline_knots:
        basis = rcs_basis(log_mrd, spec.spline_knots)
        cols += [basis[:, j] for j in range(basis.shape[1])]
    if spec.interaction:
        cols += [dummies[:, j] * centred for j in range(dummies.shape[1])]
    cols += _kinetics_columns(cov, spec, log_mrd)
    cols += _presenting_columns(cov, spec)
    X = np.column_stack(cols).astype(np.float64)
    return DesignMatrix(X=X, names=spec.term_names())


def check_estimable(data: RiskData, spec: ModelSpec) -> None:
    """Raise :class:`EstimationError` if a group level has no patients or nobody relapsed."""
    present = set(data.covariates.group)
    missing = [g for g in spec.group_levels if g not in present]
    if missing:
        raise EstimationError(
            f"Group level(s) {missing} have no patients; drop them from spec.group_levels."
        )
    if not np.any(data.cause == 1):
        raise EstimationError("No relapses (cause 1) in the data; the model cannot be fitted.")
