"""Two-way weighted dominance counts in O(n log n) with NumPy (internal, for the concordance).

For a sequence of items with unique integer keys (a permutation of ``0..n-1``) and two weight
channels, :func:`dominance` returns for every item ``i``

* ``lower_before[i] = sum(w1[j] for j < i if key[j] < key[i])`` and
* ``higher_after[i] = sum(w2[j] for j > i if key[j] > key[i])``.

It is a bottom-up merge sort: blocks of ``BASE`` items are counted by brute force, then at each
of the ``log2(n / BASE)`` levels every item of a right half block learns, with one
``np.searchsorted`` into the sorted left half, how many left items lie below it; the same
merged positions tell every left item how many right items lie below it. Prefix sums of the two
channels turn these positions into weights, and the halves are merged by index scatters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from mrdguide.survival._types import FloatArray, IntArray

__all__ = ["dominance"]

BASE = 8  # block size counted by brute force before the merge levels


def _brute(
    k: IntArray, wa: FloatArray, wb: FloatArray | None, lo: FloatArray, hi: FloatArray, width: int
) -> IntArray:
    """Count within blocks of ``width`` items by brute force; return the blocks sorted by key."""
    nb = k.size // width
    k2 = k.reshape(nb, width)
    a2 = wa[k2]
    b2 = None if wb is None else wb[k2]
    for i in range(1, width):
        ki = k2[:, i : i + 1]
        lo[k2[:, i]] += np.sum(np.where(k2[:, :i] < ki, a2[:, :i], 0.0), axis=1)
        if b2 is not None:
            j = width - 1 - i
            kj = k2[:, j : j + 1]
            hi[k2[:, j]] += np.sum(np.where(k2[:, j + 1 :] > kj, b2[:, j + 1 :], 0.0), axis=1)
    out: IntArray = np.sort(k2, axis=1).ravel()
    return out


def _merge(left: FloatArray, right: FloatArray, dl: IntArray, dr: IntArray) -> FloatArray:
    """A new array with ``left`` at positions ``dl`` and ``right`` at ``dr``."""
    out = np.empty(dl.size + dr.size, dtype=left.dtype)
    out[dl] = left
    out[dr] = right
    return out


def _halves(v: FloatArray, nb: int, width: int) -> tuple[FloatArray, FloatArray]:
    """The left and right halves of every block, each as one contiguous array."""
    v3 = v.reshape(nb, 2, width)
    return v3[:, 0, :].ravel(), v3[:, 1, :].ravel()


Arrays = tuple[IntArray, FloatArray, FloatArray, FloatArray | None, FloatArray | None]


def _level(state: Arrays, width: int, ar: IntArray, cum: NDArray[Any]) -> Arrays:
    """One merge level: blocks of ``width`` sorted keys pairwise into blocks of ``2 width``."""
    k, lo, hi, a, b = state
    size = k.size
    nb = size // (2 * width)
    first = (ar // width) * width  # start of each half block, in the half arrays
    off = first * (size // width)  # keeps the keys of different blocks apart
    kl, kr = k.reshape(nb, 2, width)[:, 0, :].ravel(), k.reshape(nb, 2, width)[:, 1, :].ravel()
    pos = np.searchsorted(kl + off, kr + off)  # left items below each right item (+ first)
    lol, lor = _halves(lo, nb, width)
    if a is None:
        lor += pos - first
    else:
        al, a_r = _halves(a, nb, width)
        np.cumsum(al, out=cum[1:])
        lor += cum[pos] - cum[first]
        a = None  # merged below
    dest_r = ar + pos  # = 2 first + (j - first) + (pos - first)
    mask = np.ones(size, dtype=bool)
    mask[dest_r] = False
    dest_l = np.flatnonzero(mask)
    if b is not None:
        bl, br = _halves(b, nb, width)
        hil, hir = _halves(hi, nb, width)
        # right items below each left item: merged offset minus index in the left half
        np.cumsum(br, out=cum[1:])
        hil += cum[first + width] - cum[dest_l - ar]
        b = _merge(bl, br, dest_l, dest_r)
        hi = _merge(hil, hir, dest_l, dest_r)
    if state[3] is not None:
        a = _merge(al, a_r, dest_l, dest_r)
    merged_k = np.empty_like(k)  # int32 or int64
    merged_k[dest_l] = kl
    merged_k[dest_r] = kr
    return merged_k, _merge(lol, lor, dest_l, dest_r), hi, a, b


def dominance(
    key: IntArray, w1: FloatArray | None, w2: FloatArray | None
) -> tuple[FloatArray, FloatArray]:
    """``(lower_before, higher_after)`` of every item; ``key`` must be a permutation.

    ``w1=None`` means unit weights (a faster path); ``w2=None`` skips ``higher_after`` (zeros).
    With unit weights (and 0/1 weights in ``w2``) the merge levels move 32-bit counts and 8-bit
    indicators instead of 64-bit floats.
    """
    n = key.size
    size = 1
    while size < n:
        size *= 2
    k = np.arange(size, dtype=np.int64)  # padding keys sort last and carry no weight
    k[:n] = key
    wa = np.zeros(size)  # weights by key
    wa[key] = 1.0 if w1 is None else w1
    wb = np.zeros(size)
    if w2 is not None:
        wb[key] = w2
    lo_k = np.zeros(size)  # sums by key (brute-force level)
    hi_k = np.zeros(size)
    width = min(BASE, size)
    k = _brute(k, wa, wb if w2 is not None else None, lo_k, hi_k, width)
    # from here on everything is positional: blocks sorted by key, merged level by level
    counts = size < 2**31 and w1 is None and (w2 is None or bool(np.all((w2 == 0.0) | (w2 == 1.0))))
    if counts:  # unit weights: integer counts in narrow types move less memory
        state: Arrays = (
            k.astype(np.int32),
            lo_k[k].astype(np.int32),
            hi_k[k].astype(np.int32),
            None,
            None if w2 is None else wb[k].astype(np.int8),
        )
    else:
        state = (
            k,
            lo_k[k],
            hi_k[k],
            None if w1 is None else wa[k],
            None if w2 is None else wb[k],
        )
    del wa, wb, lo_k, hi_k
    ar = np.arange(size // 2, dtype=np.int64)
    cum = np.zeros(size // 2 + 1, dtype=np.int64 if counts else np.float64)
    while width < size:
        state = _level(state, width, ar, cum)
        width *= 2
    # fully merged: the position of every item is its key
    return state[1][key].astype(np.float64), state[2][key].astype(np.float64)
