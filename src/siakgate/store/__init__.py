"""Persistence: the database (:class:`Database`, SQLAlchemy 2 + Alembic) and the document store.

The models live in :mod:`siakgate.store.models`; they are not imported here, so importing the
store does not pull in the whole schema.
"""

from siakgate.store.db import Database
from siakgate.store.documents import DocumentStore

__all__ = ["Database", "DocumentStore"]
