"""Leases: the one claim / renew / release / backoff used by every queue of work rows.

The workflow's jobs, the notification outbox, the archive's records and the Kepala Dinas's signing
batches are all rows that one worker at a time may work on. Each table carries ``locked_by`` and
``locked_until``; a :class:`LeaseQueue` over it does the rest, the same way for all of them:

* **claim** (inside the caller's unit of work): due rows are selected with ``FOR UPDATE SKIP LOCKED``
  on PostgreSQL (SQLite's single writer serialises claims) and stamped with a *fencing token* unique
  to this claim (``<owner>#<random>``: queues are built per pass or per call, so a counter would repeat) and an expiry;
* **keep** (:meth:`LeaseQueue.kept`): while the work runs outside any transaction, a heartbeat
  renews the lease every third of its length, only if the row still carries our token; a renewal
  that finds another token marks the lease lost;
* **fence** (:meth:`LeaseQueue.holds`, inside the recording unit of work): the row is locked and its
  token compared with ours; only the holder of the *current* lease records an outcome. A stale
  holder (its lease ran out and another worker took the row) gets ``None``, logs and discards its
  result: the work is the new holder's now. Nothing about a lost lease is a failure of the work;
* **release** clears the lease; **retry_at** spaces attempts with a tenacity wait strategy.

A lease is a promise with an expiry, not a lock: a worker that dies simply stops renewing, and after
``lease`` another may take the row. The work itself must therefore be repeatable (the SIAK calls are
idempotent, documents are content-addressed, webhooks carry a message id).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import anyio
from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from tenacity import RetryCallState
from tenacity.wait import wait_base

from siakgate.clock import Clock
from siakgate.store.db import Database

__all__ = ["Lease", "LeaseKeeper", "LeaseQueue", "Leased", "wait_after", "waiting_or_abandoned", "worker_name"]

log = logging.getLogger("siakgate.store")


class Leased(Protocol):
    """A work row: the two lease columns every queue table has."""

    locked_by: Any
    locked_until: Any


RowT = TypeVar("RowT", bound=Leased)


def worker_name(tag: object = None) -> str:
    """``host:pid:xxxxxx``: who holds a lease, readable in the database by an operator."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex() if tag is None else tag}"


@dataclass(frozen=True)
class Lease:
    """One claim of one row: its primary key, the fencing token written on the row, the first expiry."""

    row_id: Any
    token: str
    expires: datetime


@dataclass
class LeaseKeeper:
    """What :meth:`LeaseQueue.kept` hands out: which of the kept leases were found lost while renewing."""

    lost: set[Any] = field(default_factory=set)

    def still_held(self, lease: Lease) -> bool:
        """False once a renewal found another token on the row (recording will be refused anyway)."""
        return lease.row_id not in self.lost


def waiting_or_abandoned(
    state: Any, waiting: str, working: str, locked_until: Any, due_at: Any = None
) -> Callable[[datetime], ColumnElement[bool]]:
    """The usual ``due`` of a queue: rows ``waiting`` (and scheduled by now, when ``due_at`` is given), or
    ``working`` under a lease that ran out (a worker that died or lost its lease)."""

    def due(now: datetime) -> ColumnElement[bool]:
        waits = state == waiting if due_at is None else and_(state == waiting, due_at <= now)
        return or_(waits, and_(state == working, locked_until < now))

    return due


def wait_after(strategy: wait_base, attempts: int) -> timedelta:
    """What a tenacity wait strategy gives after ``attempts`` failed attempts (1 for the first)."""
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = max(attempts, 1)
    return timedelta(seconds=strategy(state))


