"""Plain-JSON (de)serialisation of fitted relapse models, with provenance.

The core does no I/O: these functions turn a :class:`~mrdguide.risk.model.RelapseModel` into a
``dict`` of JSON types and back. Writing the file is the CLI's job.

Provenance recorded with every model:

* ``cohort_sha256``: SHA-256 of the canonical JSON of the input arrays (``time``, ``cause``,
  ``group``, ``mrd``, ``sensitivity`` and any optional covariate arrays; keys sorted, compact
  separators, floats in Python's shortest round-trip ``repr``). Row order matters.
* the spec and its formula;
* ``mrdguide_version`` and ``fit_date`` as passed in by the caller (the core reads no clock).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from mrdguide.errors import InputError
from mrdguide.risk.design import ModelSpec, RiskData

if TYPE_CHECKING:
    from mrdguide.risk.model import HazardFit, RelapseModel

#: Version of the model document layout; bump on incompatible changes.
SCHEMA_VERSION = 1
KIND = "mrdguide.risk.RelapseModel"


def _floats(a: Any) -> list[float]:
    return [float(x) for x in np.asarray(a, dtype=np.float64).reshape(-1)]


def canonical_cohort(data: RiskData) -> dict[str, Any]:
    """The arrays that identify a cohort, as plain JSON types."""
    cov = data.covariates
    out: dict[str, Any] = {
        "time": _floats(data.time),
        "cause": [int(c) for c in data.cause],
        "group": list(cov.group),
        "mrd": _floats(cov.mrd),
        "sensitivity": _floats(cov.sensitivity),
    }
    for key in ("mrd_eoc", "eoc_sensitivity", "wbc_per_ul", "age_years"):
        v = getattr(cov, key)
        if v is not None:
            out[key] = _floats(v)
    return out


def cohort_sha256(data: RiskData) -> str:
    """SHA-256 (hex) of the canonical JSON of the cohort's input arrays."""
    text = json.dumps(canonical_cohort(data), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _fit_to_dict(fit: HazardFit) -> dict[str, Any]:
    return {
        "coef": _floats(fit.coef),
        "covariance": np.asarray(fit.covariance, dtype=np.float64).tolist(),
        "baseline_time": _floats(fit.baseline_time),
        "baseline_cumhaz": _floats(fit.baseline_cumhaz),
        "var_a": _floats(fit.var_a),
        "var_b": np.asarray(fit.var_b, dtype=np.float64).tolist(),
    }


def model_to_dict(model: RelapseModel) -> dict[str, Any]:
    """Serialise a :class:`~mrdguide.risk.model.RelapseModel` to JSON types."""
    p = model.provenance
    return {
        "kind": KIND,
        "schema_version": SCHEMA_VERSION,
        "method": model.method,
        "horizon_days": model.horizon_days,
        "spec": model.spec.to_dict(),
        "names": list(model.names),
        "relapse": _fit_to_dict(model.relapse),
        "competing": None if model.competing is None else _fit_to_dict(model.competing),
        "n": model.n,
        "n_relapse": model.n_relapse,
        "n_competing": model.n_competing,
        "reference": dict(model.reference),
        "notes": list(model.notes),
        "provenance": {
            "cohort_sha256": p.cohort_sha256,
            "n_excluded": p.n_excluded,
            "mrdguide_version": p.mrdguide_version,
            "fit_date": p.fit_date,
        },
    }


def _fit_from_dict(d: Mapping[str, Any]) -> HazardFit:
    from mrdguide.risk.model import HazardFit

    p = len(d["coef"])
    return HazardFit(
        coef=np.asarray(d["coef"], dtype=np.float64),
        covariance=np.asarray(d["covariance"], dtype=np.float64).reshape(p, p),
        baseline_time=np.asarray(d["baseline_time"], dtype=np.float64),
        baseline_cumhaz=np.asarray(d["baseline_cumhaz"], dtype=np.float64),
        var_a=np.asarray(d["var_a"], dtype=np.float64),
        var_b=np.asarray(d["var_b"], dtype=np.float64).reshape(-1, p),
    )


def model_from_dict(d: Mapping[str, Any]) -> RelapseModel:
    """Rebuild a :class:`~mrdguide.risk.model.RelapseModel` from :func:`model_to_dict` output.

    Raises
    ------
    InputError
        If the document is not a relapse model, has a newer schema version, or its term names
        do not match its spec.
    """
    from mrdguide.risk.model import Provenance, RelapseModel

    if d.get("kind") != KIND:
        raise InputError(f"Not a relapse-model document (kind={d.get('kind')!r}).", field="kind")
    if int(d.get("schema_version", 0)) > SCHEMA_VERSION:
        raise InputError(
            f"Model document schema_version {d.get('schema_version')} is newer than this "
            f"mrdguide understands ({SCHEMA_VERSION}).",
            field="schema_version",
        )
    try:
        spec = ModelSpec.from_dict(d["spec"])
        names = tuple(d["names"])
        if names != spec.term_names():
            raise InputError("Model document: names do not match the spec's terms.", field="names")
        prov = d["provenance"]
        return RelapseModel(
            spec=spec,
            method=d["method"],
            horizon_days=float(d["horizon_days"]),
            names=names,
            relapse=_fit_from_dict(d["relapse"]),
            competing=None if d.get("competing") is None else _fit_from_dict(d["competing"]),
            n=int(d["n"]),
            n_relapse=int(d["n_relapse"]),
            n_competing=int(d["n_competing"]),
            reference={str(k): float(v) for k, v in dict(d.get("reference") or {}).items()},
            notes=tuple(str(x) for x in d.get("notes") or ()),
            provenance=Provenance(
                cohort_sha256=str(prov["cohort_sha256"]),
                n_excluded=int(prov.get("n_excluded", 0)),
                mrdguide_version=prov.get("mrdguide_version"),
                fit_date=prov.get("fit_date"),
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"Malformed model document: {exc!r}.", field="model") from exc
