"""The hash chain on SQLite and PostgreSQL: intact, then changed, removed, swapped entries found by seq."""

from __future__ import annotations

import itertools
import threading

import pytest
from audit_kit import T0, append_entries, event, raw, swap
from sqlalchemy import func, select

from siakgate.audit import GENESIS, append, entry_hash, verify_chain
from siakgate.store.db import Database
from siakgate.store.models_audit import AuditEntry


def verify(db: Database):  # type: ignore[no-untyped-def]
    with db.unit_of_work(read_only=True) as session:
        return verify_chain(session)


def test_an_empty_log_is_intact(database: Database) -> None:
    report = verify(database)
    assert report.intact
    assert (report.entries, report.head_seq, report.head_hash) == (0, 0, GENESIS)


def test_entries_are_chained_and_the_chain_is_intact(database: Database) -> None:
    append_entries(database, 5)
    with database.unit_of_work(read_only=True) as session:
        rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(rows))
    # The hash is over the canonical entry: recomputing it from the published recipe gives the same.
    first = rows[0]
    assert first.hash == entry_hash(
        seq=1,
        at=T0.replace(second=T0.second + 1),
        actor="loket-desa",
        calling_system="loket-desa",
        action="STATE_CHANGED",
        subject_type="application",
        subject_id="APP0001",
        details={"event": "complete", "step_id": "s1", "state": "MENUNGGU_VERIFIKASI", "n": 1},
        prev_hash=GENESIS,
    )
    report = verify(database)
    assert report.intact, report.message
    assert (report.entries, report.head_seq, report.head_hash) == (5, 5, rows[-1].hash)


def test_a_changed_detail_is_found_at_its_seq(database: Database) -> None:
    append_entries(database, 6)
    raw(database, "UPDATE audit_entries SET details = :d WHERE seq = 4", d='{"event": "reject"}')
    report = verify(database)
    assert not report.intact
    assert (report.broken_seq, report.problem) == (4, "ENTRI_DIUBAH")
    assert "seq 4" in report.message
    assert report.entries == 3


def test_a_changed_actor_with_a_recomputed_hash_is_found_at_the_next_entry(database: Database) -> None:
    append_entries(database, 6)
    with database.unit_of_work(read_only=True) as session:
        row = session.get(AuditEntry, 3)
        assert row is not None
        forged = entry_hash(
            seq=3,
            at=row.at,
            actor="orang-lain",
            calling_system=row.calling_system,
            action=row.action,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            details=row.details,
            prev_hash=row.prev_hash,
        )
    raw(database, "UPDATE audit_entries SET actor = 'orang-lain', hash = :h WHERE seq = 3", h=forged)
    report = verify(database)
    assert (report.intact, report.broken_seq, report.problem) == (False, 4, "RANTAI_TERPUTUS")


def test_a_removed_entry_is_found_as_the_missing_seq(database: Database) -> None:
    append_entries(database, 6)
    raw(database, "DELETE FROM audit_entries WHERE seq = 3")
    report = verify(database)
    assert (report.intact, report.broken_seq, report.problem) == (False, 3, "ENTRI_HILANG")
    assert "seq 3 hilang" in report.message


def test_a_removed_first_entry_is_found(database: Database) -> None:
    append_entries(database, 3)
    raw(database, "DELETE FROM audit_entries WHERE seq = 1")
    report = verify(database)
    assert (report.intact, report.broken_seq) == (False, 1)


def test_two_swapped_entries_are_found_at_the_first_of_them(database: Database) -> None:
    append_entries(database, 7)
    swap(database, 2, 5)
    report = verify(database)
    assert (report.intact, report.broken_seq) == (False, 2)
    assert report.problem in {"RANTAI_TERPUTUS", "ENTRI_DIUBAH"}


def test_appends_continue_the_chain_across_transactions_and_after_a_rollback(database: Database) -> None:
    append_entries(database, 2)

    def doomed() -> None:
        with database.unit_of_work() as session:
            append(session, [event(99)])
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        doomed()
    append_entries(database, 2, start=3)
    with database.unit_of_work(read_only=True) as session:
        seqs = list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
    assert seqs == [1, 2, 3, 4]
    assert verify(database).intact


def test_concurrent_appenders_on_two_databases_keep_one_chain(database: Database) -> None:
    """Two Database objects (two gateway instances) appending from threads: one gapless, intact chain."""
    other = Database.create(database.engine.url)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def appender(db: Database, base: int) -> None:
        try:
            start.wait()
            for i in range(15):
                with db.unit_of_work() as session:
                    append(session, [event(base + i), event(base + 100 + i)])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=appender, args=(db, base))
        for db, base in ((database, 1000), (other, 2000), (database, 3000), (other, 4000))
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other.dispose()
    assert not errors, errors
    with database.unit_of_work(read_only=True) as session:
        count = session.scalar(select(func.count()).select_from(AuditEntry))
        top = session.scalar(select(func.max(AuditEntry.seq)))
    assert count == top == 4 * 15 * 2
    report = verify(database)
    assert report.intact, report.message
    assert report.entries == 120
