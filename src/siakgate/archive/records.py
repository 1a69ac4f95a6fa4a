"""Archive records are made in the transaction that stores a signed KK (a workflow listener, like the audit's).

When the workflow stores a ``SIGNED_KK`` :class:`~siakgate.store.models.ApplicationDocument`, the
:class:`ArchiveRecords` listener (:mod:`siakgate.workflow.pipeline`, passed by
:func:`siakgate.api.runtime.open_gateway`) adds a PENDING :class:`~siakgate.store.models_archive.ArchiveRecord`
for it and for each requirement file of the same application (the scans it was decided on), with their
SHA-256. Committed together with the signature, so no signed KK escapes the archive; the copying itself
is the replicator's job (:mod:`siakgate.archive.replicate`), outside the transaction.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.store.models import ApplicationDocument
from siakgate.store.models_archive import ArchiveRecord
from siakgate.workflow.pipeline import TransitionListener

__all__ = ["ARCHIVED_KK", "NOT_ARCHIVED", "PENDING", "REPLICATED", "SIGNED_KK", "ArchiveRecords", "relative_path"]

PENDING: Final = "PENDING"
REPLICATED: Final = "REPLICATED"
SIGNED_KK: Final = "SIGNED_KK"
"""The signed KK as delivered to the family (PAdES B-LT by default)."""
ARCHIVED_KK: Final = "ARCHIVED_KK"
"""Its archival form: the signed KK + evidence + a document timestamp (B-LTA), one record per renewal."""
NOT_ARCHIVED: Final = frozenset({"DRAFT_KK", "COVER_LETTER"})
"""Kinds that are not archived with the signed KK (the draft is superseded; cover letters are the
collection's, not the application's)."""

_EXTENSIONS: Final = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
_UNSAFE: Final = re.compile(r"[^A-Za-z0-9_-]")


def relative_path(application_id: str, kind: str, sha256: str, media_type: str) -> str:
    """``<application id>/<kind>-<sha256>.<ext>``: readable on a flash disk, unique, no path tricks."""
    ext = _EXTENSIONS.get(media_type, "bin")
    return f"{_UNSAFE.sub('_', application_id)}/{_UNSAFE.sub('_', kind)}-{sha256}.{ext}"


def _record(doc: ApplicationDocument, now: datetime) -> ArchiveRecord:
    return ArchiveRecord(
        application_id=doc.application_id,
        kind=doc.kind,
        sha256=doc.sha256,
        size=doc.size,
        media_type=doc.media_type,
        relative_path=relative_path(doc.application_id, doc.kind, doc.sha256, doc.media_type),
        state=PENDING,
        attempts=0,
        run_after=now,
        created_at=now,
        # A signed KK's first archival form (B-LTA, siakgate.archive.renew) is due at once.
        renew_at=now if doc.kind == SIGNED_KK else None,
    )


class ArchiveRecords(TransitionListener):
    """Adds the archive records of an application when its signed KK is stored."""

    def on_document(self, session: Session, doc: ApplicationDocument) -> None:
        if doc.kind != SIGNED_KK:
            return
        queued = {(o.application_id, o.kind, o.sha256) for o in session.new if isinstance(o, ArchiveRecord)}
        with session.no_autoflush:
            stored = list(
                session.scalars(
                    select(ApplicationDocument).where(ApplicationDocument.application_id == doc.application_id)
                )
            )
            rows = session.execute(
                select(ArchiveRecord.kind, ArchiveRecord.sha256).where(
                    ArchiveRecord.application_id == doc.application_id
                )
            )
            archived = {(kind, sha) for kind, sha in rows}
        pending = [
            o for o in session.new if isinstance(o, ApplicationDocument) and o.application_id == doc.application_id
        ]
        for file in [doc, *stored, *pending]:
            if file.kind in NOT_ARCHIVED or (file.kind == SIGNED_KK and file is not doc):
                continue
            key = (file.application_id, file.kind, file.sha256)
            if key in queued or (file.kind, file.sha256) in archived:
                continue
            queued.add(key)
            session.add(_record(file, doc.created_at))  # due when the signed KK was stored (the workflow's clock)
