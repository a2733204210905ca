"""Flow MRD event counts from FCS files, read with flowio (an optional dependency).

mrdguide does not gate. It counts events that a cytometry program has already assigned to a
population, in either of two common export forms:

* one FCS file per gated population (e.g. ``MRD.fcs`` and ``viable_nucleated.fcs``): every
  event in the file counts; the population is named by the file;
* one FCS file with a population-membership channel (a derived parameter holding an integer
  code per event): ``FILE@CHANNEL=CODE`` counts events whose channel equals ``CODE``.
  Channels are matched by their short name (``$PnN``) or long name (``$PnS``).

The counts feed :func:`mrdguide.mrd.interpret_flow` (``events`` / ``cells``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mrdguide.errors import AssayError, InputError


@dataclass(frozen=True, slots=True, kw_only=True)
class PopulationSpec:
    """Where a population's events are: a file, optionally restricted to ``channel == code``."""

    path: Path
    channel: str | None = None
    code: float | None = None

    @classmethod
    def parse(cls, text: str) -> PopulationSpec:
        """Parse ``FILE`` or ``FILE@CHANNEL=CODE``."""
        if "@" not in text:
            return cls(path=Path(text))
        file, _, cond = text.rpartition("@")
        chan, eq, code = cond.partition("=")
        try:
            value = float(code)
        except ValueError:
            value = float("nan")
        if not file or not chan or not eq or not np.isfinite(value):
            raise InputError(
                f"population {text!r} must be FILE or FILE@CHANNEL=CODE (numeric code).",
                field="population", value=text, rule="FILE[@CHANNEL=CODE]",
            )  # fmt: skip
        return cls(path=Path(file), channel=chan, code=value)


@dataclass(frozen=True, slots=True, kw_only=True)
class PopulationCount:
    """Events counted for one population, with where they came from."""

    file: str
    events: int
    total_events_in_file: int
    channel: str | None
    code: float | None


def _read(path: Path) -> object:
    try:
        import flowio
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = "reading FCS files needs the 'fcs' extra: pip install 'mrdguide[fcs]'"
        raise AssayError(msg, field="file", value=str(path), rule="flowio installed") from exc
    if not path.is_file():
        raise AssayError(f"{path}: no such FCS file", field="file", value=str(path),
                         rule="file exists")  # fmt: skip
    try:
        # Open the file ourselves: flowio leaves its own handle open when parsing fails.
        with path.open("rb") as fh:
            return flowio.FlowData(fh)
    except Exception as exc:  # flowio raises plain ValueError/KeyError on bad files
        raise AssayError(
            f"{path}: not a readable FCS file ({type(exc).__name__}: {exc})",
            field="file", value=str(path), rule="FCS 2.0/3.0/3.1 file",
        ) from exc  # fmt: skip


def count_population(spec: PopulationSpec) -> PopulationCount:
    """Count the events of one population.

    Raises
    ------
    AssayError
        If the file is missing or unreadable, or the channel does not exist (the message lists
        the channels present).
    """
    fd = _read(spec.path)
    total = int(fd.event_count)  # type: ignore[attr-defined]
    if spec.channel is None:
        return PopulationCount(file=str(spec.path), events=total, total_events_in_file=total,
                               channel=None, code=None)  # fmt: skip
    pnn = list(fd.pnn_labels)  # type: ignore[attr-defined]
    pns = list(fd.pns_labels)  # type: ignore[attr-defined]
    names = [n for n in pnn if n] + [s for s in pns if s]
    if spec.channel in pnn:
        idx = pnn.index(spec.channel)
    elif spec.channel in pns:
        idx = pns.index(spec.channel)
    else:
        raise AssayError(
            f"{spec.path}: no channel {spec.channel!r}; channels: {', '.join(names)}",
            field="channel", value=spec.channel, rule="channel present ($PnN or $PnS)",
        )  # fmt: skip
    data = np.asarray(fd.as_array(preprocess=False), dtype=np.float64)  # type: ignore[attr-defined]
    hits = int(np.count_nonzero(data[:, idx] == spec.code)) if total else 0
    return PopulationCount(file=str(spec.path), events=hits, total_events_in_file=total,
                           channel=spec.channel, code=spec.code)  # fmt: skip
