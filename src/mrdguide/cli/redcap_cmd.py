"""``mrdguide redcap import | export | pull``: trial databases in REDCap.

Exit codes: 0 OK; 2 bad options; 3 a file or the mapping failed validation and nothing was
written (file/row/field/value/rule table); 4 a missing file; 6 the import would change a stored
record (re-run with --amend --reason TEXT); 1 the REDCap API refused the request.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    disclaimer_footer,
    emit_json,
    fail,
    print_issues,
    workspace,
)
from mrdguide.services import redcap as redcap_service

redcap_app = typer.Typer(help="Import REDCap exports through a site mapping; export a project.")

DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL.")]
FmtOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
TOKEN_ENV = "MRDGUIDE_REDCAP_TOKEN"  # noqa: S105 - the name of a variable, not a token


@redcap_app.command("import")
def _import(
    ctx: typer.Context,
    dictionary: Annotated[Path, typer.Argument(help="Data dictionary (18-column CSV).")],
    records: Annotated[Path, typer.Argument(help="Records export: flat or EAV CSV.")],
    mapping: Annotated[
        Path, typer.Option("--mapping", help="Site mapping (TOML): fields, units, codes.")
    ],
    db: DbOpt = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Name for the audit log.")] = None,
    amend: Annotated[
        bool, typer.Option("--amend", help="Store new versions of changed records (--reason).")
    ] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why records change.")] = None,
    as_draft: Annotated[
        bool, typer.Option("--as-draft", help="Record as drafts to review (default: authorised).")
    ] = False,
    incomplete: Annotated[
        str,
        typer.Option(
            "--incomplete",
            help="Rows whose form is not complete: skip (listed) or reject (nothing is imported).",
        ),
    ] = "skip",
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Import a REDCap data dictionary and its records through a site mapping.

    Flat or EAV records, events, repeating instruments and checkboxes are read. MRD in percent
    is converted only where the mapping says unit = "percent", and every conversion is listed.
    Nothing is written unless everything is valid; imported records are authorised historical
    data unless --as-draft.
    """
    if amend != bool(reason and reason.strip()):
        fail("--amend and --reason TEXT go together", ExitCode.USAGE)
    if incomplete not in ("skip", "reject"):
        fail(f"--incomplete must be skip or reject; got {incomplete!r}", ExitCode.USAGE)
    with workspace(ctx, db, create=True) as ws:
        res = redcap_service.import_redcap(
            ws.registry(actor),
            dictionary,
            records,
            mapping,
            amend_reason=reason if amend else None,
            as_draft=as_draft,
            incomplete=incomplete,  # type: ignore[arg-type]
        )
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
        return
    if res.flagged:
        print_issues(res.flagged, title=f"{len(res.flagged)} row(s) flagged, not imported:")
    s = res.summary
    console = Console()
    console.print(
        f"Imported {len(s.added) + len(s.updated) + len(s.unchanged)} record(s) from "
        f"{res.source}: {len(s.added)} added, {len(s.updated)} updated, {len(s.unchanged)} "
        f"unchanged; {res.authorised + res.drafts} MRD result(s).",
        highlight=False,
    )
    for note in res.notes:
        console.print(f"note: {note}", highlight=False)
    console.print(disclaimer_footer())


@redcap_app.command("export")
def _export(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for the three files.")],
    db: DbOpt = None,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Write a REDCap data dictionary, records and site mapping for every registered patient.

    MRD results go to a repeating 'mrd' instrument, so a study can start its REDCap project.
    """
    with workspace(ctx, db) as ws:
        res = redcap_service.export_redcap(ws.registry(), out_dir)
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict() | {"disclaimer": SHORT_DISCLAIMER})
        return
    console = Console()
    console.print(
        f"REDCap project for {res.patients} patient(s), {res.mrd_results} MRD result(s):\n"
        f"  dictionary {res.dictionary}\n  records    {res.records}\n  mapping    {res.mapping}",
        highlight=False,
    )
    console.print(disclaimer_footer())


@redcap_app.command("pull")
def _pull(
    url: Annotated[str, typer.Option("--url", help="REDCap API URL (ends with /api/).")],
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Folder for the two files.")],
    token: Annotated[
        str | None,
        typer.Option(
            "--token-env",
            help=f"Environment variable holding the API token "
            f"(default {TOKEN_ENV}); never pass the token itself.",
        ),
    ] = None,
    fmt: FmtOpt = OutputFormat.TEXT,
) -> None:
    """Pull a project's data dictionary and raw flat records with PyCap (the 'redcap' extra).

    Then run `mrdguide redcap import` on them with the site mapping.
    """
    import os

    name = token or TOKEN_ENV
    value = os.environ.get(name, "").strip()
    if not value:
        fail(f"set the API token in the environment variable {name}", ExitCode.USAGE)
    try:
        res = redcap_service.pull_redcap(url, value, out_dir)
    except ImportError as exc:
        fail(str(exc), ExitCode.FAILURE)
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict())
        return
    Console().print(
        f"Pulled {len(res.forms)} form(s) ({', '.join(res.forms)}):\n  {res.dictionary}\n"
        f"  {res.records}",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``redcap`` to the app."""
    app.add_typer(redcap_app, name="redcap")
