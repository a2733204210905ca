"""Unit tests for building model input from Case values."""

from __future__ import annotations

import pytest

from mrdguide.domain import Case, case_from_dict
from mrdguide.errors import InputError
from mrdguide.risk import ModelSpec, covariates_from_case, risk_data_from_cases, uk_tier


def _case(
    pid: str, mrd: list[dict[str, object]], outcomes: list[dict[str, object]], **kw: object
) -> Case:
    doc: dict[str, object] = {
        "patient_id": pid,
        "immunophenotype": "B",
        "wbc_per_ul": 20000,
        "age_years": 4.0,
        "genetics": {"lesions": ["ETV6::RUNX1"]},
        "mrd": mrd,
        "outcomes": outcomes,
    }
    doc.update(kw)
    return case_from_dict(doc)


EOI_NEG = {
    "timepoint": "eoi",
    "method": "pcr",
    "status": "negative",
    "sensitivity": 1e-4,
    "day": 29,
}
EOI_POS = {"timepoint": "eoi", "method": "pcr", "status": "positive", "level": 2e-3, "day": 30}


def _group(_: Case) -> str:
    return "good"


def test_times_start_at_the_mrd_landmark() -> None:
    """Relapse on day 1029 after an EOI sample on day 29 gives time 1000 and cause 1."""
    c = _case("a", [EOI_NEG], [{"kind": "relapse", "day": 1029}])
    rd = risk_data_from_cases([c], ModelSpec(), group_of=_group)
    assert rd.time.tolist() == [1000.0]
    assert rd.cause.tolist() == [1]
    assert rd.covariates.mrd.tolist() == [0.0]
    assert rd.covariates.sensitivity.tolist() == [1e-4]


def test_death_in_remission_competes() -> None:
    """Death without relapse is cause 2 (EventType.DEATH_IN_REMISSION)."""
    c = _case("a", [EOI_POS], [{"kind": "death", "day": 500}])
    rd = risk_data_from_cases([c], ModelSpec(), group_of=_group)
    assert rd.cause.tolist() == [2]
    assert rd.covariates.mrd.tolist() == [2e-3]


def test_exclusions_are_listed_with_reasons() -> None:
    """Cases with events before the landmark, no MRD or induction failure are excluded."""
    early = _case("early", [EOI_POS], [{"kind": "relapse", "day": 20}])
    no_mrd = _case("nomrd", [], [{"kind": "last_follow_up", "day": 900}])
    fail = _case(
        "fail",
        [EOI_POS],
        [{"kind": "induction_failure", "day": 35}, {"kind": "last_follow_up", "day": 900}],
    )
    ok = _case("ok", [EOI_POS], [{"kind": "last_follow_up", "day": 900}])
    rd = risk_data_from_cases([early, no_mrd, fail, ok], ModelSpec(), group_of=_group)
    assert rd.ids == ("ok",)
    reasons = dict(rd.excluded)
    assert set(reasons) == {"early", "nomrd", "fail"}
    assert "landmark" in reasons["early"]


def test_uk_tier_from_genetics() -> None:
    """ETV6::RUNX1 B-ALL is UK good risk; KMT2A-r is high risk."""
    good = _case("g", [EOI_POS], [{"kind": "last_follow_up", "day": 900}])
    high = _case(
        "h",
        [EOI_POS],
        [{"kind": "last_follow_up", "day": 900}],
        genetics={"lesions": ["KMT2A::AFF1"]},
    )
    assert uk_tier(good) == "good"
    assert uk_tier(high) == "high"


def test_covariates_from_case_needs_mrd() -> None:
    """Scoring a case without MRD at the model time point raises InputError."""
    c = _case("a", [], [{"kind": "last_follow_up", "day": 900}])
    with pytest.raises(InputError, match="MRD"):
        covariates_from_case(c, ModelSpec(), group_of=_group)


def test_covariates_from_case_with_wbc() -> None:
    """PIUKALL-style terms pick up WBC and age from the patient."""
    c = _case("a", [EOI_POS], [{"kind": "last_follow_up", "day": 900}])
    cov = covariates_from_case(c, ModelSpec(log_wbc=True, age=True), group_of=_group)
    assert cov.wbc_per_ul is not None
    assert cov.wbc_per_ul.tolist() == [20000.0]
    assert cov.age_years is not None
    assert cov.age_years.tolist() == [4.0]


def test_model_tier_gives_t_all_its_own_tier() -> None:
    """T-ALL has no UK cytogenetic tier but a model tier; B-ALL keeps its UK tier."""
    from mrdguide.risk.cases import model_tier
    from mrdguide.risk.design import MODEL_TIERS, T_ALL_TIER

    t = _case("t", [EOI_POS], [{"kind": "last_follow_up", "day": 900}], immunophenotype="T")
    b = _case("b", [EOI_POS], [{"kind": "last_follow_up", "day": 900}])
    assert uk_tier(t) is None
    assert model_tier(t) == T_ALL_TIER and T_ALL_TIER in MODEL_TIERS
    assert model_tier(b) == uk_tier(b) == "good"
    spec = ModelSpec(group_levels=MODEL_TIERS)
    rd = risk_data_from_cases([t, b], spec, group_of=model_tier)
    assert set(rd.covariates.group) == {"T-ALL", "good"}
