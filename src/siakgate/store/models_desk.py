"""The service desk's tables: queue tickets, complaints (with their history), follow-up tasks.

Why these shapes:

* **QueueTicket** is one number handed out at a counter of a region's office on a WIB day. The number
  itself comes from the shared :class:`~siakgate.store.models.QueueCounter` row of (region and counter,
  day), bumped with one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` (see
  :mod:`siakgate.service_desk.queue`); the unique key (region, counter, day, number) is a second guard
  against a duplicate. ``region_code`` scopes the ticket like an application's: "" is national.
* **Complaint** carries its whole position (``level``, ``level_due_at``, ``state``) plus ``version`` for
  optimistic locking, like an application. ``ComplaintEvent`` rows are its history (created, escalated
  by a person or by a passed deadline, resolved with the follow-up text).
* **FollowUpTask** is a task on an application after it is done (seed 003): the old KK to be returned,
  a KTP-el to be printed again. Unique on (application, kind), so a task is never created twice.
* **ChangeDeclaration**: which data elements a PERUBAHAN_DATA application changes, as the applicant's
  form ("Surat Pernyataan Perubahan Elemen Data Kependudukan") lists them; it decides the KTP task.

Personal data: ``Complaint.complainant_name``, ``complainant_contact`` and ``description`` (free text
may name people). They are stored, shown to the desk's roles, and never logged.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from siakgate.store.models import Base, new_id

__all__ = ["ChangeDeclaration", "Complaint", "ComplaintEvent", "FollowUpTask", "QueueTicket"]


class QueueTicket(Base):
    """A queue number ("A-001") given out at a counter on a WIB day; optionally linked to an application."""

    __tablename__ = "desk_queue_tickets"
    __table_args__ = (
        UniqueConstraint(
            "region_code", "counter", "day", "number", name="uq_desk_queue_tickets_region_counter_day_number"
        ),
        Index("ix_desk_queue_tickets_application", "application_id"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    region_code: Mapped[str] = mapped_column(String(10), default="")
    """The office's region (the token's prefix or one inside it); "" (tickets from before regions) is national."""
    counter: Mapped[str] = mapped_column(String(16))
    day: Mapped[date] = mapped_column(Date)
    """The WIB date the ticket was taken (numbers restart each day)."""
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(24))
    """What is printed and called out: counter, dash, number ("A-001")."""
    application_id: Mapped[str | None] = mapped_column(ForeignKey("applications.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class Complaint(Base):
    """A complaint (pengaduan), about an application or in general, moving up the levels of seed 001."""

    __tablename__ = "desk_complaints"
    __table_args__ = (
        Index("ix_desk_complaints_state_level", "state", "level"),
        Index("ix_desk_complaints_application", "application_id"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    application_id: Mapped[str | None] = mapped_column(ForeignKey("applications.id"))
    region_code: Mapped[str] = mapped_column(String(10), default="")
    """The application's region (or the one given); "" for a complaint seen only by unrestricted tokens."""
    channel: Mapped[str] = mapped_column(String(16))
    field: Mapped[str | None] = mapped_column(String(32))
    """The Bidang concerned: PENDAFTARAN_PENDUDUK or PENCATATAN_SIPIL (None: not yet known)."""
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    """Personal data possible (free text): never logged."""
    complainant_name: Mapped[str | None] = mapped_column(String(200))
    """Personal data: never logged."""
    complainant_contact: Mapped[str | None] = mapped_column(String(200))
    """Personal data (phone, e-mail, LAPOR! tracking id): never logged."""
    level: Mapped[str] = mapped_column(String(16))
    level_started_at: Mapped[datetime]
    level_due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16))
    """OPEN or RESOLVED."""
    follow_up: Mapped[str | None] = mapped_column(Text)
    """The recorded follow-up (tindak lanjut); required to resolve."""
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class ComplaintEvent(Base):
    """One line of a complaint's history: who moved it where, when, and why."""

    __tablename__ = "desk_complaint_events"
    __table_args__ = (Index("ix_desk_complaint_events_complaint", "complaint_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    complaint_id: Mapped[str] = mapped_column(ForeignKey("desk_complaints.id"))
    action: Mapped[str] = mapped_column(String(32))
    """created, escalated, escalated_deadline, resolved."""
    from_level: Mapped[str | None] = mapped_column(String(16))
    to_level: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)


class FollowUpTask(Base):
    """A task on a finished application (seed 003): return the old KK, print the KTP-el again."""

    __tablename__ = "desk_follow_up_tasks"
    __table_args__ = (
        UniqueConstraint("application_id", "kind", name="uq_desk_follow_up_tasks_application_kind"),
        Index("ix_desk_follow_up_tasks_state", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    region_code: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(32))
    """KK_LAMA_DIKEMBALIKAN or CETAK_ULANG_KTP."""
    state: Mapped[str] = mapped_column(String(16))
    """OPEN or DONE."""
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """No personal data: e.g. which element codes changed."""
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class ChangeDeclaration(Base):
    """The data elements a PERUBAHAN_DATA application changes (codes, never values)."""

    __tablename__ = "desk_change_declarations"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), primary_key=True)
    elements: Mapped[list[Any]] = mapped_column(JSON)
    declared_by: Mapped[str] = mapped_column(String(100))
    declared_at: Mapped[datetime]
