"""ISCN karyotype parser: clones, modal number, numerical and structural changes, lesions.

>>> k = parse_karyotype("46,XY,t(12;21)(p13;q22)[12]/46,XY[8]")
>>> k.modal_chromosome_number, k.ploidy_class, k.lesions
(46, 'diploid', ('ETV6::RUNX1',))

Conventions [R: ISCN 2020, recalled, not re-checked against the text]:

* clones are separated by ``/`` and may end in a cell count ``[n]`` or ``[cpn]`` (composite);
* each clone starts with the modal number (``47``, a range ``54~58``, optionally a ploidy level
  ``<3n>``), then the sex chromosomes (``XX``, ``XY``, ``X`` ...), then the abnormalities;
* ``idem`` and ``sl`` refer to the stemline (first abnormal clone), ``sdl`` to the preceding
  clone and ``sdlN`` to the N-th sideline (abnormal clone N + 1);
* a normal clone (``46,XX`` or ``46,XY`` without abnormalities) is reported but never sets the
  modal number;
* in-situ hybridisation results after ``.ish`` / ``nuc ish`` are ignored (with a note).

The karyotype-level modal number is the one of the abnormal clone with the most cells (the first
listed on ties or without counts). A near-haploid or low-hypodiploid clone together with a clone
of roughly twice its number is read as *masked (doubled) hypodiploidy*: the hypodiploid number is
reported, because a doubled hypodiploid clone must not be called high hyperdiploid [V]
[sources: cog-masked-hypodiploidy]. Range notations use the midpoint (rounded
down).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mrdguide.errors import KaryotypeError
from mrdguide.genetics._cyto_rules import implied_deletions, lesions_from
from mrdguide.genetics._iscn_tokens import Abnormality, TokenError, parse_token
from mrdguide.genetics.ploidy import DEFAULT_BOUNDARIES, PloidyBoundaries, PloidyClass, ploidy_class

_MODAL_RE = re.compile(r"^(\d{1,3})(?:~(\d{1,3}))?(?:<(\d)n>)?$")
_SEX_RE = re.compile(r"^[XY]{1,8}$")
_INHERIT_RE = re.compile(r"^(idem|sl|sdl)(\d*)$")
_CELLS_RE = re.compile(r"\[(cp)?(\d{1,4})\]\s*$")
_ISH_RE = re.compile(r"\.?\s*(nuc\s*ish|ish)\b")
_SKIPPED = frozenset({"inc"})
_SEX_ORDER = {"X": 0, "Y": 1}


def _chrom_key(c: str) -> tuple[int, int]:
    """Sort key: X, Y, then autosomes in numeric order (ISCN order)."""
    return (0, _SEX_ORDER[c]) if c in _SEX_ORDER else (1, int(c))


@dataclass(frozen=True, slots=True, kw_only=True)
class Clone:
    """One clone of a karyotype.

    ``gains`` and ``losses`` are net whole-chromosome changes (repeated for tetrasomies), sex
    chromosomes first, constitutional changes excluded.
    """

    text: str
    position: int
    modal_chromosome_number: int
    modal_range: tuple[int, int]
    ploidy_level: int | None
    sex_chromosomes: str
    cells: int | None
    composite: bool
    abnormalities: tuple[Abnormality, ...]
    inherits_from: int | None = None

    @property
    def normal(self) -> bool:
        """No acquired change: ``46,XX``/``46,XY``, or only constitutional ones (``47,XY,+21c``)."""
        if any(not ab.constitutional for ab in self.abnormalities):
            return False
        n = 46 + self.constitutional_delta
        return self.modal_range == (n, n) and self.sex_chromosomes in {"XX", "XY"}

    @property
    def constitutional_delta(self) -> int:
        """Net chromosome count change from constitutional gains and losses (``+21c`` -> 1)."""
        signs = {"+": 1, "-": -1}
        return sum(
            signs.get(ab.sign, 0) * ab.copies for ab in self.abnormalities if ab.constitutional
        )

    def _net(self) -> dict[str, int]:
        """Net acquired gains (+) and losses (-) per chromosome."""
        net: dict[str, int] = {}
        for ab in self.abnormalities:
            if ab.kind in {"gain", "loss"} and not ab.constitutional:
                step = ab.copies if ab.kind == "gain" else -ab.copies
                net[ab.chromosomes[0]] = net.get(ab.chromosomes[0], 0) + step
        return net

    @property
    def gains(self) -> tuple[str, ...]:
        """Whole chromosomes gained (acquired), with multiplicity."""
        net = self._net()
        return tuple(c for c in sorted(net, key=_chrom_key) for _ in range(max(net[c], 0)))

    @property
    def losses(self) -> tuple[str, ...]:
        """Whole chromosomes lost (acquired), with multiplicity."""
        net = self._net()
        return tuple(c for c in sorted(net, key=_chrom_key) for _ in range(max(-net[c], 0)))

    @property
    def constitutional(self) -> tuple[str, ...]:
        """Constitutional changes as written (``"+21c"``)."""
        return tuple(ab.text for ab in self.abnormalities if ab.constitutional)

    @property
    def structural(self) -> tuple[str, ...]:
        """Structural abnormalities and markers as written."""
        return tuple(ab.text for ab in self.abnormalities if ab.kind not in {"gain", "loss"})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "text": self.text,
            "modal_chromosome_number": self.modal_chromosome_number,
            "modal_range": list(self.modal_range),
            "ploidy_level": self.ploidy_level,
            "sex_chromosomes": self.sex_chromosomes,
            "cells": self.cells,
            "composite": self.composite,
            "normal": self.normal,
            "inherits_from": self.inherits_from,
            "gains": list(self.gains),
            "losses": list(self.losses),
            "constitutional": list(self.constitutional),
            "structural": list(self.structural),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Karyotype:
    """A parsed karyotype and what it implies. Build it with :func:`parse_karyotype`."""

    text: str
    clones: tuple[Clone, ...]
    modal_chromosome_number: int
    ploidy_class: PloidyClass
    sex_chromosomes: str
    gains: tuple[str, ...]
    losses: tuple[str, ...]
    constitutional: tuple[str, ...]
    structural: tuple[str, ...]
    lesions: tuple[str, ...]
    implied_deletions: tuple[str, ...]
    doubled_hypodiploid: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def down_syndrome(self) -> bool:
        """A constitutional trisomy 21 (``+21c``) is present."""
        return any(c.startswith("+21") and c.endswith("c") for c in self.constitutional)

    @property
    def trisomies(self) -> tuple[int, ...]:
        """Autosomes gained (acquired) at least once, ascending."""
        return tuple(sorted({int(c) for c in self.gains if c not in _SEX_ORDER}))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (the CLI's ``--format json`` output)."""
        return {
            "karyotype": self.text,
            "modal_chromosome_number": self.modal_chromosome_number,
            "ploidy_class": self.ploidy_class,
            "sex_chromosomes": self.sex_chromosomes,
            "gains": list(self.gains),
            "losses": list(self.losses),
            "constitutional": list(self.constitutional),
            "down_syndrome": self.down_syndrome,
            "structural": list(self.structural),
            "lesions": list(self.lesions),
            "implied_deletions": list(self.implied_deletions),
            "doubled_hypodiploid": self.doubled_hypodiploid,
            "clones": [c.to_dict() for c in self.clones],
            "notes": list(self.notes),
        }


