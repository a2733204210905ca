"""``mrdguide serve [--db URL] [--host 127.0.0.1] [--port 8000]``: run the web application.

The registry must be at the current schema (``mrdguide init`` creates or upgrades it); the
server refuses to start otherwise. Settings: see :mod:`mrdguide.settings` and
:mod:`mrdguide.web.core.config` (``MRDGUIDE_SESSION_SECRET`` keeps sessions across restarts).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from mrdguide._disclaimer import SHORT_DISCLAIMER
from mrdguide.cli._common import settings_of, workspace


def _serve(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", help="Registry URL.")] = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
) -> None:
    """Serve the web application (laboratory, review, patients, cohort, administration)."""
    try:
        import uvicorn

        from mrdguide.web import WebSettings, create_app
    except ImportError as exc:  # pragma: no cover - the web extra is part of `all`
        raise typer.BadParameter(
            "the web app needs the 'web' extra: pip install 'mrdguide[web]'"
        ) from exc
    settings = settings_of(ctx)
    with workspace(ctx, db) as ws:
        web = WebSettings.from_env()
        app = create_app(settings, workspace=ws, web=web)
        console = Console(stderr=True)
        console.print(
            f"mrdguide web app on http://{host}:{port}/ (registry {ws.url})", highlight=False
        )
        console.print(f"[dim]{SHORT_DISCLAIMER}[/dim]")
        uvicorn.run(
            app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False
        )


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(_serve)
