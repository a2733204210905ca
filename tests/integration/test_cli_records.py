"""Issue 13's contract, end to end through the CLI: versions, amendments, review, audit."""

from __future__ import annotations

import json
import os
import sqlite3
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest

from mrdguide.cli.main import main

pytestmark = pytest.mark.integration

WIDE = Path(str(files("mrdguide") / "examples")) / "cohort" / "cohort_wide.csv"
FLOW = ["mrd", "flow", "--cells", "1000000", "--timepoint", "eoc", "--day", "78"]


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A registry holding the shipped 40-patient cohort (imported, so authorised)."""
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    assert main(["import", str(WIDE), "--db", url, "--actor", "importer"]) == 0
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0, **env: str) -> Any:
    """Run with --format json, check the exit code, return the parsed stdout."""
    capsys.readouterr()
    got = main([*argv, "--format", "json"], env={"MRDGUIDE_DATABASE_URL": "sqlite://", **env})
    out = capsys.readouterr().out
    assert got == code, out
    return json.loads(out) if out.strip() else None


def test_a_second_result_for_a_time_point_is_refused(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second result exits 6, shows the stored one and writes nothing; --amend versions it."""
    run(capsys, *FLOW, "--events", "120", "--patient", "SYN-0001", "--db", db, "--actor", "lab1")
    before = sqlite3.connect(db[10:]).execute("select count(*) from mrd_versions").fetchone()
    err = run(capsys, *FLOW, "--events", "5", "--patient", "SYN-0001", "--db", db, code=6)
    assert err["error"]["code"] == "conflict"
    assert err["error"]["existing"]["level"] == pytest.approx(1.2e-4)
    after = sqlite3.connect(db[10:]).execute("select count(*) from mrd_versions").fetchone()
    assert before == after
    amended = run(capsys, *FLOW, "--events", "5", "--patient", "SYN-0001", "--db", db,
                  "--amend", "--reason", "recount of tube 2", "--actor", "lab1")  # fmt: skip
    assert (amended["stored"]["version"], amended["stored"]["reason"]) == (2, "recount of tube 2")
    history = run(capsys, "mrd", "history", "SYN-0001", "--timepoint", "eoc", "--db", db)
    keys = {"version", "status", "level", "sensitivity", "actor", "reason", "recorded_at",
            "review_state"}  # fmt: skip
    assert all(keys <= set(h) for h in history)
    assert [h["version"] for h in history] == [1, 2]
    assert [h["status"] for h in history] == ["positive", "negative"]
    assert [h["review_state"] for h in history] == ["draft", "draft"]


