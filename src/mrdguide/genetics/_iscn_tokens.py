"""Tokens of an ISCN karyotype: one abnormality per comma-separated item.

This module parses a *single* token (``+21``, ``t(12;21)(p13;q22)``, ``der(19)t(1;19)(q23;p13)``,
``+2mar``, ...) into an :class:`Abnormality`. Splitting a karyotype into clones and tokens lives in
:mod:`mrdguide.genetics.karyotype`.

Conventions follow ISCN 2020 (McGowan-Jordan J, Hastings RJ, Moore S, eds. *ISCN 2020: An
International System for Human Cytogenomic Nomenclature*. Karger; 2020) [R: recalled, not
re-checked against the text]:

* numerical changes are ``+`` / ``-`` followed by a chromosome; a trailing ``c`` marks a
  constitutional change (``+21c``);
* structural rearrangements are ``kind(chromosomes)(bands)``; chromosomes and band groups are
  separated by ``;`` and must pair up one to one;
* a band is ``p``/``q`` + region digit + band digit, optionally ``.`` + sub-band (``q11.2``), or
  ``pter``/``qter``/``cen``; interstitial changes list two bands without a separator
  (``del(9)(p13p24)``);
* ``der``/``ider``/``rec`` may be followed by the rearrangement(s) that produced them
  (``der(19)t(1;19)(q23;p13)``);
* ``mar`` is a marker chromosome (``+mar``, ``+2mar``, ``+mar1``); ``x2`` multiplies a gain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Rearrangement kinds understood by the parser, and whether their band group is required.
#: Source: ISCN 2020 symbol list [R].
STRUCTURAL_KINDS: dict[str, bool] = {
    "t": True,  # translocation
    "del": True,  # deletion
    "dup": True,  # duplication
    "add": True,  # additional material of unknown origin
    "ins": True,  # insertion
    "inv": True,  # inversion
    "i": True,  # isochromosome
    "idic": True,  # isodicentric chromosome
    "dic": True,  # dicentric chromosome
    "trp": True,  # triplication
    "tas": True,  # telomeric association
    "hsr": True,  # homogeneously staining region
    "r": False,  # ring chromosome (bands optional in practice)
    "der": False,  # derivative chromosome
    "ider": False,  # isoderivative chromosome
    "rec": False,  # recombinant chromosome
    "rob": False,  # Robertsonian translocation
    "iamp": False,  # intrachromosomal amplification (iAMP21)
    "psu": False,  # pseudo-
}

#: Kinds that may carry nested rearrangements after their chromosome group.
DERIVATIVE_KINDS: frozenset[str] = frozenset({"der", "ider", "rec"})

_CHROM = r"(?:[1-9]|1\d|2[0-2]|X|Y)"
_CHROM_RE = re.compile(rf"^\??{_CHROM}$")
_BAND = r"(?:pter|qter|cen|[pq](?:\d{1,2}(?:\.\d{1,3})?)?)"
_BAND_RANGE = rf"{_BAND}(?:~[pq]?\d{{1,2}}(?:\.\d{{1,3}})?)?"
_SEGMENT_RE = re.compile(rf"^\??(?:{_BAND_RANGE}\??)+$")
_BAND_FIND_RE = re.compile(_BAND)
_NUMERIC_RE = re.compile(rf"^([+-])({_CHROM})(c?)(?:x(\d))?$")
_MARKER_RE = re.compile(r"^([+-]?)(\d{0,2}(?:~\d{1,2})?)(mar|dmin)(\d{0,2})(c?)$")
_KIND_RE = re.compile(r"[a-z]+")
_MULT_RE = re.compile(r"x(\d)$")


class TokenError(ValueError):
    """A token is malformed.

    ``fragment`` is the offending part (``None``: the whole token) and ``offset`` its start,
    relative to the start of the token.
    """

    def __init__(self, reason: str, offset: int = 0, fragment: str | None = None) -> None:
        """Record the reason, offset and fragment."""
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
        self.fragment = fragment


@dataclass(frozen=True, slots=True, kw_only=True)
class Abnormality:
    """One parsed karyotype item.

    Attributes
    ----------
    text : str
        The token as written (without surrounding whitespace).
    kind : str
        ``"gain"``, ``"loss"``, ``"marker"`` or a structural kind from :data:`STRUCTURAL_KINDS`.
    sign : str
        ``"+"``, ``"-"`` or ``""`` (structural change replacing a normal homologue).
    copies : int
        Number of copies gained or lost (``x2`` suffix, ``+2mar``).
    chromosomes : tuple of str
        Chromosomes named in the (outer) chromosome group.
    bands : tuple of str
        One band segment per chromosome (empty when no band group was given).
    constitutional : bool
        ``True`` for a trailing ``c`` (constitutional change).
    nested : tuple of Abnormality
        Rearrangements that produced a derivative chromosome (``der(19)t(1;19)(q23;p13)``).
    """

    text: str
    kind: str
    sign: str = ""
    copies: int = 1
    chromosomes: tuple[str, ...] = ()
    bands: tuple[str, ...] = ()
    constitutional: bool = False
    nested: tuple[Abnormality, ...] = ()

    @property
    def is_structural(self) -> bool:
        """Whether this is a structural rearrangement (not a whole-chromosome change)."""
        return self.kind not in {"gain", "loss", "marker"}

    def rearrangements(self) -> tuple[Abnormality, ...]:
        """This abnormality and every nested rearrangement, outermost first."""
        out: list[Abnormality] = [self]
        for n in self.nested:
            out.extend(n.rearrangements())
        return tuple(out)


def parse_token(token: str) -> Abnormality:
    """Parse one karyotype item (not the modal number or sex chromosomes).

    Raises
    ------
    TokenError
        When the token is not valid ISCN as understood here.
    """
    if not token:
        raise TokenError("empty token")
    if m := _NUMERIC_RE.match(token):
        sign, chrom, const, mult = m.groups()
        return Abnormality(
            text=token,
            kind="gain" if sign == "+" else "loss",
            sign=sign,
            copies=int(mult) if mult else 1,
            chromosomes=(chrom,),
            constitutional=bool(const),
        )
    if m := _MARKER_RE.match(token):
        return _marker(token, m)
    return _structural(token)


def _marker(token: str, m: re.Match[str]) -> Abnormality:
    """A marker (``+mar``, ``+2mar``, ``+mar1``) or double minute token."""
    sign, count, _kind, _num, const = m.groups()
    if not sign and count:
        raise TokenError("a marker count needs a '+' or '-' sign")
    low = count.split("~")[0] if count else ""
    return Abnormality(
        text=token,
        kind="marker",
        sign=sign or "+",
        copies=int(low) if low else 1,
        chromosomes=(),
        constitutional=bool(const),
    )


def _structural(token: str) -> Abnormality:
    """A structural token with optional sign, ``?``, ``x2`` and ``c`` suffix."""
    sign = ""
    body = token
    if body[:1] in "+-":
        sign, body = body[0], body[1:]
    body = body.removeprefix("?")
    const = False
    copies = 1
    if m := _MULT_RE.search(body):
        copies, body = int(m.group(1)), body[: m.start()]
    if body.endswith(")c"):
        const, body = True, body[:-1]
    offset = len(token) - len(token.lstrip("+-?"))
    first, end = _parse_rearrangement(body, 0, offset)
    nested: list[Abnormality] = []
    while end < len(body):
        if first.kind not in DERIVATIVE_KINDS:
            raise TokenError(f"unexpected text {body[end:]!r}", offset + end, body[end:])
        nxt, end = _parse_rearrangement(body, end, offset)
        nested.append(nxt)
    return Abnormality(
        text=token,
        kind=first.kind,
        sign=sign,
        copies=copies,
        chromosomes=first.chromosomes,
        bands=first.bands,
        constitutional=const,
        nested=tuple(nested),
    )


def _parse_rearrangement(body: str, start: int, offset: int) -> tuple[Abnormality, int]:
    """Parse ``kind(chroms)(bands)`` at ``body[start:]``; return it and the end index."""
    m = _KIND_RE.match(body, start)
    if m is None:
        raise TokenError("expected an abnormality such as t(...) or del(...)")
    kind = m.group(0)
    if kind not in STRUCTURAL_KINDS:
        raise TokenError(f"unknown abnormality {kind!r}", offset + start, kind)
    chroms_text, pos = _group(body, m.end(), offset, what="chromosome")
    chroms = _chromosomes(chroms_text, offset + m.end() + 1)
    bands: tuple[str, ...] = ()
    if pos < len(body) and body[pos] == "(":
        band_text, new_pos = _group(body, pos, offset, what="band")
        bands = _bands(band_text, len(chroms), offset + pos + 1)
        pos = new_pos
    elif STRUCTURAL_KINDS[kind]:
        raise TokenError(f"{kind}({chroms_text}) needs a band group")
    ab = Abnormality(text=body[start:pos], kind=kind, chromosomes=chroms, bands=bands)
    return ab, pos


def _group(body: str, pos: int, offset: int, *, what: str) -> tuple[str, int]:
    """The text inside the parenthesised group at ``pos`` and the index after it."""
    if pos >= len(body) or body[pos] != "(":
        raise TokenError(f"expected '(' before the {what} group", offset + pos, body[pos:])
    close = body.find(")", pos)
    if close < 0:
        raise TokenError("unbalanced parentheses", offset + pos, body[pos:])
    return body[pos + 1 : close], close + 1


def _chromosomes(text: str, offset: int) -> tuple[str, ...]:
    """Validate a ``;``-separated chromosome group."""
    parts = text.split(";")
    out: list[str] = []
    at = offset
    for p in parts:
        if not _CHROM_RE.match(p):
            raise TokenError(f"bad chromosome {p!r}", at, p)
        out.append(p.removeprefix("?"))
        at += len(p) + 1
    return tuple(out)


def _bands(text: str, n_chrom: int, offset: int) -> tuple[str, ...]:
    """Validate a band group: one segment per chromosome."""
    parts = text.split(";")
    if len(parts) != n_chrom:
        reason = f"{n_chrom} chromosome(s) but {len(parts)} band segment(s) in ({text})"
        raise TokenError(reason, offset, text)
    at = offset
    for p in parts:
        if not _SEGMENT_RE.match(p):
            raise TokenError(f"bad band {p!r}", at, p)
        at += len(p) + 1
    return tuple(parts)


def split_bands(segment: str) -> tuple[str, ...]:
    """Split a band segment such as ``"p13p24"`` into ``("p13", "p24")``."""
    return tuple(_BAND_FIND_RE.findall(segment.replace("?", "")))
