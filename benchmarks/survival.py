"""Interleaved timing of mrdguide's survival estimators against R and Python peers.

Usage (the full comparison, one table, is ``benchmarks/run_all.py`` / ``make bench``)::

    python benchmarks/survival.py                      # n = 1e6, 5 rounds, R and peers
    python benchmarks/survival.py --n 100000 --rounds 3 --no-r --no-peers

Every tool sees the same seeded cohort: exponential event times (continuous, so every time is
distinct, the worst case for the estimators), about 50 % censoring, two groups, causes 0/1/2
and three normal covariates for Cox.

Timing is interleaved so that a change in machine load hits both sides alike: one R process
stays up with the data loaded (binary files, no CSV parsing), and in each of ``rounds`` rounds
every task runs once in mrdguide, then once in R (``system.time`` elapsed), then
``np.argsort`` of the times once. Results keep every round, so the caller can report the
minimum of each tool, the ratio of the minima and the per-round ratios R / mrdguide (pairs
run back to back). R's ``coxph`` always computes the concordance and its SE, so both Cox rows
of mrdguide (with and without ``concordance``) are paired with the same R call of the round.

Tasks: ``km`` Kaplan–Meier with SE and log-log limits (R ``survfit(conf.type="log-log")``);
``logrank`` two-group log-rank (``survdiff``); ``cif`` Aalen–Johansen CIF with cmprsk's
variance (``cuminc(time, cause)``); ``cif_gray`` CIF by group with Gray's test for every cause,
one call on both sides (``cumulative_incidence(..., group=, test=True)`` /
``cuminc(..., group=)``); ``cox`` and ``cox_noconc`` Efron Cox with three covariates.

Python peers (lifelines, statsmodels) run once per task where they have the estimator. A peer
call expected to exceed ``budget`` seconds is timed at n / 100 only and reported as not
measured at n, with that figure; a missing package is reported, never dropped.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import mrdguide.survival as ms

Task = Callable[[], Any]
TASKS = ("km", "logrank", "cif", "cif_gray", "cox", "cox_noconc")
R_TASK = {"cox_noconc": "cox"}  # coxph cannot skip its concordance: same R call as "cox"
PEERS = ("lifelines", "statsmodels")
R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
need <- c("survival", "cmprsk")
miss <- need[!vapply(need, requireNamespace, TRUE, quietly = TRUE)]
if (length(miss)) { cat("MISSING R packages:", miss, "\n"); quit(status = 3) }
suppressPackageStartupMessages({library(survival); library(cmprsk)})
n <- as.integer(args[2])
rd <- function(nm) readBin(file.path(args[1], paste0(nm, ".bin")), "double", n = n)
d <- data.frame(time = rd("time"), event = rd("event"), group = rd("group"), cause = rd("cause"),
                x1 = rd("x1"), x2 = rd("x2"), x3 = rd("x3"))
tasks <- list(
  km = function() survfit(Surv(time, event) ~ 1, data = d, conf.type = "log-log"),
  logrank = function() survdiff(Surv(time, event) ~ group, data = d),
  cif = function() cuminc(d$time, d$cause),
  cif_gray = function() cuminc(d$time, d$cause, group = d$group),
  cox = function() coxph(Surv(time, event) ~ x1 + x2 + x3, data = d, ties = "efron"))
cat("READY\n"); flush(stdout())
con <- file("stdin"); open(con)
while (length(cmd <- readLines(con, n = 1)) > 0 && cmd != "quit") {
  el <- tryCatch(system.time(tasks[[cmd]]())[["elapsed"]], error = function(e) NA)
  cat(sprintf("%.6f\n", el)); flush(stdout())
}
"""


