"""Group commit of personal-data read entries: a burst of concurrent GETs leaves one entry per answered read, in
order, the chain intact; an entry is committed before its read is answered; the flusher drains at shutdown."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import anyio
import httpx
from api_kit import Api, lost_kk_request
from sqlalchemy import select

from mock_common.pytest_plugin import MockService
from siakgate.audit import PERSONAL_DATA_READ, AuditEvent, ReadAudit, verify_chain
from siakgate.store.db import Database
from siakgate.store.models_audit import AuditEntry

T0 = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)


def reads_of(db: Database) -> list[AuditEntry]:
    with db.unit_of_work(read_only=True) as session:
        stmt = select(AuditEntry).where(AuditEntry.action == PERSONAL_DATA_READ).order_by(AuditEntry.seq)
        return list(session.scalars(stmt))


def read_event(n: int) -> AuditEvent:
    return AuditEvent(
        actor="loket",
        calling_system="loket",
        action=PERSONAL_DATA_READ,
        subject_type="application",
        subject_id=f"APP{n:04d}",
        at=T0 + timedelta(microseconds=n),
        details={"what": "APPLICATION_DETAIL"},
    )


def test_a_burst_of_concurrent_reads_is_audited_once_each_and_the_chain_verifies(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    created = api.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=admin)
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    before = len(reads_of(api.db))

    def get(_: int) -> int:
        with httpx.Client(base_url=str(api.client.base_url), headers=admin, timeout=60) as client:
            return sum(client.get(f"/v1/applications/{app_id}").status_code == 200 for _ in range(10))

    with ThreadPoolExecutor(8) as pool:
        answered = sum(pool.map(get, range(8)))
    assert answered == 80
    # Committed before answered: every entry is there as soon as the last answer came.
    reads = reads_of(api.db)[before:]
    assert len(reads) == answered
    assert all(row.subject_id == app_id and row.details == {"what": "APPLICATION_DETAIL"} for row in reads)
    assert [row.seq for row in reads] == sorted(row.seq for row in reads)
    assert [row.at for row in reads] == sorted(row.at for row in reads)  # chain order is arrival order
    with api.db.unit_of_work(read_only=True) as session:
        report = verify_chain(session)
    assert report.intact, report.message


def test_batches_keep_arrival_order_and_drain_at_shutdown(database: Database) -> None:
    audit = ReadAudit(database, max_batch=7)

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(audit.run)
            await anyio.sleep(0)
            async with anyio.create_task_group() as readers:
                for n in range(1, 31):
                    readers.start_soon(audit.record, read_event(n))
                    if n % 10 == 0:
                        await anyio.sleep(0)  # some arrive while a batch commits
            # Queued but not awaited when the flusher is stopped: drained all the same.
            for n in range(31, 36):
                audit._queue.append(_waiter(read_event(n)))
            group.cancel_scope.cancel()

    anyio.run(scenario)
    rows = reads_of(database)
    assert [row.subject_id for row in rows] == [f"APP{n:04d}" for n in range(1, 36)]
    with database.unit_of_work(read_only=True) as session:
        assert verify_chain(session).intact


def _waiter(event: AuditEvent):  # type: ignore[no-untyped-def]
    from siakgate.audit.reads import _Waiter

    return _Waiter(event)


def test_a_failed_batch_fails_every_read_in_it(database: Database) -> None:
    audit = ReadAudit(database)
    bad = AuditEvent(
        actor="loket",
        calling_system="loket",
        action=PERSONAL_DATA_READ,
        subject_type="application",
        subject_id="APP",
        at=T0,
        details={"what": object()},  # not JSON: the hash cannot be computed, the whole batch rolls back
    )
    outcomes: list[str] = []

    async def one(event: AuditEvent) -> None:
        try:
            await audit.record(event)
        except TypeError:
            outcomes.append("failed")
        else:
            outcomes.append("ok")

    async def scenario() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(audit.run)
            await anyio.sleep(0)
            async with anyio.create_task_group() as readers:
                readers.start_soon(one, read_event(1))
                readers.start_soon(one, bad)
            group.cancel_scope.cancel()

    anyio.run(scenario)
    assert outcomes == ["failed", "failed"]
    assert reads_of(database) == []


def test_without_a_flusher_each_read_is_its_own_transaction(database: Database) -> None:
    audit = ReadAudit(database)
    asyncio.run(audit.record(read_event(1)))
    assert [row.subject_id for row in reads_of(database)] == ["APP0001"]
