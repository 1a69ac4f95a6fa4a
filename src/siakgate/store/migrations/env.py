"""Alembic environment: run by ``Database.migrate()`` (with a connection) or by ``python -m
siakgate.store.migrations`` (making a revision). There is no alembic.ini: the Config is built in code
(``siakgate.store.db.alembic_config``) and the connection arrives in ``config.attributes``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from siakgate.store.migrations import comparison_options
from siakgate.store.schema import metadata


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, **comparison_options(connection))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (--sql) migrations are not supported")
_connection = context.config.attributes.get("connection")
if _connection is None:
    raise RuntimeError("siakgate migrations run through Database.migrate() or python -m siakgate.store.migrations")
run_migrations(_connection)
