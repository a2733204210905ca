"""Tests of the cited simulation parameters."""

from __future__ import annotations

import pickle
import tomllib
from importlib import resources

import pytest

from mrdguide.errors import InputError
from mrdguide.simulate.params import CITATION_TAGS, default_params, params_from_dict


def _raw() -> dict:
    text = resources.files("mrdguide.simulate").joinpath("default_params.toml").read_text("utf-8")
    return tomllib.loads(text)


def test_every_numeric_value_is_cited_with_a_tag() -> None:
    """Each numeric parameter carries a citation with one of the documented tags."""
    p = default_params()
    n_sub = len(p.subtypes) * 17
    assert len(p.citations) >= n_sub + 3 * 3
    assert all(any(t in c for t in CITATION_TAGS) for c in p.citations.values())


def test_missing_citation_is_rejected() -> None:
    """Removing one citation makes loading fail, naming the field."""
    raw = _raw()
    del raw["hazards"]["cite"]["frailty_sd"]
    with pytest.raises(InputError, match="frailty_sd"):
        params_from_dict(raw)


def test_frequencies_must_sum_to_one() -> None:
    """Subtype frequencies that do not sum to 1 are rejected."""
    raw = _raw()
    raw["subtypes"]["b_other"]["frequency"] = 0.5
    with pytest.raises(InputError, match="sum to 1"):
        params_from_dict(raw)


def test_true_coefficients_are_exposed_and_genotype_specific() -> None:
    """The true MRD slopes are readable and differ between subtypes."""
    coef = default_params().true_coefficients()
    assert coef["high_hyperdiploid"]["mrd_log_hr"] < coef["b_other"]["mrd_log_hr"]
    assert coef["etv6_runx1"]["relapse_log_rate"] < coef["kmt2a_r"]["relapse_log_rate"]


def test_intensification_hr_periods_are_checked() -> None:
    """An HR list that does not match the period breaks is rejected."""
    with pytest.raises(InputError, match="one value per period"):
        default_params().with_intensification(hr=(0.5, 1.0), hr_breaks_years=())


def test_params_survive_pickling() -> None:
    """Parameters pickle (needed by process and Dask workers) and compare equal."""
    p = default_params().with_intensification(fraction=0.3)
    q = pickle.loads(pickle.dumps(p))  # noqa: S301 - our own object
    assert q == p
    assert q.methods["flow"].lod == 1e-4


#: The UK cytogenetic tier of each simulated B-lineage subtype (genetics.tiers convention [R]).
UK_TIER_OF = {
    "etv6_runx1": 0,
    "high_hyperdiploid": 0,
    "b_other": 1,
    "tcf3_pbx1": 1,
    "kmt2a_r": 2,
    "bcr_abl1": 2,
    "iamp21": 2,
    "hypodiploid": 2,
}


def test_tier_curves_are_ordered_at_every_mrd() -> None:
    """True relapse hazards: good <= intermediate <= high at every MRD from 1e-6 to 1 (#15).

    log rate(m) = relapse_log_rate + mrd_log_hr * (m - mrd_ref_log10), linear in m, so checking
    both ends of [-6, 0] checks every MRD in between.
    """
    p = default_params()
    ref = p.hazards.mrd_ref_log10
    for lo_key, lo_tier in UK_TIER_OF.items():
        for hi_key, hi_tier in UK_TIER_OF.items():
            if hi_tier <= lo_tier:
                continue
            a, b = p.subtype(lo_key), p.subtype(hi_key)
            for m in (-6.0, 0.0):
                low = a.relapse_log_rate + a.mrd_log_hr * (m - ref)
                high = b.relapse_log_rate + b.mrd_log_hr * (m - ref)
                assert high >= low, (lo_key, hi_key, m)


def test_t_all_is_a_subtype_of_its_own() -> None:
    """T-ALL (about 14% of patients) is simulated as its own lineage and tier."""
    t = default_params().subtype("t_all")
    assert t.lineage == "T"
    assert 0.12 <= t.frequency <= 0.16
