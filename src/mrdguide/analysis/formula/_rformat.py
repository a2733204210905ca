"""R's number formatting for printed model summaries (internal).

:func:`format_real` is R's ``format(x, digits)`` of a numeric vector (``formatReal``): every
element gets the fewest significant digits (at most ``digits``) that show it to ``digits``
significant digits, the vector shares one number of decimals, and fixed notation is used unless
scientific notation is narrower (``scipen = 0``). :func:`format_pval` is ``format.pval`` and
:func:`coef_matrix` the cells of ``printCoefmat`` as ``print(summary(coxph))`` calls it.
Ties in the last digit are rounded from the binary value (C ``printf``), as R does for
``digits <= 15``; R's own pre-rounding can differ on exact decimal ties.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

__all__ = ["coef_matrix", "format_pval", "format_real", "print_matrix", "r_signif"]

EPS = 2.220446049250313e-16  # R's .Machine$double.eps, format.pval's default eps
_STAR_CUTS = ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, "."))
LEGEND = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1"


def _special(x: float) -> str | None:
    if math.isnan(x):
        return "NA"
    if math.isinf(x):
        return "Inf" if x > 0 else "-Inf"
    return None


def _sig(x: float, digits: int) -> tuple[int, int]:
    """(power of ten, significant digits needed) of ``x`` shown to ``digits`` digits."""
    if x == 0.0:
        return 0, 1
    mant, exp = f"{abs(x):.{digits - 1}e}".split("e")
    return int(exp), max(1, len(mant.replace(".", "").rstrip("0")))


def format_real(values: Iterable[float], digits: int) -> list[str]:
    """R's ``format(values, digits = digits)``: common decimals, fixed unless sci is narrower.

    Strings are not padded; NaN prints ``NA``, infinities ``Inf``/``-Inf``.
    """
    xs = [float(v) for v in values]
    fin = [x for x in xs if math.isfinite(x)]
    if not fin:
        return [_special(x) or "" for x in xs]
    parts = [_sig(x, digits) for x in fin]
    neg = int(any(x < 0 for x in fin))
    rgt = max(max(0, n - k - 1) for k, n in parts)
    left = max(int(x < 0) + (k + 1 if k >= 0 else 1) for x, (k, _n) in zip(fin, parts, strict=True))
    mxns = max(n for _k, n in parts)
    e_wide = any(abs(k) >= 100 for k, _n in parts)
    w_fixed = left + rgt + (1 if rgt else 0)
    w_sci = neg + (1 if mxns > 1 else 0) + (mxns - 1) + 4 + (2 if e_wide else 1)
    fmt = f".{rgt}f" if w_fixed <= w_sci else f".{mxns - 1}e"
    return [_special(x) or format(x, fmt) for x in xs]


def r_signif(x: float, digits: int) -> float:
    """R's ``signif(x, digits)``."""
    if not math.isfinite(x) or x == 0.0:
        return x
    return float(f"{x:.{digits - 1}e}")


def format_pval(values: Iterable[float], digits: int, eps: float = EPS) -> list[str]:
    """R's ``format.pval(values, digits, eps)``: values below ``eps`` print ``<eps``."""
    ps = [float(v) for v in values]
    out = ["NA" if math.isnan(p) else "" for p in ps]
    small = [i for i, p in enumerate(ps) if p < eps]
    rest = [i for i, p in enumerate(ps) if not math.isnan(p) and p >= eps]
    expo = {i: math.floor(math.log10(ps[i])) if ps[i] > 0 else -50 for i in rest}
    fixed = [i for i in rest if expo[i] >= -3 or (expo[i] == -4 and digits > 1)]
    for group in (fixed, [i for i in rest if i not in fixed]):
        for i, s in zip(group, format_real([ps[i] for i in group], digits), strict=True):
            out[i] = s
    if small:
        d = max(1, digits - 2)
        nc = max((len(out[i]) for i in rest), default=0)
        if rest and d > 1 and d + 6 > nc:
            d = max(1, nc - 7)
        sep = "" if d == 1 and (not rest or nc <= 6) else " "
        for i in small:
            out[i] = "<" + sep + format_real([eps], d)[0]
    return out


def _padded(cells: list[str]) -> list[str]:
    """format() of a block pads every cell to the widest one."""
    w = max((len(c) for c in cells), default=0)
    return [c.rjust(w) for c in cells]


def _stars(p: float) -> str:
    if math.isnan(p):
        return ""
    return next((s for cut, s in _STAR_CUTS if p < cut), " ")


def coef_matrix(
    estimates: Sequence[Iterable[float]], z: Sequence[float], p: Sequence[float], digits: int
) -> tuple[list[list[str]], bool]:
    """Cells of R's ``printCoefmat``: estimate columns, z, Pr(>|z|) and the stars column.

    ``estimates`` are columns (coef, exp(coef), se(coef)[, robust se]), rounded together to
    ``max(1, digits - digmin)`` decimals and formatted as one block; z is rounded to
    ``digits - 1`` decimals; p-values use ``format.pval(digits - 1)``. Returns the rows and
    whether the stars (and the legend) are shown: only when some p < 0.1, as R.
    """
    block = [float(v) for col in estimates for v in col]
    acs = [abs(v) for v in block if math.isfinite(v) and v != 0.0]
    dec = max(1, digits - (1 + math.floor(math.log10(min(acs))))) if acs else 1
    cells = _padded(format_real([round(v, dec) if math.isfinite(v) else v for v in block], digits))
    n = len(z)
    dig_tst = max(1, min(5, digits - 1))
    z_txt = _padded(format_real([round(v, dig_tst) if math.isfinite(v) else v for v in z], digits))
    p_txt = format_pval(p, dig_tst)
    stars = any(v < 0.1 for v in p if not math.isnan(v))
    marks = [_stars(v) for v in p]
    width = max((len(m) for m in marks), default=0)
    rows = []
    for i in range(n):
        row = [cells[j * n + i] for j in range(len(estimates))] + [z_txt[i], p_txt[i]]
        rows.append(row + ([marks[i].ljust(width)] if stars else []))
    return rows, stars


def print_matrix(names: Sequence[str], header: Sequence[str], rows: list[list[str]]) -> list[str]:
    """R's ``print.default`` of a character matrix with ``right = TRUE``: row names
    left-aligned, every column right-aligned to its widest cell or header, one space apart."""
    w0 = max([len(r) for r in names] + [0])
    widths = [max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(header)]
    out = [" " * w0 + "".join(" " + h.rjust(w) for h, w in zip(header, widths, strict=True))]
    for name, row in zip(names, rows, strict=True):
        cells = "".join(" " + v.rjust(w) for v, w in zip(row, widths, strict=True))
        out.append(name.ljust(w0) + cells)
    return out


def numeric_matrix(
    names: Sequence[str], header: Sequence[str], columns: Sequence[Iterable[float]], digits: int
) -> list[str]:
    """R's ``print(matrix, digits)`` of a numeric matrix: each column formatted on its own."""
    texts = [format_real(col, digits) for col in columns]
    rows = [[t[i] for t in texts] for i in range(len(names))]
    return print_matrix(names, header, rows)
