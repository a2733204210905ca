"""Interpret uploaded assay files (web app): RQ-PCR plate CSV, AIRR TSV pair, FCS exports.

An upload is written to a fresh private temporary folder under a name the server chooses
(``plate.csv``, ``diagnosis.tsv``, ...), read with the same validated readers as the CLI, and
deleted before this returns: nothing is ever written under a path the user chose. Problems
come back as :class:`~mrdguide.errors.IngestError` naming the file as the user called it.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mrdguide.errors import IngestError, IngestIssue, InputError
from mrdguide.mrd import NGSCriteria
from mrdguide.services.mrd import (
    MRDOutcome,
    Sample,
    flow_from_fcs,
    ngs_from_files,
    pcr_from_plate,
)

__all__ = ["ASSAY_FILES", "AssayOptions", "UploadedFile", "display_name", "interpret_upload"]

UploadKind = Literal["pcr", "ngs", "flow-fcs"]

#: The files each kind of upload needs, with the name and suffix the server stores them under.
ASSAY_FILES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "pcr": (("plate", ".csv"),),
    "ngs": (("diagnosis", ".tsv"), ("follow_up", ".tsv")),
    "flow-fcs": (("events_fcs", ".fcs"), ("cells_fcs", ".fcs")),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_CHANNEL = re.compile(r"^[A-Za-z0-9 _.:/()+-]{1,64}$")


@dataclass(frozen=True, slots=True, kw_only=True)
class UploadedFile:
    """One uploaded file: the name the user's browser gave it (display only) and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class AssayOptions:
    """Assay settings from the upload form."""

    follow_up_sample: str | None = None
    cells: float | None = None
    dna_ng: float | None = None
    max_mismatches: int = 0
    lod_events: int = 20
    lloq_events: int = 50
    events_channel: str | None = None
    events_code: float | None = None
    cells_channel: str | None = None
    cells_code: float | None = None


def display_name(filename: str) -> str:
    """The user's file name for messages: its last path part, printable, at most 80 chars."""
    base = re.split(r"[\\/]", filename or "")[-1]
    return _UNSAFE.sub("_", base).strip()[:80] or "upload"


def _spec(path: Path, channel: str | None, code: float | None, field: str) -> str:
    if channel is None:
        return str(path)
    if not _CHANNEL.match(channel) or code is None:
        raise InputError(
            f"{field}: a channel name needs a numeric population code",
            field=field,
            value=channel,
            rule="channel of letters/digits and a numeric code",
        )
    return f"{path}@{channel}={code:g}"


def _interpret(
    kind: UploadKind, paths: Mapping[str, Path], opts: AssayOptions, sample: Sample
) -> MRDOutcome:
    if kind == "pcr":
        return pcr_from_plate(paths["plate"], follow_up_sample=opts.follow_up_sample, sample=sample)
    if kind == "ngs":
        return ngs_from_files(
            paths["diagnosis"],
            paths["follow_up"],
            sample=sample,
            cells=opts.cells,
            dna_ng=opts.dna_ng,
            criteria=NGSCriteria(max_mismatches=opts.max_mismatches),
        )
    events = _spec(paths["events_fcs"], opts.events_channel, opts.events_code, "events_channel")
    cells = _spec(paths["cells_fcs"], opts.cells_channel, opts.cells_code, "cells_channel")
    return flow_from_fcs(
        events, cells, lod_events=opts.lod_events, lloq_events=opts.lloq_events, sample=sample
    )


def _renamer(paths: Mapping[str, Path], names: Mapping[str, str]) -> Callable[[str], str]:
    pairs = sorted(((str(p), names[k]) for k, p in paths.items()), key=lambda x: -len(x[0]))
    pairs += [(p.name, names[k]) for k, p in paths.items()]

    def rename(text: str) -> str:
        for server, user in pairs:
            text = text.replace(server, user)
        return text

    return rename


def _issue(i: IngestIssue, rename: Callable[[str], str]) -> IngestIssue:
    value = rename(i.value) if isinstance(i.value, str) else i.value
    return dataclasses.replace(i, file=rename(i.file), value=value, rule=rename(i.rule))


def interpret_upload(
    kind: UploadKind,
    files: Mapping[str, UploadedFile],
    *,
    sample: Sample,
    options: AssayOptions | None = None,
) -> MRDOutcome:
    """Interpret one upload; nothing is stored (see :func:`mrdguide.services.mrd.store_result`).

    Raises
    ------
    IngestError
        Every problem found, each naming the file as uploaded (row, field, value, rule).
    """
    opts = options or AssayOptions()
    wanted = ASSAY_FILES[kind]
    missing = [name for name, _ in wanted if name not in files or not files[name].data]
    if missing:
        raise IngestError(
            [
                IngestIssue(
                    file=name, row=None, field=name, value=None, rule="a non-empty file is required"
                )
                for name in missing
            ]
        )
    names = {name: display_name(files[name].filename) for name, _ in wanted}
    with tempfile.TemporaryDirectory(prefix="mrdguide-upload-") as tmp:
        paths = {name: Path(tmp) / f"{name}{suffix}" for name, suffix in wanted}
        for name, path in paths.items():
            path.write_bytes(files[name].data)
            path.chmod(0o600)
        rename = _renamer(paths, names)
        try:
            outcome = _interpret(kind, paths, opts, sample)
        except IngestError as exc:
            raise IngestError([_issue(i, rename) for i in exc.issues]) from None
        except InputError as exc:
            where = next(iter(names.values())) if len(names) == 1 else "-"
            value = exc.value if isinstance(exc.value, str | int | float) else None
            issue = IngestIssue(
                file=where,
                row=None,
                field=exc.field,
                value=value,
                rule=rename(exc.rule or str(exc)),
            )
            raise IngestError([_issue(issue, rename)]) from None
    source = f"{outcome.assay}:" + ",".join(names[n] for n, _ in wanted)
    files_used = tuple((k, rename(v)) for k, v in outcome.files)
    return dataclasses.replace(outcome, source=source[:200], files=files_used)
