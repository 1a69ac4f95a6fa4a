"""Reads of personal data: who read what of which application, when, through which calling system.

The API routes that hand out personal data (an application's detail, its documents — the requirement
scans, the draft and the signed KK —, its family data) call :func:`record_read` once the read has
succeeded, before answering. The entry is its own short write transaction: a read that cannot be
audited is not answered (the error propagates), so no personal data leaves unrecorded.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Final

from sqlalchemy.orm import Session

from siakgate.audit.chain import AuditEvent, append
from siakgate.audit.context import calling_system
from siakgate.store.db import Database

__all__ = ["PERSONAL_DATA_READ", "record_read"]

PERSONAL_DATA_READ: Final = "PERSONAL_DATA_READ"


def _append(event: AuditEvent, session: Session) -> None:
    append(session, [event])


async def record_read(
    db: Database,
    actor: str,
    *,
    what: str,
    application_id: str,
    kind: str | None = None,
    at: datetime,
) -> None:
    """Append a PERSONAL_DATA_READ entry: ``what`` is APPLICATION_DETAIL, DOCUMENT, FAMILY_DATA, ...;
    ``kind`` the document kind (DRAFT_KK, SIGNED_KK or a requirement code)."""
    details: dict[str, str] = {"what": what}
    if kind is not None:
        details["kind"] = kind
    event = AuditEvent(
        actor=actor,
        calling_system=calling_system(actor),
        action=PERSONAL_DATA_READ,
        subject_type="application",
        subject_id=application_id,
        at=at,
        details=details,
    )
    await db.run(partial(_append, event))
