"""The delivery worker against a recording webhook receiver, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import anyio
import httpx
import pytest
from notify_kit import PHONE, SECRET, Receiver, add_message, message, running_receiver

from siakgate.clock import Clock
from siakgate.notify import DeliveryWorker, MessageState, WebhookSender, mask_phone
from siakgate.store import Database

pytestmark = pytest.mark.anyio


def worker(db: Database, http: httpx.AsyncClient, url: str, **overrides: object) -> DeliveryWorker:
    clock = Clock()
    values: dict[str, object] = {
        "db": db,
        "senders": {"WHATSAPP": WebhookSender(http, url, SECRET, clock)},
        "clock": clock,
        "lease": timedelta(seconds=5),
        "backoff_base": 0.01,
        "backoff_max": 0.05,
    }
    values.update(overrides)
    return DeliveryWorker(**values)  # type: ignore[arg-type]


async def deliver_until(w: DeliveryWorker, db: Database, message_id: str, state: str, passes: int = 50) -> None:
    for _ in range(passes):
        await w.run_once()
        if message(db, message_id).state == state:
            return
        await anyio.sleep(0.03)
    raise AssertionError(f"{message_id} is {message(db, message_id).state}, not {state}")


async def test_sent_once_with_signed_body_and_idempotency_key(database: Database) -> None:
    message_id = add_message(database, text="Kartu Keluarga permohonan nomor X sudah dicetak.")
    with running_receiver() as receiver:
        async with httpx.AsyncClient(timeout=5) as http:
            w = worker(database, http, receiver.url)
            assert await w.run_once() == 1
            assert await w.run_once() == 0  # nothing due any more
    row = message(database, message_id)
    assert row.state == MessageState.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.locked_by is None
    [got] = receiver.requests
    assert got.signature_ok
    assert got.id == message_id == got.headers["x-siakgate-message-id"]
    assert got.body["to"] == PHONE
    assert got.body["channel"] == "WHATSAPP"
    assert got.body["text"] == "Kartu Keluarga permohonan nomor X sudah dicetak."


async def test_503_is_retried_with_backoff_then_sent(database: Database) -> None:
    message_id = add_message(database)
    with running_receiver(Receiver(script=[503])) as receiver:
        async with httpx.AsyncClient(timeout=5) as http:
            w = worker(database, http, receiver.url)
            await w.run_once()
            row = message(database, message_id)
            assert row.state == MessageState.PENDING
            assert row.attempts == 1
            assert row.last_error is not None
            assert "HTTP 503" in row.last_error
            assert row.next_attempt_at > row.created_at
            await deliver_until(w, database, message_id, MessageState.SENT)
    assert receiver.ids() == [message_id, message_id]  # the retry carries the same id
    assert receiver.processed == {message_id: 1}
    assert message(database, message_id).attempts == 2


async def test_timeout_and_connection_refused_are_transient(database: Database) -> None:
    message_id = add_message(database)
    receiver = Receiver()
    receiver.hang.set()
    with running_receiver(receiver):
        async with httpx.AsyncClient(timeout=0.3) as http:
            await worker(database, http, receiver.url).run_once()
    row = message(database, message_id)
    assert row.state == MessageState.PENDING
    assert row.last_error is not None
    assert "Timeout" in row.last_error
    async with httpx.AsyncClient(timeout=1) as http:
        w = worker(database, http, "http://127.0.0.1:9/hook")  # nothing listens on the discard port
        await anyio.sleep(0.1)
        assert await w.run_once() == 1
    row = message(database, message_id)
    assert row.state == MessageState.PENDING
    assert row.attempts == 2
    assert row.last_error is not None
    assert "ConnectError" in row.last_error


async def test_400_fails_for_good_with_the_reason(database: Database) -> None:
    message_id = add_message(database)
    with running_receiver(Receiver(script=[400])) as receiver:
        async with httpx.AsyncClient(timeout=5) as http:
            w = worker(database, http, receiver.url)
            await w.run_once()
            await anyio.sleep(0.1)
            assert await w.run_once() == 0
    row = message(database, message_id)
    assert row.state == MessageState.FAILED
    assert row.attempts == 1
    assert row.last_error is not None
    assert "HTTP 400" in row.last_error
    assert "scripted 400" in row.last_error
    assert PHONE not in row.last_error
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("status", [408, 429])
async def test_408_and_429_are_retried(database: Database, status: int) -> None:
    message_id = add_message(database)
    with running_receiver(Receiver(script=[status])) as receiver:
        async with httpx.AsyncClient(timeout=5) as http:
            await deliver_until(worker(database, http, receiver.url), database, message_id, MessageState.SENT)
    assert receiver.ids() == [message_id, message_id]


async def test_out_of_attempts_fails(database: Database) -> None:
    message_id = add_message(database)
    with running_receiver(Receiver(script=[500, 502, 503])) as receiver:
        async with httpx.AsyncClient(timeout=5) as http:
            w = worker(database, http, receiver.url, max_attempts=3)
            await deliver_until(w, database, message_id, MessageState.FAILED)
    row = message(database, message_id)
    assert row.attempts == 3
    assert row.last_error is not None
    assert "percobaan habis" in row.last_error
    assert len(receiver.requests) == 3


async def test_a_channel_without_webhook_keeps_its_messages(database: Database) -> None:
    sms = add_message(database, channel="SMS")
    with running_receiver() as receiver:
        async with httpx.AsyncClient(timeout=5) as http:
            assert await worker(database, http, receiver.url).run_once() == 0
    assert message(database, sms).state == MessageState.PENDING
    assert receiver.requests == []


async def test_two_workers_never_send_one_message_at_the_same_time(database_url: str) -> None:
    """Two gateway instances (two engines) on one database: every message once, never concurrently."""
    first, second = Database.create(database_url), Database.create(database_url)
    try:
        ids = {add_message(first) for _ in range(12)}
        receiver = Receiver(delay=0.05)
        with running_receiver(receiver):
            async with httpx.AsyncClient(timeout=5) as http:
                workers = [
                    worker(db, http, receiver.url, batch_size=3, worker_id=f"w{n}")
                    for n, db in enumerate((first, second))
                ]

                async def loop(w: DeliveryWorker) -> None:
                    for _ in range(100):
                        if all(message(first, i).state == MessageState.SENT for i in ids):
                            return
                        await w.run_once()

                async with anyio.create_task_group() as group:
                    for w in workers:
                        group.start_soon(loop, w)
        assert sorted(receiver.ids()) == sorted(ids)  # each exactly once
        assert receiver.max_in_flight == 1
        senders = {message(first, i).attempts for i in ids}
        assert senders == {1}
    finally:
        first.dispose()
        second.dispose()


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    w = DeliveryWorker(
        db=None,  # type: ignore[arg-type]
        senders={},
        clock=Clock(),
        backoff_base=10,
        backoff_max=300,
    )
    delays = [w.backoff(n).total_seconds() for n in range(1, 10)]
    for n, delay in enumerate(delays, start=1):
        full = min(10 * 2 ** (n - 1), 300)
        assert full / 2 <= delay <= full
    assert len({round(w.backoff(3).total_seconds(), 6) for _ in range(5)}) > 1  # jittered


def test_mask_phone() -> None:
    assert mask_phone("0812-3456-7890") == "********7890"
    assert mask_phone(None) == "-"
