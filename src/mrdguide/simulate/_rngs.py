"""Random draws for a batch of cohorts, one generator per cohort, in lockstep.

The trial runner simulates a chunk of replicates at once: every column is an ``(R, n)`` array
whose row ``r`` is cohort ``r``. Each draw calls, on every generator in turn, exactly the method
a single cohort would call (same distribution, parameters and size ``n``) and stacks the rows.
So cohort ``r``'s stream, and every column computed from it element by element, is the same
whether it is simulated alone (``R = 1``) or in a batch of any size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

F = NDArray[np.float64]


class Rngs:
    """``R`` generators that draw ``(R, n)`` arrays, row ``r`` from generator ``r``.

    The methods mirror :class:`numpy.random.Generator`; ``size`` must be the batch shape
    ``(R, n)`` (as ``x.shape`` of a batch column), and each generator draws ``n`` values.
    """

    __slots__ = ("gens", "shape")

    def __init__(self, gens: Sequence[np.random.Generator], n: int) -> None:
        self.gens = tuple(gens)
        self.shape = (len(self.gens), int(n))

    def _draw(self, method: str, size: Any, *args: Any, **kw: Any) -> NDArray[Any]:
        if tuple(np.atleast_1d(size)) != self.shape:
            raise ValueError(f"draw size {size} is not the batch shape {self.shape}")
        n = self.shape[1]
        rows = [getattr(g, method)(*args, size=n, **kw) for g in self.gens]
        return rows[0][None, :] if len(rows) == 1 else np.stack(rows)

    def random(self, size: Any) -> F:
        """Uniform [0, 1)."""
        return self._draw("random", size)

    def standard_normal(self, size: Any) -> F:
        """Standard normal."""
        return self._draw("standard_normal", size)

    def normal(self, loc: float = 0.0, scale: float = 1.0, size: Any = None) -> F:
        """Normal(loc, scale) with scalar parameters."""
        return self._draw("normal", size, loc, scale)

    def uniform(self, low: float, high: float, size: Any) -> F:
        """Uniform [low, high) with scalar bounds."""
        return self._draw("uniform", size, low, high)

    def exponential(self, scale: float = 1.0, size: Any = None) -> F:
        """Exponential with a scalar scale."""
        return self._draw("exponential", size, scale)

    def integers(self, low: int, high: int, size: Any) -> NDArray[np.int64]:
        """Integers in [low, high)."""
        return self._draw("integers", size, low, high)

    def choice(self, a: int, size: Any, p: Any) -> NDArray[np.int64]:
        """``a`` categories with probabilities ``p``, as ``Generator.choice(a, n, p=p)``.

        NumPy draws ``random(n)`` and looks each value up in the normalised cumulative
        probabilities; doing the lookup once for the whole batch gives the same stream and
        the same values without NumPy's per-call checks (``tests/unit/simulate/test_batch.py``
        compares it with ``Generator.choice``).
        """
        prob = np.asarray(p, dtype=np.float64)
        if prob.shape != (a,) or not np.all(prob >= 0) or abs(prob.sum() - 1.0) > 1e-8:
            raise ValueError(f"p must be {a} probabilities summing to 1")
        cdf = prob.cumsum()
        cdf /= cdf[-1]
        out: NDArray[np.int64] = cdf.searchsorted(self.random(size), side="right")
        return out.astype(np.int64, copy=False)

    def spawn_one(self) -> Rngs:
        """One child generator per cohort (``Generator.spawn(1)[0]``)."""
        return Rngs([g.spawn(1)[0] for g in self.gens], self.shape[1])
