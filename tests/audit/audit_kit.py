"""Helpers of the audit tests: appending synthetic entries, tampering with the table in raw SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from siakgate.audit import AuditEvent, append
from siakgate.store.db import Database

T0 = datetime(2026, 11, 23, 1, 2, 3, 456789, tzinfo=UTC)


def event(n: int, actor: str = "loket-desa") -> AuditEvent:
    return AuditEvent(
        actor=actor,
        calling_system=actor,
        action="STATE_CHANGED",
        subject_type="application",
        subject_id=f"APP{n:04d}",
        at=T0 + timedelta(seconds=n),
        details={"event": "complete", "step_id": "s1", "state": "MENUNGGU_VERIFIKASI", "n": n},
    )


def append_entries(db: Database, count: int, start: int = 1) -> None:
    with db.unit_of_work() as session:
        append(session, [event(start + i) for i in range(count)])


def raw(db: Database, sql: str, **params: object) -> None:
    """Tamper as an intruder with database access would: plain SQL, no ORM, no hooks."""
    with db.engine.begin() as connection:
        connection.execute(text(sql), params)


def swap(db: Database, a: int, b: int) -> None:
    """Exchange the positions (seq) of two entries."""
    raw(db, "UPDATE audit_entries SET seq = -1 WHERE seq = :a", a=a)
    raw(db, "UPDATE audit_entries SET seq = :a WHERE seq = :b", a=a, b=b)
    raw(db, "UPDATE audit_entries SET seq = :b WHERE seq = -1", b=b)
