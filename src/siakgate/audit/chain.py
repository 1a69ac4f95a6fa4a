"""The hash chain: how an entry's hash is computed, and how entries are appended without forking the chain.

An entry's ``hash`` is ``SHA-256(canonical JSON of {seq, at, actor, calling_system, action, subject_type,
subject_id, details, prev_hash})``; canonical means sorted keys, no whitespace, UTF-8, ``at`` as an ISO 8601
UTC string with microseconds. ``prev_hash`` is the previous entry's hash, :data:`GENESIS` for the first.

Appending must read the chain tip and write the next entry as one step, or two transactions would both
extend the same tip. :func:`append` therefore serialises appenders:

* PostgreSQL: ``pg_advisory_xact_lock`` (a transaction-level advisory lock, released by COMMIT or ROLLBACK)
  before the tip is read; under READ COMMITTED the tip read after the lock sees the previous holder's
  committed entry. Appends are made as late as possible (just before COMMIT, see
  :class:`siakgate.audit.hooks.AuditTrail`), so the lock is held for milliseconds and never before a row lock the
  transaction would still take.
* SQLite: a writing unit of work already holds the database's single write lock (``BEGIN IMMEDIATE``).

Either way ``seq`` is the primary key: even a buggy appender could not fork the chain, only fail.
There is no code path that updates or deletes an entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from siakgate.store.models_audit import AuditEntry

__all__ = ["GENESIS", "AuditEvent", "append", "canonical", "entry_hash"]

GENESIS: Final = "0" * 64
"""The ``prev_hash`` of the first entry."""

_LOCK_KEY: Final = 0x41554449_54434841  # "AUDITCHA": the audit chain's advisory lock (distinct from migrations')


@dataclass(frozen=True)
class AuditEvent:
    """What to append: the chain fields (``seq``, hashes) are added by :func:`append`.

    ``details`` must hold ids, codes and states only (see :mod:`siakgate.store.models_audit`).
    """

    actor: str
    calling_system: str
    action: str
    subject_type: str
    subject_id: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


def _iso(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("naive datetime given to the audit trail")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes that are hashed: sorted keys, no whitespace, UTF-8 (the same on every platform)."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    calling_system: str,
    action: str,
    subject_type: str,
    subject_id: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """The SHA-256 (hex) of an entry's canonical JSON, its ``prev_hash`` included."""
    material = {
        "seq": seq,
        "at": _iso(at),
        "actor": actor,
        "calling_system": calling_system,
        "action": action,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical(material)).hexdigest()


def hash_of(entry: AuditEntry) -> str:
    """Recompute a stored entry's hash from its columns (what ``verify`` compares with ``entry.hash``)."""
    return entry_hash(
        seq=entry.seq,
        at=entry.at,
        actor=entry.actor,
        calling_system=entry.calling_system,
        action=entry.action,
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        details=entry.details,
        prev_hash=entry.prev_hash,
    )


def _lock_chain(session: Session) -> None:
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


def _tip(session: Session) -> tuple[int, str]:
    """The last (seq, hash): the database's, or an entry added to this session and not yet flushed."""
    pending = [obj for obj in session.new if isinstance(obj, AuditEntry)]
    if pending:
        last = max(pending, key=lambda entry: entry.seq)
        return last.seq, last.hash
    # A Core select on the session's connection: no autoflush (the caller decides when the session flushes).
    row = session.connection().execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    found = row.first()
    return (0, GENESIS) if found is None else (int(found[0]), str(found[1]))


def append(session: Session, events: Iterable[AuditEvent]) -> list[AuditEntry]:
    """Add ``events`` to the chain in this session's transaction (committed or rolled back with it)."""
    todo = list(events)
    if not todo:
        return []
    _lock_chain(session)
    seq, prev = _tip(session)
    added = []
    for event in todo:
        seq += 1
        at = event.at.astimezone(UTC)
        actor, calling_system = event.actor[:100], event.calling_system[:100]
        digest = entry_hash(
            seq=seq,
            at=at,
            actor=actor,
            calling_system=calling_system,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            details=event.details,
            prev_hash=prev,
        )
        entry = AuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            calling_system=calling_system,
            action=event.action,
            subject_type=event.subject_type,
            subject_id=event.subject_id,
            details=dict(event.details),
            prev_hash=prev,
            hash=digest,
        )
        session.add(entry)
        added.append(entry)
        prev = digest
    return added