def parse_karyotype(text: str, *, boundaries: PloidyBoundaries = DEFAULT_BOUNDARIES) -> Karyotype:
    """Parse an ISCN karyotype string.

    Parameters
    ----------
    text : str
        Karyotype such as ``"47,XY,+21c,t(12;21)(p13;q22)[15]/46,XY[5]"``.
    boundaries : PloidyBoundaries, optional
        Ploidy class boundaries (see :mod:`mrdguide.genetics.ploidy`).

    Returns
    -------
    Karyotype

    Raises
    ------
    KaryotypeError
        When the string is malformed; the message gives the token and its position.
    """
    if not isinstance(text, str) or not text.strip():
        raise KaryotypeError("empty karyotype", token=str(text), position=0)
    for i, ch in enumerate(text):
        if not ch.isascii() or (ch.isspace() and ch != " "):
            raise KaryotypeError("unexpected character", token=ch, position=i)
    body, notes = _strip_ish(text)
    _check_brackets(body)
    if "//" in body:
        at = body.index("//")
        raise KaryotypeError(
            "chimerism ('//') is not supported", token=body[at : at + 2], position=at
        )
    clones: list[Clone] = []
    for piece, offset in _split(body, "/", 0):
        clones.append(_parse_clone(piece, offset, clones, notes))
    return _assemble(text, tuple(clones), boundaries, notes)


def _strip_ish(text: str) -> tuple[str, list[str]]:
    """Drop an in-situ hybridisation suffix, with a note."""
    m = _ISH_RE.search(text)
    if m is None:
        return text, []
    return text[: m.start()], [f"in-situ hybridisation part ignored: {text[m.start() :].strip()!r}"]


