"""Benchmark mrdguide.survival against lifelines, scikit-survival, statsmodels and R.

Usage::

    python benchmarks/survival.py                     # n = 1e4, 1e5, 1e6
    python benchmarks/survival.py --sizes 10000 100000
    python benchmarks/survival.py --ties              # day-level (integer) times
    python benchmarks/survival.py --no-r --baseline-cox-max 1000000

Every tool sees the same seeded cohort: exponential event times (continuous by default, so
every time is distinct, the worst case for the estimators), 50 % censoring, two groups, causes
0/1/2 for competing risks and three normal covariates for Cox. Times are the best of
``--repeats`` wall-clock runs for mrdguide (3 at n >= 1e6) and of 3 runs (1 at n >= 1e5) for
the other Python tools; R uses mrdguide's count below 1e6 and one run at 1e6. R timings come
from one Rscript process that reads the same data from a temporary CSV and reports
``system.time`` elapsed seconds (I/O excluded). The table gives each tool's time and its ratio
to mrdguide (> 1 = mrdguide is faster); the ``×argsort`` column is mrdguide's time over one
``np.argsort`` of the times, the yardstick for KM and log-rank.
"""

from __future__ import annotations

import argparse
import json
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
R_SCRIPT = r"""
suppressPackageStartupMessages({library(survival); library(cmprsk); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
reps <- as.integer(args[2])
best <- function(f) min(vapply(seq_len(reps), function(i) system.time(f())[["elapsed"]], 0))
out <- list(
  km = best(function() survfit(Surv(time, event) ~ 1, data = d, conf.type = "log-log")),
  logrank = best(function() survdiff(Surv(time, event) ~ group, data = d)),
  cif = best(function() cuminc(d$time, d$cause)),
  cif_gray = best(function() cuminc(d$time, d$cause, group = d$group)),
  cox = if (as.logical(args[3])) best(function() coxph(Surv(time, event) ~ x1 + x2 + x3,
                                                       data = d, ties = "efron")) else NA
)
cat(toJSON(out, auto_unbox = TRUE, na = "null"))
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


def best_of(task: Task, repeats: int) -> float:
    """Best wall-clock time of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return min(times)


def mrdguide_tasks(d: dict[str, np.ndarray]) -> dict[str, Task]:
    """mrdguide's estimators (Cox only if ``cox_ph`` exists)."""
    t, e, g, c = d["time"], d["event"], d["group"], d["cause"]
    tasks: dict[str, Task] = {
        "argsort": lambda: np.argsort(t),
        "km": lambda: ms.kaplan_meier(t, e),
        "logrank": lambda: ms.logrank_test(t, e, g),
        "cif": lambda: ms.cumulative_incidence(t, c),
        "cif_gray": lambda: (ms.cumulative_incidence(t, c, group=g), ms.gray_test(t, c, g)),
    }
    cox = getattr(ms, "cox_ph", None)
    if cox is not None:
        tasks["cox"] = lambda: cox(d["X"], t, e, ties="efron")
    return tasks


def lifelines_tasks(d: dict[str, np.ndarray], cox: bool, cif: bool) -> dict[str, Task]:
    """lifelines equivalents (Aalen–Johansen jitters ties; no Gray test)."""
    try:
        import pandas as pd
        from lifelines import AalenJohansenFitter, CoxPHFitter, KaplanMeierFitter
        from lifelines.statistics import logrank_test
    except ImportError:
        return {}
    t, e, g, c = d["time"], d["event"], d["group"], d["cause"]
    tasks: dict[str, Task] = {
        "km": lambda: KaplanMeierFitter().fit(t, e),
        "logrank": lambda: logrank_test(t[g == 0], t[g == 1], e[g == 0], e[g == 1]),
    }
    if cif:
        tasks["cif"] = lambda: AalenJohansenFitter(calculate_variance=True, seed=1).fit(
            t, c, event_of_interest=1
        )
    if cox:
        frame = pd.DataFrame(d["X"], columns=["x1", "x2", "x3"]).assign(time=t, event=e)
        tasks["cox"] = lambda: CoxPHFitter().fit(frame, "time", "event")
    return tasks


def sksurv_tasks(d: dict[str, np.ndarray], cox: bool, cif: bool) -> dict[str, Task]:
    """scikit-survival equivalents (GPL; used only as a timing baseline)."""
    try:
        from sksurv.compare import compare_survival
        from sksurv.linear_model import CoxPHSurvivalAnalysis
        from sksurv.nonparametric import (
            cumulative_incidence_competing_risks,
            kaplan_meier_estimator,
        )
    except ImportError:
        return {}
    t, e, g, c = d["time"], d["event"], d["group"], d["cause"]
    y = np.empty(t.size, dtype=[("event", bool), ("time", float)])
    y["event"], y["time"] = e.astype(bool), t
    tasks: dict[str, Task] = {
        "km": lambda: kaplan_meier_estimator(y["event"], t, conf_type="log-log"),
        "logrank": lambda: compare_survival(y, g),
    }
    if cif:
        tasks["cif"] = lambda: cumulative_incidence_competing_risks(c, t, conf_type="log-log")
    if cox:
        tasks["cox"] = lambda: CoxPHSurvivalAnalysis(ties="efron").fit(d["X"], y)
    return tasks


