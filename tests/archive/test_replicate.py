"""The archive below the API, on SQLite and PostgreSQL: records made with the signed KK, replication
under a lease, a failing location retried, verified atomic copies, settings."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from pathlib import Path

import anyio
import pytest
from archive_kit import add_application, document
from pydantic import ValidationError
from sqlalchemy import select

from siakgate.archive import Archive, ArchiveLocation, ArchiveRecords, ArchiveSettings, locations_for
from siakgate.archive.files import CorruptSourceError, copy_verified
from siakgate.clock import Clock
from siakgate.config import Environment, Settings
from siakgate.store import Database, DocumentStore
from siakgate.store.models_archive import ArchiveRecord
from siakgate.workflow.pipeline import Pipeline
from siakgate.workflow.transitions import record_document

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n% kk bertanda tangan\n%%EOF\n"
SCAN = b"%PDF-1.4\n% surat kehilangan\n%%EOF\n"


def store_signed(db: Database, documents: DocumentStore, app_id: str) -> None:
    """An application with a requirement scan, then its SIGNED_KK (as the signing batch stores it)."""
    scan_sha, pdf_sha = documents.put(SCAN, "application/pdf"), documents.put(PDF, "application/pdf")
    db = db.with_hooks(Pipeline([ArchiveRecords()]))
    with db.unit_of_work() as session:
        add_application(session, app_id, NOW)
        record_document(session, document(app_id, "SURAT_KEHILANGAN_POLISI", scan_sha, len(SCAN), NOW))
    with db.unit_of_work() as session:
        record_document(session, document(app_id, "SIGNED_KK", pdf_sha, len(PDF), NOW))


def records(db: Database) -> list[ArchiveRecord]:
    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(ArchiveRecord).order_by(ArchiveRecord.id)))


def locations(tmp_path: Path) -> list[ArchiveLocation]:
    return [ArchiveLocation(name=n, path=tmp_path / n) for n in ("server", "harddisk", "flashdisk")]


def test_records_come_with_the_signed_kk_and_replicate_everywhere(database: Database, tmp_path: Path) -> None:
    documents = DocumentStore(tmp_path / "documents")
    store_signed(database, documents, "APP1")
    rows = records(database)
    assert {(r.kind, r.state) for r in rows} == {("SIGNED_KK", "PENDING"), ("SURAT_KEHILANGAN_POLISI", "PENDING")}
    archive = Archive(database, documents, locations(tmp_path), clock=Clock())
    assert anyio.run(archive.run_pending) == 2
    assert {r.state for r in records(database)} == {"REPLICATED"}
    for location in locations(tmp_path):
        for row in rows:
            assert hashlib.sha256((location.path / row.relative_path).read_bytes()).hexdigest() == row.sha256
    assert anyio.run(archive.run_pending) == 0  # nothing due any more


def test_a_failing_location_is_retried_and_the_others_are_written(database: Database, tmp_path: Path) -> None:
    documents = DocumentStore(tmp_path / "documents")
    store_signed(database, documents, "APP2")
    places = locations(tmp_path)
    places[2].path.write_bytes(b"a file where the flash disk's directory should be")  # "not plugged in"
    clock = [NOW]
    archive = Archive(database, documents, places, clock=lambda: clock[0])
    anyio.run(archive.run_pending)
    rows = records(database)
    assert {(r.state, r.last_error_code, r.attempts) for r in rows} == {("PENDING", "ARSIP_LOKASI_GAGAL", 1)}
    assert all((places[0].path / r.relative_path).is_file() for r in rows)
    assert anyio.run(archive.run_pending) == 0  # backing off
    places[2].path.unlink()
    clock[0] = NOW.replace(hour=5)
    assert anyio.run(archive.run_pending) == 2
    assert {r.state for r in records(database)} == {"REPLICATED"}


def test_two_replicators_never_claim_the_same_record(database: Database, tmp_path: Path) -> None:
    documents = DocumentStore(tmp_path / "documents")
    for n in range(6):
        store_signed(database, documents, f"APP{n:02d}")
    other = Database.create(database.engine.url)
    claims: list[list[int]] = []
    barrier = threading.Barrier(2)

    def claim(db: Database, name: str) -> None:
        archive = Archive(db, documents, locations(tmp_path), clock=Clock(), worker_id=name)
        barrier.wait()
        with db.unit_of_work() as session:
            claims.append([c.id for c in archive._claim(100, session)])

    threads = [threading.Thread(target=claim, args=(db, name)) for db, name in ((database, "a"), (other, "b"))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        other.dispose()
    first, second = claims
    assert not set(first) & set(second)
    assert len(first) + len(second) == 12


def test_a_copy_from_a_bad_source_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "source.pdf"
    source.write_bytes(PDF)
    target = tmp_path / "out" / "copy.pdf"
    with pytest.raises(CorruptSourceError):
        copy_verified(source, target, hashlib.sha256(b"something else").hexdigest())
    assert list((tmp_path / "out").iterdir()) == []
    copy_verified(source, target, hashlib.sha256(PDF).hexdigest())
    assert target.read_bytes() == PDF
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["copy.pdf"]


def test_locations_from_the_environment_and_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None, state_dir=tmp_path / "state")  # type: ignore[call-arg]
    defaults = locations_for(settings, ArchiveSettings(_env_file=None))  # type: ignore[call-arg]
    assert [loc.path for loc in defaults] == [
        tmp_path / "state" / "siakgate" / "archive" / n for n in ("server", "harddisk", "flashdisk")
    ]
    monkeypatch.setenv(
        "SIAKGATE_ARCHIVE_LOCATIONS",
        f'[{{"name": "nas", "path": "{tmp_path}/nas"}}, {{"name": "usb", "path": "{tmp_path}/usb"}}]',
    )
    configured = locations_for(settings, ArchiveSettings(_env_file=None))  # type: ignore[call-arg]
    assert [(loc.name, loc.path) for loc in configured] == [("nas", tmp_path / "nas"), ("usb", tmp_path / "usb")]
    monkeypatch.setenv(
        "SIAKGATE_ARCHIVE_LOCATIONS",
        f'[{{"name": "a", "path": "{tmp_path}/x"}}, {{"name": "b", "path": "{tmp_path}/x"}}]',
    )
    with pytest.raises(ValidationError, match="distinct"):
        ArchiveSettings(_env_file=None)  # type: ignore[call-arg]
    production = settings.model_copy(update={"environment": Environment.PRODUCTION})
    monkeypatch.delenv("SIAKGATE_ARCHIVE_LOCATIONS")
    with pytest.raises(ValueError, match="SIAKGATE_ARCHIVE_LOCATIONS wajib diisi"):
        locations_for(production, ArchiveSettings(_env_file=None))  # type: ignore[call-arg]
