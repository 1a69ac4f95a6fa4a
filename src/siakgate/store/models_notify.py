"""The notification outbox: one row per message to an applicant, written with the state change that makes it due.

Why an outbox table rather than sending from the transition: the transition commits in a database
transaction and a WhatsApp/SMS bridge is not part of it. Writing the message as a row in the *same*
transaction makes "state changed" and "message will be sent" one atomic fact; a delivery worker
(:mod:`siakgate.notify.delivery`) sends it afterwards, at least once, with the row's ``id`` as the
idempotency key the receiver uses to drop a repeat.

Columns:

* ``id``: the message id (ULID-style, :func:`~siakgate.store.models.new_id`), fixed when the row is
  written, so every attempt of one message carries the same id and two different notifications never do.
* ``recipient``: the applicant's phone number: **personal data**, stored for delivery, never logged in
  clear (:func:`siakgate.notify.mask_phone`).
* ``body``: the rendered text in Bahasa Indonesia (no NIK, no name: see :mod:`siakgate.notify.outbox`).
* ``state``: PENDING (due at ``next_attempt_at``), SENDING (a worker holds it until ``locked_until``),
  SENT (the bridge answered 2xx) or FAILED (refused with a 4xx, or out of attempts; ``last_error``
  says why, without personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from siakgate.store.models import Base

__all__ = ["OutboxMessage"]


class OutboxMessage(Base):
    """A notification to an applicant, delivered by the outbox worker to the channel's webhook."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_due", "state", "next_attempt_at"),
        Index("ix_outbox_application", "application_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    channel: Mapped[str] = mapped_column(String(16))
    """WHATSAPP or SMS."""
    recipient: Mapped[str] = mapped_column(String(32))
    """Personal data: the applicant's phone number."""
    template: Mapped[str] = mapped_column(String(64))
    """The profile's template key (``berkas_belum_lengkap``, ``siap_diambil``, ...)."""
    step_id: Mapped[str | None] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    attachment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """For a self-printed KK: a reference to the signed PDF (see :mod:`siakgate.notify.outbox`)."""
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
