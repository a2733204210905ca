"""Field parsers shared by the case document and the MRD wire format (pure).

Each parser returns ``None`` for ``None`` and raises :class:`~mrdguide.errors.InputError` naming
the field path, the value and the rule broken.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar

from mrdguide.domain.units import MRDLevel
from mrdguide.errors import InputError

E = TypeVar("E", bound=StrEnum)

__all__ = [
    "check_keys",
    "fail",
    "parse_bool",
    "parse_enum",
    "parse_int",
    "parse_level",
    "parse_num",
]


def fail(path: str, value: Any, rule: str) -> InputError:
    return InputError(f"{path}: {rule}; got {value!r}.", field=path, value=value, rule=rule)


def parse_enum(cls: type[E], value: Any, path: str) -> E | None:
    if value is None:
        return None
    try:
        return cls(value)
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in cls)
        raise fail(path, value, f"must be one of {allowed}") from None


def parse_num(value: Any, path: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(path, value, "must be a number")
    return float(value)


def parse_int(value: Any, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise fail(path, value, "must be an integer")
    return value


def parse_bool(value: Any, path: str) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise fail(path, value, "must be true or false")
    return value


def parse_level(value: Any, path: str) -> MRDLevel | None:
    v = parse_num(value, path)
    if v is None:
        return None
    if v > 1:
        raise fail(
            path, value, "MRD values are fractions in [0, 1] (1e-4 = 0.01%); percent is rejected"
        )
    if v < 0:
        raise fail(path, value, "must be >= 0")
    return MRDLevel(v)


def check_keys(d: Mapping[str, Any], allowed: frozenset[str], path: str) -> None:
    if not isinstance(d, Mapping):
        raise fail(path, d, "must be an object")
    for k in d:
        if k not in allowed:
            raise fail(f"{path}.{k}" if path else k, d[k], "unknown field")
