"""MRD result versions in words: the history table, what is pending review, and which record
versions an assessment used (patient page, patient report)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mrdguide.domain import ReviewState
from mrdguide.domain.display import format_mrd_result
from mrdguide.domain.labels import label
from mrdguide.store import MRDVersion, Registry

__all__ = ["HistoryRow", "history_rows", "mrd_history_rows", "pending_rows", "records_used"]


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryRow:
    """One version of one MRD result, in words."""

    key: str
    sample: str
    version: int
    result: str
    review_state: str
    used: bool
    record: Mapping[str, Any]


def _result_text(v: MRDVersion) -> str:
    m = v.measurement
    return format_mrd_result(str(m.get("status")), m.get("level"), m.get("sensitivity"))


def history_rows(versions: Sequence[MRDVersion], used: Mapping[str, int]) -> tuple[HistoryRow, ...]:
    rows = []
    for v in versions:
        sample = (
            f"{label('timepoint_short', v.timepoint)}, {label('tissue', v.tissue)}, "
            f"{label('method', v.method)}"
        )
        rows.append(
            HistoryRow(
                key=v.key,
                sample=sample,
                version=v.version,
                result=_result_text(v),
                review_state=v.review_state.value,
                used=used.get(v.key) == v.version,
                record=v.to_dict(),
            )
        )
    return tuple(rows)


def pending_rows(history: Sequence[HistoryRow]) -> tuple[HistoryRow, ...]:
    """The newest version of each result when it is not authorised (not used)."""
    newest: dict[str, HistoryRow] = {}
    for h in history:
        newest[h.key] = h
    return tuple(h for h in newest.values() if h.review_state != ReviewState.AUTHORISED.value)


def records_used(
    case_version: int | None, history: Sequence[HistoryRow]
) -> tuple[tuple[str, str], ...]:
    """The record versions an assessment used, and the newer ones it did not, in words.

    Assessments use authorised versions (unless a caller chose the latest view, and then the
    state of each version used is named); a newer version awaiting review is named as not used.
    """
    case = "no authorised version" if case_version is None else f"version {case_version}, used"
    lines = [("Case record", case)]
    lines += [(h.sample, f"version {h.version}, {h.review_state}, used") for h in history if h.used]
    lines += [
        (h.sample, f"version {h.version}, {h.review_state}, not used until authorised")
        for h in pending_rows(history)
        if not h.used
    ]
    return tuple(lines)


def mrd_history_rows(reg: Registry, patient_id: str) -> tuple[int | None, tuple[HistoryRow, ...]]:
    """The authorised case version and every MRD version of one patient, in words."""
    with reg.transaction(write=False):
        view = reg.case_view(patient_id)
        versions = reg.mrd_history(patient_id)
    return view.case_version, history_rows(versions, view.mrd_versions)
