"""`mrdguide redcap import | export | pull` end to end, and PyCap against a loopback fake."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mrdguide.cli.main import main
from mrdguide.domain import case_to_dict
from mrdguide.io.redcap_files import API_COLUMNS, DICTIONARY_COLUMNS
from mrdguide.simulate import simulate_cohort
from mrdguide.store import open_registry

pytestmark = pytest.mark.integration
DATA = Path(__file__).parents[1] / "data" / "redcap"
DICT, FLAT = DATA / "site_dictionary.csv", DATA / "site_records_flat.csv"
TOKEN = "0123456789ABCDEF0123456789ABCDEF"  # noqa: S105 - the fake server's test token


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, object]]:
    code = main([*args, "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_import_site_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Percent units, a repeating MRD instrument and longitudinal events import with the
    right fractions; the incomplete row is flagged; a re-import is unchanged."""
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    args = [
        "redcap",
        "import",
        str(DICT),
        str(FLAT),
        "--mapping",
        str(DATA / "site_mapping.toml"),
        "--db",
        db,
    ]
    code, res = _run(args, capsys)
    assert code == 0, res
    assert (res["added"], res["mrd_authorised"]) == (2, 5)
    assert [f["field"] for f in res["flagged"]] == ["mrd_flow_complete"]  # type: ignore[index]
    assert any("converted from percent" in n for n in res["notes"])  # type: ignore[attr-defined]
    with open_registry(db, create=False) as reg:
        case = reg.get_case("SYN-R001")
        history = reg.mrd_history("SYN-R001")
    levels = {(m.timepoint.value, m.method.value): m for m in case.mrd}
    flow = levels[("day15", "flow")]
    assert (flow.level.fraction, flow.sensitivity.fraction, flow.sample_day) == (  # type: ignore[union-attr]
        pytest.approx(0.0025),
        pytest.approx(1e-4),
        15,
    )
    assert levels[("eoi", "pcr")].level.fraction == 0.0004  # type: ignore[union-attr]
    assert {v.review_state.value for v in history} == {"authorised"}
    assert case.genetics is not None and case.genetics.lesions == ("ETV6::RUNX1", "hyperdiploidy")
    code, again = _run(args, capsys)
    assert (code, again["new_versions"], again["unchanged"]) == (0, 0, 2)


def test_incomplete_reject_and_percent_mapping_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--incomplete reject refuses the import (exit 3); a mapping without unit for a percent
    field exits 3 with the table; nothing is written either time."""
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    base = ["redcap", "import", str(DICT), str(FLAT), "--db", db]
    code, err = _run(
        [*base, "--mapping", str(DATA / "site_mapping.toml"), "--incomplete", "reject"], capsys
    )
    assert code == 3 and err["error"]["issues"][0]["field"] == "mrd_flow_complete"  # type: ignore[index]
    code, err = _run([*base, "--mapping", str(DATA / "site_mapping_no_unit.toml")], capsys)
    assert code == 3
    assert err["error"]["issues"] == [
        {  # type: ignore[index]
            "file": "site_mapping_no_unit.toml",
            "row": None,
            "field": "mrd[0].level",
            "value": "mrd_pct",
            "rule": "site_dictionary.csv records 'mrd_pct' in percent (its label 'Flow MRD (%)' "
            'says percent); declare unit = "percent" so the conversion to a fraction is explicit',
        }
    ]
    with open_registry(db) as reg:
        assert reg.count_patients() == 0


def test_changed_record_needs_amend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A changed MRD value is a conflict (exit 6) until --amend --reason."""
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    mapping = str(DATA / "site_mapping.toml")
    assert main(["redcap", "import", str(DICT), str(FLAT), "--mapping", mapping, "--db", db]) == 0
    capsys.readouterr()
    changed = tmp_path / "records.csv"
    changed.write_text(FLAT.read_text("utf-8").replace(",0.25,", ",0.30,"), "utf-8")
    args = ["redcap", "import", str(DICT), str(changed), "--mapping", mapping, "--db", db]
    code, err = _run(args, capsys)
    assert code == 6 and err["error"]["code"] == "conflict"
    code, res = _run([*args, "--amend", "--reason", "site correction"], capsys)
    assert code == 0 and res["new_versions"] == 1


