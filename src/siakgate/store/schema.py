"""The whole database schema: every module that declares tables on :class:`siakgate.store.models.Base`.

Alembic (``migrations/env.py``) and the schema check (``migrations.schema_diff``) read ``metadata`` from here, so
a table is in the schema exactly when its module is imported below, wherever the rest of the code imports it
from. A new area of the gateway with tables of its own adds its module here and makes a revision
(``make migration m="..."``).
"""

from __future__ import annotations

from sqlalchemy import MetaData

from siakgate.store import models

metadata: MetaData = models.Base.metadata

__all__ = ["metadata"]
