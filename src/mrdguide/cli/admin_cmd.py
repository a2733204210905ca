"""``mrdguide user add|list|disable|set-role``, ``token create`` and ``audit verify|show``."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from mrdguide.cli._common import (
    ExitCode,
    OutputFormat,
    WideOpt,
    console,
    disclaimer_footer,
    emit_json,
    fail,
    table,
    workspace,
)
from mrdguide.services import audit as audit_service
from mrdguide.services import users as user_service
from mrdguide.services.users import UserInfo

DbOpt = Annotated[str | None, typer.Option("--db", help="Registry URL.")]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="text or json.")]
ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="Who acts (default: MRDGUIDE_ACTOR, else OS user).")
]
NameArg = Annotated[str, typer.Argument(help="User name.")]
RoleOpt = Annotated[
    str, typer.Option("--role", help="lab, reviewer, clinician, statistician or admin.")
]


def _print_user(u: UserInfo, fmt: OutputFormat, what: str) -> None:
    if fmt is OutputFormat.JSON:
        emit_json(u.to_dict())
        return
    state = "active" if u.active else "disabled"
    Console().print(f"{what}: {escape(u.username)} ({u.role.value}, {state})", highlight=False)


def _user_add(
    ctx: typer.Context,
    name: NameArg,
    role: RoleOpt,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a password for the web app on stdin.")
    ] = False,
    actor: ActorOpt = None,
    db: DbOpt = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """Register a user with one role (and, with --password-stdin, a web password)."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            fail("--password-stdin: no password on stdin", ExitCode.USAGE)
    with workspace(ctx, db) as ws:
        u = user_service.add_user(ws.registry(actor), name, role, password=password)
    _print_user(u, fmt, "user added")


def _user_list(ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> None:
    """List users and their roles."""
    with workspace(ctx, db) as ws:
        users = user_service.list_users(ws.registry())
    if fmt is OutputFormat.JSON:
        emit_json([u.to_dict() for u in users])
        return
    t = table(f"{len(users)} user(s)", ("user", "role", "state", "since"))
    for u in users:
        state = "active" if u.active else "disabled"
        t.add_row(escape(u.username), u.role.value, state, u.created_at.date().isoformat())
    out = console()
    out.print(t)
    out.print(disclaimer_footer())


def _user_disable(
    ctx: typer.Context, name: NameArg, actor: ActorOpt = None, db: DbOpt = None,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:  # fmt: skip
    """Disable a user (the record is kept; their tokens stop working)."""
    with workspace(ctx, db) as ws:
        u = user_service.disable_user(ws.registry(actor), name)
    _print_user(u, fmt, "user disabled")


def _user_set_role(
    ctx: typer.Context, name: NameArg, role: RoleOpt, actor: ActorOpt = None,
    db: DbOpt = None, fmt: FormatOpt = OutputFormat.TEXT,
) -> None:  # fmt: skip
    """Change a user's role."""
    with workspace(ctx, db) as ws:
        u = user_service.set_role(ws.registry(actor), name, role)
    _print_user(u, fmt, "role changed")


def _token_create(
    ctx: typer.Context, name: NameArg, actor: ActorOpt = None, db: DbOpt = None
) -> None:
    """Create an API token for a user; it is printed once, on the last line."""
    with workspace(ctx, db) as ws:
        token = user_service.create_token(ws.registry(actor), name)
    Console(stderr=True).print(
        f"API token for {escape(name)} (shown once; the registry keeps only its hash):"
    )
    sys.stdout.write(token + "\n")


def _audit_verify(ctx: typer.Context, db: DbOpt = None, fmt: FormatOpt = OutputFormat.TEXT) -> None:
    """Recompute the audit trail's hash chain; exit 1 naming the first broken record."""
    with workspace(ctx, db) as ws:
        res = audit_service.verify(ws.registry())
    if fmt is OutputFormat.JSON:
        emit_json(res.to_dict())
    elif res.broken is None:
        Console().print(f"audit trail intact: {res.records} record(s) verified", highlight=False)
    else:
        b = res.broken
        Console(stderr=True).print(
            f"[red]audit trail broken[/red] at record {b.seq} (row {b.record_id}): "
            f"{escape(b.reason)}", highlight=False,
        )  # fmt: skip
    if res.broken is not None:
        raise SystemExit(int(ExitCode.FAILURE))


def _audit_show(
    ctx: typer.Context,
    patient: Annotated[str | None, typer.Option("--patient", help="Only this patient.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only from this date (YYYY-MM-DD).")
    ] = None,
    actor: Annotated[str | None, typer.Option("--by", help="Only this actor.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N records.")] = 200,
    db: DbOpt = None,
    wide: WideOpt = False,
    fmt: FormatOpt = OutputFormat.TEXT,
) -> None:
    """List the audit trail, oldest first."""
    day = None
    if since is not None:
        try:
            day = dt.date.fromisoformat(since)
        except ValueError:
            fail(f"--since {since!r}: expected a date YYYY-MM-DD", ExitCode.USAGE)
    with workspace(ctx, db) as ws:
        entries = audit_service.show(
            ws.registry(), patient_id=patient, since=day, actor=actor, limit=limit
        )
    if fmt is OutputFormat.JSON:
        emit_json([e.to_dict() for e in entries])
        return
    t = table(
        f"{len(entries)} audit record(s)",
        ("#", "at (UTC)", "actor", "action", "entity", "patient", "source"),
        numeric=("#",), no_wrap=("#", "at (UTC)"),
    )  # fmt: skip
    for e in entries:
        t.add_row(str(e.seq), e.at.strftime("%Y-%m-%d %H:%M:%S"), escape(e.actor), e.action,
                  e.entity, escape(e.patient_id or "–"), escape(e.source or "–"))  # fmt: skip
    console(wide=wide).print(t)


def register(app: typer.Typer) -> None:
    """Add ``user``, ``token`` and ``audit`` to ``app``."""
    user = typer.Typer(help="Registry users and roles.", no_args_is_help=True)
    user.command("add")(_user_add)
    user.command("list")(_user_list)
    user.command("disable")(_user_disable)
    user.command("set-role")(_user_set_role)
    app.add_typer(user, name="user")
    token = typer.Typer(help="API tokens for /api/v1.", no_args_is_help=True)
    token.command("create")(_token_create)
    app.add_typer(token, name="token")
    audit = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
    audit.command("verify")(_audit_verify)
    audit.command("show")(_audit_show)
    app.add_typer(audit, name="audit")
