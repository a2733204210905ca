"""Benchmark mrdguide.survival against R (survival, cmprsk) and, if installed, Python tools.

Usage::

    python benchmarks/survival.py                      # n = 1e4, 1e5, 1e6
    python benchmarks/survival.py --sizes 1000000 --rounds 7
    python benchmarks/survival.py --ties               # day-level (integer) times
    python benchmarks/survival.py --no-r --no-python-baselines

Every tool sees the same seeded cohort: exponential event times (continuous by default, so
every time is distinct, the worst case for the estimators), about 50 % censoring, two groups,
causes 0/1/2 and three normal covariates for Cox.

Timing is interleaved so that a change in machine load hits both sides alike: one R process
stays up with the data loaded (binary files, no CSV parsing), and for each of ``--rounds``
rounds every task runs once in mrdguide, then once in R (``system.time`` elapsed), then
``np.argsort`` of the times once. The table reports the minimum over rounds for each tool, the
ratio of the minima, and the median and range of the per-round ratios R / mrdguide (pairs run
back to back). ``x argsort`` is mrdguide's minimum over the minimum of one ``np.argsort`` of the
times, the yardstick for KM. When R cannot be run the R columns say "R not measured" with the
reason; they are never left empty.

Tasks: ``km`` Kaplan–Meier with SE and log-log limits (R ``survfit(conf.type="log-log")``);
``logrank`` two-group log-rank (``survdiff``); ``cif`` Aalen–Johansen CIF with cmprsk's variance
(``cuminc(time, cause)``); ``cif_gray`` CIF by group with Gray's test for every cause, one call
on both sides (``cumulative_incidence(..., group=, test=True)`` / ``cuminc(..., group=)``);
``cif+gray`` the same as two separate mrdguide calls (``cumulative_incidence`` then
``gray_test``), timed against the same R call; ``cox`` Efron Cox with three covariates
(``cox_ph`` / ``coxph``), included when ``cox_ph`` exists.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

import mrdguide.survival as ms

Task = Callable[[], Any]
TASKS = ("km", "logrank", "cif", "cif_gray", "cif+gray", "cox")
R_TASK = {"cif+gray": "cif_gray"}  # mrdguide's two-call variant is timed against cuminc(group=)
R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
need <- c("survival", "cmprsk")
miss <- need[!vapply(need, requireNamespace, TRUE, quietly = TRUE)]
if (length(miss)) { cat("MISSING", miss, "\n"); quit(status = 3) }
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


def make_data(n: int, *, ties: bool, seed: int = 20260601) -> dict[str, np.ndarray]:
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
    """mrdguide's estimators (Cox only if ``cox_ph`` exists)."""
    t, e, g, c = d["time"], d["event"], d["group"], d["cause"]
    tasks: dict[str, Task] = {
        "km": lambda: ms.kaplan_meier(t, e),
        "logrank": lambda: ms.logrank_test(t, e, g),
        "cif": lambda: ms.cumulative_incidence(t, c),
        "cif_gray": lambda: ms.cumulative_incidence(t, c, group=g, test=True),
        "cif+gray": lambda: (
            ms.cumulative_incidence(t, c, group=g),
            ms.gray_test(t, c, g, cause_of_interest=1),
            ms.gray_test(t, c, g, cause_of_interest=2),
        ),
    }
    cox = getattr(ms, "cox_ph", None)
    if cox is not None:
        tasks["cox"] = lambda: cox(d["X"], t, e, ties="efron")
    return tasks


class RSession:
    """One Rscript process with the data loaded; ``run(task)`` times one call in R."""

    def __init__(self, d: dict[str, np.ndarray], tmp: Path) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.reason = ""
        rscript = shutil.which("Rscript")
        if rscript is None:
            self.reason = "Rscript not found; `make bench` installs it when run as root"
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
            self.proc.wait(timeout=60)
            self.proc = None


