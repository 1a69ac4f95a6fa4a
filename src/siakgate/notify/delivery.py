"""The delivery worker: outbox messages to the channels' webhooks, at least once, crash-safe.

One message, three steps, the HTTP call outside any transaction (as the workflow's worker does):

1. **claim** (one transaction): due messages (PENDING with ``next_attempt_at`` passed, or SENDING whose
   lease ran out: a worker that died mid-delivery) of the channels that have a webhook are marked
   SENDING under this worker's id with a lease, ``attempts`` counted. ``Database.claimable`` adds
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so gateway instances sharing one database take different
   messages; on SQLite the writer lock serialises claims.
2. **post** the message (:mod:`siakgate.notify.webhook`), with the message id as ``Idempotency-Key``.
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
import os
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import anyio
import httpx
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from siakgate.clock import Clock
from siakgate.notify.outbox import MessageState, mask_phone
from siakgate.notify.webhook import Attempt, build_request, classify, payload, transport_failure
from siakgate.store.db import Database
from siakgate.store.models_notify import OutboxMessage

__all__ = ["DeliveryWorker", "run_delivery"]

log = logging.getLogger("siakgate.notify")


@dataclass(frozen=True)
class _Claimed:
    id: str
    channel: str
    payload: dict[str, Any]


@dataclass
class DeliveryWorker:
    """Delivers due outbox messages; :meth:`run_once` is one pass, :func:`run_delivery` the loop."""

    db: Database
    http: httpx.AsyncClient
    endpoints: Mapping[str, str]
    """Channel (WHATSAPP, SMS) -> webhook URL; a channel without one keeps its messages PENDING."""
    secret: bytes
    clock: Clock
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 10
    backoff_base: float = 5.0
    backoff_max: float = 3600.0
    batch_size: int = 10
    rng: random.Random = field(default_factory=random.Random)
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}")

    async def run_once(self) -> int:
        """Claim and deliver one batch of due messages; returns how many were attempted."""
        if not self.endpoints:
            return 0
        claimed = await self.db.run(self._claim)
        if claimed:
            async with anyio.create_task_group() as group:
                for item in claimed:
                    group.start_soon(self._deliver, item)
        return len(claimed)

    def backoff(self, attempts: int) -> timedelta:
        """Exponential with "equal jitter": half the delay fixed, half random, capped at ``backoff_max``."""
        delay = min(self.backoff_base * 2 ** max(attempts - 1, 0), self.backoff_max)
        return timedelta(seconds=delay / 2 + self.rng.uniform(0, delay / 2))

    # -- the three steps -------------------------------------------------------------------------------

    def _claim(self, session: Session) -> list[_Claimed]:
        now = self.clock()
        due = or_(
            and_(OutboxMessage.state == MessageState.PENDING, OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.state == MessageState.SENDING, OutboxMessage.locked_until < now),
        )
        stmt = (
            select(OutboxMessage)
            .where(due, OutboxMessage.channel.in_(list(self.endpoints)))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(self.batch_size)
        )
        # claimable's RowT (bound to tuple) does not admit SQLAlchemy 2.1's single-entity Select: typing only.
        rows = session.scalars(self.db.claimable(stmt)).all()  # type: ignore[type-var]
        claimed = []
        for row in rows:
            row.state = MessageState.SENDING
            row.locked_by = self.worker_id
            row.locked_until = now + self.lease
            row.attempts += 1
            claimed.append(_Claimed(row.id, row.channel, payload(row)))
        return claimed

    async def _deliver(self, item: _Claimed) -> None:
        body, headers = build_request(item.payload, self.secret, now=self.clock.timestamp())
        try:
            response = await self.http.post(self.endpoints[item.channel], content=body, headers=headers)
        except httpx.HTTPError as exc:
            attempt = transport_failure(exc)
        else:
            attempt = classify(response)
        try:
            await self.db.run(partial(self._record, item, attempt))
        except Exception:  # the database is down: the lease runs out and the message is sent again
            log.exception("notification outcome not recorded id=%s", item.id)

    def _record(self, item: _Claimed, attempt: Attempt, session: Session) -> None:
        row = session.get(OutboxMessage, item.id)
        if row is None or row.state != MessageState.SENDING or row.locked_by != self.worker_id:
            log.warning("notification lost its lease id=%s", item.id)
            return
        now = self.clock()
        row.locked_by = None
        row.locked_until = None
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
            row.next_attempt_at = now + self.backoff(row.attempts)
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
    if not worker.endpoints:
        log.warning("no notification webhook configured: messages stay in the outbox (PENDING)")
    while True:
        done = 0
        try:
            done = await worker.run_once()
        except Exception:
            log.exception("notification delivery pass failed")
        await anyio.sleep(interval if done == 0 else 0)
