"""Helpers shared by the formula-interface R reference tests (not a test module).

Loading goes through :mod:`._rref` (which checks the input hash); this module only turns the
columns into the DataFrame R's ``read.csv`` would give, maps formulaic's coefficient names to
R's, and compares a printed summary with R's ``capture.output(print(summary(fit)))``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from mrdguide.analysis import RegressionSummary

from ._rref import read_csv

_C = re.compile(r"^C\(([A-Za-z_][A-Za-z0-9_]*)(?:,.*)?\)\[T\.(.*)\]$")


def frame(name: str, text: tuple[str, ...] = ()) -> pd.DataFrame:
    """data/<name>.csv as read.csv sees it: empty text cells (R's write.csv(na = "")) are
    missing, whole-number columns are integers (so C(x) levels read 1, not 1.0)."""
    df = pd.DataFrame(read_csv(name, text_columns=text))
    for c in df.columns:
        v = df[c].to_numpy()
        if c in text:
            df[c] = pd.Series([None if x == "" else x for x in v], dtype=object)
        elif v.dtype.kind == "f" and np.all(np.isfinite(v)) and np.all(v == np.round(v)):
            df[c] = v.astype(np.int64)
    return df


def r_name(name: str) -> str:
    """formulaic's ``C(x, ...)[T.lev]`` as R's ``xlev`` (each part of an interaction)."""
    return ":".join(_C.sub(r"\1\2", part) for part in name.split(":"))


def printed_lines(s: RegressionSummary) -> list[str]:
    """Our printed summary with the coefficient names R would give."""
    return str(replace(s, names=tuple(r_name(n) for n in s.names))).rstrip("\n").split("\n")


def r_printed(r: dict[str, Any]) -> list[str]:
    """R's printed lines, typographic quotes as ASCII, trailing blank lines dropped."""
    lines = [line.replace("\u2018", "'").replace("\u2019", "'") for line in r["printed"]]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def check_printed(s: RegressionSummary, r: dict[str, Any], first: str) -> None:
    """Our printed summary equals R's from R's first line matching the regular expression
    ``first`` on (the call lines before it differ: R's call is R code)."""
    ours, theirs = printed_lines(s), r_printed(r)
    start = next(i for i, line in enumerate(theirs) if re.match(first, line))
    assert theirs[start] in ours, f"{theirs[start]!r} not in our summary"
    assert ours[ours.index(theirs[start]) :] == theirs[start:]
