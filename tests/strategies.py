"""Hypothesis strategies shared by the property tests: survival data, MRD levels, scores."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st


@st.composite
def cohorts(draw: st.DrawFn, max_cause: int = 1, groups: int = 1) -> dict[str, np.ndarray]:
    """Small cohorts with integer (heavily tied) times, codes 0..max_cause and group labels."""
    n = draw(st.integers(2, 40))
    ints = st.lists(st.integers(0, 12), min_size=n, max_size=n)
    time = np.array(draw(ints), dtype=float)
    code = np.array(draw(st.lists(st.integers(0, max_cause), min_size=n, max_size=n)))
    group = np.array(draw(st.lists(st.integers(0, groups - 1), min_size=n, max_size=n)))
    seed = draw(st.integers(0, 2**32 - 1))
    return {"time": time, "code": code, "group": group, "seed": np.array(seed)}


@st.composite
def near_tied_times(draw: st.DrawFn) -> np.ndarray:
    """Sorted times where some values differ from others only in their last bits."""
    base = draw(st.lists(st.integers(0, 400), min_size=2, max_size=60))
    scale = draw(st.sampled_from([1.0, 365.25, 1e-3, 7.0]))
    jitter = draw(st.lists(st.integers(-3, 3), min_size=len(base), max_size=len(base)))
    t = np.array(base, dtype=float) / scale
    t = t * (1.0 + np.array(jitter) * np.finfo(float).eps * 4)
    return np.sort(np.abs(t))


#: MRD levels as fractions of nucleated cells (never percent), from 1e-7 to 1.
mrd_fractions = st.floats(1e-7, 1.0, allow_nan=False)
#: Assay sensitivities (fractions), from 1e-6 to 1e-2.
sensitivities = st.floats(1e-6, 1e-2, allow_nan=False)
#: (time, cause 0..2, score) rows; scores on a 1/100 grid so that a monotone transform of the
#: scores cannot merge distinct floats.
scored_survival_rows = st.lists(
    st.tuples(st.integers(1, 60), st.integers(0, 2), st.integers(0, 100).map(lambda k: k / 100)),
    min_size=2,
    max_size=60,
)
