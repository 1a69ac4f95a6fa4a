"""The audit trail's table: one row per audited event, chained by SHA-256 (see :mod:`siakgate.audit`).

Why these shapes:

* ``seq`` is the primary key and is assigned by the appender (1, 2, 3, ... without gaps), not by the
  database: a gap is then evidence of a removed entry, and two appenders that somehow read the same
  chain tip collide on the key instead of forking the chain.
* ``hash`` is the SHA-256 of the canonical JSON of every other column plus ``prev_hash``; ``prev_hash``
  is the previous entry's ``hash`` (64 zeros for the first). Changing, removing or reordering an entry
  breaks the chain at that entry (``siakgate audit verify``).
* ``details`` holds ids, codes and states only: never a name, a NIK, a No. KK or a free-text note
  (those may carry personal data). The audit log itself must be safe to show an auditor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from siakgate.store.models import Base

__all__ = ["AuditEntry"]


class AuditEntry(Base):
    """One audited event: who (``actor``), through which calling system, did what to which subject, when."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_subject", "subject_type", "subject_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))
    calling_system: Mapped[str] = mapped_column(String(100))
    """The API token's name (the calling system), or ``system`` for the gateway's own worker."""
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
