"""counting_process / survsplit: invariants and input errors (R checks: reference tests)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from mrdguide.errors import InputError
from mrdguide.survival import counting_process, kaplan_meier, survsplit


def cohort(seed: int, n: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Tied follow-up times with events."""
    rng = np.random.default_rng(seed)
    return rng.integers(1, 40, n).astype(float), rng.integers(0, 2, n)


def test_split_keeps_follow_up_and_the_km_curve() -> None:
    """Pieces tile each subject's follow-up; KM on (start, stop] rows equals plain KM."""
    t, e = cohort(1)
    sp = survsplit(t, e, [5, 10.5, 20])
    np.testing.assert_allclose(np.bincount(sp.row, weights=sp.stop - sp.start), t)
    assert np.bincount(sp.row, weights=sp.event).tolist() == e.tolist()
    a = kaplan_meier(t, e)
    b = kaplan_meier(sp.stop, sp.event, entry=sp.start)
    np.testing.assert_allclose(b.at(a.time), a.survival, rtol=1e-13)


def test_added_columns_survive_later_splits() -> None:
    """A tdc added first is copied to the pieces of a later split; event columns are not."""
    cp = counting_process(["a", "b"], [10.0, 20.0], [1, 0])
    cp = cp.add_tdc(["a", "b"], [4.0, 12.0], [7.0, 8.0], name="x", initial=-1.0)
    cp = cp.add_event(["b"], [15.0], name="ev")
    cp = cp.split([2.0])
    np.testing.assert_array_equal(cp.start, [0, 2, 4, 0, 2, 12, 15])
    np.testing.assert_array_equal(cp.column("x"), [-1, -1, 7, -1, -1, 8, 8])
    np.testing.assert_array_equal(cp.column("ev"), [0, 0, 0, 0, 0, 1, 0])
    np.testing.assert_array_equal(cp.event, [0, 0, 1, 0, 0, 0, 0])
    assert cp.names == ("x", "ev", "episode") and cp.events == ("ev",)
    assert cp.notes[0].startswith("x: 2 inside follow-up, 0 at/before its start")
    json.dumps(cp.to_dict(), allow_nan=True)


def test_start_times_and_notes() -> None:
    """A start time moves the base interval; early changes apply from it; notes count them."""
    cp = counting_process([1, 2], [50.0, 60.0], [0, 1], start=[10.0, 0.0])
    cp = cp.add_tdc([1, 1, 2, 9], [5.0, 70.0, 30.0, 1.0], [1.0, 2.0, 3.0, 4.0], name="z")
    np.testing.assert_array_equal(cp.start, [10, 0, 30])
    np.testing.assert_array_equal(cp.column("z"), [1, np.nan, 3])
    assert cp.notes[0].startswith("z: 1 inside follow-up, 1 at/before its start")
    assert "1 with unknown id" in cp.notes[0]


@pytest.mark.parametrize(
    ("args", "kw"),
    [
        (([1, 1], [5.0, 6.0]), {}),
        (([1, 2], [5.0, 6.0]), {"start": [5.0, 0.0]}),
        (([1, 2], [5.0, -6.0]), {}),
    ],
)
def test_base_errors(args: tuple[list[float], list[float]], kw: dict[str, list[float]]) -> None:
    """Duplicate ids, start >= stop and negative times are refused."""
    with pytest.raises(InputError):
        counting_process(*args, **kw)


def test_column_errors() -> None:
    """Unknown or duplicate column names and non-finite cuts are refused."""
    cp = counting_process([1], [5.0]).add_tdc([1], [2.0], name="x")
    with pytest.raises(InputError):
        cp.column("y")
    with pytest.raises(InputError):
        cp.add_tdc([1], [3.0], name="x")
    with pytest.raises(InputError):
        cp.split([np.inf])
