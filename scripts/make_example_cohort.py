"""Generate the shipped synthetic example cohort (seeded; re-running reproduces it exactly).

Writes ``src/mrdguide/examples/cohort/``:

* ``cohort_wide.csv``: one row per patient (the wide import layout);
* ``long/patients.csv``, ``long/genetics.csv``, ``long/mrd.csv``, ``long/events.csv``: the
  same patients as linked long tables.

Every value is drawn from a seeded random generator. The ids (``SYN-0001`` ...) and all
values are synthetic: there is no real patient here. Distributions are only loosely
plausible for childhood ALL and must not be used for any inference.

Usage::

    python scripts/make_example_cohort.py [--n 40] [--seed 20261123]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from mrdguide.domain import Case, case_from_dict, case_to_dict
from mrdguide.io import write_cohort

OUT = Path(__file__).resolve().parents[1] / "src" / "mrdguide" / "examples" / "cohort"
B_LESIONS = (
    (0.25, ["ETV6::RUNX1"]),
    (0.27, ["hyperdiploidy"]),
    (0.04, ["BCR::ABL1"]),
    (0.04, ["KMT2A::AFF1"]),
    (0.05, ["TCF3::PBX1"]),
    (0.03, ["iAMP21"]),
    (0.03, ["DUX4-r"]),
)


def _choice(rng: np.random.Generator, options: list[Any], p: list[float]) -> Any:
    return options[int(rng.choice(len(options), p=p))]


def _genetics(rng: np.random.Generator, lineage: str) -> dict[str, Any]:
    lesions: list[str] = []
    if lineage == "B":
        u, acc = rng.random(), 0.0
        for prob, names in B_LESIONS:
            acc += prob
            if u < acc:
                lesions = list(names)
                break
    hyper = "hyperdiploidy" in lesions
    trisomies = sorted(rng.choice([4, 6, 10, 14, 17, 18, 21], size=5, replace=False).tolist())
    g: dict[str, Any] = {
        "lesions": lesions,
        "modal_chromosome_number": int(rng.integers(52, 62)) if hyper else 46,
        "dna_index": round(float(rng.uniform(1.16, 1.3)), 2) if hyper else 1.0,
        "copy_number": {
            "IKZF1": "deleted" if rng.random() < 0.15 else "normal",
            "CDKN2A": "deleted" if rng.random() < 0.25 else "normal",
        },
    }
    if hyper:
        g["trisomies"] = [int(t) for t in trisomies]
    return g


def _mrd(rng: np.random.Generator, timepoint: str, day: int, log_mean: float) -> dict[str, Any]:
    method = "pcr" if timepoint == "eoc" or rng.random() < 0.5 else "flow"
    sens, qr = (1e-5, 1e-4) if method == "pcr" else (1e-4, None)
    level = float(10 ** rng.normal(log_mean, 1.2))
    m: dict[str, Any] = {"timepoint": timepoint, "day": day, "tissue": "bm", "method": method}
    m["sensitivity"] = sens
    if qr is not None:
        m["quantitative_range"] = qr
        m["markers"] = 2
    if level < sens:
        m["status"] = "negative"
    elif qr is not None and level < qr:
        m |= {"status": "positive_nq", "level": float(f"{level:.2g}")}
    else:
        m |= {"status": "positive", "level": float(f"{min(level, 0.9):.2g}")}
    return m


def _outcomes(rng: np.random.Generator, eoi_log: float, no_cr: bool) -> list[dict[str, Any]]:
    follow_up = int(rng.integers(900, 3650))
    events: list[dict[str, Any]] = []
    if no_cr:
        events.append({"kind": "induction_failure", "day": 33})
    relapse_p = 0.12 + 0.15 * max(0.0, eoi_log + 4)
    if rng.random() < relapse_p:
        day = int(rng.integers(250, min(follow_up, 2400)))
        site = _choice(rng, ["bm", "cns", "combined"], [0.7, 0.2, 0.1])
        events.append({"kind": "relapse", "day": day, "relapse_site": site})
        if rng.random() < 0.4:
            follow_up = day + int(rng.integers(60, 500))
            events.append({"kind": "death", "day": follow_up, "in_remission": False})
    elif rng.random() < 0.03:
        follow_up = int(rng.integers(60, 700))
        events.append({"kind": "death", "day": follow_up, "in_remission": True})
    events.append({"kind": "last_follow_up", "day": follow_up})
    return events


def make_case(rng: np.random.Generator, i: int) -> Case:
    """One synthetic case."""
    lineage = "T" if rng.random() < 0.15 else "B"
    sex = "male" if rng.random() < 0.55 else "female"
    no_cr = rng.random() < 0.03
    eoi_log = float(rng.normal(-4.2 + (0.7 if lineage == "T" else 0.0), 1.0))
    dx = dt.date(2015, 1, 1) + dt.timedelta(days=int(rng.integers(0, 5 * 365)))
    doc: dict[str, Any] = {
        "patient_id": f"SYN-{i:04d}",
        "age_years": round(float(np.clip(rng.gamma(2.2, 2.4) + 1, 1.0, 17.9)), 1),
        "sex": sex,
        "immunophenotype": lineage,
        "wbc_per_ul": float(round(float(np.clip(10 ** rng.normal(4.0, 0.6), 900, 450_000)), -2)),
        "cns_status": _choice(rng, ["CNS1", "CNS2", "CNS3"], [0.85, 0.1, 0.05]),
        "testicular_involvement": bool(rng.random() < 0.03) if sex == "male" else None,
        "steroid_pretreatment": bool(rng.random() < 0.05),
        "down_syndrome": bool(rng.random() < 0.03),
        "day8_pb_blasts_per_ul": float(round(float(10 ** rng.normal(2.3, 0.9)), 0)),
        "induction_outcome": "no_cr" if no_cr else "cr",
        "diagnosis_date": dx.isoformat(),
        "genetics": _genetics(rng, lineage),
    }
    mrd = []
    if rng.random() < 0.6:
        mrd.append(_mrd(rng, "day15", int(rng.integers(14, 17)), eoi_log + 2))
    if rng.random() < 0.95:
        mrd.append(_mrd(rng, "eoi", int(rng.integers(29, 36)), eoi_log))
    if rng.random() < 0.85:
        mrd.append(_mrd(rng, "eoc", int(rng.integers(76, 82)), eoi_log - 1.2))
    doc["mrd"] = mrd
    eoi = next((m for m in mrd if m["timepoint"] == "eoi"), None)
    if eoi is not None and eoi.get("level", 0) >= 1e-3:
        doc["treatments"] = [
            {"kind": "intensification", "day": 90, "triggered_by": "eoi", "phase": "consolidation"}
        ]
    doc["outcomes"] = _outcomes(rng, eoi_log, no_cr)
    return case_from_dict(doc)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    def cell(v: Any) -> str:
        if v is None:
            return ""
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return ";".join(map(str, v))
        return repr(v) if isinstance(v, float) else str(v)

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(columns)
        w.writerows([cell(r.get(c)) for c in columns] for r in rows)


def write_long(cases: list[Case], out: Path) -> None:
    """Write ``cases`` as linked long tables into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    docs = [case_to_dict(c) for c in cases]
    p_cols = [k for k in docs[0] if k not in {"genetics", "mrd", "treatments", "outcomes"}]
    p_cols = ["patient_id", *sorted(set().union(*docs) & set(p_cols) - {"patient_id"})]
    _write_csv(out / "patients.csv", p_cols, docs)
    genes = sorted({g for d in docs for g in d.get("genetics", {}).get("copy_number", {})})
    g_rows = [
        {"patient_id": d["patient_id"], **d["genetics"]}
        | {f"cn_{g}": s for g, s in d["genetics"].get("copy_number", {}).items()}
        for d in docs
        if "genetics" in d
    ]
    g_cols = ["patient_id", "lesions", "modal_chromosome_number", "dna_index", "trisomies"]
    _write_csv(out / "genetics.csv", g_cols + [f"cn_{g}" for g in genes], g_rows)
    m_cols = ["patient_id", "timepoint", "day", "tissue", "method", "status", "level",
              "sensitivity", "quantitative_range", "markers"]  # fmt: skip
    _write_csv(
        out / "mrd.csv",
        m_cols,
        [{"patient_id": d["patient_id"], **m} for d in docs for m in d.get("mrd", [])],
    )
    e_cols = ["patient_id", "kind", "day", "relapse_site", "in_remission", "phase", "triggered_by"]
    events = [
        {"patient_id": d["patient_id"], **e}
        for d in docs
        for e in sorted([*d.get("treatments", []), *d.get("outcomes", [])], key=lambda e: e["day"])
    ]
    _write_csv(out / "events.csv", e_cols, events)


def main() -> None:
    """Generate the cohort."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    cases = [make_case(rng, i) for i in range(1, args.n + 1)]
    args.out.mkdir(parents=True, exist_ok=True)
    write_cohort(cases, args.out / "cohort_wide.csv")
    write_long(cases, args.out / "long")


if __name__ == "__main__":
    main()
