"""The benchmark driver runs end to end in quick mode and never drops a missing peer silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DRIVER = Path(__file__).resolve().parents[2] / "benchmarks" / "run_all.py"
ROWS = (
    "Kaplan–Meier + SE",
    "log-rank, 2 groups",
    "CIF + cmprsk variance",
    "CIF by group + Gray's test",
    "Cox, Efron p = 3, with concordance",
    "Cox, `concordance=False`",
    "Kaplan–Meier ÷ one `np.argsort`",
    "Cox peak memory",
    "Fine–Gray, day-level ties",
    "Fine–Gray fitted scaling exponent",
)


def test_quick_run_has_every_row_and_says_r_was_not_measured() -> None:
    """With R hidden (env var), every row is printed and R's cells say "not measured"."""
    env = {**os.environ, "MRDGUIDE_BENCH_NO_R": "1"}
    run = subprocess.run(
        [sys.executable, str(DRIVER), "--quick", "--no-peers", "--no-memory"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    table = [line for line in run.stdout.splitlines() if line.startswith("| ")][1:]
    for label in ROWS:
        assert any(line.startswith(f"| {label}") for line in table), label
    assert len(table) == 6 + 1 + 1 + 4 + 1  # 6 timed tasks, argsort, memory, 4 sizes, exponent
    timed = table[:6]
    for line in timed:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2].endswith(" s") and float(cells[2].split()[0]) >= 0  # mrdguide measured
        assert cells[3] == "not measured (hidden with --no-r)"  # R: hidden, and said so
        assert cells[5].startswith("not measured") and cells[6].startswith("not measured")
    assert sum("not measured (hidden with --no-r)" in line for line in table) == 6 + 3
    assert "WARNING: R NOT MEASURED" in run.stderr  # loud, not only in the table
