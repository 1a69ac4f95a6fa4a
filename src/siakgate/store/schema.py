"""The whole database schema: every module that declares tables on :class:`siakgate.store.models.Base`.

Alembic (``migrations/env.py``) and the schema check (``migrations.schema_diff``) read ``metadata`` from here, so
a table is in the schema exactly when its module is imported below, wherever the rest of the code imports it
from. A new area of the gateway with tables of its own adds its module here and makes a revision
(``make migration m="..."``).
"""

from __future__ import annotations

from sqlalchemy import MetaData

from siakgate.store import (
    models,
    models_archive,  # noqa: F401 (the archive of signed KKs and their files)
    models_audit,  # noqa: F401 (the hash-chained audit trail)
    models_desk,  # noqa: F401 (queue tickets, complaints, follow-up tasks)
    models_notify,  # noqa: F401 (the notification outbox)
    models_web,  # noqa: F401 (the signing workstation: officers, sessions)
)

metadata: MetaData = models.Base.metadata

__all__ = ["metadata"]
