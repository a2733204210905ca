"""Model persistence: JSON round trip, provenance and the cohort hash."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.risk import (
    Covariates,
    ModelSpec,
    RelapseModel,
    RiskData,
    cohort_sha256,
    fit_relapse_model,
    predict_risk,
)
from mrdguide.risk.persist import canonical_cohort


@pytest.fixture(scope="module", params=["fine_gray", "cause_specific"])
def model(request: pytest.FixtureRequest, small_cohort: RiskData) -> RelapseModel:
    """A model fitted on the small cohort with caller-supplied provenance."""
    return fit_relapse_model(
        small_cohort,
        ModelSpec(),
        method=request.param,
        mrdguide_version="0.1.0",
        fit_date="2026-11-23",
    )


def test_round_trip_through_json_preserves_predictions(model: RelapseModel) -> None:
    """to_dict -> JSON -> from_dict gives an equal model with identical predictions."""
    again = RelapseModel.from_dict(json.loads(json.dumps(model.to_dict())))
    cov = Covariates(group=("high",), mrd=np.array([2e-3]), sensitivity=np.array([1e-5]))
    assert predict_risk(again, cov) == predict_risk(model, cov)
    assert again.names == model.names
    assert again.spec == model.spec
    assert again.provenance == model.provenance


def test_document_carries_provenance(model: RelapseModel) -> None:
    """The document records the cohort hash, formula, version and fit date."""
    d = model.to_dict()
    assert d["provenance"]["mrdguide_version"] == "0.1.0"
    assert d["provenance"]["fit_date"] == "2026-11-23"
    assert d["spec"]["formula"].startswith("relapse[eoi] ~ ")
    assert len(d["provenance"]["cohort_sha256"]) == 64


def test_cohort_hash_is_sha256_of_canonical_json(small_cohort: RiskData) -> None:
    """The hash is SHA-256 of the sorted-key compact JSON of the input arrays."""
    text = json.dumps(canonical_cohort(small_cohort), sort_keys=True, separators=(",", ":"))
    assert cohort_sha256(small_cohort) == hashlib.sha256(text.encode()).hexdigest()


def test_cohort_hash_changes_with_any_value(small_cohort: RiskData) -> None:
    """Changing one follow-up time changes the cohort hash."""
    time = small_cohort.time.copy()
    time[0] += 1
    other = RiskData(covariates=small_cohort.covariates, time=time, cause=small_cohort.cause)
    assert cohort_sha256(other) != cohort_sha256(small_cohort)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"kind": "something"}, "kind"),
        ({"schema_version": 99}, "newer"),
        ({"names": ["x"]}, "names"),
    ],
)
def test_bad_documents_rejected(model: RelapseModel, change: dict[str, object], match: str) -> None:
    """Wrong kind, newer schema or mismatched term names raise InputError."""
    d = model.to_dict()
    d.update(change)
    with pytest.raises(InputError, match=match):
        RelapseModel.from_dict(d)
