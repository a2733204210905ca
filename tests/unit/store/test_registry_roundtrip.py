"""Property: any valid case stored in the registry comes back equal, and re-adding is a no-op."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrdguide.domain import (
    TIMEPOINT_ORDER,
    CNSStatus,
    CopyNumber,
    MRDMethod,
    MRDStatus,
    Sex,
    Timepoint,
    Tissue,
    case_from_dict,
    case_to_dict,
)
from mrdguide.domain.timepoints import TIMEPOINT_DAYS
from mrdguide.store import Registry, open_registry

fractions = st.floats(min_value=0, max_value=1, allow_nan=False, exclude_min=True)


@st.composite
def mrd_items(draw: st.DrawFn, q: float) -> dict[str, Any]:
    """A valid MRD item; its day sits at the relative place ``q`` of its time point's window,
    so that the days of one case follow the time-point order."""
    status = draw(st.sampled_from([s.value for s in MRDStatus]))
    tp = draw(st.sampled_from(list(Timepoint)))
    lo, hi = TIMEPOINT_DAYS[tp]
    item: dict[str, Any] = {
        "timepoint": tp.value,
        "method": draw(st.sampled_from([m.value for m in MRDMethod])),
        "tissue": draw(st.sampled_from([t.value for t in Tissue])),
        "status": status,
        "day": lo + round(q * (hi - lo)),
    }
    if status != "negative" and (status == "positive" or draw(st.booleans())):
        item["level"] = draw(fractions)
    if draw(st.booleans()):
        cap = item.get("level", 1.0) if status == "positive" else 1.0
        item["sensitivity"] = draw(st.floats(min_value=0, max_value=cap, exclude_min=True))
    if draw(st.booleans()):
        item["warnings"] = draw(st.lists(st.text(max_size=10), max_size=2))
    return item


def _key(m: dict[str, Any]) -> tuple[str, str, str]:
    return (m["timepoint"], m["tissue"], m["method"])


@st.composite
def case_docs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case document."""
    fu = draw(st.integers(0, 4000))
    doc: dict[str, Any] = {
        "patient_id": draw(st.from_regex(r"SYN-[0-9]{4}", fullmatch=True)),
        "age_years": draw(st.none() | st.floats(0, 30, allow_nan=False)),
        "sex": draw(st.none() | st.sampled_from([s.value for s in Sex])),
        "cns_status": draw(st.none() | st.sampled_from([c.value for c in CNSStatus])),
        "down_syndrome": draw(st.none() | st.booleans()),
        "mrd": draw(st.lists(mrd_items(draw(st.floats(0, 1))), max_size=4, unique_by=_key)),
        "outcomes": [{"kind": "last_follow_up", "day": fu}],
    }
    if draw(st.booleans()):
        genes = st.sampled_from(["IKZF1", "CDKN2A", "PAX5"])
        doc["genetics"] = {
            "lesions": draw(
                st.lists(st.sampled_from(["ETV6::RUNX1", "iAMP21", "X::Y"]), max_size=2)
            ),
            "copy_number": draw(
                st.dictionaries(genes, st.sampled_from([c.value for c in CopyNumber]))
            ),
            "trisomies": draw(st.lists(st.integers(1, 22), max_size=3)),
        }
    if fu > 10 and draw(st.booleans()):
        doc["outcomes"].insert(0, {"kind": "relapse", "day": fu - 5, "relapse_site": "cns"})
    return doc


@pytest.fixture(scope="module")
def shared_reg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """One registry for all examples (migrating a new file per example would be slow)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.sqlite'}"
    with open_registry(url, actor="prop") as reg:
        yield reg


@settings(max_examples=40, deadline=None)
@given(doc=case_docs())
def test_store_round_trip_and_idempotence(shared_reg: Registry, doc: dict[str, Any]) -> None:
    """get_case returns what add_cases stored (MRD results in time-point order); adding it again
    reports unchanged. Examples reuse patient ids, so each one is stored as an amendment."""
    case = case_from_dict(doc)
    shared_reg.add_cases([case], source="prop", amend_reason="next example")
    got = case_to_dict(shared_reg.get_case(case.patient_id, view="latest"))
    want = case_to_dict(case)
    rank = [tp.value for tp in TIMEPOINT_ORDER]
    want["mrd"] = sorted(
        want.get("mrd", []),
        key=lambda m: (rank.index(m["timepoint"]), m["tissue"] != "bm", m["method"]),
    )
    if not want["mrd"]:
        want.pop("mrd")
    got_mrd = {(m["timepoint"], m["tissue"], m["method"]): m for m in got.get("mrd", [])}
    # Keys the new example does not mention keep their stored versions (nothing is removed).
    got["mrd"] = [got_mrd[(m["timepoint"], m["tissue"], m["method"])] for m in want.get("mrd", [])]
    if not got["mrd"]:
        got.pop("mrd")
    assert got == want
    assert shared_reg.add_cases([case], source="prop").unchanged == (case.patient_id,)
