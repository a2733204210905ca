"""Value types of the relapse model: fits, provenance and the fitted model (pure).

They live apart from the fitting code (:mod:`mrdguide.risk.fit`) and the cohort hashing
(:mod:`mrdguide.risk.persist`) so that no import circle is needed between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from mrdguide.domain import DAYS_PER_YEAR
from mrdguide.errors import InputError
from mrdguide.risk.design import FloatArray, ModelSpec

Method = Literal["cause_specific", "fine_gray"]
FIVE_YEARS_DAYS = 5 * DAYS_PER_YEAR
#: Version of the model document layout; bump on incompatible changes.
SCHEMA_VERSION = 1
KIND = "mrdguide.risk.RelapseModel"

__all__ = [
    "FIVE_YEARS_DAYS",
    "KIND",
    "SCHEMA_VERSION",
    "HazardFit",
    "Method",
    "Provenance",
    "RelapseModel",
    "empty_fit",
]


def _floats(a: Any) -> list[float]:
    return [float(x) for x in np.asarray(a, dtype=np.float64).reshape(-1)]


def _optional_fit(d: Mapping[str, Any] | None) -> HazardFit | None:
    return None if d is None else HazardFit.from_dict(d)


def _check_kind(d: Mapping[str, Any]) -> None:
    if d.get("kind") != KIND:
        raise InputError(f"Not a relapse-model document (kind={d.get('kind')!r}).", field="kind")
    if int(d.get("schema_version", 0)) > SCHEMA_VERSION:
        raise InputError(
            f"Model document schema_version {d.get('schema_version')} is newer than this "
            f"mrdguide understands ({SCHEMA_VERSION}).",
            field="schema_version",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HazardFit:
    """Coefficients, their covariance and the baseline cumulative hazard (covariates = 0).

    ``var_a`` and ``var_b`` are the cumulative baseline variance components on the baseline
    grid (see :mod:`mrdguide.risk._variance`), used for prediction intervals.
    """

    coef: FloatArray
    covariance: FloatArray
    baseline_time: FloatArray
    baseline_cumhaz: FloatArray
    var_a: FloatArray
    var_b: FloatArray

    @property
    def std_err(self) -> FloatArray:
        """Standard errors (square roots of the covariance diagonal)."""
        return np.sqrt(np.clip(np.diag(self.covariance), 0.0, None))

    def _index(self, t: FloatArray) -> NDArray[np.intp]:
        return np.searchsorted(self.baseline_time, t, side="right") - 1

    def cumhaz_at(self, t: FloatArray) -> FloatArray:
        """Baseline cumulative hazard at ``t`` (right-continuous step function, 0 before)."""
        idx = self._index(t)
        return np.where(idx >= 0, self.baseline_cumhaz[np.maximum(idx, 0)], 0.0)

    def log_baseline_cov(self, t: float) -> tuple[float, FloatArray]:
        """Var of ``log Λ̂₀(t)`` and its covariance with the coefficients (Tsiatis)."""
        k = int(self._index(np.array([t]))[0])
        if k < 0 or self.baseline_cumhaz[k] <= 0:
            return 0.0, np.zeros(self.coef.shape[0])
        lam = float(self.baseline_cumhaz[k])
        xbar = self.var_b[k] / lam
        cross = -(self.covariance @ xbar)
        return float(self.var_a[k] / lam**2 + xbar @ self.covariance @ xbar), cross

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation."""
        return {
            "coef": _floats(self.coef),
            "covariance": np.asarray(self.covariance, dtype=np.float64).tolist(),
            "baseline_time": _floats(self.baseline_time),
            "baseline_cumhaz": _floats(self.baseline_cumhaz),
            "var_a": _floats(self.var_a),
            "var_b": np.asarray(self.var_b, dtype=np.float64).tolist(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> HazardFit:
        """Rebuild a fit saved with :meth:`to_dict`."""
        p = len(d["coef"])
        return cls(
            coef=np.asarray(d["coef"], dtype=np.float64),
            covariance=np.asarray(d["covariance"], dtype=np.float64).reshape(p, p),
            baseline_time=np.asarray(d["baseline_time"], dtype=np.float64),
            baseline_cumhaz=np.asarray(d["baseline_cumhaz"], dtype=np.float64),
            var_a=np.asarray(d["var_a"], dtype=np.float64),
            var_b=np.asarray(d["var_b"], dtype=np.float64).reshape(-1, p),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Provenance:
    """Where a fitted model came from. Version and date are supplied by the caller."""

    cohort_sha256: str
    n_excluded: int = 0
    mrdguide_version: str | None = None
    fit_date: str | None = None

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Provenance:
        """Rebuild provenance saved by :meth:`RelapseModel.to_dict`."""
        return cls(
            cohort_sha256=str(d["cohort_sha256"]),
            n_excluded=int(d.get("n_excluded", 0)),
            mrdguide_version=d.get("mrdguide_version"),
            fit_date=d.get("fit_date"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RelapseModel:
    """A fitted genotype-specific MRD relapse model (immutable).

    ``relapse`` holds the Fine–Gray (``method="fine_gray"``) or cause-specific relapse Cox fit;
    ``competing`` the cause-specific Cox fit of the pooled competing events (cause-specific
    method only). ``reference`` holds the covariate values used when a term is held fixed
    (thresholds): cohort medians of WBC, age and EOC MRD.
    """

    spec: ModelSpec
    method: Method
    horizon_days: float
    names: tuple[str, ...]
    relapse: HazardFit
    competing: HazardFit | None
    n: int
    n_relapse: int
    n_competing: int
    reference: Mapping[str, float] = field(default_factory=dict)
    provenance: Provenance
    notes: tuple[str, ...] = ()

    @property
    def coef(self) -> FloatArray:
        """Relapse-model coefficients (log hazard or log subdistribution-hazard ratios)."""
        return self.relapse.coef

    @property
    def std_err(self) -> FloatArray:
        """Standard errors of :attr:`coef`."""
        return self.relapse.std_err

    def coef_table(self) -> dict[str, tuple[float, float]]:
        """``{term: (coef, std_err)}`` of the relapse model."""
        return {
            n: (float(c), float(s))
            for n, c, s in zip(self.names, self.coef, self.std_err, strict=True)
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON representation with provenance (the model file format)."""
        p = self.provenance
        return {
            "kind": KIND,
            "schema_version": SCHEMA_VERSION,
            "method": self.method,
            "horizon_days": self.horizon_days,
            "spec": self.spec.to_dict(),
            "names": list(self.names),
            "relapse": self.relapse.to_dict(),
            "competing": None if self.competing is None else self.competing.to_dict(),
            "n": self.n,
            "n_relapse": self.n_relapse,
            "n_competing": self.n_competing,
            "reference": dict(self.reference),
            "notes": list(self.notes),
            "provenance": {
                "cohort_sha256": p.cohort_sha256,
                "n_excluded": p.n_excluded,
                "mrdguide_version": p.mrdguide_version,
                "fit_date": p.fit_date,
            },
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RelapseModel:
        """Rebuild a model saved with :meth:`to_dict`.

        Raises
        ------
        InputError
            If the document is not a relapse model, has a newer schema version, or its term
            names do not match its spec.
        """
        _check_kind(d)
        try:
            spec = ModelSpec.from_dict(d["spec"])
            names = tuple(d["names"])
            if names != spec.term_names():
                msg = "Model document: names do not match the spec's terms."
                raise InputError(msg, field="names")
            return cls(
                spec=spec,
                method=d["method"],
                horizon_days=float(d["horizon_days"]),
                names=names,
                relapse=HazardFit.from_dict(d["relapse"]),
                competing=None
                if d.get("competing") is None
                else HazardFit.from_dict(d["competing"]),
                n=int(d["n"]),
                n_relapse=int(d["n_relapse"]),
                n_competing=int(d["n_competing"]),
                reference={str(k): float(v) for k, v in dict(d.get("reference") or {}).items()},
                notes=tuple(str(x) for x in d.get("notes") or ()),
                provenance=Provenance.from_dict(d["provenance"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"Malformed model document: {exc!r}.", field="model") from exc


def empty_fit(p: int) -> HazardFit:
    """A fit with no events: zero coefficients and an empty baseline."""
    z = np.zeros(0, dtype=np.float64)
    return HazardFit(
        coef=np.zeros(p),
        covariance=np.zeros((p, p)),
        baseline_time=z,
        baseline_cumhaz=z,
        var_a=z,
        var_b=np.zeros((0, p)),
    )
