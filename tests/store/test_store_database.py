"""Database: one unit of work is one transaction, committed before the caller hears back, or nothing at all."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from siakgate.errors import ServiceUnavailableError
from siakgate.store import Database
from siakgate.store.db import normalise_url
from siakgate.store.models import ApiToken, Job

NOW = datetime(2026, 1, 5, 3, 0, tzinfo=UTC)


def token(name: str, sha: str | None = None) -> ApiToken:
    return ApiToken(name=name, sha256=sha or name.ljust(64, "0"), roles=["KASI"], region_prefix="", created_at=NOW)


def token_names(db: Database) -> list[str]:
    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(ApiToken.name).order_by(ApiToken.name)))


def test_run_commits_before_it_returns(database: Database) -> None:
    def add(session: Session) -> int:
        row = token("loket-1")
        session.add(row)
        session.flush()
        return row.id

    row_id = anyio.run(database.run, add)
    # A second, independent Database (another gateway instance) sees it: it is committed.
    other = Database.create(database.engine.url)
    try:
        with other.unit_of_work(read_only=True) as session:
            assert session.get(ApiToken, row_id) is not None
    finally:
        other.dispose()


def test_an_exception_rolls_back_everything(database: Database) -> None:
    class Boom(Exception):
        pass

    def add_then_fail(session: Session) -> None:
        session.add(token("a"))
        session.flush()
        session.add(token("b"))
        session.flush()
        raise Boom

    with pytest.raises(Boom):
        anyio.run(database.run, add_then_fail)
    assert token_names(database) == []


def test_a_constraint_violation_rolls_back_the_unit_and_stays_an_integrity_error(database: Database) -> None:
    with database.unit_of_work() as session:
        session.add(token("first", "1" * 64))

    def duplicate(session: Session) -> None:
        session.add(token("second", "2" * 64))
        session.flush()
        session.add(token("third", "1" * 64))  # same hash as "first"
        session.flush()

    with pytest.raises(IntegrityError):
        anyio.run(database.run, duplicate)
    assert token_names(database) == ["first"]


def test_foreign_keys_are_enforced(database: Database) -> None:
    job = Job(application_id="NOPE", step_id="s", round=0, kind="siak_entry", state="PENDING", run_after=NOW)
    job.created_at = NOW
    with pytest.raises(IntegrityError), database.unit_of_work() as session:
        session.add(job)
    with database.unit_of_work(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_read_only_unit_cannot_write(database: Database) -> None:
    with pytest.raises(Exception, match=r"(?i)read.?only"), database.unit_of_work(read_only=True) as session:
        session.add(token("sneaky"))
    assert token_names(database) == []
    # ...and the pooled connection is writable again for the next unit.
    with database.unit_of_work() as session:
        session.add(token("honest"))
    assert token_names(database) == ["honest"]


def test_a_cancelled_caller_does_not_abandon_the_unit(database: Database) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_add(session: Session) -> None:
        started.set()
        release.wait(10)
        session.add(token("finished"))

    async def main() -> None:
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as group:
                group.start_soon(database.run, slow_add)
                await anyio.to_thread.run_sync(started.wait)
                scope.cancel()
                threading.Timer(0.2, release.set).start()

    anyio.run(main)
    assert token_names(database) == ["finished"]


def test_ping(database: Database) -> None:
    assert anyio.run(database.ping) is True


def test_ping_an_unreachable_database(tmp_path: Path) -> None:
    for url in ("postgresql+psycopg://postgres@127.0.0.1:1/nothing", f"sqlite:///{tmp_path}"):
        db = Database.create(url)
        try:
            assert anyio.run(db.ping) is False
        finally:
            db.dispose()


def test_an_unreachable_database_is_a_transient_error() -> None:
    db = Database.create("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    try:
        with pytest.raises(ServiceUnavailableError) as caught, db.unit_of_work() as session:
            session.execute(text("SELECT 1"))
    finally:
        db.dispose()
    assert caught.value.code == "BASIS_DATA_TIDAK_TERSEDIA"


def test_sqlite_settings(make_database_url: Callable[..., str]) -> None:
    db = Database.create(make_database_url("sqlite"))
    try:
        with db.engine.connect() as connection:
            pragma = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        db.dispose()
    assert pragma == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000, "synchronous": 2}


def test_sqlite_file_directory_is_created(tmp_path: Path) -> None:
    db = Database.create(f"sqlite:///{tmp_path}/var/data/siakgate.db")
    try:
        assert anyio.run(db.ping)
    finally:
        db.dispose()
    assert (tmp_path / "var/data/siakgate.db").is_file()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="in-memory"):
        Database.create(url)


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        Database.create("mysql://root:hunter2@127.0.0.1/x")


@pytest.mark.parametrize("url", ["postgres://u:p@h/db", "postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"])
def test_postgresql_urls_use_psycopg(url: str) -> None:
    assert normalise_url(url).drivername == "postgresql+psycopg"


def test_url_hides_the_password() -> None:
    db = Database.create("postgresql://gateway:s3cret@127.0.0.1:1/db")
    try:
        assert "s3cret" not in db.url
        assert db.dialect_supports_skip_locked
    finally:
        db.dispose()


def test_sqlite_pool_holds_a_connection_per_worker_thread(make_database_url: Callable[..., str]) -> None:
    """A burst of units of work (anyio runs up to 40 at once) reuses pooled connections, never reopens them."""
    db = Database.create(make_database_url("sqlite"))
    try:
        pool = db.engine.pool
        assert pool.size() + pool._max_overflow >= 40  # type: ignore[attr-defined]
    finally:
        db.dispose()
