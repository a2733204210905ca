"""The patient list, searched and paged on the server (web app and ``GET /api/v1/patients``).

Only the page asked for is read: the matching ids come from one indexed query, and the case
views of the page's patients from one batched read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.domain import TIMEPOINT_ORDER
from mrdguide.errors import InputError
from mrdguide.store import PatientSummary, Registry
from mrdguide.store._records import load_versions
from mrdguide.store.tables import PatientRow

__all__ = ["MAX_PAGE_SIZE", "MAX_SEARCH_LENGTH", "PatientListPage", "patient_list"]

MAX_PAGE_SIZE = 200
MAX_SEARCH_LENGTH = 64
_RANK = {tp: i for i, tp in enumerate(TIMEPOINT_ORDER)}


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientListPage:
    """One page of the (searched) patient list."""

    items: tuple[PatientSummary, ...]
    total: int
    limit: int
    offset: int
    search: str | None

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.offset + len(self.items) < self.total

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary with the research-use notice."""
        return {
            "items": [p.to_dict() for p in self.items],
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "search": self.search,
            "disclaimer": SHORT_DISCLAIMER,
        }


def _check(search: str | None, limit: int, offset: int) -> str | None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise InputError(
            f"limit must be 1–{MAX_PAGE_SIZE}",
            field="limit",
            value=limit,
            rule=f"1 <= limit <= {MAX_PAGE_SIZE}",
        )
    if offset < 0:
        raise InputError("offset must be >= 0", field="offset", value=offset, rule="offset >= 0")
    text = (search or "").strip()
    if len(text) > MAX_SEARCH_LENGTH:
        raise InputError(
            "search text is too long",
            field="search",
            value=text[:20] + "…",
            rule=f"at most {MAX_SEARCH_LENGTH} characters",
        )
    return text or None


def patient_list(
    reg: Registry, *, search: str | None = None, limit: int = 25, offset: int = 0
) -> PatientListPage:
    """The patients whose id contains ``search``, ``limit`` at a time from ``offset``.

    Raises
    ------
    InputError
        For a page size outside 1–200, a negative offset or an over-long search text.
    """
    text = _check(search, limit, offset)
    with reg.transaction(write=False) as s:
        ids = reg.patient_ids(search=text)
        page = ids[offset : offset + limit]
        rows = list(s.scalars(select(PatientRow).where(PatientRow.patient_id.in_(page))))
        rows.sort(key=lambda r: r.patient_id)
        views = [pv.view("authorised") for pv in load_versions(s, rows)]
    items = []
    for v in views:
        c, p = v.case, v.case.patient
        tps = sorted({m.timepoint for m in c.mrd}, key=_RANK.__getitem__)
        items.append(
            PatientSummary(
                patient_id=p.patient_id,
                age_years=p.age_years,
                sex=None if p.sex is None else p.sex.value,
                immunophenotype=None if p.immunophenotype is None else p.immunophenotype.value,
                wbc_per_ul=p.wbc_per_ul,
                nci_risk=p.nci_risk,
                has_genetics=c.genetics is not None,
                mrd_timepoints=tuple(tp.value for tp in tps),
                n_outcomes=len(c.outcomes),
                n_drafts=len(v.drafts),
            )
        )
    return PatientListPage(
        items=tuple(items), total=len(ids), limit=limit, offset=offset, search=text
    )
