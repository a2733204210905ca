"""The packed-key sort of the event tables equals a plain stable sort, edge values included."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mrdguide.survival._tables import event_table, sorted_codes

times = st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1e-3, 0.5, 1.0, 2.0, 365.25, 1e300])


@given(st.lists(st.tuples(times, st.integers(0, 7)), min_size=1, max_size=40))
def test_sorted_codes_equal_a_plain_sort(rows: list[tuple[float, int]]) -> None:
    """Times come out sorted with their own codes, zeros as +0.0, whatever the span."""
    t = np.array([r[0] for r in rows])
    code = np.array([r[1] for r in rows], dtype=np.int64)
    ts, cs = sorted_codes(t, code, 3)
    order = np.lexsort((code, t))
    np.testing.assert_array_equal(ts, t[order])
    assert not np.any(np.signbit(ts))
    got = sorted(zip(ts.tolist(), cs.tolist(), strict=True))
    assert got == sorted(zip(t[order].tolist(), code[order].tolist(), strict=True))


def test_table_counts_match_a_direct_count() -> None:
    """At-risk and event counts per group and cause equal counting the rows directly."""
    rng = np.random.default_rng(3)
    t = rng.integers(0, 30, 500).astype(float)
    cause, group = rng.integers(0, 3, 500), rng.integers(0, 3, 500)
    tab = event_table(t, cause, group, 3, 2, timefix=False)
    np.testing.assert_array_equal(tab.time, np.unique(t[cause > 0]))
    for g in range(3):
        risk = [np.sum((group == g) & (t >= x)) for x in tab.time]
        np.testing.assert_array_equal(tab.at_risk[g], risk)
        ev = tab.events(g)
        for k in (1, 2):
            direct = [np.sum((group == g) & (t == x) & (cause == k)) for x in tab.time]
            np.testing.assert_array_equal(ev[k - 1], direct)
        assert tab.end[g] == t[group == g].max()
