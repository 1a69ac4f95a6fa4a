"""Alembic migrations, shipped in the package; ``Database.migrate()`` applies them.

To make a new revision after changing ``siakgate.store.models``::

    python -m siakgate.store.migrations revision -m "what changed"

It upgrades a fresh, temporary SQLite database to head, autogenerates the difference to the models
into ``versions/``, and formats the file with ruff. Read the result before committing: autogenerate
misses renames and some server defaults. ``python -m siakgate.store.migrations check`` fails if the
models and the migrations differ (so does the test suite, on SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any, Literal

from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, TypeDecorator

__all__ = ["comparison_options", "render_item", "schema_diff"]


def render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our column types as the plain SQLAlchemy type they store (``UtcDateTime`` → ``sa.DateTime()``).

    A migration is a frozen record of the schema: it must not import the models, which keep changing.
    """
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def comparison_options(connection: Connection) -> dict[str, Any]:
    """How env.py configures Alembic, and how tests compare a database with the models."""
    return {
        # SQLite cannot ALTER most things: batch mode rebuilds the table, the same script serves both.
        "render_as_batch": connection.dialect.name == "sqlite",
        "compare_type": True,
        "compare_server_default": True,
        "render_item": render_item,
    }


def schema_diff(connection: Connection) -> list[Any]:
    """Alembic's differences between the database behind ``connection`` and the models (empty: in step)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from siakgate.store.schema import metadata

    context = MigrationContext.configure(connection, opts=comparison_options(connection))
    return list(compare_metadata(context, metadata))
