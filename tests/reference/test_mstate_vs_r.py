"""Multi-state Aalen–Johansen (CR -> relapse -> death, delayed entry) against R's survfit."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mrdguide.survival import StateOccupancy, aalen_johansen

from ._rref import as_num, close, load

pytestmark = pytest.mark.reference


def cohort() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, Any]]:
    """Numeric columns, the two state columns as strings, and R's results."""
    d, ref = load("mstate_cr_relapse")
    labels = {k: d[k] for k in ("from", "to")}
    return d, labels, ref


def check(
    fit: StateOccupancy, ref: dict[str, Any], columns: list[int] | None = None, atol: float = 0.0
) -> None:
    """Every survfit column; ``columns`` maps R's state order onto ours.

    ``atol`` allows for values that are exactly 0 in theory but rounding residue in both
    programs (weighted risk sets summed in a different order).
    """
    cols = slice(None) if columns is None else columns
    close(fit.time, ref["time"])
    close(fit.p0[cols], ref["p0"])
    for ours, theirs in (
        (fit.pstate, "pstate"),
        (fit.std_err, "std_err"),
        (fit.ci_lower, "lower"),
        (fit.ci_upper, "upper"),
        (fit.n_at_risk, "n_risk"),
        (fit.n_events, "n_event"),
    ):
        expected = np.atleast_2d(as_num(ref[theirs]))
        np.testing.assert_allclose(ours[:, cols], expected, rtol=1e-10, atol=atol, equal_nan=True)
    close(fit.n_censored, ref["n_censor"])


def fit_cohort(**kw: Any) -> StateOccupancy:
    """The CR -> relapse -> death fit on the committed cohort."""
    d, lab, _ = cohort()
    return aalen_johansen(
        d["tstop"],
        np.where(lab["to"] == "censor", 0, lab["to"]),
        start=d["tstart"],
        id=d["id"],
        from_state=lab["from"],
        states=["CR", "relapse", "death"],
        **kw,
    )


def test_state_occupancy_with_delayed_entry() -> None:
    """pstate, IJ SE, log limits, risk sets and counts equal survfit, with late entrants."""
    _, _, ref = cohort()
    fit = fit_cohort()
    assert list(fit.states) == ref["plain"]["states"]
    check(fit, ref["plain"])
    np.testing.assert_allclose(fit.pstate.sum(axis=1), 1.0, rtol=1e-13)


def test_weighted_and_log_log() -> None:
    """Fractional case weights (per subject) and log-log limits."""
    _, _, ref = cohort()
    # the weighted relapse occupancy ends at 0 up to rounding (R: 6e-17): atol 1e-14
    check(fit_cohort(weights=cohort()[0]["weight"]), ref["weighted"], atol=1e-14)
    check(fit_cohort(conf_type="log-log"), ref["loglog"])


def test_competing_risks_without_id() -> None:
    """One row per subject, no id: the '(s0)' start state and two absorbing states."""
    d, lab, ref = cohort()
    rows = as_num(ref["competing_rows"]).astype(int) - 1
    fit = aalen_johansen(
        d["tstop"][rows], np.where(lab["to"][rows] == "censor", 0, lab["to"][rows])
    )
    assert list(fit.states) == ["(s0)", "death", "relapse"]
    assert ref["competing"]["states"] == ["(s0)", "relapse", "death"]
    check(fit, ref["competing"], columns=[0, 2, 1])
