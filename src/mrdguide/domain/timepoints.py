"""Plausible sample days of each case-format time point (days since diagnosis).

These are wide plausibility windows that catch a sample filed under the wrong time point (a
"day 15" sample on day 40, an "end of induction" sample on day 20). They are not protocol
windows: each rule file carries its own, narrower windows and reports samples outside them as
caveats. Bounds are inclusive (``lo <= day <= hi``).

Evidence: the nominal days of the shipped protocols [V: docs/sources.md — AIEOP-BFM ALL
2000/2009 day 8, 15, 33, 78; UKALL2003/2011 day 29, week 11/14; COG day 8, 29, end of
consolidation; St Jude Total XV/XVI day 15/19, 42/46; DCOG ALL10 day 33, 79; NOPHO ALL2008
day 15, 29, 79]; the margins around them (delayed or early sampling) are a design choice [R],
wide enough for every protocol's own window.
"""

from __future__ import annotations

from mrdguide.domain.enums import Timepoint

#: ``Timepoint -> (first day, last day)``, inclusive.
TIMEPOINT_DAYS: dict[Timepoint, tuple[int, int]] = {
    Timepoint.DAY8: (5, 12),  # day 8 prednisone response / COG day-8 blood
    Timepoint.DAY15: (10, 22),  # day 15 (BFM FCM, St Jude XVI, NOPHO)
    Timepoint.DAY19: (15, 26),  # day 19 (St Jude XV)
    Timepoint.EOI: (24, 56),  # day 29 (UK, COG, NOPHO), 33 (BFM, DCOG), 42/46 (St Jude)
    Timepoint.EOC: (56, 140),  # day 78/79 (BFM, DCOG), week 11/14 (UK), COG end of consolidation
    Timepoint.POST_IM1: (90, 365),  # after interim maintenance 1 (Asan, COG)
    Timepoint.POST_DI1: (120, 540),  # after delayed intensification 1
    Timepoint.PRE_MAINTENANCE: (120, 730),  # before maintenance
}

__all__ = ["TIMEPOINT_DAYS"]
