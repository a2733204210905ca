"""CIF past a group's follow-up: NaN as cmprsk::timepoints (NA), values with extend=True."""

from __future__ import annotations

import numpy as np
import pytest

from mrdguide.survival import cumulative_incidence

from ._rref import as_num, close, load

pytestmark = pytest.mark.reference


def test_timepoints_na_after_follow_up() -> None:
    """Estimate and variance equal timepoints(), NA (NaN) after each group's last time."""
    d, ref = load("cif_extend_sim")
    ci = cumulative_incidence(d["time"], d["cause"], group=d["group"])
    close(ci.end_time, [ref["last"][g] for g in ("a", "b", "c")])
    times = as_num(ref["times"])
    for k, name in enumerate(ref["names"]):
        label, cause = name.split(" ")
        close(ci.at(times, cause=int(cause), group=label), ref["est"][k])
        close(ci.variance_at(times, cause=int(cause), group=label), ref["var"][k])
        extended = ci.at(times, cause=int(cause), group=label, extend=True)
        est = as_num(ref["est"][k])
        assert np.all(np.isfinite(extended))
        close(extended[np.isfinite(est)], est[np.isfinite(est)])
        last = extended[np.isfinite(est)][-1]  # extend carries the value at the last time
        np.testing.assert_array_equal(extended[~np.isfinite(est)], last)
