"""Concurrency and crashes, on SQLite and PostgreSQL (tests, not assumptions).

* Four processes (and four threads) store MRD results through the public registry API
  (``open_registry(url, actor=…)``, ``Registry.add_mrd``) on the same patients, 120 writes:
  no duplicate, no lost write, no "database is locked".
* Four processes import and store at once.
* ``kill -9`` during an import, at 15 seeded random moments: the registry passes its integrity
  check, holds all or none of the import, and accepts a re-import with the right counts.

Sizes are bounded for CI: the import has ``MRDGUIDE_CRASH_PATIENTS`` patients (default 1,000;
the issue's 20,000 runs with ``MRDGUIDE_CRASH_PATIENTS=20000``).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mrdguide.domain import (
    Case,
    MRDLevel,
    MRDMeasurement,
    MRDMethod,
    MRDStatus,
    Patient,
    Timepoint,
    Tissue,
)
from mrdguide.store import open_registry

pytestmark = pytest.mark.integration

N_PATIENTS = 30
#: Each worker's own time point and sample day (no worker conflicts with another).
WORKERS = (("day15", 15), ("day19", 19), ("post_im1", 150), ("post_di1", 300))
CRASH_PATIENTS = int(os.environ.get("MRDGUIDE_CRASH_PATIENTS", "1000"))
KILLS = 15


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh registry URL on each backend (PostgreSQL: a new schema on the test server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reg.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


def _patients(url: str) -> list[str]:
    ids = [f"SYN-R{i:03d}" for i in range(N_PATIENTS)]
    with open_registry(url, actor="setup") as reg:
        reg.add_cases([Case(patient=Patient(patient_id=p, age_years=5.0)) for p in ids],
                      source="race")  # fmt: skip
    return ids


def _measurement(tp: str, day: int, events: int) -> MRDMeasurement:
    return MRDMeasurement(
        timepoint=Timepoint(tp), method=MRDMethod.FLOW, tissue=Tissue.BONE_MARROW,
        status=MRDStatus.POSITIVE, level=MRDLevel(events / 1e6), sample_day=day,
        sensitivity=MRDLevel(2e-5), quantitative_range=MRDLevel(5e-5),
    )  # fmt: skip


def _store(url: str, k: int, ids: list[str]) -> list[str]:
    """One worker: store its time point for every patient; return the errors it met."""
    tp, day = WORKERS[k]
    errors = []
    with open_registry(url, actor=f"worker-{k}") as reg:
        for i, pid in enumerate(ids):
            try:
                reg.add_mrd(pid, _measurement(tp, day, 100 + i), source=f"race-{k}")
            except Exception as exc:
                errors.append(f"{pid}: {exc}")
    return errors


#: A worker process: the same as :func:`_store`, through the public API only (this test module
#: cannot be imported by a child process, so the worker is a script).
WORKER = """
import json, sys
from mrdguide.domain import MRDLevel, MRDMeasurement, MRDMethod, MRDStatus, Timepoint, Tissue
from mrdguide.store import open_registry
url, k, tp, day, ids = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:]
errors = []
with open_registry(url, actor=f"worker-{k}") as reg:
    for i, pid in enumerate(ids):
        m = MRDMeasurement(timepoint=Timepoint(tp), method=MRDMethod.FLOW,
                           tissue=Tissue.BONE_MARROW, status=MRDStatus.POSITIVE,
                           level=MRDLevel((100 + i) / 1e6), sample_day=day,
                           sensitivity=MRDLevel(2e-5), quantitative_range=MRDLevel(5e-5))
        try:
            reg.add_mrd(pid, m, source=f"race-{k}")
        except Exception as exc:
            errors.append(f"{pid}: {exc}")
print(json.dumps(errors))
"""


def _processes(url: str, ids: list[str], workers: range) -> list[list[str]]:
    """Run the workers as processes at once; return each one's errors."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, url, str(k), *map(str, WORKERS[k]), *ids],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for k in workers
    ]
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=900)
        assert p.returncode == 0, stderr.decode()[-3000:]
        out.append(json.loads(stdout))
    return out


def _check_no_duplicates_or_losses(url: str, ids: list[str]) -> None:
    with open_registry(url, create=False) as reg:
        counts: dict[tuple[str, str], int] = {}
        for pid in ids:
            for v in reg.mrd_history(pid):
                counts[(pid, v.timepoint)] = counts.get((pid, v.timepoint), 0) + 1
        assert len(counts) == N_PATIENTS * len(WORKERS), "lost writes"
        assert set(counts.values()) == {1}, "duplicate versions"
        assert reg.verify_audit()[1] is None


