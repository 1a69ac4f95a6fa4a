"""The archive's table: one row per archived file (a signed KK or one of its requirement files).

An :class:`ArchiveRecord` is written in the same transaction that stores the signed KK, so an archived
file can never be forgotten: the replicator (:mod:`siakgate.archive.replicate`) claims PENDING rows
under a lease (``locked_by``/``locked_until``; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), copies the
file to every configured location and marks the row REPLICATED. A crashed replicator's lease expires
and another takes the row again; copying is idempotent (a good copy is left alone). The renewer
(:mod:`siakgate.archive.renew`) leases the same rows through the same two columns when their ``renew_at``
is due, so a row is never copied and renewed by two workers at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siakgate.store.models import Base

__all__ = ["ArchiveRecord"]


class ArchiveRecord(Base):
    """A file to keep in every archive location, with the SHA-256 every copy must have."""

    __tablename__ = "archive_records"
    __table_args__ = (
        UniqueConstraint("application_id", "kind", "sha256", name="uq_archive_app_kind_sha"),
        Index("ix_archive_due", "state", "run_after"),
        Index("ix_archive_renew", "renew_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[str] = mapped_column(String(64))
    """SIGNED_KK (as delivered), ARCHIVED_KK (its archival B-LTA form, one row per renewal) or a
    requirement code (e.g. KK_LAMA)."""
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    relative_path: Mapped[str] = mapped_column(String(255))
    """Where the copy lives inside every location: ``<application id>/<kind>-<sha256>.<ext>``."""
    state: Mapped[str] = mapped_column(String(16))
    """PENDING (to replicate) or REPLICATED (a good copy was written to every location)."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    replicated_at: Mapped[datetime | None]
    renew_at: Mapped[datetime | None]
    """When this archival form of a signed KK needs a new document timestamp (:mod:`siakgate.archive.renew`):
    at once for a SIGNED_KK (its first archival form), before its newest timestamp's TSA certificate
    expires for an ARCHIVED_KK; None for requirement files and for a form already renewed (superseded)."""
    renew_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    renew_error_code: Mapped[str | None] = mapped_column(String(64))
