"""Claiming work rows: concurrent workers never take the same row (SKIP LOCKED on PostgreSQL, one writer on SQLite)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.orm import Session

from siakgate.store import Database

# A table of its own, so these tests do not depend on the workflow's models.
metadata = MetaData()
work = Table(
    "claim_test_work",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("claimed_by", String(20)),
)


def seed(db: Database, count: int = 40) -> int:
    metadata.create_all(db.engine)
    with db.unit_of_work() as session:
        session.execute(work.insert(), [{"id": i} for i in range(1, count + 1)])
    return count


@pytest.fixture
def rows(database: Database) -> int:
    return seed(database)


@pytest.fixture
def on(make_database_url: Callable[..., str]) -> Iterator[Callable[[str], Database]]:
    """``on("postgresql")``: a Database on a fresh database of that kind, with the work table seeded."""
    opened: list[Database] = []

    def open_(kind: str) -> Database:
        db = Database.create(make_database_url(kind))
        opened.append(db)
        seed(db)
        return db

    yield open_
    for db in opened:
        db.dispose()


def claim(db: Database, session: Session, worker: str, limit: int) -> list[int]:
    ids = list(
        session.scalars(
            db.claimable(select(work.c.id).where(work.c.claimed_by.is_(None)).order_by(work.c.id).limit(limit))
        )
    )
    if ids:
        session.execute(update(work).where(work.c.id.in_(ids)).values(claimed_by=worker))
    return ids


def test_concurrent_claimers_never_share_a_row(database: Database, rows: int) -> None:
    # Two "instances" (separate Database objects: separate pools, separate in-process locks) x two threads.
    other = Database.create(database.engine.url)
    claimed: list[tuple[str, int]] = []
    errors: list[BaseException] = []
    guard = threading.Lock()

    def worker(db: Database, name: str) -> None:
        try:
            while True:
                with db.unit_of_work() as session:
                    ids = claim(db, session, name, 3)
                if not ids:
                    return
                with guard:
                    claimed.extend((name, row_id) for row_id in ids)
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=worker, args=(db, f"w{i}")) for i, db in enumerate((database, database, other, other))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    other.dispose()

    assert errors == []
    counts = Counter(row_id for _, row_id in claimed)
    assert sorted(counts) == list(range(1, rows + 1))
    assert set(counts.values()) == {1}
    with database.unit_of_work(read_only=True) as session:
        recorded = {row.id: row.claimed_by for row in session.execute(select(work.c.id, work.c.claimed_by))}
    assert recorded == {row_id: name for name, row_id in claimed}


def test_postgresql_skips_rows_another_worker_holds(on: Callable[[str], Database]) -> None:
    database = on("postgresql")
    assert database.dialect_supports_skip_locked
    holding, done = threading.Event(), threading.Event()
    first: list[int] = []

    def slow_worker() -> None:
        with database.unit_of_work() as session:
            first.extend(claim(database, session, "slow", 1))
            holding.set()
            done.wait(10)  # still uncommitted: the row is locked, not yet marked for others

    thread = threading.Thread(target=slow_worker)
    thread.start()
    assert holding.wait(10)
    try:
        with database.unit_of_work() as session:
            second = claim(database, session, "fast", 1)  # must not wait for, nor take, the held row
    finally:
        done.set()
        thread.join(10)
    assert first == [1]
    assert second == [2]


def test_sqlite_second_writer_waits_for_the_first(on: Callable[[str], Database]) -> None:
    database = on("sqlite")
    other = Database.create(database.engine.url)  # another process's view: only SQLite's own lock stops it
    holding, done = threading.Event(), threading.Event()
    first: list[int] = []

    def slow_worker() -> None:
        with database.unit_of_work() as session:
            first.extend(claim(database, session, "slow", 1))
            holding.set()
            done.wait(10)

    thread = threading.Thread(target=slow_worker)
    thread.start()
    assert holding.wait(10)
    threading.Timer(0.3, done.set).start()
    try:
        with other.unit_of_work() as session:
            second = claim(other, session, "fast", 1)  # blocks at BEGIN IMMEDIATE until "slow" commits
    finally:
        done.set()
        thread.join(10)
        other.dispose()
    assert first == [1]
    assert second == [2]