def _check_brackets(text: str) -> None:
    """Raise at the first unbalanced or nested bracket."""
    stack: list[tuple[str, int]] = []
    pairs = {")": "(", "]": "[", ">": "<"}
    for i, ch in enumerate(text):
        if ch in "([<":
            if stack:
                raise KaryotypeError("nested brackets", token=ch, position=i)
            stack.append((ch, i))
        elif ch in pairs:
            if not stack or stack[-1][0] != pairs[ch]:
                raise KaryotypeError("unbalanced brackets", token=ch, position=i)
            stack.pop()
    if stack:
        ch, i = stack[-1]
        raise KaryotypeError("unbalanced brackets (never closed)", token=ch, position=i)


def _split(text: str, sep: str, offset: int) -> list[tuple[str, int]]:
    """Split at ``sep`` outside brackets; keep each piece's absolute offset, strip blanks."""
    pieces: list[tuple[str, int]] = []
    depth, start = 0, 0
    for i, ch in enumerate(text + sep):
        depth += ch in "([<"
        depth -= ch in ")]>"
        if ch == sep and depth == 0:
            raw = text[start:i]
            lead = len(raw) - len(raw.lstrip())
            pieces.append((raw.strip(), offset + start + lead))
            start = i + 1
    for piece, pos in pieces:
        if not piece:
            raise KaryotypeError(f"empty item before or after {sep!r}", token=sep, position=pos)
    return pieces


def _parse_clone(piece: str, offset: int, previous: list[Clone], notes: list[str]) -> Clone:
    """Parse one clone: modal number, sex (or idem/sl/sdl), abnormalities."""
    cells, composite, body = _cells(piece, offset)
    tokens = _split(body, ",", offset)
    lo, hi, level = _modal(*tokens[0])
    if len(tokens) < 2:
        raise KaryotypeError("missing sex chromosomes", token=tokens[0][0], position=tokens[0][1])
    sex, inherited, parent = _sex_or_inherit(tokens[1], previous)
    abnormalities = list(inherited)
    for tok, pos in tokens[2:]:
        if tok in _SKIPPED:
            notes.append(f"'{tok}' (incomplete karyotype) at position {pos}")
            continue
        try:
            abnormalities.append(parse_token(tok))
        except TokenError as exc:
            bad = tok if exc.fragment is None else exc.fragment
            raise KaryotypeError(exc.reason, token=bad, position=pos + exc.offset) from None
    return Clone(
        text=piece,
        position=offset,
        modal_chromosome_number=(lo + hi) // 2,
        modal_range=(lo, hi),
        ploidy_level=level,
        sex_chromosomes=sex,
        cells=cells,
        composite=composite,
        abnormalities=tuple(abnormalities),
        inherits_from=parent,
    )


def _cells(piece: str, offset: int) -> tuple[int | None, bool, str]:
    """Split off a trailing ``[n]`` / ``[cpn]`` cell count."""
    m = _CELLS_RE.search(piece)
    body = piece[: m.start()] if m else piece
    for i, ch in enumerate(body):
        if ch in "[]":
            raise KaryotypeError(
                "a cell count '[n]' must end its clone", token=ch, position=offset + i
            )
    if m is None:
        return None, False, body
    return int(m.group(2)), bool(m.group(1)), body


def _modal(tok: str, pos: int) -> tuple[int, int, int | None]:
    """Modal number token: ``47``, ``54~58``, ``69<3n>``."""
    m = _MODAL_RE.match(tok)
    if m is None:
        raise KaryotypeError("missing or malformed modal number", token=tok, position=pos)
    lo = int(m.group(1))
    hi = int(m.group(2)) if m.group(2) else lo
    if not 10 <= lo <= hi <= 200:
        raise KaryotypeError("implausible modal number", token=tok, position=pos)
    return lo, hi, int(m.group(3)) if m.group(3) else None


def _sex_or_inherit(
    token: tuple[str, int], previous: list[Clone]
) -> tuple[str, tuple[Abnormality, ...], int | None]:
    """Sex chromosomes, or the clone that idem/sl/sdl refers to."""
    tok, pos = token
    if _SEX_RE.match(tok):
        return tok, (), None
    m = _INHERIT_RE.match(tok)
    if m is None:
        raise KaryotypeError("expected sex chromosomes (e.g. XX, XY, X)", token=tok, position=pos)
    abnormal = [i for i, c in enumerate(previous) if not c.normal]
    if not abnormal:
        raise KaryotypeError(f"{tok!r} without an earlier abnormal clone", token=tok, position=pos)
    kind, num = m.group(1), m.group(2)
    if kind == "sdl" and num:
        if int(num) + 1 > len(abnormal) or int(num) == 0:
            raise KaryotypeError(
                f"{tok!r} names a clone that does not exist", token=tok, position=pos
            )
        index = abnormal[int(num)]
    elif kind == "sdl":
        index = abnormal[-1]
    elif num:
        raise KaryotypeError(f"{kind!r} takes no number", token=tok, position=pos)
    else:
        index = abnormal[0]
    parent = previous[index]
    return parent.sex_chromosomes, parent.abnormalities, index


