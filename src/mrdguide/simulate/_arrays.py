"""Array helpers for the batched trial estimators (:mod:`~mrdguide.simulate._batch`).

Layout: a batch of ``R`` problems (one per trial replicate) is stored *problems last*:
``(N, R)`` arrays, or ``(C, N, R)`` for ``C`` columns (one contiguous ``(N, R)`` plane per
column). Row ``i`` of a plane holds the ``i``-th sorted row of every problem; a problem with
fewer rows is padded at the end. Element-wise work then runs over long contiguous planes,
sums over positions are reductions over axis -2 whose inner loop runs along the problems, and
gathers are flat ``np.take``.

Determinism. A problem's numbers must not depend on which other problems share its batch,
nor on the padded length ``N`` (else a trial's results would depend on the chunk size).
Every operation here is element-wise, a gather, or a running sum in index order:
``np.add.reduce`` over axis -2 of a C-contiguous array with ``R >= 2`` adds rows one after
another (NumPy's pairwise summation applies only along the contiguous axis), ``np.cumsum``
(used when ``R = 1``) does the same, and appended zero rows add exactly nothing.
``tests/unit/simulate/test_batch.py`` checks both properties against a Python loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]
B = NDArray[np.bool_]
I = NDArray[np.intp]  # noqa: E741


def seqsum(a: NDArray[Any]) -> NDArray[Any]:
    """Sum over axis -2 (positions) in index order (rows added one after another)."""
    a = np.ascontiguousarray(a)
    if a.shape[-1] >= 2:
        out: NDArray[Any] = np.add.reduce(a, axis=-2)
        return out
    last: NDArray[Any] = np.cumsum(a, axis=-2).take(-1, axis=-2)  # one problem: a running sum
    return last


def seqprod(a: F) -> F:
    """Product over axis -2 (positions) in index order."""
    a = np.ascontiguousarray(a)
    if a.shape[-1] >= 2:
        out: F = np.asarray(np.multiply.reduce(a, axis=-2), dtype=np.float64)
        return out
    last: F = np.asarray(np.cumprod(a, axis=-2).take(-1, axis=-2), dtype=np.float64)
    return last


def gather(a: NDArray[Any], idx: NDArray[Any]) -> NDArray[Any]:
    """``out[..., k, r] = a[..., idx[k, r], r]`` for ``a`` ``(..., N, R)``."""
    n, r = a.shape[-2:]
    flat = idx * r + np.arange(r)
    out: NDArray[Any] = np.take(a.reshape(*a.shape[:-2], n * r), flat, axis=-1)
    return out


def scatter(a: NDArray[Any], idx: NDArray[Any], values: NDArray[Any]) -> None:
    """``a[..., idx[k, r], r] = values[..., k, r]`` in place (``idx`` unique per column)."""
    n, r = a.shape[-2:]
    a.reshape(*a.shape[:-2], n * r)[..., idx * r + np.arange(r)] = values


def take_rows(a: NDArray[Any], idx: NDArray[Any]) -> NDArray[Any]:
    """``out[r, k] = a[r, idx[r, k]]`` for problem-first ``(R, M[, C])`` inputs."""
    r, m = a.shape[0], a.shape[1]
    flat = idx + (m * np.arange(r))[:, None]
    out: NDArray[Any] = np.take(a.reshape(r * m, *a.shape[2:]), flat, axis=0)
    return out


def running(a: NDArray[Any]) -> NDArray[Any]:
    """Running sums over axis -2 with a zero row in front: row ``k`` sums rows ``< k``."""
    shape = list(a.shape)
    shape[-2] += 1
    out = np.zeros(shape, dtype=np.result_type(a, np.intp))
    np.cumsum(a, axis=-2, out=out[..., 1:, :])
    return out


def sort_rows(key: F, valid: B) -> I:
    """Per problem (``(R, M)`` inputs), the valid columns in ascending ``key`` order.

    Stable (ties keep input order); returns ``(R, N)`` column indices, ``N`` the largest
    number of valid columns, padded with invalid columns. Valid columns are picked first
    (a radix sort of booleans), so the float sort runs on ``N`` columns, not ``M``.
    """
    pre = np.argsort(~valid, axis=1, kind="stable")
    n = max(int(valid.sum(axis=1).max()), 1) if valid.size else 1
    pre = pre[:, :n]
    vs = take_rows(valid, pre)
    inner = np.argsort(np.where(vs, take_rows(key, pre), np.inf), axis=1, kind="stable")
    out: I = take_rows(pre, inner)
    return out


def ties(s: NDArray[Any]) -> tuple[I, I]:
    """First and last position of each row's run of equal values (columns sorted)."""
    n, r = s.shape
    pos = np.broadcast_to(np.arange(n)[:, None], (n, r))
    new = np.ones((n, r), dtype=bool)
    new[1:] = s[1:] != s[:-1]
    end = np.ones((n, r), dtype=bool)
    end[:-1] = new[1:]
    first = np.maximum.accumulate(np.where(new, pos, 0), axis=0)
    last = np.minimum.accumulate(np.where(end, pos, n - 1)[::-1], axis=0)[::-1]
    return first, last
