"""Strict JSON (RFC 8259) for every output mrdguide writes.

Python's :mod:`json` writes ``NaN`` and ``Infinity`` by default, which is not JSON: jq, browsers
and Starlette's ``JSONResponse`` reject it. Every writer in mrdguide goes through :func:`dumps`,
which first maps non-finite floats to ``null`` (in one place, :func:`jsonable`) and then encodes
with ``allow_nan=False``, so a stray NaN can never reach a file or a pipe.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import math
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

__all__ = ["dumps", "jsonable", "loads"]


def jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON types: non-finite floats become ``None``.

    Handles dicts (keys become strings), lists, tuples, sets (sorted), dataclasses (through
    their ``to_dict()`` when they have one), enums (their value), dates (ISO 8601), paths and
    numpy scalars/arrays (through ``tolist()``).
    """
    if obj is None or isinstance(obj, bool | str | int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value)
    if isinstance(obj, Mapping):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, set | frozenset):
        return sorted(jsonable(v) for v in obj)
    if isinstance(obj, dt.date | dt.datetime):
        return obj.isoformat()
    if isinstance(obj, PurePath):
        return str(obj)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return jsonable(to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return jsonable({f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)})
    tolist = getattr(obj, "tolist", None)  # numpy scalars and arrays
    if callable(tolist):
        return jsonable(tolist())
    msg = f"Object of type {type(obj).__name__} is not JSON serialisable"
    raise TypeError(msg)


def dumps(obj: Any, *, indent: int | None = 2, sort_keys: bool = True) -> str:
    """Encode ``obj`` as strict JSON (no NaN/Infinity; non-finite floats become ``null``)."""
    return json.dumps(
        jsonable(obj), indent=indent, sort_keys=sort_keys, allow_nan=False, ensure_ascii=False
    )


def _reject_constant(name: str) -> Any:
    msg = f"{name} is not valid JSON (RFC 8259)"
    raise ValueError(msg)


def loads(text: str | bytes) -> Any:
    """Decode strict JSON: ``NaN``, ``Infinity`` and ``-Infinity`` are rejected."""
    return json.loads(text, parse_constant=_reject_constant)
