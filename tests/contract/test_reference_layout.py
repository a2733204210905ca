"""R reference tests keep one layout and one loader (issue 12).

tests/reference/r/<script>.R writes data/<name>.csv and expected/<name>.json (provenance + results);
test_*.py there read both only through tests/reference/_rref.py, which checks input hashes.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

TESTS = Path(__file__).resolve().parents[1]
REF = TESTS / "reference"
R_DIR, DATA, EXPECTED = REF / "r", REF / "data", REF / "expected"
REQUIRED = ("r", "call", "input", "input_sha256", "generated")
# data/*.csv that no expected JSON records, with the reason. Keep it empty unless unavoidable.
UNUSED_DATA_ALLOWED: dict[str, str] = {}
# test modules may not read files or hash them themselves: that is _rref's job
FORBIDDEN_IMPORTS = frozenset({"hashlib", "csv"})
FORBIDDEN_CALLS = frozenset(
    {"open", "read_text", "read_bytes", "read_csv", "loadtxt", "genfromtxt"}
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _provenances() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(EXPECTED.glob("*.json")):
        out[path.name] = json.loads(path.read_text()).get("provenance", {})
    return out


def _is_helper(script: Path) -> bool:
    """r/_common.R, r/cox_common.R, ...: define functions, write nothing."""
    return script.stem.startswith("_") or script.stem.endswith("_common")


def _strings(text: str) -> set[str]:
    """Every quoted string literal in an R script."""
    return {a or b for a, b in re.findall(r'"([^"\n]*)"|\'([^\'\n]*)\'', text)}


def test_layout_is_not_vacuous() -> None:
    """The scans below see the committed scripts, inputs, references and test modules."""
    assert len(list(R_DIR.glob("*.R"))) > 10
    assert len(list(DATA.glob("*.csv"))) > 10
    assert len(_provenances()) > 10
    assert len(list(REF.glob("test_*.py"))) > 10


def test_r_scripts_and_vs_r_tests_live_in_reference() -> None:
    """Every *.R under tests/ is in tests/reference/r/; every *_vs_r.py in tests/reference/."""
    stray = [p for p in TESTS.rglob("*.[Rr]") if p.parent != R_DIR]
    stray += [p for p in TESTS.rglob("test_*_vs_r.py") if p.parent != REF]
    assert not stray, "outside tests/reference: " + ", ".join(
        str(p.relative_to(TESTS)) for p in stray
    )


def _provenance_problems(name: str, prov: dict[str, Any], data_sha: dict[str, str]) -> list[str]:
    """What is wrong with one expected file's provenance (empty when well formed)."""
    out = [f"expected/{name}: provenance lacks {k!r}" for k in REQUIRED if k not in prov]
    if "packages" not in prov and "survival" not in prov:
        out.append(f"expected/{name}: provenance lacks 'packages' (or 'survival')")
    for label in (k for k in prov if re.fullmatch(r"input\d*", k)):
        file, want = prov[label], prov.get(f"{label}_sha256")
        if file not in data_sha:
            out.append(f"expected/{name}: {label} {file!r} is not in tests/reference/data/")
        elif want != data_sha[file]:
            out.append(f"expected/{name}: data/{file} does not match {label}_sha256")
    for key in (k for k in prov if re.fullmatch(r"input\d*_sha256", k)):
        if key.removesuffix("_sha256") not in prov:
            out.append(f"expected/{name}: {key} without the file name it hashes")
    for key, want in prov.items():
        stem_file = f"{key.removesuffix('_sha256')}.csv"
        if not key.endswith("_sha256") or re.fullmatch(r"input\d*_sha256", key):
            continue
        if stem_file in data_sha and data_sha[stem_file] != want:
            out.append(f"expected/{name}: data/{stem_file} does not match {key}")
        elif want not in data_sha.values():
            out.append(f"expected/{name}: {key} matches no file in tests/reference/data/")
    return out


def test_expected_files_carry_provenance_of_committed_inputs() -> None:
    """Each expected JSON has results and a provenance whose inputs exist with that sha256."""
    data_sha = {p.name: _sha(p) for p in DATA.glob("*.csv")}
    problems = []
    for path in sorted(EXPECTED.glob("*.json")):
        doc = json.loads(path.read_text())
        if not isinstance(doc, dict) or not {"provenance", "results"} <= doc.keys():
            problems.append(f"expected/{path.name}: needs top-level 'provenance' and 'results'")
            continue
        problems += _provenance_problems(path.name, doc["provenance"], data_sha)
    assert not problems, "\n".join(problems)


def test_every_input_is_used() -> None:
    """Each data/*.csv is an input (by name or sha256) of some expected JSON, or allow-listed."""
    provs = _provenances().values()
    names = {v for p in provs for k, v in p.items() if re.fullmatch(r"input\d*", k)}
    hashes = {v for p in provs for k, v in p.items() if k.endswith("_sha256")}
    unused = [
        p.name
        for p in sorted(DATA.glob("*.csv"))
        if p.name not in names and _sha(p) not in hashes and p.name not in UNUSED_DATA_ALLOWED
    ]
    assert not unused, "no expected/*.json uses data/" + ", data/".join(unused)
    stale = [n for n in UNUSED_DATA_ALLOWED if not (DATA / n).exists()]
    assert not stale, f"UNUSED_DATA_ALLOWED names missing files: {stale}"


