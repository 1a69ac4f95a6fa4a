"""Session hooks: every state change and every signature becomes an audit entry in the SAME transaction.

The workflow is not edited for the audit: it already writes a ``TimelineEvent`` for every state change
(:func:`siakgate.workflow.transitions.record`, the worker giving up), a ``SIGNED_KK`` document (with the
signing batch item marked SIGNED) for every KK the Kepala Dinas signs, and marks a kecamatan collection
SIGNED when the Sekcam signs its cover letter. Two listeners on SQLAlchemy's ``Session`` class:

* ``before_flush`` turns those new or changed rows into :class:`~siakgate.audit.chain.AuditEvent` s kept in
  ``session.info`` (plain data: ids, codes, states; never a note, a name or a number from the family);
* ``before_commit`` flushes what is left, then appends the collected events to the chain
  (:func:`siakgate.audit.chain.append`: advisory lock on PostgreSQL, then the tip), so the lock is taken
  at the very end of the transaction. The commit's own flush writes the entries with everything else:
  the state change and its audit entry are committed together or not at all.

A rollback drops what was collected. :func:`install` is idempotent and runs when :mod:`siakgate.audit` is
imported (the API imports it for its routes).
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from siakgate.audit.chain import AuditEvent, append
from siakgate.audit.context import calling_system
from siakgate.store.models import ApplicationDocument, CollectionBatch, SigningBatchItem, TimelineEvent

__all__ = ["STATE_CHANGED", "install", "installed"]

STATE_CHANGED: Final = "STATE_CHANGED"
KK_SIGNED: Final = "KK_SIGNED"
COVER_LETTER_SIGNED: Final = "COVER_LETTER_SIGNED"
DOCUMENT_STORED: Final = "DOCUMENT_STORED"

_PENDING: Final = "siakgate_audit_pending"


def _state_change(row: TimelineEvent) -> AuditEvent:
    # The note is free text (a return reason may quote a name): never copied.
    return AuditEvent(
        actor=row.actor,
        calling_system=calling_system(row.actor),
        action=STATE_CHANGED,
        subject_type="application",
        subject_id=row.application_id,
        at=row.at,
        details={"event": row.action, "step_id": row.step_id, "role": row.role, "state": row.outcome},
    )


def _document(session: Session, row: ApplicationDocument) -> AuditEvent:
    details: dict[str, Any] = {"kind": row.kind, "sha256": row.sha256, "size": row.size}
    action = DOCUMENT_STORED
    if row.kind == "SIGNED_KK":
        action = KK_SIGNED
        for item in session.dirty:
            if isinstance(item, SigningBatchItem) and item.application_id == row.application_id:
                details["batch_id"] = item.batch_id
    return AuditEvent(
        actor=row.created_by,
        calling_system=calling_system(row.created_by),
        action=action,
        subject_type="application",
        subject_id=row.application_id,
        at=row.created_at,
        details=details,
    )


def _cover_letter(row: CollectionBatch) -> AuditEvent | None:
    history = inspect(row).attrs.state.history
    if row.state != "SIGNED" or not history.added or row.signed_at is None:
        return None
    system = calling_system(row.created_by)
    return AuditEvent(
        actor=system,
        calling_system=system,
        action=COVER_LETTER_SIGNED,
        subject_type="collection",
        subject_id=row.id,
        at=row.signed_at,
        details={"sha256": row.signed_cover_letter_sha256, "district_code": row.district_code},
    )


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    pending: list[AuditEvent] = session.info.setdefault(_PENDING, [])
    for obj in session.new:
        if isinstance(obj, TimelineEvent):
            pending.append(_state_change(obj))
        elif isinstance(obj, ApplicationDocument):
            pending.append(_document(session, obj))
    for obj in session.dirty:
        if isinstance(obj, CollectionBatch) and (found := _cover_letter(obj)) is not None:
            pending.append(found)


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    events: list[AuditEvent] = session.info.pop(_PENDING, [])
    if events:
        append(session, events)


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(_PENDING, None)


_LISTENERS: Final = (
    ("before_flush", _before_flush),
    ("before_commit", _before_commit),
    ("after_rollback", _forget),
    ("after_commit", _forget),
)


def install() -> None:
    """Listen on every :class:`~sqlalchemy.orm.Session` (idempotent)."""
    for name, listener in _LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


def installed() -> bool:
    return all(event.contains(Session, name, listener) for name, listener in _LISTENERS)
