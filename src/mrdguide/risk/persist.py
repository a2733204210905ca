"""Plain-JSON (de)serialisation of fitted relapse models, with provenance.

The core does no I/O: these functions turn a :class:`~mrdguide.risk.RelapseModel` into a
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
from typing import Any

import numpy as np

from mrdguide.risk._types import RelapseModel
from mrdguide.risk.design import RiskData


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


def model_to_dict(model: RelapseModel) -> dict[str, Any]:
    """Serialise a :class:`~mrdguide.risk.RelapseModel` to JSON types."""
    return model.to_dict()


def model_from_dict(d: Mapping[str, Any]) -> RelapseModel:
    """Rebuild a :class:`~mrdguide.risk.RelapseModel` from :func:`model_to_dict` output.

    Raises
    ------
    InputError
        If the document is not a relapse model or is malformed.
    """
    return RelapseModel.from_dict(d)
