"""Reads of personal data: who read what of which application, when, through which calling system.

The API routes that hand out personal data (an application's detail, its documents — the requirement
scans, the draft and the signed KK —, its family data) call :func:`record_read` once the read has
succeeded, before answering. A read that cannot be audited is not answered (the error propagates), so no
personal data leaves unrecorded: :func:`record_read` returns only once the entry is committed.

Group commit (:class:`ReadAudit`, one per running gateway): reads arriving together share one write
transaction. Each caller queues its entry and waits; one flusher task appends everything queued, in
arrival order, in a single transaction (one chain lock, one tip read, one commit and its fsync for the
batch), then wakes every caller of the batch with the outcome: all committed, or all failed with the same
error. The chain stays ordered and whole exactly as with one transaction per entry
(:func:`siakgate.audit.chain.append` numbers a batch from the tip, as it numbers one entry). While one batch
commits the next one gathers, so under load a batch is as large as the requests that arrived meanwhile, and
when the gateway is idle a read waits for nothing but its own commit. At shutdown the flusher appends
whatever is still queued before it stops (a clean shutdown loses no entry; an answered read's entry was
committed before its answer anyway).
"""

from __future__ import annotations

import logging
from collections import deque
from datetime import datetime
from functools import partial
from typing import Final

import anyio
from sqlalchemy.orm import Session

from siakgate.audit.chain import AuditEvent, append
from siakgate.audit.context import calling_system
from siakgate.store.db import Database

__all__ = ["PERSONAL_DATA_READ", "ReadAudit", "record_read"]

PERSONAL_DATA_READ: Final = "PERSONAL_DATA_READ"

log = logging.getLogger("siakgate.audit")


def _append(events: list[AuditEvent], session: Session) -> None:
    append(session, events)


class _Waiter:
    """One queued entry and how its caller learns the outcome of the batch that carried it."""

    __slots__ = ("done", "error", "event")

    def __init__(self, event: AuditEvent) -> None:
        self.event = event
        self.done = anyio.Event()
        self.error: BaseException | None = None


class ReadAudit:
    """Group commit of read entries on ``db`` (see the module docstring); :meth:`run` is the flusher task.

    Without a running flusher (a script, a test that calls :meth:`record` alone) each entry is its own
    transaction, as before. ``max_batch`` bounds one transaction.
    """

    def __init__(self, db: Database, *, max_batch: int = 500) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: deque[_Waiter] = deque()
        self._wakeup = anyio.Event()
        self._running = False

    async def record(self, event: AuditEvent) -> None:
        """Append ``event`` to the chain; returns once committed, raises what the commit raised."""
        if not self._running:
            await self._db.run(partial(_append, [event]))
            return
        waiter = _Waiter(event)
        self._queue.append(waiter)
        self._wakeup.set()
        await waiter.done.wait()
        if waiter.error is not None:
            raise waiter.error

    async def run(self) -> None:
        """Flush batches until cancelled; then flush what is still queued (shielded) and stop."""
        self._running = True
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup = anyio.Event()
                while self._queue:
                    await self._flush()
        finally:
            self._running = False
            with anyio.CancelScope(shield=True):
                while self._queue:
                    await self._flush()

    async def _flush(self) -> None:
        batch = [self._queue.popleft() for _ in range(min(len(self._queue), self._max_batch))]
        error: BaseException | None = None
        # Shielded: a batch, once started, is committed or rolled back and its callers told which.
        with anyio.CancelScope(shield=True):
            try:
                await self._db.run(partial(_append, [waiter.event for waiter in batch]))
            except Exception as exc:
                log.warning("read audit batch of %d failed: %s", len(batch), type(exc).__name__)
                error = exc
        for waiter in batch:
            waiter.error = error
            waiter.done.set()


async def record_read(
    audit: Database | ReadAudit,
    actor: str,
    *,
    what: str,
    application_id: str,
    kind: str | None = None,
    at: datetime,
) -> None:
    """Append a PERSONAL_DATA_READ entry: ``what`` is APPLICATION_DETAIL, DOCUMENT, FAMILY_DATA, ...;
    ``kind`` the document kind (DRAFT_KK, SIGNED_KK or a requirement code).

    ``audit``: the gateway's :class:`ReadAudit` (group commit), or a :class:`Database` (its own transaction).
    """
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
    if isinstance(audit, Database):
        await audit.run(partial(_append, [event]))
    else:
        await audit.record(event)
