"""Benchmark cox_ph and fine_gray against R survival::coxph and cmprsk::crr, in one run.

Usage::

    python benchmarks/cox.py                               # all sections, default sizes
    python benchmarks/cox.py --cox-sizes 10000 100000 --fg-sizes 2500 5000 --fg-big 0
    python benchmarks/cox.py --no-memory --repeats 5

Sections:

* **Cox** (``--cox-sizes``, default 1e4, 1e5, 1e6): Efron Cox with three normal covariates on
  continuous times (about 50 % censored), mrdguide ``cox_ph`` (with R's concordance and its
  SE, and with ``concordance=False``) against R ``coxph`` (which always computes the
  concordance and its SE). Times are the best of ``--repeats`` wall-clock runs, in this process
  for mrdguide and in one ``Rscript`` process (``system.time``, data already read) for R.
* **Peak memory** at the largest Cox size: each tool fits once in a fresh process that first
  loads the data (``.npy`` / ``.rds``); the table shows the resident set size after loading and
  the peak during the fit (Linux ``VmHWM`` after resetting it through
  ``/proc/self/clear_refs``) and the whole-process peak reported by the OS.
* **Fine–Gray** (``--fg-sizes``, default 2,500 / 5,000 / 10,000; ``--fg-big``, default 1e6):
  day-level (tied) times, causes 0/1/2, mrdguide ``fine_gray`` against ``crr`` (quadratic in
  n, so only at the small sizes) and mrdguide alone at the big size; the fitted scaling
  exponent is the slope of log(time) on log(n).

R or one of its packages missing is never skipped silently: the cell says "not measured" and
why. Ratios are R time / mrdguide time (> 1 = mrdguide is faster).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mrdguide.survival import cox_ph, fine_gray

R_TIMES = r"""
args <- commandArgs(trailingOnly = TRUE)
out <- list()
ok <- function(p) suppressWarnings(suppressPackageStartupMessages(
  require(p, character.only = TRUE)))
if (!ok("jsonlite")) { cat('{"error": "R package jsonlite not installed"}'); quit(save = "no") }
d <- read.csv(args[1])
reps <- as.integer(args[2])
best <- function(f) min(vapply(seq_len(reps), function(i) system.time(f())[["elapsed"]], 0))
if (args[3] == "cox") {
  fit <- function() coxph(Surv(time, event) ~ x1 + x2 + x3, data = d)
  out$coxph <- if (ok("survival")) best(fit) else "R package survival not installed"
} else {
  X <- as.matrix(d[, c("x1", "x2", "x3")])
  out$crr <- if (ok("cmprsk")) best(function() crr(d$time, d$cause, X))
             else "R package cmprsk not installed"
}
cat(toJSON(out, auto_unbox = TRUE))
"""

R_MEMORY = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
status <- function(key) {
  s <- readLines("/proc/self/status")
  as.numeric(strsplit(trimws(sub(paste0(key, ":"), "", s[startsWith(s, key)])), " ")[[1]][1])
}
d <- readRDS(args[1])
invisible(gc())
base <- status("VmRSS")
reset <- tryCatch({writeLines("5", "/proc/self/clear_refs"); TRUE}, error = function(e) FALSE)
fit <- coxph(Surv(time, event) ~ x1 + x2 + x3, data = d)
cat(sprintf('{"loaded_kib": %f, "fit_peak_kib": %f, "reset": %s}', base, status("VmHWM"),
            tolower(as.character(reset))))
"""

PY_MEMORY = r"""
import json, sys
import numpy as np
from mrdguide.survival import cox_ph

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return float(line.split()[1])

d = np.load(sys.argv[1])
x, t, e = d["x"], d["time"], d["event"]
base = status("VmRSS")
try:
    open("/proc/self/clear_refs", "w").write("5")
    reset = True
except OSError:
    reset = False
cox_ph(x, t, e, concordance=sys.argv[2] == "1")
print(json.dumps({"loaded_kib": base, "fit_peak_kib": status("VmHWM"), "reset": reset}))
"""

WRAP = r"""
import json, resource, subprocess, sys
out = subprocess.run(sys.argv[1:], capture_output=True, text=True)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"stdout": out.stdout, "stderr": out.stderr[-400:], "rc": out.returncode,
                  "maxrss_kib": peak}))
"""


