"""Result types shared by several estimators."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if hasattr(v, "to_dict"):
        return v.to_dict()
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def dataclass_to_dict(obj: Any) -> dict[str, Any]:
    """Convert a result dataclass to plain Python types (lists, floats, dicts)."""
    return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}


@dataclass(frozen=True, slots=True, kw_only=True)
class TestResult:
    """A chi-square-type test.

    ``observed`` and ``expected`` are per-group counts for log-rank-type tests and ``None``
    where they have no meaning (e.g. likelihood-ratio tests of a Cox model).
    """

    __test__ = False  # not a pytest test class

    statistic: float
    df: int
    p_value: float
    observed: FloatArray | None = None
    expected: FloatArray | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-Python representation."""
        return dataclass_to_dict(self)


class CurveLike(Protocol):
    """What summaries and restricted means need of a :class:`SurvivalCurve` (structural type,
    so that those modules need not import the estimator's module)."""

    @property
    def time(self) -> FloatArray: ...
    @property
    def survival(self) -> FloatArray: ...
    @property
    def std_err(self) -> FloatArray: ...
    @property
    def ci_lower(self) -> FloatArray: ...
    @property
    def ci_upper(self) -> FloatArray: ...
    @property
    def n_at_risk(self) -> Any: ...
    @property
    def n_events(self) -> Any: ...
    @property
    def n_censored(self) -> Any: ...
    @property
    def conf_level(self) -> float: ...
    @property
    def conf_type(self) -> str: ...
