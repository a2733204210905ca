"""Benchmark: an in-silico trial (design + null run) serially and on Dask with 1 and 2 workers.

Target (issue 18): 10,000 replicates of 1,000 patients, null run included (20,000 simulated
cohorts), in under 60 s with the Dask executor on a 2-core machine, and 1 -> 2 Dask workers at
least 90% efficient (efficiency = time with 1 worker / (2 x time with 2 workers)).

Each replicate simulates 1,000 patients and analyses the eligible ones (about 220 in the asan
design). ``--analyses landmark`` (issue 6's workload): a landmark log-rank test, a landmark Cox
fit adjusted for two covariates and two Kaplan-Meier estimates. ``--analyses all`` (the CLI
default): also the naive Cox fit and the time-dependent Cox fit on counting-process rows with
the patient-clustered sandwich SE.

Usage::

    .venv/bin/python benchmarks/trials.py                       # 1,000 replicates, extrapolated
    .venv/bin/python benchmarks/trials.py --replicates 10000 --analyses all --repeat 3
    .venv/bin/python benchmarks/trials.py --executors dask:2 --scheduler tcp://host:8786

Executors are ``serial``, ``processes:W`` and ``dask:W`` (a LocalCluster of W single-threaded
worker processes, or the cluster at ``--scheduler``). "start-up" is starting the workers and a
small warm-up run (imports); "run" is the timed trial (the median of ``--repeat`` runs; the
executors take turns, so a change in the machine's load hits them alike) and "total" their sum
(the run extrapolated to 10,000 replicates if fewer were run). "cpu s" is the CPU time of this
process plus, for Dask, every worker process during a run: on a machine shared with other jobs
it shows whether a slow run did more work or waited for a core. The script checks that every
executor returns the identical result.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from typing import Any

from mrdguide._json import dumps
from mrdguide.simulate import TrialDesign, make_executor, run_trial, trial_design

TARGET_REPLICATES = 10_000
TARGET_SECONDS = 60.0
ANALYSES = {"landmark": ("landmark",), "all": ("naive", "landmark", "time_dependent")}


def _parse(spec: str) -> tuple[str, int]:
    kind, _, workers = spec.partition(":")
    return kind, int(workers or 1)


def _start(spec: str, design: TrialDesign, args: argparse.Namespace) -> tuple[Any, float]:
    """Start an executor and warm it up (workers started, everything imported)."""
    kind, workers = _parse(spec)
    kw: dict[str, Any] = {} if kind == "serial" else {"workers": workers}
    if kind == "dask" and args.scheduler:
        kw["scheduler"] = args.scheduler
    t0 = time.perf_counter()
    ex = make_executor(kind, **kw)
    run_trial(design, 2 * workers, seed=1, executor=ex, chunk_size=1)
    return ex, time.perf_counter() - t0


def _cpu(ex: Any) -> float:
    """CPU seconds used so far by this process and, for Dask, by every worker process."""
    own = time.process_time()
    client = getattr(ex, "client", None)
    return own + (sum(client.run(time.process_time).values()) if client is not None else 0.0)


def _bench(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Start every executor, then time them in turn (A B C A B C ...) so drift in the
    machine's load affects them alike; report the median run of each."""
    design = trial_design(args.design, patients=args.patients, analyses=ANALYSES[args.analyses])
    specs = [k.strip() for k in args.executors.split(",") if k.strip()]
    started = {spec: _start(spec, design, args) for spec in specs}
    kw = {"seed": args.seed, "chunk_size": args.chunk_size, "include_null": not args.no_null}
    times: dict[str, list[float]] = {spec: [] for spec in specs}
    cpus: dict[str, list[float]] = {spec: [] for spec in specs}
    results: dict[str, str] = {}
    try:
        for _ in range(args.repeat):
            for spec in specs:
                ex = started[spec][0]
                c0, t = _cpu(ex), time.perf_counter()
                res = run_trial(design, args.replicates, executor=ex, **kw)
                times[spec].append(time.perf_counter() - t)
                cpus[spec].append(_cpu(ex) - c0)
                results[spec] = dumps(res.to_dict())
    finally:
        for ex, _ in started.values():
            ex.close()
    cohorts = args.replicates * (1 if args.no_null else 2)
    rows = []
    for spec in specs:
        kind, workers = _parse(spec)
        run_s, startup = statistics.median(times[spec]), started[spec][1]
        rows.append(
            {
                "executor": kind,
                "workers": workers,
                "replicates": args.replicates,
                "cohorts": cohorts,
                "startup_s": round(startup, 2),
                "run_s": round(run_s, 2),
                "runs_s": [round(t, 2) for t in times[spec]],
                "cpu_s": round(statistics.median(cpus[spec]), 2),
                "cohorts_per_s": round(cohorts / run_s, 1),
                "target_total_s": round(startup + run_s * TARGET_REPLICATES / args.replicates, 1),
                "_result": results[spec],
            }
        )
    return rows


def _efficiency(rows: list[dict[str, Any]]) -> float | None:
    by = {(r["executor"], r["workers"]): r["run_s"] for r in rows}
    one, two = by.get(("dask", 1)), by.get(("dask", 2))
    return None if one is None or two is None else round(one / (2 * two), 3)


def main() -> None:
    """Run the benchmark and print a table (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--design", default="asan", choices=["asan", "randomised", "deescalation"])
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--patients", type=int, default=1000)
    ap.add_argument("--chunk-size", type=int, default=100)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--repeat", type=int, default=1, help="timed runs per executor (median)")
    ap.add_argument("--no-null", action="store_true", help="skip the null run")
    ap.add_argument("--executors", default="serial,dask:1,dask:2")
    ap.add_argument("--analyses", default="all", choices=sorted(ANALYSES))
    ap.add_argument("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = _bench(args)
    same = len({r.pop("_result") for r in rows}) == 1
    eff = _efficiency(rows)
    load = os.getloadavg()
    if args.json:
        out = {"rows": rows, "identical_results": same, "dask_1_to_2_efficiency": eff}
        print(json.dumps({**out, "cpus": os.cpu_count(), "load_average": load, **vars(args)}))
        return
    print(
        f"{args.design} design, {args.patients} patients, {args.replicates} replicates"
        f"{'' if args.no_null else ' + null'}, analyses={args.analyses}, chunk {args.chunk_size},"
        f" cpus={os.cpu_count()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}"
    )
    print(f"{'executor':9} {'workers':>7} {'cohorts':>7} {'start-up s':>10} {'run s':>7} "
          f"{'cpu s':>7} {'cohorts/s':>9} {'10k+null total s':>16}  runs")  # fmt: skip
    for r in rows:
        print(
            f"{r['executor']:9} {r['workers']:>7} {r['cohorts']:>7} {r['startup_s']:>10} "
            f"{r['run_s']:>7} {r['cpu_s']:>7} {r['cohorts_per_s']:>9} "
            f"{r['target_total_s']:>16}  {r['runs_s']}"
        )
    print(f"identical results across executors: {same}")
    if eff is not None:
        print(f"Dask 1 -> 2 workers efficiency: {eff:.1%} (target >= 90%)")


if __name__ == "__main__":
    main()
