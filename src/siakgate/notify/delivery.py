"""The delivery worker: outbox messages to their channels' senders, at least once, crash-safe.

One message, three steps, the HTTP call outside any transaction (as the workflow's worker does):

1. **claim** (one transaction): due messages (PENDING with ``next_attempt_at`` passed, or SENDING whose
   lease ran out: a worker that died mid-delivery) of the channels that have a sender are marked
   SENDING under this worker's id with a lease, ``attempts`` counted. ``Database.claimable`` adds
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so gateway instances sharing one database take different
   messages; on SQLite the writer lock serialises claims.
2. **send** the message with its channel's sender (:mod:`siakgate.notify.senders`; for WHATSAPP and SMS
   the webhook of :mod:`siakgate.notify.webhook`, with the message id as ``Idempotency-Key``).
3. **record** (one transaction), only if the message is still this worker's: SENT on 2xx; FAILED for
   good on a permanent refusal or once ``max_attempts`` is spent; otherwise PENDING again after an
   exponential backoff with jitter (so many messages failing together do not retry in lock-step).

Never twice at the same time: the lease is longer than the HTTP timeout (the settings refuse anything
else), so by the time a lease can be taken over, the first worker's request has ended. A worker killed
after the bridge accepted but before step 3 leaves the message SENDING; after the lease another worker
sends it again with the same id, and the bridge drops the repeat: at least once, once per id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import anyio
from sqlalchemy.orm import Session
from tenacity import wait_exponential, wait_random_exponential
from tenacity.wait import wait_base

from siakgate.clock import Clock
from siakgate.notify.outbox import MessageState, mask_phone
from siakgate.notify.senders import Sender
from siakgate.notify.webhook import Attempt, payload
from siakgate.store.db import Database
from siakgate.store.leases import Lease, LeaseQueue, wait_after, waiting_or_abandoned, worker_name
from siakgate.store.models_notify import OutboxMessage
from siakgate.store.passlog import PassLog

__all__ = ["DeliveryWorker", "run_delivery"]

log = logging.getLogger("siakgate.notify")


@dataclass(frozen=True)
class _Claimed:
    id: str
    channel: str
    payload: dict[str, Any]
    lease: Lease


@dataclass
class DeliveryWorker:
    """Delivers due outbox messages; :meth:`run_once` is one pass, :func:`run_delivery` the loop."""

    db: Database
    senders: Mapping[str, Sender]
    """Channel (WHATSAPP, SMS, ...) -> its sender (:func:`siakgate.notify.senders.senders_for`); a channel
    without one keeps its messages PENDING."""
    clock: Clock
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 10
    backoff_base: float = 5.0
    backoff_max: float = 3600.0
    batch_size: int = 10
    worker_id: str = field(default_factory=worker_name)
    queue: LeaseQueue[OutboxMessage] = field(init=False)

    def __post_init__(self) -> None:
        self.queue = LeaseQueue(
            self.db,
            OutboxMessage,
            clock=self.clock,
            owner=self.worker_id,
            lease=self.lease,
            due=waiting_or_abandoned(
                OutboxMessage.state,
                MessageState.PENDING,
                MessageState.SENDING,
                OutboxMessage.locked_until,
                OutboxMessage.next_attempt_at,
            ),
            order_by=[OutboxMessage.next_attempt_at, OutboxMessage.id],
            backoff=self.strategy(),
        )

    def strategy(self) -> wait_base:
        """Exponential with "equal jitter": half the delay fixed, half random (so messages failing together
        do not retry in lock-step), capped at ``backoff_max``."""
        half, cap = self.backoff_base / 2, self.backoff_max / 2
        return wait_exponential(multiplier=half, max=cap) + wait_random_exponential(multiplier=half, max=cap)

    async def run_once(self) -> int:
        """Claim and deliver one batch of due messages; returns how many were attempted."""
        if not self.senders:
            return 0
        claimed = await self.db.run(self._claim)
        if claimed:
            async with anyio.create_task_group() as group:
                for item in claimed:
                    group.start_soon(self._deliver, item)
        return len(claimed)

    def backoff(self, attempts: int) -> timedelta:
        """The wait after ``attempts`` failed attempts (:meth:`strategy`)."""
        return wait_after(self.strategy(), attempts)

    # -- the three steps -------------------------------------------------------------------------------

    def _claim(self, session: Session) -> list[_Claimed]:
        where = [OutboxMessage.channel.in_(list(self.senders))]
        claimed = []
        for row, lease in self.queue.claim(session, limit=self.batch_size, where=where):
            row.state = MessageState.SENDING
            row.attempts += 1
            claimed.append(_Claimed(row.id, row.channel, payload(row), lease))
        return claimed

    async def _deliver(self, item: _Claimed) -> None:
        async with self.queue.kept(item.lease):
            attempt = await self.senders[item.channel].send(item.payload)
        try:
            await self.db.run(partial(self._record, item, attempt))
        except Exception:  # the database is down: the lease runs out and the message is sent again
            log.exception("notification outcome not recorded id=%s", item.id)

    def _record(self, item: _Claimed, attempt: Attempt, session: Session) -> None:
        row = self.queue.holds(session, item.lease)  # the fence: only the current lease's holder records
        if row is None or row.state != MessageState.SENDING:
            log.warning("notification outcome discarded (lease lost) id=%s", item.id)
            return
        now = self.clock()
        self.queue.release(row)
        to = mask_phone(row.recipient)
        if attempt.sent:
            row.state = MessageState.SENT
            row.sent_at = now
            row.last_error = None
            log.info("notification sent id=%s channel=%s to=%s attempts=%d", row.id, row.channel, to, row.attempts)
        elif not attempt.transient or row.attempts >= self.max_attempts:
            row.state = MessageState.FAILED
            row.last_error = attempt.reason if not attempt.transient else f"{attempt.reason} (percobaan habis)"
            log.error("notification failed id=%s channel=%s to=%s reason=%s", row.id, row.channel, to, row.last_error)
        else:
            row.state = MessageState.PENDING
            row.last_error = attempt.reason
            row.next_attempt_at = self.queue.retry_at(row.attempts)
            log.warning(
                "notification retry id=%s channel=%s to=%s attempts=%d reason=%s",
                row.id,
                row.channel,
                to,
                row.attempts,
                attempt.reason,
            )


async def run_delivery(worker: DeliveryWorker, interval: float) -> None:
    """Deliver forever: drain while there is work, then wait ``interval`` seconds; a failing pass is logged."""
    if not worker.senders:
        log.warning("no notification sender configured: messages stay in the outbox (PENDING)")
    passes = PassLog(log, "pengiriman notifikasi")  # one line per failing pass, the traceback once
    while True:
        done = 0
        try:
            done = await worker.run_once()
        except Exception as exc:
            passes.failed(exc)
        else:
            passes.succeeded()
        await anyio.sleep(interval if done == 0 else 0)
