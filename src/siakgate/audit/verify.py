"""Walking the chain: the first changed, removed or reordered entry, and listing entries of a subject.

:func:`verify_chain` reads the entries in ``seq`` order, in pages (the whole log never sits in memory),
and checks three things per entry, stopping at the first failure:

* ``seq`` is the next number (a gap: an entry was removed, reported as the missing ``seq``);
* ``prev_hash`` is the previous entry's hash (an entry removed, moved or inserted before this one);
* ``hash`` is the hash recomputed from the entry's columns (the entry itself was changed; two swapped
  entries fail here too, since ``seq`` is part of what is hashed).

What a hash chain alone cannot show: the removal of the newest entries (the chain is shorter but whole)
and a rewrite of an entry *and every entry after it*. :attr:`ChainReport.head_hash` is printed so an
operator can record it elsewhere (a report, a ticket) and compare it later.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.audit.chain import GENESIS, hash_of
from siakgate.store.models import Application
from siakgate.store.models_audit import AuditEntry

__all__ = ["ChainReport", "EntryView", "entries_of", "verify_chain"]

_PAGE: Final = 1000


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a walk; ``problem`` is a stable code, ``message`` says it in Bahasa Indonesia."""

    intact: bool
    entries: int
    """How many entries were checked (up to the first failure)."""
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None
    """ENTRI_HILANG (a gap), RANTAI_TERPUTUS (prev_hash), ENTRI_DIUBAH (hash)."""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EntryView:
    seq: int
    at: str
    actor: str
    calling_system: str
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


def _broken(checked: int, seq: int, prev_hash: str, problem: str, message: str) -> ChainReport:
    return ChainReport(False, checked, seq - 1, prev_hash, seq, problem, message)


def verify_chain(session: Session) -> ChainReport:
    """Walk the whole chain (see the module docstring); read-only."""
    expected, prev, checked = 1, GENESIS, 0
    while True:
        stmt = select(AuditEntry).where(AuditEntry.seq >= expected).order_by(AuditEntry.seq).limit(_PAGE)
        page = list(session.scalars(stmt))
        if not page:
            break
        for entry in page:
            if entry.seq != expected:
                return _broken(
                    checked,
                    expected,
                    prev,
                    "ENTRI_HILANG",
                    f"Log audit tidak utuh: entri seq {expected} hilang (dihapus).",
                )
            if entry.prev_hash != prev:
                return _broken(
                    checked,
                    expected,
                    prev,
                    "RANTAI_TERPUTUS",
                    f"Log audit tidak utuh: rantai terputus pada entri seq {expected} "
                    "(entri sebelumnya dihapus, disisipkan, atau ditukar).",
                )
            if hash_of(entry) != entry.hash:
                return _broken(
                    checked,
                    expected,
                    prev,
                    "ENTRI_DIUBAH",
                    f"Log audit tidak utuh: isi entri seq {expected} telah diubah atau ditukar.",
                )
            prev = entry.hash
            checked += 1
            expected += 1
        session.expunge_all()
    return ChainReport(
        True,
        checked,
        expected - 1,
        prev,
        message=f"Log audit utuh: {checked} entri, rantai hash tidak terputus.",
    )


def entries_of(
    session: Session,
    *,
    subject: str | None = None,
    subject_type: str | None = None,
    action: str | None = None,
    after_seq: int = 0,
    limit: int = 100,
    region_prefix: str = "",
) -> list[EntryView]:
    """Entries in ``seq`` order, filtered by subject id (and type) and action; ``after_seq`` pages on.

    A ``region_prefix`` keeps only entries about applications whose region code starts with it: entries
    about other subjects (collections, tokens, the archive as a whole) belong to no region and are left
    out. "" (the default) keeps every entry.
    """
    stmt = select(AuditEntry).where(AuditEntry.seq > after_seq).order_by(AuditEntry.seq).limit(limit)
    if region_prefix:
        in_region = select(Application.id).where(Application.region_code.startswith(region_prefix, autoescape=True))
        stmt = stmt.where(AuditEntry.subject_type == "application", AuditEntry.subject_id.in_(in_region))
    if subject is not None:
        stmt = stmt.where(AuditEntry.subject_id == subject)
    if subject_type is not None:
        stmt = stmt.where(AuditEntry.subject_type == subject_type)
    if action is not None:
        stmt = stmt.where(AuditEntry.action == action)
    return [
        EntryView(
            seq=e.seq,
            at=e.at.isoformat(),
            actor=e.actor,
            calling_system=e.calling_system,
            action=e.action,
            subject_type=e.subject_type,
            subject_id=e.subject_id,
            details=e.details,
            prev_hash=e.prev_hash,
            hash=e.hash,
        )
        for e in session.scalars(stmt)
    ]
