"""The replicator: copy PENDING archive records to every location, durably and once at a time.

The same claim pattern as the workflow's jobs: a unit of work claims due records (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL, SQLite's single writer otherwise) and leases them to this replicator
(``locked_by``/``locked_until``); the files are copied outside any transaction; a second unit marks
each record REPLICATED, or PENDING again with a backoff and the error code (a flash disk that is not
plugged in today is tried again later, without end). A replicator that dies mid-copy leaves at worst a
temporary file (never a half copy under the final name: :func:`~siakgate.archive.files.copy_verified`),
and its lease expires so another takes the record again. Copying is idempotent: a good copy is kept.

The source of a copy is the gateway's document store, or, if that copy is missing or bad, any location
that holds a good one; every byte copied is hashed against the record's SHA-256 before it lands.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Final

import anyio
import anyio.to_thread
from sqlalchemy import and_, or_
from sqlalchemy.orm import Session
from tenacity import wait_exponential

from siakgate.archive.files import CopyState, CorruptSourceError, copy_verified, file_state
from siakgate.archive.records import PENDING, REPLICATED
from siakgate.archive.settings import ArchiveLocation
from siakgate.clock import Clock, as_clock
from siakgate.errors import NoGoodCopyError
from siakgate.store.db import Database
from siakgate.store.documents import DocumentStore
from siakgate.store.leases import Lease, LeaseQueue, worker_name
from siakgate.store.models_archive import ArchiveRecord
from siakgate.store.passlog import PassLog

__all__ = ["PRIMARY", "Archive", "Claimed", "run_replicator"]

log = logging.getLogger("siakgate.archive")

PRIMARY: Final = "dokumen"
"""The name under which the gateway's own document store appears in reports."""

_BACKOFF: Final = wait_exponential(multiplier=10, max=3600)
"""10 s, 20 s, 40 s … capped at an hour: a flash disk that is not plugged in today is tried again later."""


@dataclass(frozen=True)
class Claimed:
    id: int
    application_id: str
    kind: str
    sha256: str
    relative_path: str
    lease: Lease


class Archive:
    """The archive of one gateway: its database, its document store, its locations."""

    def __init__(
        self,
        db: Database,
        documents: DocumentStore,
        locations: Sequence[ArchiveLocation],
        *,
        lease: timedelta = timedelta(minutes=5),
        clock: Clock | Callable[[], datetime],
        worker_id: str | None = None,
    ) -> None:
        if not locations:
            raise ValueError("the archive needs at least one location")
        self.db = db
        self.documents = documents
        self.locations = list(locations)
        self.lease = lease
        self.clock = as_clock(clock)
        self.worker_id = worker_id or worker_name()
        self.queue: LeaseQueue[ArchiveRecord] = LeaseQueue(
            db,
            ArchiveRecord,
            clock=self.clock,
            owner=self.worker_id,
            lease=lease,
            due=lambda now: and_(
                ArchiveRecord.state == PENDING,
                ArchiveRecord.run_after <= now,
                or_(ArchiveRecord.locked_until.is_(None), ArchiveRecord.locked_until < now),
            ),
            order_by=[ArchiveRecord.id],
            backoff=_BACKOFF,
        )

    # -- where the copies are ------------------------------------------------------------------------

    def primary_path(self, sha256: str) -> Path:
        """The document store's file (its layout: ``root/ab/cd/<sha>``, see :mod:`siakgate.store.documents`)."""
        return self.documents.root / sha256[:2] / sha256[2:4] / sha256

    def places(self, relative_path: str, sha256: str) -> list[tuple[str, Path]]:
        """(name, path) of every copy of a record: the document store first, then each location."""
        return [(PRIMARY, self.primary_path(sha256))] + [
            (location.name, location.path / relative_path) for location in self.locations
        ]

    def names(self) -> list[str]:
        """The document store's name and every location's, in report order."""
        return [PRIMARY] + [location.name for location in self.locations]

    def copy_to(self, targets: Sequence[tuple[str, Path]], sources: Sequence[tuple[str, Path]], sha256: str) -> str:
        """Write every target from the first source that proves good; the source's name. Blocking."""
        for name, source in sources:
            if file_state(source, sha256) is not CopyState.OK:
                continue
            try:
                for _, target in targets:
                    copy_verified(source, target, sha256)
            except CorruptSourceError:  # went bad between the check and the copy: try the next one
                continue
            return name
        raise NoGoodCopyError(sha256)

    # -- replication ---------------------------------------------------------------------------------

    def _claim(self, limit: int, session: Session) -> list[Claimed]:
        return [
            Claimed(record.id, record.application_id, record.kind, record.sha256, record.relative_path, lease)
            for record, lease in self.queue.claim(session, limit=limit)
        ]

    def _replicate(self, item: Claimed) -> str | None:
        """Copy one record to every location that lacks a good copy; the error code, or None. Blocking."""
        places = self.places(item.relative_path, item.sha256)
        targets = [(n, p) for n, p in places[1:] if file_state(p, item.sha256) is not CopyState.OK]
        if not targets:
            return None
        try:
            self.copy_to(targets, places, item.sha256)
        except NoGoodCopyError:
            log.error("archive: no good copy record=%d app=%s kind=%s", item.id, item.application_id, item.kind)
            return "ARSIP_TIDAK_ADA_SALINAN_BAIK"
        except OSError as exc:  # a location unplugged, full or read-only
            log.warning("archive: copy failed record=%d: %s", item.id, exc.strerror)
            return "ARSIP_LOKASI_GAGAL"
        return None

    def _finish(self, outcomes: list[tuple[Claimed, str | None]], session: Session) -> None:
        now = self.clock()
        for item, error in outcomes:
            record = self.queue.holds(session, item.lease)
            if record is None:
                continue  # the lease was lost to another replicator; its outcome counts
            self.queue.release(record)
            if error is None:
                record.state = REPLICATED
                record.replicated_at = now
                record.last_error_code = None
            else:
                record.attempts += 1
                record.last_error_code = error
                record.run_after = self.queue.retry_at(record.attempts)

    async def run_pending(self, *, limit: int = 20) -> int:
        """One pass: claim due records, copy them, record the outcomes; how many were claimed."""
        claimed = await self.db.run(partial(self._claim, limit))
        if not claimed:
            return 0
        outcomes = []
        async with self.queue.kept(*(item.lease for item in claimed)):
            for item in claimed:
                outcomes.append((item, await anyio.to_thread.run_sync(self._replicate, item)))
        await self.db.run(partial(self._finish, outcomes))
        done = sum(1 for _, error in outcomes if error is None)
        log.info("archive: %d of %d records replicated", done, len(claimed))
        return len(claimed)


async def run_replicator(archive: Archive, interval: float) -> None:
    """Replicate forever (the gateway's background task): drain while there is work, then wait."""
    passes = PassLog(log, "replikasi arsip")  # one line per failing pass, the traceback once
    while True:
        claimed = 0
        try:
            claimed = await archive.run_pending()
        except Exception as exc:
            passes.failed(exc)
        else:
            passes.succeeded()
        await anyio.sleep(interval if claimed == 0 else 0)