def make_data(n: int, *, ties: bool = False, seed: int = 20260601) -> dict[str, np.ndarray]:
    """Seeded benchmark cohort."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    group = rng.integers(0, 2, n)
    rate = np.exp(0.3 * x[:, 0] - 0.2 * x[:, 1] + 0.25 * group) / 365.0
    t_event = rng.exponential(1.0 / rate)
    t_cens = rng.exponential(365.0, n)
    time_ = np.minimum(t_event, t_cens)
    if ties:
        time_ = np.ceil(time_)
    event = (t_event <= t_cens).astype(np.int64)
    cause = np.where(event == 1, rng.integers(1, 3, n), 0)
    return {"time": time_, "event": event, "group": group, "cause": cause, "X": x}


def mrdguide_tasks(d: dict[str, np.ndarray]) -> dict[str, Task]:
    """mrdguide's estimators, each with its full default output."""
    t, e, g, c, x = d["time"], d["event"], d["group"], d["cause"], d["X"]
    return {
        "km": lambda: ms.kaplan_meier(t, e),
        "logrank": lambda: ms.logrank_test(t, e, g),
        "cif": lambda: ms.cumulative_incidence(t, c),
        "cif_gray": lambda: ms.cumulative_incidence(t, c, group=g, test=True),
        "cox": lambda: ms.cox_ph(x, t, e, ties="efron"),
        "cox_noconc": lambda: ms.cox_ph(x, t, e, ties="efron", concordance=False),
    }