def test_export_then_import_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`redcap export` writes a project (0600) that imports back to the same cases: patient,
    genetics, MRD results, outcome and treatment events."""
    src = f"sqlite:///{tmp_path / 'a.sqlite'}"
    with open_registry(src, actor="t") as reg:
        reg.add_cases(simulate_cohort(15, seed=8, method="pcr").to_cases(), source="t")
        want = {c.patient_id: case_to_dict(c) for c in reg.iter_cases()}
    code, res = _run(["redcap", "export", "--out-dir", str(tmp_path / "rc"), "--db", src], capsys)
    assert code == 0, res
    files = [Path(str(res[k])) for k in ("dictionary", "records", "mapping")]
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    dst = f"sqlite:///{tmp_path / 'b.sqlite'}"
    code, back = _run(
        ["redcap", "import", str(files[0]), str(files[1]), "--mapping", str(files[2]), "--db", dst],
        capsys,
    )
    assert code == 0, back
    with open_registry(dst, create=False) as reg:
        got = {c.patient_id: case_to_dict(c) for c in reg.iter_cases()}
    assert got == want


# -- PyCap against a loopback fake of the REDCap API ------------------------------------------


def _api_metadata_csv() -> str:
    rows = list(csv.DictReader(io.StringIO(DICT.read_text("utf-8"))))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(API_COLUMNS)
    for r in rows:
        w.writerow([r[c] for c in DICTIONARY_COLUMNS])
    return buf.getvalue()


def _fake_app():  # type: ignore[no-untyped-def]
    """POST /api/ with the form fields token, content, format (as REDCap takes them)."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    async def api(request):  # type: ignore[no-untyped-def]
        form = await request.form()
        if form.get("token") != TOKEN:  # REDCap answers errors in XML unless asked otherwise
            xml = "<?xml version='1.0'?><hash><error>You do not have permissions</error></hash>"
            return PlainTextResponse(xml, 403)
        content, fmt = form.get("content"), form.get("format")
        if content == "metadata":
            text = _api_metadata_csv()
            if fmt == "json":
                return JSONResponse(list(csv.DictReader(io.StringIO(text))))
            return PlainTextResponse(text)
        if content == "record" and fmt == "csv":
            return PlainTextResponse(FLAT.read_text("utf-8"))
        return JSONResponse({"error": f"unsupported {content}/{fmt}"}, 400)

    return Starlette(routes=[Route("/api/", api, methods=["POST"])])


@pytest.fixture(scope="module")
def fake_redcap() -> Iterator[str]:
    """A REDCap API fake on a loopback port."""
    pytest.importorskip("starlette")
    pytest.importorskip("redcap")
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(_fake_app(), log_level="error", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}/api/"
    server.should_exit = True
    thread.join(5)
    sock.close()


def test_pull_with_pycap_then_import(
    fake_redcap: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`redcap pull` writes the dictionary and records (forms sorted); they import."""
    monkeypatch.setenv("MRDGUIDE_REDCAP_TOKEN", TOKEN)
    code, res = _run(["redcap", "pull", "--url", fake_redcap, "--out-dir", str(tmp_path)], capsys)
    assert code == 0, res
    assert res["forms"] == ["enrolment", "mrd_flow", "pcr"]
    dictionary, records = Path(str(res["dictionary"])), Path(str(res["records"]))
    assert dictionary.stat().st_mode & 0o777 == 0o600
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    code, imp = _run(
        [
            "redcap",
            "import",
            str(dictionary),
            str(records),
            "--mapping",
            str(DATA / "site_mapping.toml"),
            "--db",
            db,
        ],
        capsys,
    )
    assert code == 0 and imp["mrd_authorised"] == 5, imp
    monkeypatch.setenv("MRDGUIDE_REDCAP_TOKEN", "F" * 32)
    code, err = _run(["redcap", "pull", "--url", fake_redcap, "--out-dir", str(tmp_path)], capsys)
    assert code == 1 and "REDCap API request failed" in str(err["error"])
    monkeypatch.setenv("MRDGUIDE_REDCAP_TOKEN", "short")
    code, err = _run(["redcap", "pull", "--url", fake_redcap, "--out-dir", str(tmp_path)], capsys)
    assert code == 3 and err["error"]["issues"][0]["field"] == "token"  # type: ignore[index]
