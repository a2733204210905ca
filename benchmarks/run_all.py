"""One benchmark run: mrdguide against R and its Python peers, printed as ONE table of ratios.

Usage::

    python benchmarks/run_all.py                 # n = 1e6 (what `make bench` runs; minutes)
    python benchmarks/run_all.py --quick         # small n, seconds: a smoke test
    python benchmarks/run_all.py --no-r          # hide R (its cells then say "not measured")
    python benchmarks/run_all.py --json out.json # also keep the raw figures

Sections, all in this one run and printed as rows of one table:

* Kaplan–Meier, log-rank, CIF, CIF + Gray's test, Cox with and without the concordance:
  interleaved rounds against one R process (``benchmarks/survival.py``); lifelines and
  statsmodels once each where they have the estimator.
* Cox peak memory in fresh processes, mrdguide against R ``coxph`` (``benchmarks/cox.py``).
* Fine–Gray against ``cmprsk::crr`` at small sizes (crr is quadratic) and mrdguide alone at
  the big size, with the fitted scaling exponents (``benchmarks/cox.py``).

Nothing is dropped silently: a peer that is missing, hidden or too slow prints "not measured"
with the reason. A missing R is loud: a warning on stderr before and after the run, and the
R cells say why. Progress goes to stderr; the table and its header to stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cox as cox_bench  # sibling scripts, not a package
import survival as surv_bench

LABELS = {
    "km": "Kaplan–Meier + SE, log-log CI (`survfit`)",
    "logrank": "log-rank, 2 groups (`survdiff`)",
    "cif": "CIF + cmprsk variance (`cuminc`)",
    "cif_gray": "CIF by group + Gray's test, one call (`cuminc(group=)`)",
    "cox": "Cox, Efron p = 3, with concordance + SE (`coxph`)",
    "cox_noconc": "Cox, `concordance=False` (vs the same `coxph`)",
}
BIG = 1_000_000  # the targets are set at this n
TARGET = {"km": 10.0, "logrank": 10.0, "cif": 10.0, "cif_gray": 10.0, "cox": 5.0, "cox_noconc": 5.0}
MEMORY_KEYS = ("mrdguide", "mrdguide, concordance=False", "R coxph")
HEAD = ("measure", "n", "mrdguide", "R", "R ÷ mrdguide: minima (median per round, range)",
        "lifelines", "statsmodels", "issue 18 target", "status")  # fmt: skip


def r_status(hide: str) -> tuple[str, str]:
    """(reason R is not measured or "", version string) from one Rscript call."""
    if hide:
        return hide, ""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return "Rscript not found (`make bench` installs it with apt when run as root)", ""
    code = (
        'p <- c("survival", "cmprsk", "jsonlite"); ok <- vapply(p, requireNamespace, TRUE, '
        'quietly = TRUE); if (!all(ok)) cat("MISSING", p[!ok]) else cat(R.version.string, '
        'paste(p, vapply(p, function(x) as.character(packageVersion(x)), ""), collapse = ", "))'
    )
    out = subprocess.run([rscript, "-e", code], capture_output=True, text=True, check=False)
    text = out.stdout.strip()
    if out.returncode != 0 or not text:
        return f"Rscript failed: {out.stderr.strip()[-160:]}", ""
    if text.startswith("MISSING"):
        return "R package(s) missing: " + text.removeprefix("MISSING ").strip(), ""
    return "", text


def versions(r_version: str) -> str:
    """Versions of the tools in this run."""
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__}"]
    for pkg in ("scipy", "mrdguide", "lifelines", "statsmodels"):
        try:
            parts.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{pkg} not installed")
    parts.append(r_version or "R not measured")
    return "; ".join(parts)


def _loud(reason: str) -> None:
    if reason:
        print(f"\n*** WARNING: R NOT MEASURED: {reason} ***\n", file=sys.stderr, flush=True)


def _ratio_cell(ours: list[float], theirs: list[float | None]) -> tuple[str, float, float]:
    """'x× (median y×, lo–hi)' with the minima ratio and the per-round median."""
    pairs = [b / a for a, b in zip(ours, theirs, strict=True) if b is not None]
    rmin = min(v for v in theirs if v is not None) / min(ours)
    med = median(pairs)
    return f"{rmin:.1f}× ({med:.1f}×, {min(pairs):.1f}–{max(pairs):.1f})", rmin, med


def _status(rmin: float, med: float, target: float, n: int) -> str:
    if n < BIG:
        return f"— (target set at n = {BIG:,})"
    if rmin >= target and med >= target:
        return "met"
    if rmin >= target:
        return "met on minima; per-round median below"
    return "**not met**"


def _peer_cell(peer: dict[str, Any], task: str, mine: float) -> str:
    if "reason" in peer:
        return f"not measured ({peer['reason']})"
    if task not in peer:
        return "no such estimator"
    v = peer[task]
    return f"{v:.3f} s ({v / mine:.1f}×)" if isinstance(v, float) else str(v)


def timing_rows(n: int, res: dict[str, Any], peer: dict[str, Any]) -> list[tuple[str, ...]]:
    """Rows for the interleaved tasks, plus KM against one argsort.

    The targets are set at n = 10^6; at smaller n the status says so instead.
    """
    rows = []
    for task in surv_bench.TASKS:
        ours, theirs = res["ours"][task], res["r"][task]
        mine = min(ours)
        vals = [v for v in theirs if v is not None]
        if res["r_reason"] or not vals:
            why = res["r_reason"] or "the R call failed"
            r_cell, ratio, status = f"not measured ({why})", "not measured", "not measured"
        else:
            ratio, rmin, med = _ratio_cell(ours, theirs)
            r_cell, status = f"{min(vals):.3f} s", _status(rmin, med, TARGET[task], n)
        cells = [_peer_cell(peer[p], task, mine) for p in surv_bench.PEERS]
        target = f"≥ {TARGET[task]:g}× R"
        rows.append((LABELS[task], f"{n:,}", f"{mine:.3f} s", r_cell, ratio, *cells, target,
                     status))  # fmt: skip
    km = min(res["ours"]["km"]) / res["argsort"]
    rows.append(("Kaplan–Meier ÷ one `np.argsort` of the times", f"{n:,}",
                 f"{km:.2f}× ({res['argsort']:.3f} s argsort)", "—", "—", "—", "—",
                 "≤ 3× argsort", _status(3 / km, 3 / km, 1.0, n)))  # fmt: skip
    return rows


def memory_row(n: int, mem: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """Peak resident memory during one Cox fit, mrdguide against R."""

    def mib(m: dict[str, Any]) -> float | str:
        if "fit_peak_kib" not in m:
            return f"not measured ({str(m.get('error', '?')).strip()[:90]})"
        return float(m["fit_peak_kib"]) / 1024

    ours, nc, r = mib(mem["mrdguide"]), mib(mem["mrdguide, concordance=False"]), mib(mem["R coxph"])
    mine = f"{ours:.0f} MiB ({nc:.0f} without concordance)" if isinstance(ours, float) else ours
    if isinstance(ours, float) and isinstance(r, float):
        ratio, status = f"{r / ours:.2f} (R ÷ mrdguide)", _status(r / ours, r / ours, 1.0, n)
        r_cell = f"{r:.0f} MiB"
    else:
        r_cell = r if isinstance(r, str) else f"{r:.0f} MiB"
        ratio, status = "—", "not measured"
    return ("Cox peak memory during the fit (fresh process)", f"{n:,}", mine, r_cell, ratio,
            "not measured (not part of this run)", "not measured (not part of this run)",
            "≤ R", status)  # fmt: skip


def fg_rows(fg: tuple[list[dict[str, Any]], dict[str, float]], big: int) -> list[tuple[str, ...]]:
    """Fine–Gray against crr, and the fitted scaling exponents."""
    rows, expo = fg
    out = []
    for row in rows:
        r = row["r"]
        r_cell = f"{r:.2f} s" if isinstance(r, float) else f"not measured ({r})"
        if isinstance(r, str) and "quadratic" in r:
            r_cell = "not run: crr is quadratic in n"
        ratio = f"{r / row['mrdguide']:,.0f}×" if isinstance(r, float) else "—"
        out.append(("Fine–Gray, day-level ties, p = 3 (`crr`)", f"{row['n']:,}",
                    f"{row['mrdguide']:.3f} s", r_cell, ratio, "no such estimator",
                    "no such estimator", "O(n log n)", ""))  # fmt: skip
    ours = {k: v for k, v in expo.items() if k.startswith("mrdguide")}
    theirs = "; ".join(f"{k} {v:.2f}" for k, v in expo.items() if k.startswith("crr"))
    worst = max(ours.values(), default=float("nan"))
    status = "not measured" if not ours else _status(1.25 / worst, 1.25 / worst, 1.0, big)
    out.append(("Fine–Gray fitted scaling exponent (slope of log time on log n)", "—",
                "; ".join(f"{k} {v:.2f}" for k, v in ours.items()), theirs or "not measured",
                "—", "—", "—", "≈ 1 (O(n log n))", status))  # fmt: skip
    return out


def print_table(rows: list[tuple[str, ...]]) -> None:
    """One Markdown table."""
    print("| " + " | ".join(HEAD) + " |")
    print("|" + "---|" * len(HEAD))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """Sizes and repetitions of this run (``--quick``: small, for a smoke test)."""
    if args.quick:
        return {"n": 3_000, "rounds": 2, "mem_n": 3_000, "fg_sizes": [300, 600, 1_200],
                "fg_big": 6_000, "repeats": 1, "budget": 5.0}  # fmt: skip
    return {"n": args.n, "rounds": args.rounds, "mem_n": args.n, "repeats": args.repeats,
            "fg_sizes": args.fg_sizes, "fg_big": args.fg_big, "budget": args.budget}  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every section; progress on stderr."""
    hide = "hidden with --no-r" if args.no_r or os.environ.get("MRDGUIDE_BENCH_NO_R") else ""
    r_reason, r_version = r_status(hide)
    _loud(r_reason)
    cfg = settings(args)
    out: dict[str, Any] = {"cfg": cfg, "r_reason": r_reason, "r_version": r_version}
    out["load_before"] = os.getloadavg()
    use_r = not r_reason
    with contextlib.redirect_stdout(sys.stderr):
        d = surv_bench.make_data(cfg["n"])
        print(f"interleaved rounds at n = {cfg['n']:,} ...", flush=True)
        out["timing"] = surv_bench.interleaved(d, cfg["rounds"], r_reason)
        skip = "skipped with --no-peers" if args.no_peers else ""
        out["peers"] = surv_bench.peers(d, cfg["budget"], skip)
        del d
        print("Cox peak memory ...", flush=True)
        out["memory"] = (
            cox_bench.memory_section(cfg["mem_n"], use_r, r_reason)
            if not args.no_memory
            else {key: {"error": "skipped with --no-memory"} for key in MEMORY_KEYS}
        )
        print("Fine–Gray ...", flush=True)
        out["fg"] = cox_bench.fg_section(
            cfg["fg_sizes"], cfg["fg_big"], cfg["repeats"], use_r, r_reason
        )
    out["load_after"] = os.getloadavg()
    return out


