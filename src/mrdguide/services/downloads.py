"""Tables as CSV or Parquet downloads, and the statistician's background work (web app).

Downloads are built in memory (and, for a cohort export, in a private temporary folder that is
deleted at once); nothing lands in a folder a user names.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

from mrdguide.services.analyze import OutcomeTable
from mrdguide.services.jobs import Progress
from mrdguide.services.registry import export_cohort
from mrdguide.services.report import Report, cohort_report
from mrdguide.services.simulate import TrialRequest, run_trial_request
from mrdguide.simulate import TrialResult
from mrdguide.store import Registry

__all__ = [
    "MEDIA_TYPES",
    "TableFormat",
    "cohort_export_bytes",
    "cohort_report_work",
    "outcome_rows",
    "table_bytes",
    "trial_rows",
    "trial_work",
]

TableFormat = Literal["csv", "parquet"]
MEDIA_TYPES: Mapping[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula (OWASP CSV injection)."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def table_bytes(rows: Sequence[Mapping[str, Any]], fmt: TableFormat) -> bytes:
    """``rows`` (one dict per row, same keys) as CSV (UTF-8) or Parquet bytes."""
    import pandas as pd

    frame = pd.DataFrame([{k: _cell(v) for k, v in r.items()} for r in rows])
    if fmt == "parquet":
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        return buf.getvalue()
    return frame.to_csv(index=False).encode("utf-8")


def outcome_rows(table: OutcomeTable) -> list[dict[str, Any]]:
    """One row per group of an outcome table, with the table's test repeated on each row."""
    common = {
        "endpoint": table.endpoint,
        "grouping": table.grouping,
        "horizon_days": table.horizon_days,
        "landmark_day": table.landmark_day,
        "test": table.test,
        "statistic": table.statistic,
        "p_value": table.p_value,
    }
    return [common | asdict(r) for r in table.rows]


def trial_rows(result: TrialResult) -> list[dict[str, Any]]:
    """One row per analysis of an in-silico trial (operating characteristics)."""
    common = {
        "design": result.design.kind,
        "replicates": result.replicates,
        "seed": result.seed,
        "true_log_hr": result.true_log_hr,
    }
    return [common | asdict(a) for a in result.analyses]


def cohort_export_bytes(reg: Registry, fmt: TableFormat) -> bytes:
    """Every registered case (authorised versions) in the wide import layout."""
    with tempfile.TemporaryDirectory(prefix="mrdguide-export-") as tmp:
        path = export_cohort(reg, Path(tmp) / f"cohort.{fmt}").path
        return path.read_bytes()


def trial_work(req: TrialRequest) -> Callable[[Progress], TrialResult]:
    """The work of a trial job: run ``req`` on its executor, reporting replicates done."""

    def work(progress: Progress) -> TrialResult:
        progress(0, req.total_runs)
        return run_trial_request(req, progress=progress)

    return work


def cohort_report_work(
    registry: Callable[[], Registry],
    *,
    primary: str,
    protocols: Sequence[str],
    generated: str,
    version: str,
    pdf: bool,
) -> Callable[[Progress], Report]:
    """The work of a cohort-report job (a unit of work of its own, in the job's thread)."""

    def work(progress: Progress) -> Report:
        progress(0, 1)
        rep = cohort_report(
            registry(),
            primary=primary,
            protocols=protocols,
            generated=generated,
            version=version,
            pdf=pdf,
        )
        progress(1, 1)
        return rep

    return work
