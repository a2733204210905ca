"""Cross-validation and bootstrap optimism: determinism and sanity on simulated cohorts."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.risk import ModelSpec, RiskData
from mrdguide.risk.validation import bootstrap_optimism, cross_validate, stratified_folds


def test_folds_are_balanced_within_cause() -> None:
    """Each cause is spread over the folds with counts differing by at most one."""
    cause = np.array([0] * 50 + [1] * 13 + [2] * 7)
    fold = stratified_folds(cause, 5, seed=3)
    for c in (0, 1, 2):
        counts = np.bincount(fold[cause == c], minlength=5)
        assert counts.max() - counts.min() <= 1


@pytest.mark.slow
def test_cross_validation_is_seeded_and_beats_single_threshold(cs_cohort: RiskData) -> None:
    """Same seed gives identical results; the genotype model out-discriminates MRD >= 1e-4."""
    data = cs_cohort.take(np.arange(2000))
    a = cross_validate(data, ModelSpec(), method="cause_specific", n_splits=4, seed=7)
    b = cross_validate(data, ModelSpec(), method="cause_specific", n_splits=4, seed=7)
    assert a.to_dict() == b.to_dict()
    assert np.array_equal(a.predicted, b.predicted)
    assert a.model.c_index > a.reference.c_index + 0.05
    assert a.model.auc > a.reference.auc + 0.05
    assert a.model.brier < a.reference.brier
    assert a.nri.nri > 0
    top = a.calibration[-1]
    assert top.observed_lower - 0.05 < top.mean_predicted < top.observed_upper + 0.05


def test_cross_validation_rejects_bad_folds(small_cohort: RiskData) -> None:
    """n_splits must be at least 2."""
    with pytest.raises(InputError):
        cross_validate(small_cohort, ModelSpec(), n_splits=1)


def test_bootstrap_optimism_identity(small_cohort: RiskData) -> None:
    """corrected = apparent - optimism, and the same seed reproduces the result."""
    spec = ModelSpec(interaction=False)
    r = bootstrap_optimism(small_cohort, spec, n_boot=3, seed=1)
    assert r.corrected.c_index == pytest.approx(r.apparent.c_index - r.optimism.c_index)
    assert r.corrected.brier == pytest.approx(r.apparent.brier - r.optimism.brier)
    assert r.to_dict() == bootstrap_optimism(small_cohort, spec, n_boot=3, seed=1).to_dict()
    assert 0.5 < r.corrected.c_index <= r.apparent.c_index + 0.02