def python_baselines(d: dict[str, np.ndarray], n: int) -> dict[str, dict[str, float]]:
    """lifelines, scikit-survival and statsmodels equivalents where installed (best of 3)."""
    t, e, g, c = d["time"], d["event"], d["group"], d["cause"]
    suites: dict[str, dict[str, Task]] = {}
    try:
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import logrank_test

        suites["lifelines"] = {
            "km": lambda: KaplanMeierFitter().fit(t, e),
            "logrank": lambda: logrank_test(t[g == 0], t[g == 1], e[g == 0], e[g == 1]),
        }
    except ImportError:
        pass
    try:
        from sksurv.nonparametric import kaplan_meier_estimator

        suites["scikit-survival"] = {
            "km": lambda: kaplan_meier_estimator(e.astype(bool), t, conf_type="log-log")
        }
    except ImportError:
        pass
    try:
        from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight, survdiff

        suites["statsmodels"] = {
            "km": lambda: SurvfuncRight(t, e),
            "logrank": lambda: survdiff(t, e, g),
            "cif": lambda: CumIncidenceRight(t, c),
        }
    except ImportError:
        pass
    res: dict[str, dict[str, float]] = {}
    for tool, tasks in suites.items():
        res[tool] = {}
        for name, task in tasks.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res[tool][name] = min(_timed(task) for _ in range(1 if n >= 10**6 else 3))
    return res


def _timed(task: Task) -> float:
    start = time.perf_counter()
    task()
    return time.perf_counter() - start


def run_size(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Interleaved rounds: each task in mrdguide, then in R, then one argsort."""
    d = make_data(n, ties=args.ties)
    tasks = mrdguide_tasks(d)
    ours: dict[str, list[float]] = {k: [] for k in tasks}
    theirs: dict[str, list[float | None]] = {k: [] for k in tasks}
    sorts: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        r = RSession(d, Path(tmp)) if not args.no_r else None
        reason = "skipped (--no-r)" if r is None else r.reason
        for task in tasks.values():
            task()  # warm-up (imports, caches); not timed
        for _ in range(args.rounds):
            for name, task in tasks.items():
                if n > args.cox_max and name == "cox":
                    continue
                ours[name].append(_timed(task))
                if r is not None and not reason:
                    theirs[name].append(r.run(R_TASK.get(name, name)))
                sorts.append(_timed(lambda: np.argsort(d["time"])))
        if r is not None:
            r.close()
    base = {} if args.no_python_baselines else python_baselines(d, n)
    return {"ours": ours, "r": theirs, "argsort": min(sorts), "reason": reason, "base": base}


def _r_cells(mine: list[float], rr: list[float | None], reason: str) -> str:
    vals = [v for v in rr if v is not None]
    if reason or not vals:
        return f"R not measured ({reason or 'R call failed'}) | — | —"
    pairs = [b / a for a, b in zip(mine, rr, strict=False) if b is not None]
    return (
        f"{min(vals):.4f} | {min(vals) / min(mine):.1f}× | "
        f"{median(pairs):.1f}× [{min(pairs):.1f}–{max(pairs):.1f}]"
    )


def print_table(n: int, res: dict[str, Any]) -> None:
    """Markdown table for one size."""
    print(f"\n### n = {n:,}\n")
    tools = list(res["base"])
    head = "| task | mrdguide (s) | × argsort | R (s) | R / mrdguide | per-round R / mrdguide"
    print(head + "".join(f" | {k} (s)" for k in tools) + " |")
    print("|" + "---|" * (6 + len(tools)))
    for task in TASKS:
        mine = res["ours"].get(task)
        if not mine:
            continue
        best = min(mine)
        rel = f"{best / res['argsort']:.2f}"
        cells = _r_cells(mine, res["r"][task], res["reason"])
        extra = "".join(
            f" | {res['base'][k][task]:.4f}" if task in res["base"][k] else " | —" for k in tools
        )
        print(f"| {task} | {best:.4f} | {rel} | {cells}{extra} |")
    print(f"\nnp.argsort of the times: {res['argsort']:.4f} s (minimum over the rounds)")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds per size")
    p.add_argument("--ties", action="store_true", help="round times up to whole days")
    p.add_argument("--no-r", action="store_true", help="skip R")
    p.add_argument("--no-python-baselines", action="store_true", help="skip lifelines etc.")
    p.add_argument("--cox-max", type=int, default=1_000_000, help="largest n for the Cox task")
    args = p.parse_args(argv)
    print(
        f"numpy {np.__version__}; times: {'whole days' if args.ties else 'continuous'}; "
        f"{args.rounds} interleaved rounds"
    )
    for n in args.sizes:
        print_table(n, run_size(n, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
