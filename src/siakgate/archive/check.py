"""``archive verify`` and ``archive restore``: re-hash every copy; repair the bad ones from a good one.

:func:`verify_archive` looks at every REPLICATED record in every location, and at the gateway's own
document store, re-hashing each file: a copy is OK, HILANG (missing) or RUSAK (other bytes). PENDING
records are counted, not judged (the replicator has not finished them).

:func:`restore_archive` repairs each bad copy from a copy that is re-hashed good at that moment (the
copy itself is hashed again while it is written, see :func:`~siakgate.archive.files.copy_verified`):
never from a bad one. A record with no good copy anywhere is reported and left as it is (``repaired``
false); nothing is half-written either way. Each repair is appended to the audit trail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.archive.files import CopyState, file_state
from siakgate.archive.records import PENDING, REPLICATED
from siakgate.archive.replicate import Archive
from siakgate.audit.chain import AuditEvent, append
from siakgate.errors import NoGoodCopyError
from siakgate.store.models_archive import ArchiveRecord

__all__ = ["ArchiveReport", "BadCopy", "restore_archive", "verify_archive"]

_PAGE: Final = 500


@dataclass(frozen=True)
class BadCopy:
    record_id: int
    application_id: str
    kind: str
    sha256: str
    location: str
    state: str
    """HILANG or RUSAK."""
    repaired: bool = False
    source: str | None = None
    """Where a repaired copy came from."""

    def message(self) -> str:
        what = f"permohonan {self.application_id}, {self.kind} (SHA-256 {self.sha256[:12]}…)"
        if self.repaired:
            return f"Salinan {self.state} di lokasi {self.location} dipulihkan dari {self.source}: {what}."
        return f"Salinan {self.state} di lokasi {self.location}: {what}."


@dataclass
class ArchiveReport:
    records: int = 0
    """REPLICATED records checked."""
    pending: int = 0
    locations: list[str] = field(default_factory=list)
    problems: list[BadCopy] = field(default_factory=list)
    unrepairable: list[BadCopy] = field(default_factory=list)
    """restore only: bad copies of records with no good copy anywhere."""

    @property
    def intact(self) -> bool:
        """Nothing was found wrong (verify), or everything wrong was repaired (restore)."""
        return not self.unrepairable and all(bad.repaired for bad in self.problems)

    def to_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["intact"] = self.intact
        body["messages"] = self.messages()
        return body

    def messages(self) -> list[str]:
        lines = [bad.message() for bad in self.problems]
        lines += [
            f"Tidak ada salinan baik untuk permohonan {bad.application_id}, {bad.kind} "
            f"(lokasi {bad.location}: {bad.state}); tidak dapat dipulihkan."
            for bad in self.unrepairable
        ]
        return lines


def _records(archive: Archive) -> tuple[list[ArchiveRecord], int]:
    def unit(session: Session) -> tuple[list[ArchiveRecord], int]:
        done: list[ArchiveRecord] = []
        after = 0
        while True:
            stmt = select(ArchiveRecord).where(ArchiveRecord.id > after).order_by(ArchiveRecord.id).limit(_PAGE)
            page = list(session.scalars(stmt))
            if not page:
                break
            done += page
            after = page[-1].id
        pending = sum(1 for r in done if r.state == PENDING)
        return [r for r in done if r.state == REPLICATED], pending

    with archive.db.unit_of_work(read_only=True) as session:
        return unit(session)


def _bad_copies(archive: Archive, record: ArchiveRecord) -> list[tuple[str, CopyState]]:
    return [
        (name, state)
        for name, path in archive.places(record.relative_path, record.sha256)
        if (state := file_state(path, record.sha256)) is not CopyState.OK
    ]


def verify_archive(archive: Archive) -> ArchiveReport:
    """Re-hash every copy of every replicated record (blocking; see the module docstring)."""
    records, pending = _records(archive)
    report = ArchiveReport(records=len(records), pending=pending, locations=archive.names())
    for record in records:
        for name, state in _bad_copies(archive, record):
            report.problems.append(
                BadCopy(record.id, record.application_id, record.kind, record.sha256, name, str(state))
            )
    return report


def restore_archive(archive: Archive, *, actor: str) -> ArchiveReport:
    """Repair every bad copy from a good one; report what was repaired and what could not be (blocking)."""
    records, pending = _records(archive)
    report = ArchiveReport(records=len(records), pending=pending, locations=archive.names())
    events: list[AuditEvent] = []
    for record in records:
        bad = _bad_copies(archive, record)
        if not bad:
            continue
        places = dict(archive.places(record.relative_path, record.sha256))
        targets = [(name, places[name]) for name, _ in bad]
        good = [(name, path) for name, path in places.items() if name not in {n for n, _ in bad}]
        try:
            source = archive.copy_to(targets, good, record.sha256)
        except NoGoodCopyError:
            for name, state in bad:
                report.unrepairable.append(
                    BadCopy(record.id, record.application_id, record.kind, record.sha256, name, str(state))
                )
            continue
        for name, state in bad:
            report.problems.append(
                BadCopy(record.id, record.application_id, record.kind, record.sha256, name, str(state), True, source)
            )
            events.append(
                AuditEvent(
                    actor=actor,
                    calling_system=actor,
                    action="ARCHIVE_RESTORED",
                    subject_type="application",
                    subject_id=record.application_id,
                    at=archive.clock(),
                    details={"record_id": record.id, "kind": record.kind, "location": name, "was": str(state)},
                )
            )
    if events:
        with archive.db.unit_of_work() as session:
            append(session, events)
    return report
