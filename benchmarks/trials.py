"""Benchmark: in-silico trial replicates per second, serially, on local processes and on Dask.

Target (issue 6): 10,000 replicate trials of 1,000 patients, each with a landmark log-rank test
and a Cox fit, in under 2 minutes on a 2-core machine. Every replicate here does more than
that: it simulates 1,000 patients and, with the default ``--analyses landmark``, runs the
landmark log-rank test and a landmark Cox fit adjusted for two covariates (plus two
Kaplan-Meier estimates). ``--analyses naive,landmark,time_dependent`` adds the naive Cox fit and
the time-dependent Cox fit on counting-process rows.

Usage::

    .venv/bin/python benchmarks/trials.py                       # 400 replicates, extrapolated
    .venv/bin/python benchmarks/trials.py --replicates 10000 --executors processes   # full run
    .venv/bin/python benchmarks/trials.py --executors dask --scheduler tcp://host:8786
    DASK_SCHEDULER_ADDRESS=tcp://host:8786 .venv/bin/python benchmarks/trials.py --executors dask

Replicates are spawned from one SeedSequence, so every executor returns identical summaries;
the script checks that too.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

from mrdguide.simulate import executor, run_replicates, trial_design

TARGET_REPLICATES = 10_000
TARGET_SECONDS = 120.0


def _bench(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    design = trial_design(
        args.design, patients=args.patients, analyses=tuple(args.analyses.split(","))
    )
    kw: dict[str, Any] = {} if kind == "serial" else {"workers": args.workers}
    if kind == "dask" and args.scheduler:
        kw["scheduler"] = args.scheduler
    t0 = time.perf_counter()
    with executor(kind, **kw) as ex:
        # Warm-up: start workers and import/parse everything before timing.
        run_replicates(design, max(2, args.workers), seed=1, executor=ex, chunk_size=1)
        t1 = time.perf_counter()
        out = run_replicates(
            design, args.replicates, seed=args.seed, executor=ex, chunk_size=args.chunk_size
        )
        t2 = time.perf_counter()
    rate = args.replicates / (t2 - t1)
    return {
        "executor": kind,
        "workers": 1 if kind == "serial" else args.workers,
        "replicates": args.replicates,
        "patients": args.patients,
        "startup_s": round(t1 - t0, 2),
        "run_s": round(t2 - t1, 2),
        "replicates_per_s": round(rate, 1),
        "extrapolated_10k_s": round(TARGET_REPLICATES / rate, 1),
        "meets_target": TARGET_REPLICATES / rate < TARGET_SECONDS,
        "_summaries": out,
    }


def main() -> None:
    """Run the benchmark and print a table (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--design", default="asan", choices=["asan", "randomised", "deescalation"])
    ap.add_argument("--replicates", type=int, default=400)
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--chunk-size", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--executors", default="serial,processes,dask")
    ap.add_argument(
        "--analyses",
        default="landmark",
        help="landmark = the target workload (landmark log-rank + Cox); "
        "naive,landmark,time_dependent = all three analyses",
    )
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [_bench(k.strip(), args) for k in args.executors.split(",") if k.strip()]
    same = all(repr(r["_summaries"]) == repr(rows[0]["_summaries"]) for r in rows)  # NaN-safe
    for r in rows:
        del r["_summaries"]
    if args.json:
        print(json.dumps({"rows": rows, "identical_summaries": same, "cpus": os.cpu_count()}))
        return
    print(
        f"{args.design} design, {args.patients} patients/replicate, analyses={args.analyses}, "
        f"cpus={os.cpu_count()}, load average {os.getloadavg()[0]:.1f}"
    )
    head = f"{'executor':10} {'workers':>7} {'reps':>6} {'startup s':>9} {'run s':>7} "
    print(head + f"{'reps/s':>8} {'10k reps s':>10}  target<120s")
    for r in rows:
        print(
            f"{r['executor']:10} {r['workers']:>7} {r['replicates']:>6} {r['startup_s']:>9} "
            f"{r['run_s']:>7} {r['replicates_per_s']:>8} {r['extrapolated_10k_s']:>10}  "
            f"{'yes' if r['meets_target'] else 'no'}"
        )
    print(f"identical summaries across executors: {same}")


if __name__ == "__main__":
    main()