def test_amend_needs_a_reason(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--amend without --reason is a usage error."""
    run(capsys, *FLOW, "--events", "5", "--patient", "SYN-0001", "--db", db, "--amend", code=2)


def test_actor_precedence(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """--actor, then MRDGUIDE_ACTOR, then the operating-system user."""
    import getpass

    run(capsys, *FLOW, "--events", "0", "--patient", "SYN-0001", "--db", db, "--actor", "x1",
        MRDGUIDE_ACTOR="env1")  # fmt: skip
    run(capsys, *FLOW, "--events", "0", "--patient", "SYN-0002", "--db", db,
        MRDGUIDE_ACTOR="env1")  # fmt: skip
    run(capsys, *FLOW, "--events", "0", "--patient", "SYN-0003", "--db", db)
    actors = [run(capsys, "mrd", "history", p, "--db", db)[-1]["actor"]
              for p in ("SYN-0001", "SYN-0002", "SYN-0003")]  # fmt: skip
    assert actors == ["x1", "env1", getpass.getuser()]


def test_four_eyes_review_and_assessment_use_authorised_results(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft is not used; submit and authorise (by someone else) make it count."""
    for name, role in (("lab1", "lab"), ("rev1", "reviewer"), ("rev2", "reviewer")):
        run(capsys, "user", "add", name, "--role", role, "--db", db)
    base = run(capsys, "assess", "--patient", "SYN-0001", "-p", "ukall2003", "--db", db)[0]
    run(capsys, *FLOW, "--events", "5000", "--patient", "SYN-0001", "--db", db, "--actor", "rev1")
    draft = run(capsys, "assess", "--patient", "SYN-0001", "-p", "ukall2003", "--db", db)[0]
    assert draft["trace"] == base["trace"]  # the draft is not used
    where = ["SYN-0001", "--timepoint", "eoc", "--method", "flow", "--db", db]
    run(capsys, "mrd", "authorise", *where, "--actor", "rev2", code=6)  # not submitted yet
    run(capsys, "mrd", "submit", *where, "--actor", "nobody", code=7)  # not a registered user
    assert run(capsys, "mrd", "submit", *where, "--actor", "lab1")["review_state"] == "submitted"
    assert [v["patient_id"] for v in run(capsys, "mrd", "queue", "--db", db)] == ["SYN-0001"]
    run(capsys, "mrd", "authorise", *where, "--actor", "rev1", code=7)  # rev1 recorded it
    done = run(capsys, "mrd", "authorise", *where, "--actor", "rev2")
    assert done["review_state"] == "authorised"
    used = run(capsys, "assess", "--patient", "SYN-0001", "-p", "ukall2003", "--db", db)[0]
    assert used["trace"] != base["trace"]


def test_return_needs_a_reason_then_amend(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A returned result carries the reason; the lab stores an amended version."""
    run(capsys, "user", "add", "lab1", "--role", "lab", "--db", db)
    run(capsys, "user", "add", "rev1", "--role", "reviewer", "--db", db)
    run(capsys, *FLOW, "--events", "60", "--patient", "SYN-0004", "--db", db, "--actor", "lab1")
    where = ["SYN-0004", "--timepoint", "eoc", "--method", "flow", "--db", db]
    run(capsys, "mrd", "submit", *where, "--actor", "lab1")
    run(capsys, "mrd", "return", *where, "--actor", "rev1", code=3)
    back = run(capsys, "mrd", "return", *where, "--actor", "rev1", "--reason", "gating")
    assert (back["review_state"], back["events"][-1]["reason"]) == ("returned", "gating")
    run(capsys, *FLOW, "--events", "70", "--patient", "SYN-0004", "--db", db, "--actor", "lab1",
        "--amend", "--reason", "re-gated")  # fmt: skip
    versions = [v for v in run(capsys, "mrd", "history", "SYN-0004", "--db", db)
                if (v["timepoint"], v["method"]) == ("eoc", "flow")]  # fmt: skip
    assert [(v["version"], v["review_state"]) for v in versions] == [(1, "returned"), (2, "draft")]


def test_reimport_of_a_changed_file_needs_amend(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A changed authorised record is refused (exit 6, listed); unchanged stays idempotent."""
    assert run(capsys, "import", str(WIDE), "--db", db)["unchanged"] == 40
    changed = tmp_path / "changed.csv"
    text = WIDE.read_text(encoding="utf-8").splitlines()
    head = text[0].split(",")
    age = head.index("age_years")
    row = text[1].split(",")
    row[age] = "9.5"
    changed.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n", encoding="utf-8")
    err = run(capsys, "import", str(changed), "--db", db, code=6)
    assert len(err["error"]["issues"]) == 1
    ok = run(capsys, "import", str(changed), "--db", db, "--amend", "--reason", "age corrected")
    assert ok["updated"] == 1


def test_reimport_never_drops_a_laboratory_result(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 13: a result stored by the lab survives a re-import of the original file."""
    run(capsys, *FLOW, "--events", "120", "--patient", "SYN-0001", "--db", db)
    assert run(capsys, "import", str(WIDE), "--db", db)["unchanged"] == 40
    assert len(run(capsys, "mrd", "history", "SYN-0001", "--timepoint", "eoc", "--db", db)) == 1


def _tamper(db: str, sql: str) -> None:
    con = sqlite3.connect(db[len("sqlite:///") :])
    with con:
        con.executescript(sql)
    con.close()


@pytest.mark.parametrize(
    ("sql", "record"),
    [
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", 2),
        ("DELETE FROM audit_log WHERE seq = 2", 2),
        (
            # swap records 2 and 3 (through a free value: seq is unique)
            "UPDATE audit_log SET seq = -1 WHERE seq = 2; "
            "UPDATE audit_log SET seq = 2 WHERE seq = 3; "
            "UPDATE audit_log SET seq = 3 WHERE seq = -1",
            2,
        ),
        ("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)", None),
        ("UPDATE mrd_versions SET level = 0.5 WHERE id = (SELECT min(id) FROM mrd_versions)", None),
    ],
)
def test_audit_verify_catches_tampering(
    db: str, capsys: pytest.CaptureFixture[str], sql: str, record: int | None
) -> None:
    """An edit, a deletion, a reordering or a changed result is named by audit verify."""
    run(capsys, *FLOW, "--events", "120", "--patient", "SYN-0001", "--db", db)
    run(capsys, *FLOW, "--events", "0", "--patient", "SYN-0002", "--db", db)
    ok = run(capsys, "audit", "verify", "--db", db)
    assert ok["intact"] is True
    _tamper(db, sql)
    bad = run(capsys, "audit", "verify", "--db", db, code=1)
    assert bad["intact"] is False
    if record is not None:
        assert bad["first_broken"]["seq"] == record
    capsys.readouterr()
    assert main(["audit", "verify", "--db", db]) == 1
    assert "audit trail broken" in capsys.readouterr().err


def test_audit_show_filters(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    """audit show lists the trail oldest first, by patient and from a date."""
    run(capsys, *FLOW, "--events", "120", "--patient", "SYN-0001", "--db", db, "--actor", "lab9")
    rows = run(capsys, "audit", "show", "--patient", "SYN-0001", "--db", db)
    assert [r["action"] for r in rows] == ["create", "add_mrd"]
    assert rows[-1]["actor"] == "lab9"
    assert run(capsys, "audit", "show", "--since", "2999-01-01", "--db", db) == []
    run(capsys, "audit", "show", "--since", "yesterday", "--db", db, code=2)


def test_registry_file_is_private_whatever_the_umask(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The registry file is created 0600 and a new folder 0700, even with umask 0."""
    old = os.umask(0)
    try:
        path = tmp_path / "new" / "reg.sqlite"
        run(capsys, "init", "--db", f"sqlite:///{path}")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