def test_every_script_writes_an_existing_reference() -> None:
    """Each r/*.R but the helpers names (in write_expected) expected/*.json files that exist."""
    stems = {p.stem for p in EXPECTED.glob("*.json")}
    problems = []
    for script in sorted(R_DIR.glob("*.R")):
        if _is_helper(script):
            continue
        text = script.read_text()
        written = re.findall(r"write_expected\(\s*[\"']([^\"']+)[\"']", text)
        missing = [w for w in written if w not in stems]
        problems += [f"r/{script.name}: expected/{w}.json does not exist" for w in missing]
        if not written and not _strings(text) & stems:
            problems.append(f"r/{script.name}: writes no existing expected/*.json")
    assert not problems, "\n".join(problems)


def test_every_reference_has_a_script() -> None:
    """Each expected/<name>.json is named by some r/*.R script (no orphan R output)."""
    named = set().union(*(_strings(p.read_text()) for p in R_DIR.glob("*.R")))
    orphans = [p.name for p in sorted(EXPECTED.glob("*.json")) if p.stem not in named]
    assert not orphans, "no r/*.R script writes expected/" + ", expected/".join(orphans)


def _call_problems(module: str, node: ast.Call) -> list[str]:
    """A call that reads a file (``_rref.read_csv`` imported by name is the allowed one)."""
    f = node.func
    called = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
    if called not in FORBIDDEN_CALLS or (called == "read_csv" and isinstance(f, ast.Name)):
        return []
    return [f"{module}:{node.lineno}: reads a file itself ({called})"]


def _loader_problems(path: Path) -> list[str]:
    """Ways in which a reference test module bypasses _rref."""
    tree = ast.parse(path.read_text(), filename=str(path))
    out, uses_rref = [], False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            uses_rref |= node.level == 1 and node.module == "_rref"
            if node.level == 0 and (node.module or "").split(".")[0] in FORBIDDEN_IMPORTS:
                out.append(f"{path.name}:{node.lineno}: imports from {node.module}")
        elif isinstance(node, ast.Import):
            out += [
                f"{path.name}:{node.lineno}: imports {a.name}"
                for a in node.names
                if a.name.split(".")[0] in FORBIDDEN_IMPORTS
            ]
        elif isinstance(node, ast.Call):
            out += _call_problems(path.name, node)
    if not uses_rref:
        out.append(f"{path.name}: does not import from ._rref")
    return out


def test_reference_tests_use_the_one_loader() -> None:
    """tests/reference/test_*.py import from ._rref and never open, read or hash files."""
    problems = [m for p in sorted(REF.glob("test_*.py")) for m in _loader_problems(p)]
    assert not problems, "\n".join(problems)


def test_loader_check_catches_a_private_loader(tmp_path: Path) -> None:
    """The module scan above flags a hand-rolled loader and a missing _rref import."""
    bad = tmp_path / "test_bad_vs_r.py"
    bad.write_text("import hashlib\nfrom pathlib import Path\nx = Path('a').read_bytes()\n")
    problems = _loader_problems(bad)
    assert len(problems) == 3
    assert all(p.startswith("test_bad_vs_r.py") for p in problems)


def _rref() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_rref_under_test", REF / "_rref.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_loader_refuses_an_input_r_did_not_see(tmp_path: Path) -> None:
    """_rref.read_csv fails, naming the file, when a CSV differs from the recorded sha256."""
    rref = _rref()
    (tmp_path / "data").mkdir()
    (tmp_path / "expected").mkdir()
    prov = {"input": "x.csv", "input_sha256": "0" * 64, "input2": "y.csv", "input2_sha256": "1"}
    (tmp_path / "expected" / "x.json").write_text(json.dumps({"provenance": prov, "results": 1}))
    (tmp_path / "data" / "x.csv").write_text("a,b\n1,q\n")
    rref.DATA, rref.EXPECTED = tmp_path / "data", tmp_path / "expected"
    with pytest.raises(AssertionError, match=r"data/x\.csv differs"):
        rref.read_csv("x")
    prov["input_sha256"] = hashlib.sha256(b"a,b\n1,q\n").hexdigest()
    (tmp_path / "expected" / "x.json").write_text(json.dumps({"provenance": prov, "results": 1}))
    cols = rref.read_csv("x")
    assert cols["a"].tolist() == [1.0] and cols["b"].tolist() == ["q"]
    with pytest.raises(AssertionError, match=r"input2 is y\.csv"):
        rref.read_csv("x", key="input2_sha256")
    with pytest.raises(AssertionError, match=r"no provenance entry names data/z\.csv"):
        rref.read_csv("z", "x")


def test_as_num_reads_r_missing_and_infinite_values() -> None:
    """null/NA/NaN -> nan, Inf/-Inf -> +-inf, scalars stay scalars unless ndmin=1."""
    rref = _rref()
    got = rref.as_num([None, "NA", "NaN", "Inf", "-Inf", 1])
    np.testing.assert_array_equal(got, [np.nan, np.nan, np.nan, np.inf, -np.inf, 1.0])
    assert rref.as_num("-Inf") == -np.inf and np.isnan(rref.as_num(None))
    assert np.ndim(rref.as_num(2.5)) == 0 and rref.as_num(2.5, ndmin=1).shape == (1,)
    assert rref.as_num([[1, None], [2, 3]]).shape == (2, 2)
