"""Caveats, flags and labels are written for people where they are made (issue 16).

Expected sentences are written out by hand from the rule files (AIEOP-BFM ALL 2000: TP1 window
day 26–47, RQ-PCR only, required sensitivity 10⁻⁴ = 0.01%) and the label table. Each
string must also be a fixed point of the reports' rewriting (``humanize_text``), so reports
show it unchanged.
"""

from __future__ import annotations

import re

from mrdguide.analysis.baseline import VARIABLES
from mrdguide.domain import MRDLevel, case_from_dict
from mrdguide.mrd import kinetics
from mrdguide.protocols import assess, derive_facts, load_ruleset
from mrdguide.reports.wording import humanize_text

from .conftest import make_case, mrd

CODE = re.compile(r"\b(?:mrd|patient|genetics)\.[a-z0-9_]+|\b(?:eoi|eoc|day8|positive_nq)\b")
E_NOTATION = re.compile(r"\d[eE][-+]?\d")


def readable(text: str) -> bool:
    """No rule-field path, time-point code or e-notation; unchanged by the reports' rewriting."""
    return not CODE.search(text) and not E_NOTATION.search(text) and humanize_text(text) == text


def test_sample_caveats_name_time_points_methods_and_percent() -> None:
    """Window, method, tissue and sensitivity caveats read as sentences."""
    case = make_case(
        mrd=[
            mrd("eoi", "negative", sensitivity=1e-3, day=50, method="flow"),
            mrd("eoc", "positive", 1e-3, tissue="pb", day=78),
        ]
    )
    caveats = derive_facts(case, load_ruleset("aieop-bfm-all-2000")).caveats
    assert (
        "End of induction: method flow cytometry differs from the protocol's (RQ-PCR (Ig/TCR))"
        in caveats
    )
    assert (
        "End of induction: insufficient sensitivity: negative at a sensitivity of 0.1%; "
        "the protocol requires 0.01% for a negative result"
    ) in caveats
    assert (
        "End of consolidation: result(s) from peripheral blood not used; "
        "TP2 (day 78, before protocol M) requires bone marrow"
    ) in caveats
    assert any(c.startswith("End of induction: sample taken on day 50; TP1") for c in caveats)
    assert all(readable(c) for c in caveats), caveats


def test_policy_caveat_names_the_field_in_words() -> None:
    """An 'if missing: fail' caveat names the fact by its label, not its path."""
    a = assess(make_case(mrd=[mrd("eoi", "positive", 1e-3, day=33)]), "dcog-all10")
    policy = [c for c in a.caveats if "rule-set policy" in c]
    assert policy and policy[0].startswith("end-of-consolidation MRD not available")
    assert all(readable(c) for c in a.caveats), a.caveats


def test_kinetics_reasons_and_warnings_are_sentences() -> None:
    """A 1-log rise names the levels in percent; a conversion names the time point."""
    rise = case_from_dict(
        {
            "patient_id": "SYN-K1",
            "mrd": [
                {"timepoint": "eoi", "method": "pcr", "status": "positive", "level": 1e-4},
                {"timepoint": "eoc", "method": "flow", "status": "positive", "level": 2.1e-3},
            ],
        }
    )
    k = kinetics(rise.mrd)
    assert k.reasons == (
        "MRD 0.21% (2.1 × 10⁻³) at the end of consolidation is at least 1 log above the "
        "earlier lowest level, 0.01% (10⁻⁴).",
    )
    assert k.warnings == (
        "The series mixes methods (RQ-PCR (Ig/TCR), flow cytometry); log reductions across "
        "methods are indicative.",
    )
    conv = case_from_dict(
        {
            "patient_id": "SYN-K2",
            "mrd": [
                {"timepoint": "day15", "method": "flow", "status": "negative", "sensitivity": 1e-4},
                {"timepoint": "eoi", "method": "flow", "status": "positive", "level": 5e-4},
            ],
        }
    )
    assert kinetics(conv.mrd).reasons == (
        "MRD detected at the end of induction following an earlier negative result (conversion).",
    )
    assert all(readable(t) for t in (*k.reasons, *k.warnings))


def test_levels_and_baseline_methods_in_percent() -> None:
    """MRDLevel prints in percent with its power of ten; baseline methods are labelled."""
    assert str(MRDLevel(3e-5)) == "0.003% (3 × 10⁻⁵)"
    assert str(MRDLevel(0.0021)) == "0.21% (2.1 × 10⁻³)"
    method = dict(VARIABLES)["EOI MRD method, sensitivity"]
    case = make_case(mrd=[mrd("eoi", "negative", sensitivity=1e-5)])
    assert method(case) == "RQ-PCR (Ig/TCR) at 0.001%"
    assert method(make_case(mrd=[mrd("eoi", "positive", 1e-3)])) == (
        "RQ-PCR (Ig/TCR), sensitivity unknown"
    )
