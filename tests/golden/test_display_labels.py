"""Golden test: the label table and the MRD formatting equal the hand-written specification.

``labels.json`` is written and reviewed by hand (it is the specification, not a snapshot of
the code). A new status, time point, tissue, method, protocol or group fails
:func:`test_golden_covers_every_code` until its words are added there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mrdguide.domain import (
    MRDMethod,
    MRDStatus,
    Timepoint,
    Tissue,
    field_label,
    format_mrd,
    format_mrd_negative,
    format_mrd_threshold,
    format_p,
    label,
    parse_mrd,
    risk_order,
)
from mrdguide.protocols import available_protocols, load_ruleset

SPEC: dict[str, Any] = json.loads(Path(__file__).with_name("labels.json").read_text("utf-8"))


def test_golden_covers_every_code() -> None:
    """Every enum code and every shipped protocol's groups are in the specification."""
    for kind, enum in (
        ("mrd_status", MRDStatus),
        ("timepoint", Timepoint),
        ("tissue", Tissue),
        ("method", MRDMethod),
    ):
        assert set(SPEC[kind]) == {m.value for m in enum}, kind
    assert set(SPEC["group"]) == set(available_protocols())
    for pid, words in SPEC["group"].items():
        assert list(words) == list(load_ruleset(pid).groups), pid  # spec lists them in risk order


@pytest.mark.parametrize("kind", ["mrd_status", "timepoint", "tissue", "method"])
def test_vocabulary_labels(kind: str) -> None:
    """Statuses, time points, tissues and methods read as specified."""
    assert {code: label(kind, code) for code in SPEC[kind]} == SPEC[kind]


def test_group_labels_and_order() -> None:
    """Each protocol's groups read as specified, in risk order, 'not assignable' last."""
    for pid, words in SPEC["group"].items():
        assert {g: label("group", g, protocol=pid) for g in words} == words
        shuffled = [*reversed(words), "not_assignable"]
        assert risk_order(pid, shuffled) == [*words, "not_assignable"]
    assert label("group", "not_assignable") == SPEC["not_assignable"]


def test_field_paths() -> None:
    """Rule field paths read as specified."""
    assert {f: field_label(f) for f in SPEC["field"]} == SPEC["field"]


def test_mrd_formatting() -> None:
    """MRD in percent with the power of ten; negatives below their sensitivity."""
    for fraction, text in SPEC["mrd"]:
        assert format_mrd(fraction) == text
        assert parse_mrd(text) == pytest.approx(fraction, rel=0.05)  # the text rounds to 2 digits
    for sens, text in SPEC["mrd_negative"]:
        assert format_mrd_negative(sens) == text
        assert parse_mrd(text) == sens


def test_percent_and_fraction_both_ways() -> None:
    """0.01% ↔ 1e-4, exactly, in both directions."""
    for text, fraction in SPEC["percent_and_fraction"]:
        assert parse_mrd(text) == fraction
        assert format_mrd_threshold(fraction) == text


def test_p_values() -> None:
    """p < 0.001, never 'p = <0.001'."""
    for p, text in SPEC["p"]:
        assert format_p(p) == text
