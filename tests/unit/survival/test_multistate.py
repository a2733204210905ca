"""aalen_johansen: special cases against the other estimators, and the data checks."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import aalen_johansen, cumulative_incidence, kaplan_meier


def competing(seed: int, n: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Tied times with causes 0 (censored), 1, 2."""
    rng = np.random.default_rng(seed)
    t = rng.integers(1, 25, n).astype(float)
    c = rng.integers(0, 3, n)
    return t, c


@pytest.mark.parametrize("seed", [1, 2])
def test_one_row_per_subject_is_the_cif(seed: int) -> None:
    """Competing risks: pstate of each cause is the Aalen–Johansen CIF, the start state KM."""
    t, c = competing(seed)
    occ = aalen_johansen(t, c, states=["(s0)", 1, 2])
    ci = cumulative_incidence(t, c)
    for k in (1, 2):
        np.testing.assert_allclose(occ.pstate[:, k], ci.at(occ.time, cause=k), rtol=1e-12)
    km = kaplan_meier(t, c > 0)
    np.testing.assert_allclose(occ.pstate[:, 0], km.at(occ.time), rtol=1e-12)
    np.testing.assert_allclose(occ.pstate.sum(axis=1), 1.0, rtol=1e-13)


def test_two_states_se_is_robust_km_se() -> None:
    """Alive -> dead with unit weights: the SE is KM's infinitesimal-jackknife SE."""
    t, c = competing(3)
    occ = aalen_johansen(t, (c > 0).astype(int), states=["(s0)", 1])
    km = kaplan_meier(t, c > 0, robust=True)
    np.testing.assert_allclose(occ.std_err[:, 0], km.std_err, rtol=1e-10, atol=1e-15)


def test_split_rows_give_the_same_answer() -> None:
    """Splitting a subject's interval at a censoring-free time changes nothing but n_censored."""
    t, c = competing(4, n=30)
    base = aalen_johansen(t, c, states=["(s0)", 1, 2])
    cut = 10.0
    long = t > cut
    stop = np.concatenate([np.where(long, cut, t), t[long]])
    start = np.concatenate([np.zeros(t.size), np.full(long.sum(), cut)])
    to = np.concatenate([np.where(long, 0, c), c[long]])
    ids = np.concatenate([np.arange(t.size), np.flatnonzero(long)])
    split = aalen_johansen(stop, to, start=start, id=ids, states=["(s0)", 1, 2])
    np.testing.assert_allclose(split.at(base.time, 1), base.pstate[:, 1], rtol=1e-12)
    np.testing.assert_allclose(split.at(base.time, 2), base.pstate[:, 2], rtol=1e-12)
    json.dumps(split.to_dict(), allow_nan=True)


def test_at_rules() -> None:
    """p0 before the first time, NaN after the last unless extend; unknown states refused."""
    occ = aalen_johansen([2.0, 3.0, 5.0], [1, 0, 1], states=["(s0)", 1])
    assert occ.at(1.0, "(s0)") == 1.0
    assert occ.at(5.0, 1) == 1.0
    assert np.isnan(occ.at(6.0, 1))
    assert occ.at(6.0, 1, extend=True) == 1.0
    with pytest.raises(InputError, match="state"):
        occ.at(1.0, "nope")


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"start": [0, 6, 0], "id": [1, 1, 2]}, "gap"),
        ({"start": [0, 4, 0], "id": [1, 1, 2]}, "overlapping"),
        ({"start": [0, 5, 0]}, "id"),
        ({"start": [0, 5, 0], "id": [1, 1, 2], "from_state": ["a", "a", "a"]}, "teleport"),
        ({"start": [0, 5, 0], "id": [1, 1, 2], "weights": [1.0, 2.0, 1.0]}, "vary"),
        ({"states": ["(s0)", "b"]}, "states"),
        ({"conf_type": "logit"}, "conf_type"),
    ],
)
def test_data_checks(kw: dict[str, object], match: str) -> None:
    """R's survcheck rules and argument checks raise InputError."""
    with pytest.raises(InputError, match=match):
        aalen_johansen([5.0, 9.0, 7.0], ["b", "c", 0], **kw)  # type: ignore[arg-type]


def test_mixed_label_types_need_states() -> None:
    """Labels that cannot be sorted together need an explicit order."""
    with pytest.raises(InputError, match="states="):
        aalen_johansen([1.0, 2.0], ["x", 3])
