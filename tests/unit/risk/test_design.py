"""Unit tests for covariate coding and the model spec."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.risk import Covariates, ModelSpec, coded_log10_mrd, design_matrix, rcs_basis


def _cov(**kw: object) -> Covariates:
    base: dict[str, object] = {
        "group": ("good", "intermediate", "high", "good"),
        "mrd": np.array([1e-3, 0.0, 1e-2, 1e-5]),
        "sensitivity": np.array([1e-5, 1e-4, 1e-5, 1e-5]),
    }
    base.update(kw)
    return Covariates(**base)  # type: ignore[arg-type]


def test_negative_coded_below_sensitivity_with_indicator() -> None:
    """A negative at sensitivity 1e-4 is coded log10(1e-4 / 2) with indicator 1, never 0."""
    value, neg = coded_log10_mrd(
        np.array([0.0, 1e-3]), np.array([1e-4, 1e-5]), offset_log10=math.log10(2)
    )
    assert value[0] == pytest.approx(math.log10(5e-5))
    assert value[1] == pytest.approx(-3.0)
    assert neg.tolist() == [1.0, 0.0]


def test_negative_offset_is_configurable() -> None:
    """The spec's negative offset moves negatives by that many logs below the sensitivity."""
    dm = design_matrix(_cov(), ModelSpec(negative_offset_log10=1.0, interaction=False))
    col = dm.names.index("log10_mrd")
    assert dm.X[1, col] == pytest.approx(-5.0 - (-4.0))


def test_reference_level_has_no_column_and_mrd_is_centred() -> None:
    """Default reference 'good' gets no dummy; log10 MRD is centred at -4 (1e-4)."""
    dm = design_matrix(_cov(), ModelSpec())
    assert dm.names == (
        "group[intermediate]",
        "group[high]",
        "log10_mrd",
        "mrd_negative",
        "group[intermediate]:log10_mrd",
        "group[high]:log10_mrd",
    )
    assert dm.X[:, 0].tolist() == [0, 1, 0, 0]
    assert dm.X[:, 1].tolist() == [0, 0, 1, 0]
    assert dm.X[:, 2] == pytest.approx([1.0, math.log10(5e-5) + 4, 2.0, -1.0])


def test_interaction_is_dummy_times_centred_mrd() -> None:
    """Interaction columns equal the group dummy times centred log10 MRD."""
    dm = design_matrix(_cov(), ModelSpec())
    assert np.allclose(dm.X[:, 4], dm.X[:, 0] * dm.X[:, 2])
    assert np.allclose(dm.X[:, 5], dm.X[:, 1] * dm.X[:, 2])


def test_other_reference_level() -> None:
    """Choosing 'intermediate' as reference drops its dummy instead."""
    dm = design_matrix(_cov(), ModelSpec(reference_group="intermediate", interaction=False))
    assert dm.names[:2] == ("group[good]", "group[high]")


def test_unknown_group_rejected() -> None:
    """A group outside the spec's levels raises InputError naming the row."""
    with pytest.raises(InputError, match=r"group\[1\]"):
        design_matrix(_cov(group=("good", "T-ALL", "high", "good")), ModelSpec())


def test_percent_rejected() -> None:
    """MRD given as a percentage (> 1) is rejected, not rescaled."""
    with pytest.raises(InputError, match="fraction"):
        _cov(mrd=np.array([5.0, 0.0, 1e-2, 1e-5]))


def test_rcs_basis_zero_below_and_linear_beyond_knots() -> None:
    """The restricted cubic spline is 0 left of the first knot and linear right of the last."""
    knots = (-5.0, -4.0, -3.0, -2.0)
    x = np.linspace(-7, 1, 81)
    b = rcs_basis(x, knots)
    assert b.shape == (81, 2)
    assert np.all(b[x <= -5] == 0)
    right = b[x >= -2]
    assert np.allclose(np.diff(right, n=2, axis=0), 0, atol=1e-10)
    assert np.any(np.abs(np.diff(b[(x > -5) & (x < -2)], n=2, axis=0)) > 1e-6)


def test_spline_terms_added() -> None:
    """Spline knots add len(knots) - 2 named columns."""
    spec = ModelSpec(spline_knots=(-5, -4, -3), interaction=False)
    assert "log10_mrd:rcs1" in spec.term_names()
    assert design_matrix(_cov(), spec).X.shape == (4, 5)


def test_kinetics_log_reduction() -> None:
    """log_reduction = coded log10 MRD(EOI) - coded log10 MRD(EOC)."""
    cov = _cov(mrd_eoc=np.array([1e-4, 0.0, 1e-3, 0.0]), eoc_sensitivity=np.full(4, 1e-5))
    dm = design_matrix(cov, ModelSpec(kinetics="log_reduction", interaction=False))
    col = dm.X[:, dm.names.index("log10_reduction")]
    assert col[0] == pytest.approx(1.0)
    assert col[3] == pytest.approx(-5.0 - math.log10(5e-6))


def test_kinetics_needs_eoc() -> None:
    """A kinetics term without EOC MRD raises InputError."""
    with pytest.raises(InputError, match="mrd_eoc"):
        design_matrix(_cov(), ModelSpec(kinetics="eoc_level"))


def test_wbc_and_age_centred() -> None:
    """log10 WBC is centred at 10,000/uL and age at 5 years."""
    cov = _cov(wbc_per_ul=np.array([1e4, 1e5, 1e3, 5e4]), age_years=np.array([5.0, 15, 2, 5]))
    dm = design_matrix(cov, ModelSpec(log_wbc=True, age=True, interaction=False))
    assert dm.X[:, dm.names.index("log10_wbc")] == pytest.approx([0, 1, -1, math.log10(5)])
    assert dm.X[:, dm.names.index("age_years")] == pytest.approx([0, 10, -3, 0])


@pytest.mark.parametrize(
    "kw",
    [
        {"reference_group": "other"},
        {"spline_knots": (-4.0, -3.0)},
        {"spline_knots": (-3.0, -4.0, -2.0)},
        {"group_levels": ("good", "good")},
        {"kinetics": "fast"},
        {"negative_offset_log10": -1.0},
    ],
)
def test_invalid_spec_rejected(kw: dict[str, object]) -> None:
    """Invalid spec parameters raise InputError."""
    with pytest.raises(InputError):
        ModelSpec(**kw)  # type: ignore[arg-type]


def test_spec_round_trip_and_formula() -> None:
    """to_dict/from_dict round-trips and the formula names every term."""
    spec = ModelSpec(spline_knots=(-5, -4, -3), kinetics="eoc_level", log_wbc=True, age=True)
    assert ModelSpec.from_dict(spec.to_dict()) == spec
    f = spec.formula()
    for part in ("rcs(", "group:log10_mrd", "log10_mrd_eoc", "log10_wbc", "age_years"):
        assert part in f
