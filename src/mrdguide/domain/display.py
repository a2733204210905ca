"""Numbers as clinicians and lab scientists read them: MRD in percent, p-values, plain decimals.

Every function returns text without e-notation. Values stay fractions everywhere else (JSON,
files, the case format); these strings are for people.

Notes
-----
Conventions (chosen here and pinned by ``tests/golden/test_display_labels.py``):

* **MRD** is a percentage of nucleated cells with two significant digits and the power of ten
  beside it: ``3e-5`` -> ``0.003% (3 × 10⁻⁵)``; ``1e-4`` -> ``0.01% (10⁻⁴)``. A negative result is
  shown at its sensitivity, ``< 0.001%``. Thresholds are exact decimals without rounding
  (``5e-4`` -> ``0.05%``). Rounding is half-up on the shortest decimal form of the float, so
  ``0.665`` reads ``67%``.
* **p-values**: ``p < 0.001`` below 0.001, ``p > 0.99`` above 0.99, otherwise two significant
  digits with at most three decimals (``0.0123`` -> ``p = 0.012``, ``0.05`` -> ``p = 0.050``,
  ``0.00149`` -> ``p = 0.001``). Never ``p = <0.001``.
* **Other numbers** are positional decimals rounded to a few significant digits, with thousands
  separators for integers of five or more digits (``8000`` -> ``8000``, ``12000`` -> ``12,000``).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal

from mrdguide.errors import InputError

_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_UNSUPER = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹−", "-0123456789-")
DASH = "–"
#: Enough precision to quantize any finite float to a few decimals (1.8e308 has 309 digits).
_WIDE = Context(prec=400)

#: p-values below this print as ``p < 0.001``.
P_FLOOR = 0.001
#: p-values above this print as ``p > 0.99``.
P_CEILING = 0.99


def _dec(x: float) -> Decimal:
    """The shortest decimal that round-trips ``x`` (so 0.1 is 0.1, not 0.1000000000000000055)."""
    return Decimal(repr(float(x)))


def _round_sig(d: Decimal, sig: int) -> Decimal:
    if d == 0:
        return Decimal(0)
    exp = d.adjusted() - sig + 1
    return d.quantize(Decimal(1).scaleb(exp), rounding=ROUND_HALF_UP, context=_WIDE)


def _plain(d: Decimal, *, strip: bool = True) -> str:
    """Positional notation, never an exponent; trailing zeros stripped when ``strip``."""
    s = format(d, "f")
    if strip and "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _bad(x: object) -> bool:
    return x is None or not isinstance(x, int | float) or not math.isfinite(x)


def format_number(x: float | None, sig: int = 3) -> str:
    """A number in plain decimals, rounded to ``sig`` significant digits; ``–`` when missing.

    Integers keep every digit (``8000`` -> ``8000``; five or more digits get thousands
    separators: ``12000`` -> ``12,000``). Floats are rounded: ``0.2097837521655685`` -> ``0.21``
    with ``sig=2``; ``6.0`` -> ``6``.
    """
    if isinstance(x, bool):
        return "yes" if x else "no"
    if _bad(x):
        return DASH
    assert x is not None
    if float(x).is_integer() and abs(x) < 1e15:
        n = int(x)
        return f"{n:,}" if abs(n) >= 10_000 else str(n)
    d = _round_sig(_dec(x), sig)
    if abs(d) >= 10_000:
        return f"{int(d):,}"
    return _plain(d)


def format_decimals(x: float | None, decimals: int = 2) -> str:
    """Fixed decimals (``2.0`` -> ``2.00``) without e-notation; ``–`` when missing."""
    if _bad(x):
        return DASH
    assert x is not None
    q = _dec(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP, context=_WIDE)
    return _plain(q, strip=False)


def format_percent(x: float | None, decimals: int = 1) -> str:
    """A fraction as a percentage with fixed decimals: ``0.905`` -> ``90.5%``."""
    if _bad(x):
        return DASH
    assert x is not None
    return format_decimals(float(_dec(x) * 100), decimals) + "%"


def power_of_ten(x: float, sig: int = 2) -> str:
    """A positive number as a power of ten: ``3e-5`` -> ``3 × 10⁻⁵``, ``1e-4`` -> ``10⁻⁴``."""
    if _bad(x) or x <= 0:
        return DASH if _bad(x) else "0"
    d = _round_sig(_dec(x), sig)
    exp = d.adjusted()
    mant = _plain(d.scaleb(-exp))
    power = "10" + str(exp).translate(_SUPER)
    return power if mant == "1" else f"{mant} × {power}"


def mrd_percent(fraction: float, sig: int = 2) -> str:
    """An MRD fraction as a percentage to ``sig`` significant digits: ``3e-5`` -> ``0.003%``."""
    if _bad(fraction):
        return DASH
    return _plain(_round_sig(_dec(fraction) * 100, sig)) + "%"


def format_mrd(fraction: float | None, *, sig: int = 2, power: bool = True) -> str:
    """An MRD level for people: ``0.003% (3 × 10⁻⁵)``.

    Parameters
    ----------
    fraction : float or None
        Leukaemic cells as a fraction of nucleated cells (``1e-4`` is 0.01 %).
    sig : int, optional
        Significant digits (default 2).
    power : bool, optional
        Append the power of ten in brackets (default). Not shown for 0 and for 100 %.
    """
    if _bad(fraction):
        return DASH
    assert fraction is not None
    pct = mrd_percent(fraction, sig)
    if not power or fraction <= 0 or fraction >= 1:
        return pct
    return f"{pct} ({power_of_ten(fraction, sig)})"


def format_mrd_threshold(fraction: float | None) -> str:
    """A threshold as an exact percentage (no rounding beyond 4 digits): ``5e-4`` -> ``0.05%``."""
    return mrd_percent(fraction, 4) if fraction is not None else DASH


def format_mrd_negative(sensitivity: float | None) -> str:
    """A negative result at its sensitivity: ``1e-5`` -> ``< 0.001%``."""
    if _bad(sensitivity) or sensitivity is None or sensitivity <= 0:
        return "negative (sensitivity not recorded)"
    return f"< {format_mrd_threshold(sensitivity)}"


def format_mrd_result(
    status: str,
    level: float | None,
    sensitivity: float | None = None,
    *,
    power: bool = True,
    describe: bool = True,
) -> str:
    """One MRD result by status: ``< 0.001%``, ``0.21% (2.1 × 10⁻³)``, ``not evaluable``.

    A ``positive_nq`` result with an estimate reads ``≈ 0.005% (5 × 10⁻⁵), not quantifiable``
    (without ``, not quantifiable`` when ``describe`` is false, e.g. next to a status column).
    """
    status = str(getattr(status, "value", status))
    if status == "negative":
        return format_mrd_negative(sensitivity)
    if status == "not_evaluable":
        return "not evaluable"
    if status == "positive_nq":
        if level is None:
            return "detected, not quantifiable"
        est = f"≈ {format_mrd(level, power=power)}"
        return f"{est}, not quantifiable" if describe else est
    return format_mrd(level, power=power)


_NUM = r"(\d+(?:\.\d*)?|\.\d+)"
_PCT = re.compile(rf"^\s*(?:[<≤≥>≈]\s*)?{_NUM}\s*%")
_POW = re.compile(
    rf"^\s*(?:[<≤≥>≈]\s*)?(?:{_NUM}\s*[×x*]\s*)?10\s*\^?\s*([⁻−\-]?[⁰¹²³⁴⁵⁶⁷⁸⁹\d]+)\s*$"
)


def parse_mrd(text: str) -> float:
    """Read an MRD level written for people back into a fraction: ``0.01%`` -> ``1e-4``.

    Accepts a percentage (optionally after ``<``, ``≥`` or ``≈`` and optionally followed by the
    bracketed power of ten, which is then ignored) or a power of ten (``3 × 10⁻⁵``, ``10⁻⁴``).
    A comparator is dropped: ``< 0.001%`` gives the bound, ``1e-5``.

    Raises
    ------
    InputError
        When the text is neither form, or the level is outside [0, 1].
    """
    m = _PCT.match(text)
    if m:
        value = float(Decimal(m.group(1)) / 100)
    else:
        p = _POW.match(text)
        if not p:
            raise InputError(
                f"Cannot read an MRD level from {text!r}; write e.g. '0.01%' or '3 × 10⁻⁵'.",
                field="mrd",
                value=text,
                rule="percentage or power of ten",
            )
        mant = Decimal(p.group(1)) if p.group(1) else Decimal(1)
        try:
            exp = int(p.group(2).translate(_UNSUPER))
        except ValueError as exc:  # pragma: no cover - the regex admits digits only
            raise InputError("bad exponent", field="mrd", value=text, rule="integer") from exc
        value = float(mant.scaleb(exp))
    if not 0 <= value <= 1:
        raise InputError(
            f"MRD level {text!r} is outside 0–100%.",
            field="mrd",
            value=text,
            rule="0 <= fraction <= 1",
        )
    return value


def format_p_value(p: float | None) -> str:
    """A p-value for a table cell: ``< 0.001``, ``0.012``, ``> 0.99``; ``–`` when missing."""
    if _bad(p):
        return DASH
    assert p is not None
    if p < P_FLOOR:
        return "< 0.001"
    if p > P_CEILING:
        return "> 0.99"
    rounded = _round_sig(_dec(p), 2)
    decimals = min(3, 1 - rounded.adjusted())
    return format_decimals(p, decimals)


def format_p(p: float | None) -> str:
    """A p-value in a sentence: ``p < 0.001`` or ``p = 0.012`` (never ``p = <0.001``)."""
    cell = format_p_value(p)
    if cell == DASH:
        return "p not estimable"
    if cell[0] in "<>":
        return f"p {cell}"
    return f"p = {cell}"


_E_NUM = re.compile(r"(?<![\w.])([-+]?)(\d+(?:\.\d+)?)[eE]([-+]?\d+)(?![\w.])")


def replace_e_notation(text: str) -> str:
    """Rewrite every e-notation number in free text as a power of ten: ``1e-05`` -> ``10⁻⁵``.

    For strings built elsewhere whose numbers have no known unit; MRD values should be
    formatted with :func:`format_mrd` where the unit is known.
    """

    def sub(m: re.Match[str]) -> str:
        sign, mant, exp = m.group(1), Decimal(m.group(2)), int(m.group(3))
        if mant == 0:
            return f"{sign}0"
        return sign + power_of_ten(float(mant.scaleb(exp)), sig=3)

    return _E_NUM.sub(sub, text)


_BAND_EDGE = r"(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)"


def format_mrd_band(code: str) -> str:
    """An MRD band in percent: ``<1e-04`` -> ``detected, < 0.01%``, ``≥1e-03`` -> ``≥ 0.1%``.

    Bands are named by :func:`mrdguide.analysis._endpoints.mrd_band_labels` (a level equal to an
    edge belongs to the higher band). Other codes go through :func:`replace_e_notation`.
    """
    c = code.strip()
    if m := re.fullmatch(rf"<\s*{_BAND_EDGE}", c):
        return f"detected, < {format_mrd_threshold(float(m.group(1)))}"
    if m := re.fullmatch(rf"(?:≥|>=)\s*{_BAND_EDGE}", c):
        return f"≥ {format_mrd_threshold(float(m.group(1)))}"
    if m := re.fullmatch(rf"{_BAND_EDGE}\s*[–-]\s*{_BAND_EDGE}", c):
        lo, hi = (format_mrd_threshold(float(g)) for g in m.groups())
        return f"{lo} to < {hi}"
    return replace_e_notation(code)


__all__ = [
    "P_CEILING",
    "P_FLOOR",
    "format_decimals",
    "format_mrd",
    "format_mrd_band",
    "format_mrd_negative",
    "format_mrd_result",
    "format_mrd_threshold",
    "format_number",
    "format_p",
    "format_p_value",
    "format_percent",
    "mrd_percent",
    "parse_mrd",
    "power_of_ten",
    "replace_e_notation",
]