def statsmodels_tasks(d: dict[str, np.ndarray], cox: bool) -> dict[str, Task]:
    """statsmodels equivalents."""
    try:
        from statsmodels.duration.hazard_regression import PHReg
        from statsmodels.duration.survfunc import CumIncidenceRight, SurvfuncRight, survdiff
    except ImportError:
        return {}
    t, e, g, c = d["time"], d["event"], d["group"], d["cause"]
    tasks: dict[str, Task] = {
        "km": lambda: SurvfuncRight(t, e),
        "logrank": lambda: survdiff(t, e, g),
        "cif": lambda: CumIncidenceRight(t, c),
    }
    if cox:
        tasks["cox"] = lambda: PHReg(t, d["X"], status=e, ties="efron").fit()
    return tasks


def r_times(d: dict[str, np.ndarray], repeats: int, cox: bool) -> dict[str, float]:
    """Run the timed R script on the same data; empty if Rscript is missing or fails."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "bench.csv"
        cols = np.column_stack([d["time"], d["event"], d["group"], d["cause"], d["X"]])
        np.savetxt(
            csv,
            cols,
            delimiter=",",
            fmt="%.17g",
            comments="",
            header="time,event,group,cause,x1,x2,x3",
        )
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        proc = subprocess.run(
            [rscript, str(script), str(csv), str(repeats), str(cox).upper()],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
        )
    if proc.returncode != 0:
        print(f"R failed: {proc.stderr.strip()[:300]}")
        return {}
    return {k: float(v) for k, v in json.loads(proc.stdout).items() if v is not None}


def run_size(n: int, args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """Time every tool at one size; returns {tool: {task: seconds}}."""
    d = make_data(n, ties=args.ties)
    repeats = 3 if n >= 1_000_000 else args.repeats
    base_cox = n <= args.baseline_cox_max
    suites = {
        "mrdguide": mrdguide_tasks(d),
        "lifelines": lifelines_tasks(d, base_cox, n <= args.baseline_cif_max),
        "scikit-survival": sksurv_tasks(d, base_cox, n <= args.baseline_cif_max),
        "statsmodels": statsmodels_tasks(d, base_cox),
    }
    res: dict[str, dict[str, float]] = {}
    for tool, tasks in suites.items():
        res[tool] = {}
        runs = repeats if tool == "mrdguide" else (3 if n < 100_000 else 1)
        for name, task in tasks.items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if n < 100_000:
                    task()  # warm-up (imports, caches); not timed
                res[tool][name] = best_of(task, runs)
    if not args.no_r:
        res["R"] = r_times(d, 1 if n >= 1_000_000 else repeats, cox=n <= args.r_cox_max)
    return res


def print_table(n: int, res: dict[str, dict[str, float]]) -> None:
    """Print times (s) and ratios tool/mrdguide for one size."""
    ours = res["mrdguide"]
    tools = [k for k in res if k != "mrdguide"]
    print(f"\n### n = {n:,}\n")
    head = "| task | mrdguide (s) | ×argsort | " + " | ".join(f"{k} (s) [×]" for k in tools)
    print(head + " |")
    print("|" + "---|" * (3 + len(tools)))
    for task in ("km", "logrank", "cif", "cif_gray", "cox"):
        if task not in ours and not any(task in res[k] for k in tools):
            continue
        mine = ours.get(task, float("nan"))
        rel = mine / ours["argsort"] if task in ("km", "logrank") else float("nan")
        cells = []
        for k in tools:
            v = res[k].get(task)
            cells.append("—" if v is None else f"{v:.4f} [{v / mine:.1f}×]")
        rel_s = f"{rel:.2f}" if np.isfinite(rel) else ""
        print(f"| {task} | {mine:.4f} | {rel_s} | " + " | ".join(cells) + " |")
    print(f"\nargsort of the times: {ours['argsort']:.4f} s")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    p.add_argument("--repeats", type=int, default=5, help="runs per task below n = 1e6")
    p.add_argument("--ties", action="store_true", help="round times up to whole days")
    p.add_argument("--no-r", action="store_true", help="skip the R timings")
    p.add_argument(
        "--baseline-cox-max",
        type=int,
        default=10_000,
        help="largest n for lifelines/sksurv/statsmodels Cox (slow: ~1 min at 1e6)",
    )
    p.add_argument(
        "--baseline-cif-max",
        type=int,
        default=10_000,
        help="largest n for lifelines/sksurv CIF (they grow ~quadratically: ~2-4 s at 1e4)",
    )
    p.add_argument("--r-cox-max", type=int, default=1_000_000, help="largest n for R coxph")
    args = p.parse_args(argv)
    print(f"numpy {np.__version__}; times: {'whole days' if args.ties else 'continuous'}")
    for n in args.sizes:
        print_table(n, run_size(n, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