def _assemble(
    text: str, clones: tuple[Clone, ...], boundaries: PloidyBoundaries, notes: list[str]
) -> Karyotype:
    """Karyotype-level fields from the parsed clones."""
    abnormal = [c for c in clones if not c.normal] or list(clones[:1])
    main = max(abnormal, key=lambda c: (c.cells or 0, -c.position))
    modal, doubled = main.modal_chromosome_number, False
    hypo = _doubled_hypodiploid(abnormal, boundaries)
    if hypo is not None:
        main, modal, doubled = hypo, hypo.modal_chromosome_number, True
        notes.append(
            f"clone '{hypo.text}' with a clone of about twice its number: read as masked "
            f"(doubled) hypodiploidy; modal number {modal} reported"
        )
    notes.extend(_range_notes(abnormal, boundaries))
    if main.constitutional_delta:
        acquired = modal - main.constitutional_delta
        notes.append(
            f"modal number {modal} includes constitutional changes "
            f"({', '.join(main.constitutional)}); {acquired} relative to the constitution"
        )
    notes.extend(n for c in abnormal if (n := _count_note(c)))
    everything = [ab for c in abnormal for ab in c.abnormalities]
    lesions, lesion_notes = lesions_from(everything)
    notes.extend(lesion_notes)
    return Karyotype(
        text=text,
        clones=clones,
        modal_chromosome_number=modal,
        ploidy_class=ploidy_class(modal, boundaries),
        sex_chromosomes=main.sex_chromosomes,
        gains=main.gains,
        losses=main.losses,
        constitutional=_unique(x for c in clones for x in c.constitutional),
        structural=_unique(x for c in abnormal for x in c.structural),
        lesions=lesions,
        implied_deletions=implied_deletions(everything),
        doubled_hypodiploid=doubled,
        notes=_unique(notes),
    )


def _unique(items: Any) -> tuple[str, ...]:
    """De-duplicate, keeping the first occurrence."""
    return tuple(dict.fromkeys(items))


def _doubled_hypodiploid(abnormal: list[Clone], boundaries: PloidyBoundaries) -> Clone | None:
    """A clone below ``high_hypodiploid_min`` whose doubled form is also present."""
    for hypo in abnormal:
        n = hypo.modal_chromosome_number
        if n >= boundaries.high_hypodiploid_min:
            continue
        for other in abnormal:
            m = other.modal_chromosome_number
            if other is not hypo and m > 46 and abs(m - 2 * n) <= 4:
                return hypo
    return None


def _range_notes(abnormal: list[Clone], boundaries: PloidyBoundaries) -> list[str]:
    """Notes for modal ranges that span two ploidy classes."""
    out = []
    for c in abnormal:
        lo, hi = c.modal_range
        if lo != hi and ploidy_class(lo, boundaries) != ploidy_class(hi, boundaries):
            out.append(
                f"modal range {lo}~{hi} spans two ploidy classes; midpoint "
                f"{c.modal_chromosome_number} used"
            )
    return out


def _count_note(clone: Clone) -> str | None:
    """Compare a near-diploid clone's stated number with the count its changes imply."""
    lo, hi = clone.modal_range
    if clone.ploidy_level not in {None, 2} or not 35 <= lo <= 57 or clone.composite:
        return None
    count = 44 + len(clone.sex_chromosomes)
    for ab in clone.abnormalities:
        if ab.sign == "+":
            count += ab.copies
        elif ab.sign == "-" and ab.chromosomes not in {("X",), ("Y",)}:
            count -= ab.copies  # a lost X/Y is already missing from the sex field (45,X,-X)
        elif ab.kind in {"dic", "rob", "der"} and not ab.nested and len(ab.chromosomes) > 1:
            count -= len(ab.chromosomes) - 1
    if lo <= count <= hi:
        return None
    return (
        f"clone '{clone.text}': stated modal number {lo if lo == hi else f'{lo}~{hi}'} differs "
        f"from the {count} implied by the listed changes"
    )


__all__ = ["Clone", "Karyotype", "KaryotypeError", "parse_karyotype"]