def make_cox(n: int, seed: int = 20260701) -> dict[str, np.ndarray]:
    """Continuous times, three normal covariates, about 50 % censored."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    t = rng.exponential(1.0 / np.exp(x @ [0.5, -0.3, 0.2]))
    c = rng.exponential(1.0, n)
    return {"time": np.minimum(t, c), "event": (t <= c).astype(np.int64), "x": x}


def make_fg(n: int, seed: int = 20260702) -> dict[str, np.ndarray]:
    """Day-level (tied) times, causes 0/1/2 (about 30 % censored), three covariates."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    t1 = rng.exponential(900 / np.exp(x @ [0.4, -0.3, 0.2]))
    t2 = rng.exponential(1500, n)
    c = rng.uniform(100, 2500, n)
    time_ = np.ceil(np.minimum.reduce([t1, t2, c]))
    cause = np.where(c < np.minimum(t1, t2), 0, np.where(t1 < t2, 1, 2))
    return {"time": time_, "cause": cause.astype(np.int64), "x": x}


def best_of(task: Callable[[], Any], repeats: int) -> float:
    """Best wall-clock time of ``repeats`` runs."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        task()
        out.append(time.perf_counter() - t0)
    return min(out)


def write_csv(d: dict[str, np.ndarray], path: Path) -> None:
    """The columns R reads (time, event or cause, x1..x3), full precision."""
    last = "event" if "event" in d else "cause"
    cols = np.column_stack([d["time"], d[last], d["x"]])
    header = ",".join(["time", last, "x1", "x2", "x3"])
    np.savetxt(path, cols, delimiter=",", header=header, comments="", fmt="%.17g")


def r_time(d: dict[str, np.ndarray], task: str, repeats: int) -> float | str:
    """Seconds for R on the same data, or the reason it was not measured."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found"
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "d.csv", Path(tmp) / "t.R"
        write_csv(d, csv)
        script.write_text(R_TIMES)
        run = subprocess.run(
            [rscript, str(script), str(csv), str(repeats), task],
            check=False,
            capture_output=True,
            text=True,
        )
    try:
        out = json.loads(run.stdout)
    except json.JSONDecodeError:
        return f"R failed: {run.stderr.strip()[-200:]}"
    if "error" in out:
        return str(out["error"])
    value = out["coxph" if task == "cox" else "crr"]
    return float(value) if isinstance(value, int | float) else str(value)


def fmt(v: float | str, digits: int = 3) -> str:
    """A time or the reason it is missing."""
    return f"{v:.{digits}f}" if isinstance(v, float) else f"not measured ({v})"


def ratio(r: float | str, m: float) -> str:
    return f"{r / m:.1f}x" if isinstance(r, float) else "—"


def cox_section(sizes: list[int], repeats: int, use_r: bool) -> list[dict[str, Any]]:
    """Time mrdguide (with and without concordance) and R coxph at every size."""
    rows = []
    for n in sizes:
        d = make_cox(n)
        reps = repeats if n < 1_000_000 else max(1, repeats - 1)
        full = best_of(lambda d=d: cox_ph(d["x"], d["time"], d["event"]), reps)
        fast = best_of(lambda d=d: cox_ph(d["x"], d["time"], d["event"], concordance=False), reps)
        r = r_time(d, "cox", reps) if use_r else "skipped with --no-r"
        rows.append({"n": n, "mrdguide": full, "no_concordance": fast, "r": r})
        print(f"  cox n={n}: {full:.3f} s, no conc {fast:.3f} s, R {fmt(r)}", flush=True)
    return rows


def _child(cmd: list[str]) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, "-c", WRAP, *cmd], check=False, capture_output=True, text=True
    )
    out: dict[str, Any] = json.loads(run.stdout)
    try:
        out.update(json.loads(out["stdout"]))
    except json.JSONDecodeError:
        out["error"] = out["stderr"]
    return out


def memory_section(n: int, use_r: bool, why: str = "skipped with --no-r") -> dict[str, Any]:
    """Peak RSS of one fit in a fresh process for mrdguide (both modes) and R (``why`` not)."""
    d = make_cox(n)
    res: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        npz = Path(tmp) / "d.npz"
        np.savez(npz, **d)
        for label, conc in (("mrdguide", "1"), ("mrdguide, concordance=False", "0")):
            res[label] = _child([sys.executable, "-c", PY_MEMORY, str(npz), conc])
        rscript = shutil.which("Rscript")
        if not use_r:
            res["R coxph"] = {"error": why}
        elif rscript is None:
            res["R coxph"] = {"error": "Rscript not found"}
        else:
            csv, rds = Path(tmp) / "d.csv", Path(tmp) / "d.rds"
            write_csv(d, csv)
            conv = f'saveRDS(read.csv("{csv}"), "{rds}")'
            subprocess.run([rscript, "-e", conv], capture_output=True, check=False)
            script = Path(tmp) / "m.R"
            script.write_text(R_MEMORY)
            res["R coxph"] = _child([rscript, str(script), str(rds)])
    return res