class RSession:
    """One Rscript process with the data loaded; ``run(task)`` times one call in R.

    ``reason`` is empty when R runs, else why it does not (Rscript or a package missing,
    or hidden with ``hide=True``).
    """

    def __init__(self, d: dict[str, np.ndarray], tmp: Path, *, hide: str = "") -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.reason = hide
        rscript = shutil.which("Rscript")
        if hide:
            return
        if rscript is None:
            self.reason = "Rscript not found; `make bench` installs R when run as root"
            return
        cols = {"time": d["time"], "event": d["event"], "group": d["group"], "cause": d["cause"]}
        cols.update({f"x{i + 1}": d["X"][:, i] for i in range(3)})
        for name, col in cols.items():
            np.asarray(col, dtype="<f8").tofile(tmp / f"{name}.bin")
        script = tmp / "bench.R"
        script.write_text(R_SCRIPT)
        self.proc = subprocess.Popen(
            [rscript, str(script), str(tmp), str(d["time"].size)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        first = self.proc.stdout.readline().strip() if self.proc.stdout else ""
        if first != "READY":
            err = self.proc.stderr.read() if self.proc.stderr else ""
            self.reason = (first or err.strip() or "R failed to start")[:200]
            self.close()

    def run(self, task: str) -> float | None:
        """Elapsed seconds of one R call (None if R is not running or the call failed)."""
        if self.proc is None or self.proc.stdin is None or self.proc.stdout is None:
            return None
        self.proc.stdin.write(task + "\n")
        self.proc.stdin.flush()
        out = self.proc.stdout.readline().strip()
        return None if out in ("", "NA") else float(out)

    def close(self) -> None:
        """Stop the R process."""
        if self.proc is not None:
            if self.proc.stdin is not None and self.proc.poll() is None:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
            self.proc.wait(timeout=120)
            self.proc = None


def timed(task: Task) -> float:
    """Wall-clock seconds of one call."""
    start = time.perf_counter()
    task()
    return time.perf_counter() - start


def interleaved(d: dict[str, np.ndarray], rounds: int, hide_r: str) -> dict[str, Any]:
    """Rounds of: each task in mrdguide, then in R (reusing the round's R Cox), one argsort."""
    tasks = mrdguide_tasks(d)
    ours: dict[str, list[float]] = {k: [] for k in tasks}
    theirs: dict[str, list[float | None]] = {k: [] for k in tasks}
    sorts: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        r = RSession(d, Path(tmp), hide=hide_r)
        for task in tasks.values():
            task()  # warm-up (imports, caches); not timed
        for _ in range(rounds):
            done: dict[str, float | None] = {}
            for name, task in tasks.items():
                ours[name].append(timed(task))
                key = R_TASK.get(name, name)
                if key not in done:
                    done[key] = r.run(key) if not r.reason else None
                theirs[name].append(done[key])
                sorts.append(timed(lambda: np.argsort(d["time"])))
        r.close()
    return {"ours": ours, "r": theirs, "argsort": min(sorts), "r_reason": r.reason}


def _peer_tasks(d: dict[str, np.ndarray]) -> dict[str, dict[str, Task] | str]:
    """Per peer: its tasks, or why it cannot run (not installed)."""
    out: dict[str, dict[str, Task] | str] = {}
    try:
        out["lifelines"] = _lifelines(d)
    except ImportError as exc:
        out["lifelines"] = f"not installed ({exc.name})"
    try:
        out["statsmodels"] = _statsmodels(d)
    except ImportError as exc:
        out["statsmodels"] = f"not installed ({exc.name})"
    return out


def _lifelines(d: dict[str, np.ndarray]) -> dict[str, Task]:
    import pandas as pd
    from lifelines import AalenJohansenFitter, CoxPHFitter, KaplanMeierFitter
    from lifelines.statistics import logrank_test

    t, e, g, c, x = d["time"], d["event"], d["group"], d["cause"], d["X"]
    df = pd.DataFrame({"t": t, "e": e, "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]})
    return {
        "km": lambda: KaplanMeierFitter().fit(t, e),
        "logrank": lambda: logrank_test(t[g == 0], t[g == 1], e[g == 0], e[g == 1]),
        "cif": lambda: [AalenJohansenFitter(seed=1).fit(t, c, event_of_interest=k) for k in (1, 2)],
        "cox": lambda: CoxPHFitter().fit(df, "t", "e").concordance_index_,
        "cox_noconc": lambda: CoxPHFitter().fit(df, "t", "e"),
    }


def _statsmodels(d: dict[str, np.ndarray]) -> dict[str, Task]:
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight, survdiff

    t, e, g, c, x = d["time"], d["event"], d["group"], d["cause"], d["X"]
    return {
        "km": lambda: SurvfuncRight(t, e),
        "logrank": lambda: survdiff(t, e, g),
        "cif": lambda: CumIncidenceRight(t, c),
        "cox_noconc": lambda: PHReg(t, x, status=e, ties="efron").fit(),
    }


def _subsample(d: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    return {k: v[:n] for k, v in d.items()}


def peers(d: dict[str, np.ndarray], budget: float, skip: str = "") -> dict[str, dict[str, Any]]:
    """Per peer and task: seconds at n, or a string saying why it was not measured at n.

    Above n = 20,000 each call is first timed at n / 100; if that, scaled by n log n, exceeds
    ``budget`` seconds the call is not made at n (the cell says so, with the small-n time).
    """
    n = d["time"].size
    probe = _subsample(d, n // 100) if n > 20_000 else None
    small = _peer_tasks(probe) if probe is not None else {}
    out: dict[str, dict[str, Any]] = {}
    for tool, tasks in _peer_tasks(d).items():
        if skip or isinstance(tasks, str):
            out[tool] = {"reason": skip or tasks}
            continue
        out[tool] = {}
        for name, task in tasks.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[tool][name] = _peer_time(task, small.get(tool), name, n, budget)
    return out


def _peer_time(task: Task, small: Any, name: str, n: int, budget: float) -> float | str:
    if isinstance(small, dict) and name in small:
        m = n // 100
        t_small = timed(small[name])
        guess = t_small * (n / m) * math.log(n) / math.log(m)
        if guess > budget:
            return f"not measured (~{guess:,.0f} s expected: {t_small:.2f} s at n = {m:,})"
    return timed(task)


def main(argv: list[str] | None = None) -> int:
    """Print the raw per-round times (the driver, run_all.py, prints the table)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    p.add_argument("--no-r", action="store_true", help="do not run R")
    p.add_argument("--no-peers", action="store_true", help="skip lifelines and statsmodels")
    p.add_argument("--budget", type=float, default=60.0, help="seconds a peer call may take")
    args = p.parse_args(argv)
    d = make_data(args.n)
    res = interleaved(d, args.rounds, "hidden with --no-r" if args.no_r else "")
    print(f"n = {args.n:,}; R: {res['r_reason'] or 'measured'}")
    for task in TASKS:
        print(f"{task:10s} mrdguide {res['ours'][task]}  R {res['r'][task]}")
    print(f"argsort {res['argsort']:.4f} s")
    print(peers(d, args.budget, "skipped with --no-peers" if args.no_peers else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
