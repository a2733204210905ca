"""The bibliography (docs/sources.md) is complete for every citation key the repository uses."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path

import pytest

from mrdguide.protocols import available_protocols, load_ruleset

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ROOT / "docs" / "sources.md"
SCANNED = ("src", "tests", "docs", "scripts", "benchmarks")
TOP_FILES = ("README.md", "CHANGELOG.md", "CONTRIBUTING.md", "Makefile", "pyproject.toml")
SUFFIXES = {".py", ".md", ".toml", ".json", ".R", ".txt", ".cfg", ".ini", ".yaml", ".yml", ".csv"}
#: A citation: "sources: key, locator; key, locator" in square brackets (locators optional).
CITATION = re.compile(r"\[" + "sources: " + r"([^\]]+)\]")
KEY = re.compile(r"^[a-z][a-z0-9-]*$")
#: The unshipped reference notes the citations used to point at (split so this file is clean).
OLD_REFERENCE = "clinical" + ".md"


@cache
def entries() -> frozenset[str]:
    """Keys of docs/sources.md: its ``### key`` headings."""
    text = SOURCES.read_text(encoding="utf-8")
    return frozenset(re.findall(r"^### ([a-z][a-z0-9-]*)\s*$", text, flags=re.MULTILINE))


@cache
def conflict_ids() -> frozenset[str]:
    """Row ids (C1, C2, ...) of the conflicts table."""
    return frozenset(re.findall(r"^\| (C\d+) \|", SOURCES.read_text(encoding="utf-8"), re.M))


def _files() -> list[Path]:
    out = [ROOT / f for f in TOP_FILES if (ROOT / f).is_file()]
    for top in SCANNED:
        for p in sorted((ROOT / top).rglob("*")):
            if p.is_file() and p.suffix in SUFFIXES and "__pycache__" not in p.parts:
                out.append(p)
    return out


def citations(text: str) -> list[tuple[str, str]]:
    """``(key, locator)`` pairs of every bracketed sources citation in ``text``."""
    out = []
    for body in CITATION.findall(text):
        for item in body.split(";"):
            key, _, locator = item.strip().partition(",")
            out.append((key.strip(), locator.strip()))
    return out


def test_parser_reads_keys_and_locators() -> None:
    """Keys and locators are split as documented."""
    got = citations("x [sources: pui2017, Table 1; conter2010] y [sources: conflicts, C4]")
    assert got == [("pui2017", "Table 1"), ("conter2010", ""), ("conflicts", "C4")]


def test_bibliography_has_the_seed_studies() -> None:
    """A sanity check of the heading parser on keys that must exist."""
    assert {"pui2017", "oconnor2018", "asan2025", "enshaei2021", "conter2010"} <= entries()


def test_every_citation_key_resolves() -> None:
    """Every key cited anywhere in the repository has an entry in docs/sources.md."""
    bad = []
    for path in _files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for key, locator in citations(text):
            if not KEY.match(key) or key not in entries():
                bad.append(f"{path.relative_to(ROOT)}: {key!r}")
            elif key == "conflicts" and locator not in conflict_ids():
                bad.append(f"{path.relative_to(ROOT)}: conflicts row {locator!r}")
    assert not bad, bad


def test_no_file_points_at_the_unshipped_reference_notes() -> None:
    """Citations point at docs/sources.md or the primary paper, never at the old notes file."""
    hits = [
        str(p.relative_to(ROOT))
        for p in _files()
        if OLD_REFERENCE in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert not hits, hits


@pytest.mark.parametrize("pid", available_protocols())
def test_every_rule_file_names_its_sources(pid: str) -> None:
    """The ``source`` line of each rule file carries at least one bibliography key."""
    keys = [k for k, _ in citations(load_ruleset(pid).source)]
    assert keys and all(k in entries() for k in keys), (pid, keys)


def test_every_calibration_target_names_its_source() -> None:
    """Each calibration target's ``source`` carries a bibliography key."""
    path = ROOT / "src" / "mrdguide" / "simulate" / "calibration_targets.toml"
    for t in tomllib.loads(path.read_text(encoding="utf-8"))["target"]:
        keys = [k for k, _ in citations(t["source"])]
        assert keys and all(k in entries() for k in keys), t["id"]
