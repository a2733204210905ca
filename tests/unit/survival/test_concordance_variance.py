"""Unit tests of the concordance's time weights and standard error against an O(n^2) oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mrdguide.errors import InputError
from mrdguide.survival import concordance_index


def _time_weight(t: float, s: int, d: dict[str, np.ndarray], timewt: str) -> float:
    """R's timewt at event time t of stratum s, straight from its definition."""
    m = d["strata"] == s
    stop, ev, w = d["stop"][m], d["event"][m], d["w"][m]
    start = d["start"][m] if "start" in d else np.full(stop.size, -np.inf)
    if timewt == "n" or ev.sum() < 2:
        return 1.0

    def n_risk(u: float) -> float:
        return float(np.sum(w[(start < u) & (stop >= u)]))

    surv = cens = 1.0
    for u in np.unique(stop[stop < t]):
        dd = np.sum(w[(stop == u) & (ev == 1)])
        cc = np.sum(w[(stop == u) & (ev == 0)])
        surv *= 1 - dd / n_risk(u)
        cens *= 1 - cc / (n_risk(u) - dd) if cc > 0 else 1.0
    total = float(w.sum())
    if timewt == "S":
        return total * surv / n_risk(t)
    if timewt == "S/G":
        return total * surv / (cens * n_risk(t))
    return 1 / cens**2 if timewt == "n/G2" else 1 / n_risk(t)


def brute(d: dict[str, np.ndarray], timewt: str) -> tuple[float, float]:
    """C and its infinitesimal-jackknife SE by enumerating every comparable pair."""
    n = d["stop"].size
    start = d.get("start", np.full(n, -np.inf))
    inf = np.zeros((n, 3))  # concordant, discordant, tied-in-score shares per row
    tot = np.zeros(3)
    cache: dict[tuple[float, float], float] = {}
    for i in np.flatnonzero(d["event"] == 1):
        t = d["stop"][i]
        key = (t, d["strata"][i])
        if key not in cache:
            cache[key] = _time_weight(t, d["strata"][i], d, timewt)
        tw = cache[key]
        for j in range(n):
            if j == i or d["strata"][j] != d["strata"][i] or not (start[j] < t <= d["stop"][j]):
                continue
            if d["stop"][j] == t and d["event"][j] == 1:
                continue
            k = 0 if d["x"][i] > d["x"][j] else 1 if d["x"][i] < d["x"][j] else 2
            tot[k] += d["w"][i] * d["w"][j] * tw
            inf[i, k] += d["w"][j] * tw
            inf[j, k] += d["w"][i] * tw
    npair = tot.sum()
    if npair == 0:
        return float("nan"), float("nan")
    somers = (tot[0] - tot[1]) / npair
    dfb = d["w"] * ((inf[:, 0] - inf[:, 1]) - inf.sum(axis=1) * somers) / (2 * npair)
    if "cluster" in d:
        dfb = np.bincount(d["cluster"].astype(int), weights=dfb)
    return (tot[0] + tot[2] / 2) / npair, float(np.sqrt(np.sum(dfb**2)))


@settings(max_examples=30, deadline=None)
@given(
    st.integers(8, 25).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(1, 8), min_size=n, max_size=n),
            st.lists(st.integers(0, 1), min_size=n, max_size=n),
            st.lists(st.integers(0, 4), min_size=n, max_size=n),
            st.lists(st.integers(0, 1), min_size=n, max_size=n),
            st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=n, max_size=n),
            st.lists(st.integers(0, 5), min_size=n, max_size=n),
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
        )
    ),
    st.sampled_from(["n", "S", "S/G", "n/G2", "I"]),
    st.booleans(),
)
def test_matches_brute_force(data: tuple, timewt: str, with_entry: bool) -> None:
    """Counts, C and SE equal the pair enumeration (weights, strata, clusters, entry)."""
    stop, event, x, strata, w, cl, gap = (np.asarray(v, dtype=float) for v in data)
    d = {"stop": stop, "event": event, "x": x, "strata": strata, "w": w, "cluster": cl}
    kw: dict = {}
    if with_entry:
        if timewt in ("S/G", "n/G2"):
            timewt = "I"
        d["start"] = np.maximum(stop - 1 - gap, 0.0)
        kw["entry"] = d["start"]
    if event.sum() == 0:
        return
    c, se = brute(d, timewt)
    res = concordance_index(
        stop, event, x, strata=strata, weights=w, cluster=cl, timewt=timewt, **kw
    )
    if np.isnan(c):
        assert np.isnan(res.concordance)
        return
    np.testing.assert_allclose(res.concordance, c, rtol=1e-10)
    np.testing.assert_allclose(res.std_err, se, rtol=1e-9, atol=1e-14)


def test_uno_needs_right_censored_data() -> None:
    """S/G and n/G2 are refused with entry times, as in R; unknown weights are refused."""
    t = np.arange(1.0, 11.0)
    e = np.ones(10)
    with pytest.raises(InputError, match="timewt"):
        concordance_index(t, e, t, entry=t - 0.5, timewt="n/G2")
    with pytest.raises(InputError, match="timewt"):
        concordance_index(t, e, t, timewt="uno")
