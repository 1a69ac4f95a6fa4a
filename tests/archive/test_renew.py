"""Renewal of archived KKs (siakgate.archive.renew), on SQLite and PostgreSQL, against mock BSrE's TSA,
OCSP and CRLs: the first archival form (B-LTA) of a delivered B-LT KK, the schedule, a renewal when the
newest timestamp's TSA certificate nears expiry, a TSA outage retried with nothing written, the CLI."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import anyio
import pytest
import time_machine
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "signing"))
from adesverify import adesverify
from archive_kit import add_application, document
from signing_kit import draft_kk, p12_passphrase, p12_path, root_der, tte_block

from mock_common.pytest_plugin import MockService
from siakgate.archive import Archive, ArchiveLocation, ArchiveRecords
from siakgate.archive.renew import Renewer
from siakgate.clock import Clock
from siakgate.signing import Credential, PadesLevel, Pkcs12Backend, SigningOptions, SignRequest
from siakgate.signing.evidence import load_roots, newest_timestamp
from siakgate.store import Database, DocumentStore
from siakgate.store.models_archive import ArchiveRecord
from siakgate.store.models_audit import AuditEntry
from siakgate.workflow.pipeline import Pipeline
from siakgate.workflow.transitions import record_document

MARGIN = timedelta(days=90)
TSA_EXPIRY = datetime(2035, 12, 31, 23, 59, 59, tzinfo=UTC)  # certs/certomancer.yml, the test TSA


def sign(bsre: MockService, level: PadesLevel, tsa: str = "tsa") -> bytes:
    options = SigningOptions(level=level, timestamp_url=f"{bsre.url}/pki/{tsa}", trust_roots=(root_der(),))
    request = SignRequest("kk", draft_kk(0), tte=tte_block("kk"))
    credential = Credential.passphrase(p12_passphrase())
    (result,) = asyncio.run(Pkcs12Backend(p12_path()).sign_batch([request], credential, options))
    assert result.signed_pdf is not None, result.error
    return result.signed_pdf


@pytest.fixture(scope="module")
def signed_b_lt(mock_bsre_aia: MockService) -> bytes:
    return sign(mock_bsre_aia, PadesLevel.B_LT)


def store_signed(db: Database, documents: DocumentStore, app_id: str, pdf: bytes, at: datetime) -> None:
    """An application and its SIGNED_KK, stored as the signing batch stores it (the archive listener runs)."""
    sha = documents.put(pdf, "application/pdf")
    db = db.with_hooks(Pipeline([ArchiveRecords()]))
    with db.unit_of_work() as session:
        add_application(session, app_id, at, state="MENUNGGU_PENYERAHAN")
        record_document(session, document(app_id, "SIGNED_KK", sha, len(pdf), at))


def records(db: Database) -> list[ArchiveRecord]:
    with db.unit_of_work(read_only=True) as session:
        return list(session.scalars(select(ArchiveRecord).order_by(ArchiveRecord.id)))


def renewer(db: Database, documents: DocumentStore, tsa_url: str, clock: Clock) -> Renewer:
    return Renewer(db, documents, trust_roots=load_roots([root_der()]), timestamper=tsa_url, margin=MARGIN, clock=clock)


def document_timestamps(pdf: bytes) -> int:
    return len(PdfFileReader(io.BytesIO(pdf)).embedded_timestamp_signatures)


def test_a_signed_kk_gets_its_archival_form_then_is_renewed_before_its_tsa_expires(
    database: Database, tmp_path: Path, mock_bsre_aia: MockService, signed_b_lt: bytes
) -> None:
    documents = DocumentStore(tmp_path / "documents")
    clock = Clock.fixed(datetime.now(UTC))
    store_signed(database, documents, "APP1", signed_b_lt, clock.now())
    (signed_row,) = records(database)
    assert signed_row.renew_at == clock.now()  # the first archival form is due at once

    report = anyio.run(renewer(database, documents, f"{mock_bsre_aia.url}/pki/tsa", clock).run_pending)
    assert report.ok
    (renewed,) = report.renewed
    signed_row, archived_row = records(database)
    assert (archived_row.kind, archived_row.state, archived_row.renew_at) == (
        "ARCHIVED_KK",
        "PENDING",
        TSA_EXPIRY - MARGIN,
    )
    assert signed_row.renew_at is None  # superseded, kept
    assert renewed.record == archived_row.id
    archival = documents.get(archived_row.sha256)
    assert archival.startswith(signed_b_lt)  # an incremental update: the delivered KK's bytes are untouched
    assert document_timestamps(archival) == 1
    path = tmp_path / "archival.pdf"
    path.write_bytes(archival)
    verdict = adesverify(path, offline=True)
    assert verdict.valid, verdict.output
    with database.unit_of_work(read_only=True) as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.subject_id == "APP1"))]
    assert "ARCHIVE_RENEWED" in actions

    # Nothing is due until the TSA certificate's expiry comes within the margin.
    again = renewer(database, documents, f"{mock_bsre_aia.url}/pki/tsa", clock)
    assert anyio.run(again.run_pending).claimed == 0
    clock.set(TSA_EXPIRY - MARGIN + timedelta(seconds=1))
    report = anyio.run(again.run_pending)
    assert len(report.renewed) == 1
    rows = records(database)
    assert [(r.kind, r.renew_at is None) for r in rows] == [
        ("SIGNED_KK", True),
        ("ARCHIVED_KK", True),
        ("ARCHIVED_KK", False),
    ]
    renewed_pdf = documents.get(rows[2].sha256)
    assert renewed_pdf.startswith(archival)
    assert document_timestamps(renewed_pdf) == 2
    path.write_bytes(renewed_pdf)
    verdict = adesverify(path, offline=True)
    assert verdict.valid, verdict.output

    # The replicator copies each archival form like any archived file.
    places = [ArchiveLocation(name="server", path=tmp_path / "server")]
    assert anyio.run(Archive(database, documents, places, clock=clock).run_pending) == 3
    assert (tmp_path / "server" / rows[2].relative_path).read_bytes() == renewed_pdf


def test_a_tsa_outage_is_retried_later_and_writes_nothing(
    database: Database, tmp_path: Path, mock_bsre_aia: MockService, signed_b_lt: bytes
) -> None:
    documents = DocumentStore(tmp_path / "documents")
    clock = Clock.fixed(datetime.now(UTC))
    store_signed(database, documents, "APP2", signed_b_lt, clock.now())
    down = renewer(database, documents, "http://127.0.0.1:9/pki/tsa", clock)  # nothing listens on port 9
    report = anyio.run(down.run_pending)
    (failed,) = report.failed
    assert failed.code in {"LAYANAN_TIDAK_TERSEDIA", "TSA_TIDAK_TERSEDIA"}  # temporary, never a verdict
    (row,) = records(database)
    assert (row.kind, row.renew_error_code, row.renew_attempts) == ("SIGNED_KK", failed.code, 1)
    assert row.renew_at is not None
    assert row.renew_at > clock.now()
    assert anyio.run(down.run_pending).claimed == 0

    clock.set(row.renew_at)
    report = anyio.run(renewer(database, documents, f"{mock_bsre_aia.url}/pki/tsa", clock).run_pending)
    assert len(report.renewed) == 1
    signed_row, archived_row = records(database)
    assert (signed_row.renew_error_code, signed_row.renew_attempts) == (None, 0)
    assert archived_row.kind == "ARCHIVED_KK"


def test_a_kk_signed_at_b_lta_is_its_own_archival_form(
    database: Database, tmp_path: Path, mock_bsre_aia: MockService
) -> None:
    documents = DocumentStore(tmp_path / "documents")
    clock = Clock.fixed(datetime.now(UTC))
    pdf = sign(mock_bsre_aia, PadesLevel.B_LTA)
    store_signed(database, documents, "APP3", pdf, clock.now())
    report = anyio.run(renewer(database, documents, f"{mock_bsre_aia.url}/pki/tsa", clock).run_pending)
    assert (report.claimed, report.renewed, report.failed) == (1, [], [])
    (row,) = records(database)
    assert row.renew_at == TSA_EXPIRY - MARGIN
    info = newest_timestamp(pdf)
    assert info is not None
    assert info.kind == "document"


SHORT_TSA_EXPIRY = datetime(2026, 6, 30, tzinfo=UTC)  # certs/certomancer.yml: tsa-short


def test_a_renewed_kk_stays_valid_offline_after_its_tsa_certificate_expired(
    database: Database, tmp_path: Path, mock_bsre_aia: MockService
) -> None:
    """A KK timestamped by a TSA whose certificate ends on 30 June: renewed the day before (with the
    long-lived TSA), it validates offline on the morning of 30 June; without the renewal it does not."""
    if mock_bsre_aia.faults is None:
        pytest.fail("mock BSrE on 127.0.0.1:8082 runs in another process: its clock cannot travel with this test")
    documents = DocumentStore(tmp_path / "documents")
    url = f"{mock_bsre_aia.url}/pki/tsa"
    with time_machine.travel(datetime(2026, 6, 1, 3, 0, tzinfo=UTC), tick=True):
        pdf = sign(mock_bsre_aia, PadesLevel.B_LTA, tsa="tsa/tsa-short")
        info = newest_timestamp(pdf)
        assert info is not None
        assert (info.kind, info.tsa_not_after) == ("document", SHORT_TSA_EXPIRY)
        store_signed(database, documents, "APP5", pdf, datetime.now(UTC))
        margin = timedelta(days=1)
        short = Renewer(
            database, documents, trust_roots=load_roots([root_der()]), timestamper=url, margin=margin, clock=Clock()
        )
        assert anyio.run(short.run_pending).renewed == []  # signed at B-LTA: not due for four weeks
        (row,) = records(database)
        assert row.renew_at == SHORT_TSA_EXPIRY - margin
    with time_machine.travel(datetime(2026, 6, 29, 12, 0, tzinfo=UTC), tick=True):
        (renewed,) = anyio.run(short.run_pending).renewed
        assert renewed.tsa_valid_until == TSA_EXPIRY
    original, archival = (tmp_path / "original.pdf"), (tmp_path / "archival.pdf")
    original.write_bytes(pdf)
    archival.write_bytes(documents.get(records(database)[1].sha256))
    after_expiry = datetime(2026, 6, 30, 6, 0, tzinfo=UTC)
    verdict = adesverify(archival, offline=True, at=after_expiry)
    assert verdict.valid, verdict.output
    assert not adesverify(original, offline=True, at=after_expiry).valid


def test_cli_renews_and_reports(
    database_url: str,
    tmp_path: Path,
    mock_bsre_aia: MockService,
    signed_b_lt: bytes,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from siakgate.cli import main
    from siakgate.config import Settings

    monkeypatch.setenv("SIAKGATE_DATABASE_URL", database_url)
    monkeypatch.setenv("SIAKGATE_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SIAKGATE_SIGNING__TSA_URL", f"{mock_bsre_aia.url}/pki/tsa")
    settings = Settings()
    database = Database.create(database_url)
    try:
        documents = DocumentStore(settings.document_root)
        store_signed(database, documents, "APP4", signed_b_lt, datetime.now(UTC))
    finally:
        database.dispose()

    assert main(["archive", "renew", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "menunggu: permohonan APP4" in out
    assert "jatuh tempo sekarang" in out
    assert "0 diperbarui" in out

    assert main(["archive", "renew", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [r["application_id"] for r in report["renewed"]] == ["APP4"]
    assert report["failed"] == []
    assert report["due"][0]["renew_at"].startswith("2035-10-02")
