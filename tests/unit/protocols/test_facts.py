"""Facts derived from a case: clinical derivations, genetics, MRD windows and sensitivity."""

from __future__ import annotations

import pytest

from mrdguide.protocols import derive_facts, load_ruleset

from .conftest import make_case, mrd


@pytest.mark.parametrize(
    ("blasts", "expected"), [(999.0, "good"), (999.999, "good"), (1000.0, "poor"), (1001.0, "poor")]
)
def test_prednisone_response_threshold(blasts: float, expected: str) -> None:
    """Prednisone good response is day-8 blood blasts < 1,000/uL (comparator <)."""
    facts = derive_facts(
        make_case(day8_pb_blasts_per_ul=blasts), load_ruleset("aieop-bfm-all-2000")
    )
    fact = facts.get("prednisone_response")
    assert fact is not None
    assert fact.value == expected


def test_nci_risk_and_missing_features() -> None:
    """nci_risk is derived from age and WBC and is missing when either is absent."""
    rs = load_ruleset("cog-b-all")
    hr = derive_facts(make_case(wbc_per_ul=50000), rs).get("nci_risk")
    assert hr is not None
    assert hr.value == "high"
    assert derive_facts(make_case(wbc_per_ul=None), rs).get("nci_risk") is None


def test_genetics_from_karyotype_and_kmt2a_r_implied() -> None:
    """Lesions come from the karyotype via genetics.classify; a KMT2A fusion implies KMT2A-r."""
    case = make_case(genetics={"karyotype": "46,XY,t(4;11)(q21;q23)[20]"})
    facts = derive_facts(case, load_ruleset("nopho-all2008"))
    lesions = facts.get("genetics.lesions")
    assert lesions is not None
    assert isinstance(lesions.value, tuple)
    assert "KMT2A::AFF1" in lesions.value
    assert "KMT2A-r" in lesions.value
    tier = facts.get("genetics.uk_tier")
    assert tier is not None
    assert tier.value == "high"


def test_malformed_karyotype_is_a_caveat_not_a_crash() -> None:
    """A karyotype the parser rejects leaves genetics missing and adds a caveat."""
    case = make_case(genetics={"karyotype": "46,XX,t(12;21"})
    facts = derive_facts(case, load_ruleset("dcog-all10"))
    assert facts.get("genetics.lesions") is None
    assert any(c.startswith("genetics not used") for c in facts.caveats)


def test_mrd_attributes_for_a_negative_result() -> None:
    """A negative at the required sensitivity is evaluable, and its level is an upper bound."""
    case = make_case(mrd=[mrd("eoi", "negative", sensitivity=1e-5, day=29, markers=2)])
    f = derive_facts(case, load_ruleset("ukall2003"))
    level = f.get("mrd.eoi.level")
    assert level is not None
    assert level.below == 1e-5
    assert level.value is None
    for name, value in (
        ("available", True),
        ("evaluable", True),
        ("detected", False),
        ("negative_at_required", True),
        ("markers", 2),
        ("day", 29),
    ):
        fact = f.get(f"mrd.eoi.{name}")
        assert fact is not None
        assert fact.value == value, name


def test_insufficient_sensitivity_caveat_and_not_negative() -> None:
    """A negative at 1e-3 is not negative at the required 1e-4 and says so."""
    case = make_case(mrd=[mrd("eoi", "negative", sensitivity=1e-3, day=29)])
    f = derive_facts(case, load_ruleset("ukall2003"))
    neg = f.get("mrd.eoi.negative_at_required")
    assert neg is not None
    assert neg.value is False
    assert any("insufficient sensitivity" in c for c in f.caveats)


def test_window_method_and_tissue_caveats() -> None:
    """Out-of-window samples, other methods and other tissues are flagged."""
    case = make_case(
        mrd=[
            mrd("eoi", "positive", 1e-3, day=50, method="flow"),
            mrd("eoc", "positive", 1e-3, tissue="pb", day=78),
        ]
    )
    f = derive_facts(case, load_ruleset("aieop-bfm-all-2000"))
    text = " | ".join(f.caveats)
    assert "sample taken on day 50" in text
    assert "method flow cytometry differs" in text
    assert "from peripheral blood not used" in text
    eoc = f.get("mrd.eoc.available")
    assert eoc is not None
    assert eoc.value is False


def test_not_evaluable_and_missing_sample_day() -> None:
    """A not-evaluable result is unavailable; a result without a day gets a caveat."""
    case = make_case(mrd=[mrd("eoi", "not_evaluable"), mrd("eoc", "positive", 1e-3)])
    f = derive_facts(case, load_ruleset("dcog-all10"))
    ev = f.get("mrd.eoi.evaluable")
    assert ev is not None
    assert ev.value is False
    assert f.get("mrd.eoi.level") is None
    assert any("sample day not recorded" in c for c in f.caveats)
    assert any("not evaluable" in c for c in f.caveats)


def test_facts_to_dict_is_plain_data() -> None:
    """Facts.to_dict shows values, bounds and caveats as JSON-ready data."""
    case = make_case(mrd=[mrd("eoi", "negative", sensitivity=1e-5, day=29)])
    d = derive_facts(case, load_ruleset("ukall2003")).to_dict()
    assert d["facts"]["mrd.eoi.level"] == "<1e-05"
    assert d["facts"]["nci_risk"] == "standard"
    assert d["facts"]["mrd.eoc.available"] is False
    assert isinstance(d["caveats"], list)