def report(out: dict[str, Any]) -> None:
    """Header lines and the one table."""
    cfg, reason = out["cfg"], out["r_reason"]
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    before, after = out["load_before"][0], out["load_after"][0]
    print(f"Benchmark run {now}; {platform.machine()}, {os.cpu_count()} CPUs; load average "
          f"{before:.2f} at the start, {after:.2f} at the end")  # fmt: skip
    print(versions(out["r_version"]))
    print(f"{cfg['rounds']} interleaved rounds; times are wall-clock minima over the rounds\n")
    rows = timing_rows(cfg["n"], out["timing"], out["peers"])
    rows.append(memory_row(cfg["mem_n"], out["memory"]))
    rows += fg_rows(out["fg"], cfg["fg_big"])
    print_table(rows)
    _loud(reason)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small n: a smoke test in seconds")
    p.add_argument("--n", type=int, default=1_000_000, help="n of the timing and memory rows")
    p.add_argument("--rounds", type=int, default=5, help="interleaved rounds against R")
    p.add_argument("--repeats", type=int, default=2, help="Fine–Gray repeats (best of)")
    p.add_argument("--fg-sizes", type=int, nargs="+", default=[2_500, 5_000, 10_000])
    p.add_argument("--fg-big", type=int, default=1_000_000, help="Fine–Gray size without crr")
    p.add_argument("--budget", type=float, default=60.0, help="seconds one peer call may take")
    p.add_argument("--no-r", action="store_true", help="hide R (also MRDGUIDE_BENCH_NO_R=1)")
    p.add_argument("--no-peers", action="store_true", help="skip lifelines and statsmodels")
    p.add_argument("--no-memory", action="store_true", help="skip the Cox memory processes")
    p.add_argument("--json", type=Path, help="also write the raw figures here")
    args = p.parse_args(argv)
    out = run(args)
    report(out)
    if args.json:
        args.json.write_text(json.dumps(out, default=str, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
