"""Serve a document from the archive when the document store's copy is corrupt, and repair that copy.

A download (``GET /v1/applications/{id}/documents/{kind}``) reads the document store
(:meth:`siakgate.store.documents.DocumentStore.get`), which re-hashes what it reads. When those bytes no longer
have the SHA-256 recorded at signing (the store names each document by it; the archive record keeps the same
hash), :meth:`ArchiveCopies.restore_primary` looks for a location holding a copy with that hash, writes it back
over the store's file the archive's way (:func:`~siakgate.archive.files.copy_verified`: a temporary file in the
same directory, hashed while written, fsync, rename, directory sync) and returns the bytes read back, re-hashed
once more. A copy whose hash does not match is never used. The repair is appended to the audit trail
(``ARCHIVE_RESTORED``, location ``dokumen``, as ``siakgate archive restore`` records its repairs) and logged in
one line (application id, kind, locations: no personal data).

Blocking I/O: call from a worker thread (the workflow does, through ``anyio.to_thread``), never inside a unit
of work (it opens its own).
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import select

from siakgate.archive.files import file_state
from siakgate.archive.replicate import PRIMARY, Archive
from siakgate.audit import context as audit_context
from siakgate.audit.chain import AuditEvent, append
from siakgate.errors import NoGoodCopyError
from siakgate.store.models_archive import ArchiveRecord

__all__ = ["ArchiveCopies"]

log = logging.getLogger("siakgate.archive")


class ArchiveCopies:
    """The archive's copies of an application's documents, as a source to repair the document store from.

    Satisfies :class:`siakgate.workflow.engine.DocumentCopies`.
    """

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def restore_primary(self, application_id: str, sha256: str, *, actor: str) -> bytes:
        """Repair the store's copy of ``sha256`` from a good archive copy and return its bytes (see the module
        docstring). :class:`NoGoodCopyError` when no location holds a copy with that hash: nothing is written."""
        archive = self.archive
        with archive.db.unit_of_work(read_only=True) as session:
            stmt = (
                select(ArchiveRecord.id, ArchiveRecord.kind, ArchiveRecord.relative_path)
                .where(ArchiveRecord.application_id == application_id, ArchiveRecord.sha256 == sha256)
                .order_by(ArchiveRecord.id)
            )
            records = [(int(row_id), str(kind), str(path)) for row_id, kind, path in session.execute(stmt)]
        if not records:
            raise NoGoodCopyError(sha256)
        primary = archive.primary_path(sha256)
        was = file_state(primary, sha256)
        sources = [(location.name, location.path / path) for _, _, path in records for location in archive.locations]
        source = archive.copy_to([(PRIMARY, primary)], sources, sha256)  # first copy re-hashed good; verified write
        data = primary.read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            raise NoGoodCopyError(sha256)  # the disk fails under the repaired file: never serve other bytes
        record_id, kind, _ = records[0]
        event = AuditEvent(
            actor=actor,
            calling_system=audit_context.calling_system(actor),
            action="ARCHIVE_RESTORED",
            subject_type="application",
            subject_id=application_id,
            at=archive.clock(),
            details={
                "record_id": record_id,
                "kind": kind,
                "location": PRIMARY,
                "was": str(was),
                "source": source,
                "on": "DOWNLOAD",
            },
        )
        with archive.db.unit_of_work() as session:
            append(session, [event])
        log.warning(
            "arsip: berkas utama %s rusak (%s), dipulihkan dari lokasi %s saat diunduh: app=%s record=%d",
            kind,
            was,
            source,
            application_id,
            record_id,
        )
        return data
