"""The audit trail's transition listener: every state change and every signature becomes an audit entry
in the SAME transaction.

:class:`AuditTrail` is one of the workflow's listeners (:mod:`siakgate.workflow.pipeline`, passed by
:func:`siakgate.api.runtime.open_gateway`). The workflow tells it about every ``TimelineEvent`` (each
state change, the worker giving up included), every document it stores (a ``SIGNED_KK`` for every KK
the Kepala Dinas signs, with the signing batch item marked SIGNED) and every kecamatan cover letter the
Sekcam signs:

* each becomes an :class:`~siakgate.audit.chain.AuditEvent` kept in ``session.info`` (plain data: ids,
  codes, states; never a note, a name or a number from the family);
* ``before_commit`` flushes what is pending, then appends the collected events to the chain
  (:func:`siakgate.audit.chain.append`: advisory lock on PostgreSQL, then the tip), so the lock is taken
  at the very end of the transaction, after every row lock the transaction takes. The commit's own
  flush writes the entries with everything else: the state change and its audit entry are committed
  together or not at all.

A rollback drops what was collected. Entries that are not workflow rows (a personal-data read, an
archive repair) are appended directly with :func:`~siakgate.audit.chain.append`.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy.orm import Session

from siakgate.audit.chain import AuditEvent, append
from siakgate.audit.context import calling_system
from siakgate.store.models import Application, ApplicationDocument, CollectionBatch, SigningBatchItem, TimelineEvent
from siakgate.workflow.pipeline import TransitionListener

__all__ = ["COVER_LETTER_SIGNED", "DOCUMENT_STORED", "KK_SIGNED", "STATE_CHANGED", "AuditTrail"]

STATE_CHANGED: Final = "STATE_CHANGED"
KK_SIGNED: Final = "KK_SIGNED"
COVER_LETTER_SIGNED: Final = "COVER_LETTER_SIGNED"
DOCUMENT_STORED: Final = "DOCUMENT_STORED"

_PENDING: Final = "siakgate.audit.pending"


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
    if row.signed_at is None:
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


class AuditTrail(TransitionListener):
    """Audit entries for the workflow's state changes, stored documents and signed cover letters."""

    def on_state_change(self, session: Session, app: Application, event: TimelineEvent) -> None:
        self._collect(session, _state_change(event))

    def on_document(self, session: Session, doc: ApplicationDocument) -> None:
        self._collect(session, _document(session, doc))

    def on_cover_letter_signed(self, session: Session, collection: CollectionBatch) -> None:
        if (found := _cover_letter(collection)) is not None:
            self._collect(session, found)

    def before_commit(self, session: Session) -> None:
        events: list[AuditEvent] = session.info.pop(_PENDING, [])
        if not events:
            return
        if session.new or session.dirty or session.deleted:
            session.flush()  # every row lock first: the chain's lock is the transaction's last
        append(session, events)

    def after_commit(self, session: Session) -> None:
        session.info.pop(_PENDING, None)

    def after_rollback(self, session: Session) -> None:
        session.info.pop(_PENDING, None)

    @staticmethod
    def _collect(session: Session, event: AuditEvent) -> None:
        pending: list[AuditEvent] = session.info.setdefault(_PENDING, [])
        pending.append(event)