def test_four_processes_store_without_duplicates(url: str) -> None:
    """4 processes x 30 patients, one time point each: 120 versions, no error."""
    ids = _patients(url)
    results = _processes(url, ids, range(len(WORKERS)))
    assert [e for r in results for e in r] == []
    _check_no_duplicates_or_losses(url, ids)


def test_four_threads_store_without_duplicates(url: str) -> None:
    """The same race with four threads, each with its own engine."""
    ids = _patients(url)
    results: list[list[str]] = [[] for _ in WORKERS]

    def run(k: int) -> None:
        results[k] = _store(url, k, ids)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(WORKERS))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [e for r in results for e in r] == []
    _check_no_duplicates_or_losses(url, ids)


def _cli(*argv: str) -> subprocess.Popen[bytes]:
    code = "import sys; from mrdguide.cli.main import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip


@pytest.fixture(scope="module")
def cohort_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two disjoint synthetic cohorts (100 patients each) and the crash-test cohort."""
    from mrdguide.io import write_cohort
    from mrdguide.simulate import simulate_cohort

    d = tmp_path_factory.mktemp("cohorts")
    big = simulate_cohort(CRASH_PATIENTS, seed=11, method="flow").to_cases()
    out = {"crash": write_cohort(big, d / "crash.csv")}
    for name, seed, prefix in (("a", 21, "A"), ("b", 22, "B")):
        cases = simulate_cohort(100, seed=seed, method="flow").to_cases()
        cases = [_rename(c, prefix) for c in cases]
        out[name] = write_cohort(cases, d / f"{name}.csv")
    return out


def _rename(case: Case, prefix: str) -> Case:
    from dataclasses import replace

    pid = case.patient_id.replace("SIM-", f"SIM{prefix}-")
    return replace(case, patient=replace(case.patient, patient_id=pid))


def test_four_processes_import_and_store_at_once(url: str, cohort_files: dict[str, Path]) -> None:
    """Two imports and two result-storing workers at once: no lock error, nothing lost."""
    ids = _patients(url)
    imports = [_cli("import", str(cohort_files[n]), "--db", url, "--format", "json")
               for n in ("a", "b")]  # fmt: skip
    errors = _processes(url, ids, range(2))
    outs = [p.communicate(timeout=600) for p in imports]
    assert [p.returncode for p in imports] == [0, 0], [o[1].decode()[-2000:] for o in outs]
    assert [json.loads(o[0])["added"] for o in outs] == [100, 100]
    assert [e for r in errors for e in r] == []
    with open_registry(url, create=False) as reg:
        assert reg.count_patients() == N_PATIENTS + 200
        assert reg.verify_audit()[1] is None


def _count(url: str) -> int:
    with open_registry(url, create=False) as reg:
        return reg.count_patients()


def _integrity(url: str) -> None:
    if url.startswith("sqlite"):
        con = sqlite3.connect(url[len("sqlite:///") :])
        try:
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        finally:
            con.close()
    with open_registry(url, create=False) as reg:
        assert reg.verify_audit()[1] is None


def test_kill_9_during_import_leaves_all_or_nothing(
    url: str, cohort_files: dict[str, Path], tmp_path: Path
) -> None:
    """kill -9 at 15 random moments: integrity holds, all or none, re-import counts right."""
    crash = str(cohort_files["crash"])
    init = _cli("init", "--db", url)
    init.communicate(timeout=120)
    assert init.returncode == 0
    baseline = _count(url)
    # How long a whole import takes here (process start included), on a scratch registry.
    scratch = f"sqlite:///{tmp_path / 'scratch.sqlite'}"
    t0 = time.monotonic()
    first = _cli("import", crash, "--db", scratch)
    first.communicate(timeout=900)
    assert first.returncode == 0
    whole = time.monotonic() - t0
    rng = np.random.default_rng(20261205)
    for moment in rng.uniform(0.1 * whole, 0.95 * whole, size=KILLS):
        p = _cli("import", crash, "--db", url)
        time.sleep(float(moment))
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=60)  # reaps the process and closes its pipes
        _integrity(url)
        assert _count(url) in (baseline, baseline + CRASH_PATIENTS)
    before = _count(url)
    done = _cli("import", crash, "--db", url, "--format", "json")
    out, err = done.communicate(timeout=900)
    assert done.returncode == 0, err.decode()[-2000:]
    summary: dict[str, Any] = json.loads(out)
    if before == baseline:
        assert summary["added"] == CRASH_PATIENTS
    else:
        assert summary["unchanged"] == CRASH_PATIENTS
    _integrity(url)
