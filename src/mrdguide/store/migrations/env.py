"""Alembic environment. Configured in code by :mod:`mrdguide.store._migrate`.

The caller passes an open SQLAlchemy ``Connection`` in ``config.attributes["connection"]``;
migrations run inside that connection's transaction. SQLite uses batch mode
(``render_as_batch=True``) because it cannot ALTER most constraints in place.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from mrdguide.store.tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        msg = "mrdguide migrations must be run through mrdguide.store (no alembic.ini is shipped)"
        raise RuntimeError(msg)
    _run(connection)


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not supported
    msg = "offline migrations are not supported"
    raise RuntimeError(msg)
_main()
