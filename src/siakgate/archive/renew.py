"""Renewal: keep every archived KK provable after its certificates and timestamps expire (PAdES B-LTA).

A KK outlives the Kepala Dinas's certificate, and the proof that it was signed while that certificate
was valid is a timestamp; that timestamp is itself only provable while its TSA's certificate holds. So
the archive keeps, next to the KK as delivered (``SIGNED_KK``, B-LT by default), its *archival form*
(``ARCHIVED_KK``): the KK + the evidence (certificates, CRLs, OCSP answers) for its newest timestamp + a
new document timestamp + the evidence for that one (:func:`siakgate.signing.evidence.add_archival_timestamp`).
Before the newest timestamp's TSA certificate expires (``renew_margin_days`` ahead), the archival form is
renewed the same way: a new ``ARCHIVED_KK`` row, its predecessor kept, nothing rewritten.

Scheduling lives in the rows: ``ArchiveRecord.renew_at`` (due at once for a new SIGNED_KK; the TSA
certificate's expiry minus the margin for an archival form; None once superseded). The renewer leases due
rows through the same :class:`~siakgate.store.leases.LeaseQueue` columns the replicator uses, so a row is
never copied and renewed at once, works outside any transaction (TSA, OCSP, CRL round trips), and records
the outcome only if it still holds the lease. A TSA or OCSP responder that does not answer is temporary:
the row is tried again with a backoff, the cause logged (host, status, exception class), never the KK.

``siakgate archive renew`` runs one pass and prints the report; the gateway runs :func:`run_renewer`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Final

import anyio
from asn1crypto import x509
from pyhanko.sign.timestamps import TimeStamper
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from tenacity import wait_exponential

from siakgate.archive.records import ARCHIVED_KK, PENDING, SIGNED_KK, relative_path
from siakgate.archive.settings import archive_settings
from siakgate.audit.chain import AuditEvent, append
from siakgate.clock import Clock, as_clock
from siakgate.config import Settings
from siakgate.errors import SiakgateError
from siakgate.signing._errors import translate_document_error
from siakgate.signing.evidence import TimestampInfo, add_archival_timestamp, load_roots, newest_timestamp
from siakgate.store.db import Database
from siakgate.store.documents import DocumentStore
from siakgate.store.leases import Lease, LeaseQueue, worker_name
from siakgate.store.models_archive import ArchiveRecord
from siakgate.store.passlog import PassLog

__all__ = ["Due", "Failed", "RenewalReport", "Renewed", "Renewer", "build_renewer", "run_renewer"]

log = logging.getLogger("siakgate.archive")

ACTOR: Final = "system:archive-renewer"
_BACKOFF: Final = wait_exponential(multiplier=60, max=6 * 3600)
"""1, 2, 4 … minutes, capped at six hours: a TSA that is down today is asked again later."""


@dataclass(frozen=True)
class Renewed:
    """One archival form written: which record it renews and until when it holds."""

    application_id: str
    from_record: int
    record: int
    sha256: str
    timestamp_at: datetime
    tsa_valid_until: datetime
    renew_at: datetime


@dataclass(frozen=True)
class Failed:
    application_id: str
    record: int
    code: str
    retry_at: datetime


@dataclass(frozen=True)
class Due:
    """A record waiting for renewal (due now when ``renew_at`` has passed)."""

    application_id: str
    record: int
    kind: str
    renew_at: datetime


@dataclass
class RenewalReport:
    renewed: list[Renewed] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)
    due: list[Due] = field(default_factory=list)
    """What is still waiting after this pass, soonest first (``upcoming`` of them at most)."""
    waiting: int = 0
    """How many records wait for renewal in all."""
    claimed: int = 0
    """How many records this pass worked on."""

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        return {
            "renewed": [
                {
                    "application_id": r.application_id,
                    "from_record": r.from_record,
                    "record": r.record,
                    "sha256": r.sha256,
                    "timestamp_at": r.timestamp_at.isoformat(),
                    "tsa_valid_until": r.tsa_valid_until.isoformat(),
                    "renew_at": r.renew_at.isoformat(),
                }
                for r in self.renewed
            ],
            "failed": [
                {
                    "application_id": f.application_id,
                    "record": f.record,
                    "code": f.code,
                    "retry_at": f.retry_at.isoformat(),
                }
                for f in self.failed
            ],
            "due": [
                {
                    "application_id": d.application_id,
                    "record": d.record,
                    "kind": d.kind,
                    "renew_at": d.renew_at.isoformat(),
                }
                for d in self.due
            ],
            "waiting": self.waiting,
        }


@dataclass(frozen=True)
class _Claimed:
    id: int
    application_id: str
    kind: str
    sha256: str
    media_type: str
    lease: Lease


@dataclass(frozen=True)
class _Outcome:
    item: _Claimed
    new_sha: str | None = None
    new_size: int = 0
    newest: TimestampInfo | None = None
    error: SiakgateError | None = None


class Renewer:
    """Renews the archival forms of signed KKs (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        documents: DocumentStore,
        *,
        trust_roots: Sequence[x509.Certificate],
        timestamper: TimeStamper | str,
        margin: timedelta,
        clock: Clock | Callable[[], datetime],
        allow_fetching: bool = True,
        lease: timedelta = timedelta(minutes=5),
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.documents = documents
        self.trust_roots = list(trust_roots)
        self.timestamper = timestamper
        self.margin = margin
        self.clock = as_clock(clock)
        self.allow_fetching = allow_fetching
        self.queue: LeaseQueue[ArchiveRecord] = LeaseQueue(
            db,
            ArchiveRecord,
            clock=self.clock,
            owner=worker_id or worker_name(),
            lease=lease,
            due=lambda now: and_(
                ArchiveRecord.renew_at.is_not(None),
                ArchiveRecord.renew_at <= now,
                or_(ArchiveRecord.locked_until.is_(None), ArchiveRecord.locked_until < now),
            ),
            order_by=[ArchiveRecord.renew_at, ArchiveRecord.id],
            backoff=_BACKOFF,
        )

    def renew_at(self, newest: TimestampInfo) -> datetime:
        """When an archival form whose newest timestamp is ``newest`` must be renewed."""
        return newest.tsa_not_after - self.margin

    # -- one pass ------------------------------------------------------------------------------------

    async def run_pending(self, *, limit: int = 20, upcoming: int = 20) -> RenewalReport:
        """Claim due records, renew each outside any transaction, record the outcomes; the report."""
        claimed = await self.db.run(partial(self._claim, limit))
        outcomes: list[_Outcome] = []
        if claimed:
            async with self.queue.kept(*(item.lease for item in claimed)):
                for item in claimed:
                    outcomes.append(await self._renew(item))
        report = RenewalReport(claimed=len(claimed))
        await self.db.run(partial(self._finish, outcomes, report))
        await self.db.run(partial(self._waiting, report, upcoming))
        if claimed:
            log.info("archive renewal: %d renewed, %d failed", len(report.renewed), len(report.failed))
        return report

    async def report(self, *, upcoming: int = 20) -> RenewalReport:
        """What waits for renewal, changing nothing (``siakgate archive renew --dry-run``)."""
        report = RenewalReport()
        await self.db.run(partial(self._waiting, report, upcoming))
        return report

    def _claim(self, limit: int, session: Session) -> list[_Claimed]:
        kinds = (ArchiveRecord.kind.in_((SIGNED_KK, ARCHIVED_KK)),)
        return [
            _Claimed(record.id, record.application_id, record.kind, record.sha256, record.media_type, lease)
            for record, lease in self.queue.claim(session, limit=limit, where=kinds)
        ]

    async def _renew(self, item: _Claimed) -> _Outcome:
        try:
            pdf = await anyio.to_thread.run_sync(self.documents.get, item.sha256)
            newest = newest_timestamp(pdf)
            if newest is not None and newest.kind == "document" and self.renew_at(newest) > self.clock.now():
                return _Outcome(item, newest=newest)  # signed at B-LTA already: it is its own archival form
            renewed = await anyio.to_thread.run_sync(self._extend, pdf)
            sha = await anyio.to_thread.run_sync(self.documents.put, renewed, item.media_type)
            info = newest_timestamp(renewed)
            assert info is not None
            return _Outcome(item, new_sha=sha, new_size=len(renewed), newest=info)
        except Exception as exc:
            error = translate_document_error(exc)
            log.warning(
                "archive renewal failed record=%d code=%s cause=%s",
                item.id,
                error.code,
                type(exc).__name__ if error.__cause__ is None else type(error.__cause__).__name__,
            )
            return _Outcome(item, error=error)

    def _extend(self, pdf: bytes) -> bytes:
        """Blocking (a worker thread): pyHanko's network helpers run on this thread's own event loop."""
        return asyncio.run(
            add_archival_timestamp(pdf, self.trust_roots, self.timestamper, allow_fetching=self.allow_fetching)
        )

    def _finish(self, outcomes: list[_Outcome], report: RenewalReport, session: Session) -> None:
        now = self.clock.now()
        events = []
        for outcome in outcomes:
            item = outcome.item
            record = self.queue.holds(session, item.lease)
            if record is None:
                continue  # another renewer took the row over; its outcome counts
            self.queue.release(record)
            if outcome.error is not None:
                record.renew_attempts += 1
                record.renew_error_code = outcome.error.code
                record.renew_at = self.queue.retry_at(record.renew_attempts)
                report.failed.append(Failed(item.application_id, item.id, outcome.error.code, record.renew_at))
                continue
            assert outcome.newest is not None
            record.renew_attempts = 0
            record.renew_error_code = None
            if outcome.new_sha is None:
                record.renew_at = self.renew_at(outcome.newest)
                continue
            record.renew_at = None  # superseded by the new archival form
            successor = ArchiveRecord(
                application_id=item.application_id,
                kind=ARCHIVED_KK,
                sha256=outcome.new_sha,
                size=outcome.new_size,
                media_type=item.media_type,
                relative_path=relative_path(item.application_id, ARCHIVED_KK, outcome.new_sha, item.media_type),
                state=PENDING,
                attempts=0,
                run_after=now,
                created_at=now,
                renew_at=self.renew_at(outcome.newest),
                renew_attempts=0,
            )
            session.add(successor)
            session.flush()
            report.renewed.append(
                Renewed(
                    item.application_id,
                    item.id,
                    successor.id,
                    outcome.new_sha,
                    outcome.newest.at,
                    outcome.newest.tsa_not_after,
                    self.renew_at(outcome.newest),
                )
            )
            events.append(
                AuditEvent(
                    actor=ACTOR,
                    calling_system=ACTOR,
                    action="ARCHIVE_RENEWED",
                    subject_type="application",
                    subject_id=item.application_id,
                    at=now,
                    details={"from_record": item.id, "record": successor.id, "sha256": outcome.new_sha},
                )
            )
        if events:
            append(session, events)

    def _waiting(self, report: RenewalReport, upcoming: int, session: Session) -> None:
        waiting = ArchiveRecord.renew_at.is_not(None)
        report.waiting = session.scalar(select(func.count()).select_from(ArchiveRecord).where(waiting)) or 0
        rows = session.execute(
            select(ArchiveRecord.application_id, ArchiveRecord.id, ArchiveRecord.kind, ArchiveRecord.renew_at)
            .where(waiting)
            .order_by(ArchiveRecord.renew_at, ArchiveRecord.id)
            .limit(upcoming)
        )
        report.due = [Due(app, rid, kind, at) for app, rid, kind, at in rows if at is not None]


def build_renewer(settings: Settings, db: Database, documents: DocumentStore, clock: Clock) -> Renewer | None:
    """The gateway's renewer from its settings; None (with a warning) when no TSA is configured."""
    if settings.signing.tsa_url is None:
        log.warning("no timestamp authority configured (signing.tsa_url): archived KKs are not renewed")
        return None
    archive = archive_settings(settings)
    return Renewer(
        db,
        documents,
        trust_roots=load_roots(settings.trust_root_ders()),
        timestamper=settings.signing.tsa_url,
        margin=timedelta(days=archive.renew_margin_days),
        clock=clock,
        allow_fetching=settings.allow_fetching,
        lease=timedelta(seconds=archive.lease_seconds),
    )


async def run_renewer(renewer: Renewer, interval: float) -> None:
    """Renew forever (the gateway's background task): drain while there is work, then wait."""
    passes = PassLog(log, "pembaruan cap waktu arsip")  # one line per failing pass, the traceback once
    while True:
        report = RenewalReport()
        try:
            report = await renewer.run_pending(upcoming=0)
        except Exception as exc:
            passes.failed(exc)
        else:
            passes.succeeded()
        await anyio.sleep(0 if report.claimed and not report.failed else interval)
