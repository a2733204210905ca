"""The rule that decided an interpreted MRD result, in words (web preview, before saving).

Reads the assay document (:meth:`MRDOutcome.to_dict`) only; the rules themselves live in
:mod:`mrdguide.mrd` (flow: events against the LOD/LLOQ event counts; RQ-PCR: EuroMRD criteria,
highest marker decides; NGS: templates of the tracked index clones, highest clone decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mrdguide.domain.display import format_mrd, format_mrd_threshold, format_number
from mrdguide.domain.labels import label

__all__ = ["decision_lines"]


def _status(doc: Mapping[str, Any]) -> str:
    return str(doc.get("measurement", {}).get("status", ""))


def _flow(doc: Mapping[str, Any]) -> list[str]:
    ev, cells = int(doc.get("events", 0)), int(doc.get("cells", 0))
    lod_ev, lloq_ev = doc.get("lod_events"), doc.get("lloq_events")
    lod, lloq = format_mrd_threshold(doc.get("lod")), format_mrd_threshold(doc.get("lloq"))
    level = format_mrd(doc.get("measurement", {}).get("level"))
    seen = f"{format_number(ev)} leukaemic events in {format_number(cells)} cells"
    status = _status(doc)
    if status == "negative":
        return [
            f"{seen}: fewer than the {lod_ev} events needed for detection (LOD {lod}) "
            f"→ negative below {lod}"
        ]
    if status == "positive_nq":
        return [
            f"{seen}: at least {lod_ev} events (LOD {lod}) but fewer than {lloq_ev} "
            f"(LLOQ {lloq}) → positive, not quantifiable (estimate {level})"
        ]
    return [f"{seen}: at least {lloq_ev} events (LLOQ {lloq}) → positive, quantifiable, {level}"]


def _ct(v: Any) -> str:
    return "–" if v is None else f"{float(v):.2f}"


def _pcr(doc: Mapping[str, Any]) -> list[str]:
    chosen = doc.get("selected_marker")
    lines = []
    for m in doc.get("markers", []):
        mm = m.get("measurement", {})
        words = label("mrd_status", mm.get("status"))
        cts = ", ".join(_ct(c) for c in m.get("follow_up_cts", []))
        limit = _ct(m.get("qr_ct_limit"))
        decides = " — decides (highest marker result, EuroMRD)" if m.get("marker") == chosen else ""
        lines.append(
            f"marker {m.get('marker')}: follow-up Ct {cts} (mean {_ct(m.get('mean_ct'))}; "
            f"quantitative-range limit Ct {limit}) → {words}{decides}"
        )
    return lines or ["no marker on the plate could be evaluated → not evaluable"]


def _ngs(doc: Mapping[str, Any]) -> list[str]:
    cells = format_number(doc.get("cell_equivalents"))
    lod, lloq = format_mrd_threshold(doc.get("lod")), format_mrd_threshold(doc.get("lloq"))
    lines = [
        f"{cells} cell equivalents ({doc.get('cell_source', 'given')}): LOD {lod}, LLOQ {lloq}"
    ]
    for c in doc.get("clones", []):
        mm = c.get("measurement", {})
        lines.append(
            f"index clone {c.get('locus')} {c.get('v_call')}: {format_number(c.get('templates'))} "
            f"templates → {label('mrd_status', mm.get('status'))}, {format_mrd(mm.get('level'))}"
        )
    lines.append("the highest clone result decides")
    return lines


def decision_lines(doc: Mapping[str, Any]) -> list[str]:
    """Why the result reads as it does, one line per rule or marker, then any warnings."""
    assay = str(doc.get("assay", ""))
    if assay.startswith("flow"):
        lines = _flow(doc)
    elif assay == "pcr":
        lines = _pcr(doc)
    elif assay == "ngs":
        lines = _ngs(doc)
    else:
        lines = []
    warnings = doc.get("measurement", {}).get("warnings", [])
    return lines + [f"warning: {w}" for w in warnings]
