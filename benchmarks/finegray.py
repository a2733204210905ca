"""Benchmark fine_gray (and cox_ph) against R cmprsk::crr (and survival::coxph).

Usage::

    python benchmarks/finegray.py                          # n = 1e3, 1e4, 1e5
    python benchmarks/finegray.py --sizes 1000 10000 --crr-max 10000
    python benchmarks/finegray.py --cox --sizes 10000 100000 1000000

Each size uses one seeded cohort: three normal covariates, day-level (tied) times, causes 0/1/2
(about 30 % censored). crr is quadratic in n (its Fortran loops over the risk set at every
failure time), so it is only run up to ``--crr-max``. Times are the best of ``--repeats``
wall-clock runs; R times are ``system.time`` elapsed seconds inside one Rscript process (CSV I/O
excluded). The last column is R time / mrdguide time (> 1 = mrdguide is faster); the
``per 1e4`` column shows how mrdguide's time grows with n (flat = linear).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mrdguide.survival import cox_ph, fine_gray

R_SCRIPT = r"""
suppressPackageStartupMessages({library(survival); library(cmprsk); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
reps <- as.integer(args[2])
best <- function(f) min(vapply(seq_len(reps), function(i) system.time(f())[["elapsed"]], 0))
X <- as.matrix(d[, c("x1", "x2", "x3")])
out <- list(
  crr = if (as.logical(args[3])) best(function() crr(d$time, d$cause, X)) else NA,
  coxph = if (as.logical(args[4])) best(function() coxph(Surv(time, cause > 0) ~ x1 + x2 + x3,
                                                         data = d)) else NA
)
cat(toJSON(out, auto_unbox = TRUE, na = "null"))
"""


def make_data(n: int, seed: int = 20260602) -> dict[str, np.ndarray]:
    """Seeded competing-risks cohort with tied (integer-day) times."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    t1 = rng.exponential(900 / np.exp(x @ [0.4, -0.3, 0.2]))
    t2 = rng.exponential(1500, n)
    c = rng.uniform(100, 2500, n)
    time_ = np.ceil(np.minimum.reduce([t1, t2, c]))
    cause = np.where(c < np.minimum(t1, t2), 0, np.where(t1 < t2, 1, 2))
    return {"time": time_, "cause": cause, "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2]}


def best_of(task: Callable[[], Any], repeats: int) -> float:
    """Best wall-clock time of ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        task()
        times.append(time.perf_counter() - t0)
    return min(times)


def r_times(d: dict[str, np.ndarray], repeats: int, crr: bool, cox: bool) -> dict[str, float]:
    """Time crr / coxph in R on the same data; empty if Rscript is missing or fails."""
    rscript = shutil.which("Rscript")
    if rscript is None or not (crr or cox):
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        script = Path(tmp) / "b.R"
        cols = list(d)
        data = np.column_stack([d[c] for c in cols])
        np.savetxt(csv, data, delimiter=",", header=",".join(cols), comments="", fmt="%.10g")
        script.write_text(R_SCRIPT)
        res = subprocess.run(
            [rscript, str(script), str(csv), str(repeats), str(crr).upper(), str(cox).upper()],
            capture_output=True,
            text=True,
            check=False,
        )
    if res.returncode != 0:
        return {}
    return {k: v for k, v in json.loads(res.stdout).items() if v is not None}


def main(argv: list[str] | None = None) -> int:
    """Print a table of times for fine_gray vs crr (and cox_ph vs coxph with ``--cox``)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--crr-max", type=int, default=10_000)
    ap.add_argument("--cox", action="store_true", help="also time cox_ph vs coxph (Efron)")
    ap.add_argument("--no-r", action="store_true")
    args = ap.parse_args(argv)
    print(f"{'method':<12}{'n':>10}{'mrdguide s':>12}{'per 1e4':>10}{'R s':>10}{'R/mrd':>8}")
    for n in args.sizes:
        d = make_data(n)
        x = np.column_stack([d["x1"], d["x2"], d["x3"]])
        reps = 1 if n >= 1_000_000 else args.repeats
        rt = {} if args.no_r else r_times(d, reps, n <= args.crr_max, args.cox)
        rows = [("fine_gray", "crr", lambda x=x, d=d: fine_gray(x, d["time"], d["cause"]))]
        if args.cox:
            rows.append(("cox_ph", "coxph", lambda x=x, d=d: cox_ph(x, d["time"], d["cause"] > 0)))
        for name, rname, task in rows:
            t = best_of(task, reps)
            r = rt.get(rname)
            rs = f"{r:10.3f}{r / t:8.1f}" if r is not None else f"{'-':>10}{'-':>8}"
            print(f"{name:<12}{n:>10}{t:12.3f}{t / n * 1e4:10.4f}{rs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
