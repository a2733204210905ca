"""Small, fast estimators for the trial replicate kernel (thousands of fits per second).

The public estimators live in :mod:`mrdguide.survival` and are validated against R. These
private versions cover exactly what a replicate needs, with no input validation: a two-group
log-rank test, a Breslow Cox fit with delayed entry (counting-process rows) and a
Kaplan-Meier point estimate. ``tests/unit/simulate/test_stats.py`` checks them against the
public estimators and lifelines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from mrdguide.simulate._batch import cox_batch
from mrdguide.simulate._batch_km import km_at_batch, logrank_batch

F = NDArray[np.float64]
B = NDArray[np.bool_]


def norm_sf2(z: float) -> float:
    """Two-sided normal p-value of a z statistic."""
    return math.erfc(abs(z) / math.sqrt(2.0))


def logrank2(time: F, event: B, group: B) -> tuple[float, float]:
    """Two-group log-rank test: (chi-square statistic, p-value); NaN if undefined."""
    chi2, p = logrank_batch(time[None], event[None], group[None], np.ones((1, time.size), bool))
    return (float(chi2[0]), float(p[0]))


@dataclass(frozen=True, slots=True)
class CoxFit:
    """Coefficients, standard errors and convergence of a small Cox fit.

    ``se`` is the standard error named by ``variance``: ``"model"`` (inverse information) or
    ``"cluster"`` (grouped sandwich, R's ``cluster(id)``); ``naive_se`` is always the model one.
    """

    beta: F
    se: F
    converged: bool
    naive_se: F | None = None
    variance: str = "model"


def cox_fit(
    x: F, stop: F, event: B, start: F | None = None, cluster: NDArray[np.intp] | None = None
) -> CoxFit:
    """Breslow Cox fit by Newton-Raphson with step halving; NaN when not estimable.

    ``cluster`` (non-negative integer codes, e.g. the patient index of counting-process rows)
    gives the grouped sandwich SE (R's ``cluster(id)``) in ``se``; ``naive_se`` stays the
    model-based one. One problem of :func:`mrdguide.simulate._batch.cox_batch`.
    """
    x = np.asarray(x, dtype=np.float64).reshape(stop.size, -1)
    res = cox_batch(
        x[None], np.asarray(stop, dtype=np.float64)[None], np.asarray(event, dtype=bool)[None],
        np.ones((1, stop.size), dtype=bool), None if start is None else start[None],
        None if cluster is None else np.asarray(cluster)[None],
    )  # fmt: skip
    return CoxFit(res.beta[0], res.se[0], bool(res.converged[0]), res.naive_se[0], res.variance)


def km_at(time: F, event: B, t: float) -> float:
    """Kaplan-Meier survival at ``t`` (NaN for an empty sample)."""
    return float(km_at_batch(time[None], event[None], np.ones((1, time.size), bool), t)[0])


def cox_fit_reference(
    x: F, stop: F, event: B, start: F | None = None, cluster: NDArray[np.intp] | None = None
) -> CoxFit:
    """The same fit through the validated public :func:`mrdguide.survival.cox_ph` (slower)."""
    from mrdguide.survival import cox_ph

    x = np.asarray(x, dtype=np.float64).reshape(stop.size, -1)
    kind = "model" if cluster is None else "cluster"
    if not event.any():
        p = x.shape[1]
        return CoxFit(np.full(p, np.nan), np.full(p, np.nan), False, np.full(p, np.nan), kind)
    res = cox_ph(
        x, stop, event.astype(np.int64), ties="breslow", entry=start, cluster=cluster,
        concordance=False,
    )  # fmt: skip
    return CoxFit(
        np.asarray(res.coef),
        np.asarray(res.std_err),
        bool(res.converged),
        np.asarray(res.naive_std_err),
        res.variance,
    )


def logrank_reference(time: F, event: B, group: B) -> tuple[float, float]:
    """Two-group log-rank through the public :func:`mrdguide.survival.logrank_test`."""
    from mrdguide.survival import logrank_test

    res = logrank_test(time, event.astype(np.int64), group.astype(np.int64))
    return (float(res.statistic), float(res.p_value))
