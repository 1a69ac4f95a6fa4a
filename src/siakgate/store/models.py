"""The gateway's tables: SQLAlchemy 2 declarative models (``Base``), one schema for SQLite and PostgreSQL.

Why these shapes:

* **Application** carries its whole workflow position (``state``, ``current_step_id``, ``awaiting_role``)
  plus ``version`` for optimistic locking: two gateway instances that read the same row and both try to
  advance it cannot both commit (SQLAlchemy's ``version_id_col`` turns the loser's UPDATE into a
  ``StaleDataError``). ``round`` counts how often the file was resubmitted; automatic steps of a new
  round get new jobs and a new SIAK client request id.
* **Job** is an automatic step made durable: it is written in the same transaction as the transition
  that makes it due, and unique on (application, step, round), so the same step is never queued twice.
  A worker claims it with a lease (``locked_by``/``locked_until``); a crashed worker's lease expires
  and the job is taken again, and the SIAK call it repeats is idempotent.
* **SigningBatchItem** is SIGNED only together with the signed document's hash, so re-running a batch
  skips what is already signed.
* Personal data is confined to ``Application.family`` (the submitted KK as JSON), ``applicant_phone``
  and ``no_kk``; nothing else holds names or NIKs.

Timestamps are stored as naive UTC (``UtcDateTime``) and read back as aware UTC on both databases.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from siakgate.clock import wall_seconds

__all__ = [
    "ApiToken",
    "Application",
    "ApplicationDocument",
    "Base",
    "CollectionBatch",
    "IdempotencyRecord",
    "Job",
    "QueueCounter",
    "SigningBatch",
    "SigningBatchItem",
    "TimelineEvent",
    "UtcDateTime",
    "new_id",
]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_id() -> str:
    """A 26-character ULID-style id: 48 bits of milliseconds then 80 random bits, Crockford base32.

    Sortable by creation time (lists come out in order without an extra index) and unguessable enough
    that ids in URLs reveal nothing about other applications.
    """
    value = (int(wall_seconds() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC out; stored naive UTC (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base; Alembic's env.py imports ``Base.metadata``.

    Constraints are named by convention so a later migration can drop or alter them by name (SQLite's batch
    mode needs the names; unnamed constraints would have to be found by shape).
    """

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Application(Base):
    """One KK application moving through its service profile."""

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_state", "state"),
        Index("ix_applications_region", "region_code"),
        Index("ix_applications_profile_state", "profile_id", "state"),
        Index("ix_applications_awaiting", "awaiting_role", "state"),
    )

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(String(64))
    case_type: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(40))
    current_step_id: Mapped[str | None] = mapped_column(String(64))
    awaiting_role: Mapped[str | None] = mapped_column(String(32))
    step_started_at: Mapped[datetime]
    """When the current step became current (a step's actual minutes are measured from here)."""
    round: Mapped[int] = mapped_column(Integer, default=0)
    """How many times the file was resubmitted or retried; part of every job's uniqueness."""
    entry_round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """The round whose data SIAK holds (or will): part of the data entry's client request id. A
    resubmission with corrected data moves it to the new round; an administrator's retry does not."""
    return_step_id: Mapped[str | None] = mapped_column(String(64))
    """Where a resubmission resumes (set when the application is returned)."""
    return_reason: Mapped[str | None] = mapped_column(Text)
    """Why it was returned or rejected (Bahasa Indonesia; never personal data)."""
    missing: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """Requirement codes the checker listed as missing."""
    physically_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    applicant_phone: Mapped[str | None] = mapped_column(String(32))
    """Personal data."""
    family: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Personal data: the submitted KartuKeluarga (``model_dump(mode="json")``)."""
    no_kk: Mapped[str | None] = mapped_column(String(16))
    """The existing KK the application refers to; SIAK's number once entered."""
    entry_no_kk: Mapped[str | None] = mapped_column(String(16))
    """The No. KK as submitted (sent again when the data is re-entered)."""
    siak_request_no: Mapped[str | None] = mapped_column(String(64))
    queue_number: Mapped[str | None] = mapped_column(String(16))
    verify_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The unguessable reference printed in the signed KK's QR code."""
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None]
    signer_name: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    collection_id: Mapped[str | None] = mapped_column(ForeignKey("collection_batches.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class ApplicationDocument(Base):
    """A file of an application: a requirement (by code), DRAFT_KK, SIGNED_KK or COVER_LETTER."""

    __tablename__ = "application_documents"
    __table_args__ = (Index("ix_documents_app_kind", "application_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class TimelineEvent(Base):
    """Who did what and when, with the step's actual minutes against its standard."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_app", "application_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    step_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    standard_minutes: Mapped[float | None] = mapped_column(Float)
    actual_minutes: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(40))
    """The application's state after the event."""
    note: Mapped[str | None] = mapped_column(Text)


class Job(Base):
    """A durable automatic step (a SIAK call), claimed by one worker at a time under a lease."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("application_id", "step_id", "round", name="uq_jobs_app_step_round"),
        Index("ix_jobs_due", "state", "run_after"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    step_id: Mapped[str] = mapped_column(String(64))
    round: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(16))
    """PENDING, RUNNING, DONE or FAILED."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_after: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    locked_until: Mapped[datetime | None]
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class SigningBatch(Base):
    """The Kepala Dinas's batch: N applications signed under one authorisation."""

    __tablename__ = "signing_batches"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    state: Mapped[str] = mapped_column(String(16))
    """PENDING (to sign), SIGNING (a signer holds it until ``locked_until``), DONE (every item signed)."""
    created_by: Mapped[str] = mapped_column(String(100))
    region_prefix: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    locked_by: Mapped[str | None] = mapped_column(String(100))
    """The fencing token of the sign call that holds the batch (``siakgate.store.leases``)."""
    locked_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class SigningBatchItem(Base):
    __tablename__ = "signing_batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "application_id", name="uq_batch_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("signing_batches.id"))
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    state: Mapped[str] = mapped_column(String(16))
    """PENDING, SIGNED or FAILED (a failed item may be signed again)."""
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[datetime | None]


class SigningSend(Base):
    """One document handed to the signing service (BSrE) by one sign call, written BEFORE it is sent.

    The operator's record to reconcile with BSrE's own log: after a crash between BSrE's answer and
    the gateway's commit, the next call signs that KK again (unavoidable once), and both sends are
    here with the hash of what was sent and which lease sent it. ``outcome`` is filled in when the
    call records its result: SIGNED, FAILED, or DISCARDED (a stale holder's result, not stored).
    """

    __tablename__ = "signing_sends"
    __table_args__ = (Index("ix_signing_sends_app", "application_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("signing_batches.id"))
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"))
    lease_token: Mapped[str] = mapped_column(String(100))
    document_sha256: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the PDF sent to be signed."""
    sent_at: Mapped[datetime]
    outcome: Mapped[str | None] = mapped_column(String(16))
    signed_sha256: Mapped[str | None] = mapped_column(String(64))
    error_code: Mapped[str | None] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """The first answer to (token, Idempotency-Key), and the hash of the request it answered."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("token", "key", name="uq_idempotency_token_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(128))
    application_id: Mapped[str | None] = mapped_column(String(26))
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class ApiToken(Base):
    """A calling system's token: only its SHA-256 is stored; roles and an optional region prefix."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    roles: Mapped[list[Any]] = mapped_column(JSON)
    region_prefix: Mapped[str] = mapped_column(String(10), default="")
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class CollectionBatch(Base):
    """A kecamatan's collection of applications sent to the Dinas with one cover letter signed by the Sekcam."""

    __tablename__ = "collection_batches"

    id: Mapped[str] = mapped_column(String(26), primary_key=True, default=new_id)
    profile_id: Mapped[str] = mapped_column(String(64))
    district_code: Mapped[str] = mapped_column(String(6))
    state: Mapped[str] = mapped_column(String(16))
    """OPEN (cover letter drafted), SIGNED (cover letter signed), SUBMITTED."""
    number: Mapped[str] = mapped_column(String(64))
    """The cover letter's number."""
    cover_letter_sha256: Mapped[str | None] = mapped_column(String(64))
    signed_cover_letter_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    signed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads it)


class QueueCounter(Base):
    """The last queue number given out per counter and day."""

    __tablename__ = "queue_counters"
    __table_args__ = (UniqueConstraint("counter", "day", name="uq_queue_counter_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    counter: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    last_number: Mapped[int] = mapped_column(Integer)