class LeaseQueue(Generic[RowT]):
    """Claim, keep, fence and release leases on the rows of ``model`` (see the module docstring).

    ``due(now)`` is the queue's own condition for a row to be claimable (its state and schedule); the
    queue adds nothing to it, so an expired lease is claimable exactly when the queue's condition
    says so (e.g. ``state == RUNNING and locked_until < now``).
    """

    def __init__(
        self,
        db: Database,
        model: type[RowT],
        *,
        clock: Clock,
        owner: str,
        lease: timedelta,
        due: Callable[[datetime], ColumnElement[bool]],
        order_by: Sequence[Any],
        backoff: wait_base,
    ) -> None:
        if lease <= timedelta(0):
            raise ValueError("a lease must last longer than zero")
        self.db = db
        self.model = model
        self.clock = clock
        self.owner = owner
        self.lease = lease
        self._due = due
        self._order_by = tuple(order_by)
        self._backoff = backoff
        self._pk: InstrumentedAttribute[Any] = getattr(model, "id")  # noqa: B009 (every queue table's key)

    # -- inside a unit of work ----------------------------------------------------------------------

    def claim(
        self, session: Session, *, limit: int = 1, where: Sequence[ColumnElement[bool]] = ()
    ) -> list[tuple[RowT, Lease]]:
        """Stamp up to ``limit`` due rows with a fresh fencing token each; the caller marks their state."""
        now = self.clock.now()
        stmt = select(self.model).where(self._due(now), *where).order_by(*self._order_by).limit(limit)
        if self.db.dialect_supports_skip_locked:
            stmt = stmt.with_for_update(skip_locked=True)
        claimed = []
        for row in session.scalars(stmt):
            claimed.append((row, self.stamp(row, now)))
        return claimed

    def stamp(self, row: RowT, now: datetime | None = None) -> Lease:
        """Lease ``row`` (already locked or chosen by the caller) to a new claim of this owner."""
        now = now or self.clock.now()
        lease = Lease(getattr(row, "id"), f"{self.owner}#{os.urandom(6).hex()}", now + self.lease)  # noqa: B009
        row.locked_by = lease.token
        row.locked_until = lease.expires
        return lease

    def holds(self, session: Session, lease: Lease) -> RowT | None:
        """The row, locked for this transaction, if ``lease`` is still its current lease; else None."""
        row = session.get(self.model, lease.row_id, with_for_update=True, populate_existing=True)
        if row is None or row.locked_by != lease.token:
            log.warning(
                "lease lost: %s %s was taken over (held by %s); this outcome is discarded",
                self.model.__name__,
                lease.row_id,
                None if row is None else row.locked_by,
            )
            return None
        return row

    @staticmethod
    def release(row: RowT) -> None:
        row.locked_by = None
        row.locked_until = None

    def retry_at(self, attempts: int) -> datetime:
        """When to try again after ``attempts`` failed attempts (the queue's tenacity wait strategy)."""
        return self.clock.now() + wait_after(self._backoff, attempts)

    # -- while the work runs ------------------------------------------------------------------------

    async def renew(self, lease: Lease) -> bool:
        """Push the expiry of ``lease`` forward, only if the row still carries its token."""
        expires = self.clock.now() + self.lease
        stmt = (
            update(self.model)
            .where(self._pk == lease.row_id, getattr(self.model, "locked_by") == lease.token)  # noqa: B009
            .values(locked_until=expires)
            .execution_options(synchronize_session=False)
        )

        def unit(session: Session) -> bool:
            return bool(session.execute(stmt).rowcount)  # type: ignore[attr-defined]

        return await self.db.run(unit)

    @asynccontextmanager
    async def kept(self, *leases: Lease) -> AsyncIterator[LeaseKeeper]:
        """Renew ``leases`` every third of the lease while the body runs (a heartbeat)."""
        keeper = LeaseKeeper()
        interval = self.lease.total_seconds() / 3
        try:
            async with self._heartbeat(leases, keeper, interval):
                yield keeper
        except BaseExceptionGroup as group:  # the body's own exception, not wrapped by the heartbeat's task group
            if len(group.exceptions) == 1:
                raise group.exceptions[0] from None
            raise

    @asynccontextmanager
    async def _heartbeat(self, leases: Sequence[Lease], keeper: LeaseKeeper, interval: float) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:

            async def heartbeat() -> None:
                while True:
                    await anyio.sleep(interval)
                    for lease in leases:
                        if lease.row_id in keeper.lost:
                            continue
                        try:
                            held = await self.renew(lease)
                        except Exception:  # the database is down: try again next beat, the fence decides
                            log.warning("lease renewal failed %s %s", self.model.__name__, lease.row_id)
                            continue
                        if not held:
                            keeper.lost.add(lease.row_id)
                            log.warning("lease lost while working: %s %s", self.model.__name__, lease.row_id)

            group.start_soon(heartbeat)
            try:
                yield
            finally:
                group.cancel_scope.cancel()