def fg_section(
    sizes: list[int], big: int, repeats: int, use_r: bool, why: str = "skipped with --no-r"
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """crr against fine_gray at small sizes, fine_gray alone at ``big``; scaling exponents.

    ``why`` is the reason given for R when ``use_r`` is false.
    """
    rows = []
    for n in [*sizes, *([big] if big else [])]:
        d = make_fg(n)
        reps = repeats if n < 1_000_000 else max(1, repeats - 1)
        m = best_of(lambda d=d: fine_gray(d["x"], d["time"], d["cause"]), reps)
        r: float | str = "not run above the small sizes (crr is quadratic)"
        if n in sizes:
            r = r_time(d, "crr", 1) if use_r else why
        rows.append({"n": n, "mrdguide": m, "r": r})
        print(f"  fine_gray n={n}: {m:.3f} s, crr {fmt(r)}", flush=True)
    expo: dict[str, float] = {}

    def slope(points: list[tuple[int, float]]) -> float:
        return float(
            np.polyfit(np.log([a for a, _ in points]), np.log([b for _, b in points]), 1)[0]
        )

    small = [(row["n"], row["mrdguide"]) for row in rows if row["n"] in sizes]
    if len(small) >= 2:
        expo[f"mrdguide {sizes[0]:,}-{sizes[-1]:,}"] = slope(small)
    if big and small:
        expo[f"mrdguide {sizes[-1]:,}-{big:,}"] = slope([small[-1], (big, rows[-1]["mrdguide"])])
    rt = [(row["n"], row["r"]) for row in rows if isinstance(row["r"], float)]
    if len(rt) >= 2:
        expo[f"crr {rt[0][0]:,}-{rt[-1][0]:,}"] = slope(rt)
    return rows, expo


def report(cox: list[dict[str, Any]], mem: dict[str, Any] | None, fg: Any) -> str:
    """The Markdown tables."""
    lines = ["### Cox (Efron, p = 3, continuous times)", ""]
    lines += ["| n | mrdguide (s) | R coxph (s) | R / mrdguide | mrdguide, no concordance (s) "
              "| R / mrdguide (no concordance) |", "|---|---|---|---|---|---|"]  # fmt: skip
    for row in cox:
        lines.append(
            f"| {row['n']:,} | {row['mrdguide']:.3f} | {fmt(row['r'])} | "
            f"{ratio(row['r'], row['mrdguide'])} | {row['no_concordance']:.3f} | "
            f"{ratio(row['r'], row['no_concordance'])} |"
        )
    if mem is not None:
        lines += ["", f"### Peak memory, Cox at n = {mem['n']:,}", ""]
        lines += ["| process | RSS after loading (MiB) | peak during fit (MiB) "
                  "| whole-process peak (MiB) |", "|---|---|---|---|"]  # fmt: skip
        for label, m in mem["rows"].items():
            if "error" in m or "fit_peak_kib" not in m:
                lines.append(f"| {label} | not measured ({m.get('error', '?')[:80]}) | | |")
                continue
            lines.append(
                f"| {label} | {m['loaded_kib'] / 1024:.0f} | {m['fit_peak_kib'] / 1024:.0f} | "
                f"{m['maxrss_kib'] / 1024:.0f} |"
            )
    rows, expo = fg
    lines += ["", "### Fine–Gray (day-level ties, p = 3)", ""]
    lines += ["| n | mrdguide (s) | crr (s) | crr / mrdguide |", "|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row['n']:,} | {row['mrdguide']:.3f} | {fmt(row['r'])} | "
            f"{ratio(row['r'], row['mrdguide'])} |"
        )
    lines.append("")
    lines.append("Fitted scaling exponents (slope of log time on log n): " + ", ".join(
        f"{k} {v:.2f}" for k, v in expo.items()))  # fmt: skip
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cox-sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--fg-sizes", type=int, nargs="*", default=[2_500, 5_000, 10_000])
    ap.add_argument("--fg-big", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-r", action="store_true", help="do not run R (reported as skipped)")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the raw figures here")
    args = ap.parse_args(argv)
    use_r = not args.no_r
    print(f"machine: {platform.machine()}, {platform.processor() or '?'}; numpy {np.__version__}")
    cox = cox_section(args.cox_sizes, args.repeats, use_r) if args.cox_sizes else []
    mem = None
    if not args.no_memory and args.cox_sizes:
        n = max(args.cox_sizes)
        mem = {"n": n, "rows": memory_section(n, use_r)}
    fg = fg_section(args.fg_sizes, args.fg_big, args.repeats, use_r)
    print()
    print(report(cox, mem, fg))
    if args.json:
        args.json.write_text(json.dumps({"cox": cox, "memory": mem, "fine_gray": fg}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
