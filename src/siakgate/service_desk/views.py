"""What the desk answers: frozen dataclasses of plain values, built inside the unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from siakgate.store.models_desk import Complaint, ComplaintEvent, FollowUpTask, QueueTicket

__all__ = [
    "ComplaintEventView",
    "ComplaintView",
    "FollowUpView",
    "TicketView",
    "complaint_view",
    "follow_up_view",
    "ticket_view",
]


@dataclass(frozen=True)
class TicketView:
    id: str
    region_code: str
    counter: str
    day: date
    number: int
    label: str
    application_id: str | None
    created_at: datetime


@dataclass(frozen=True)
class ComplaintEventView:
    action: str
    from_level: str | None
    to_level: str | None
    actor: str
    role: str | None
    at: datetime
    note: str | None


@dataclass(frozen=True)
class ComplaintView:
    id: str
    application_id: str | None
    region_code: str
    channel: str
    field: str | None
    subject: str
    description: str
    complainant_name: str | None
    complainant_contact: str | None
    level: str
    level_started_at: datetime
    level_due_at: datetime
    overdue: bool
    """Past the current level's deadline (only the last level stays overdue: the others escalate)."""
    state: str
    follow_up: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_by: str
    created_at: datetime
    history: tuple[ComplaintEventView, ...]


@dataclass(frozen=True)
class FollowUpView:
    id: int
    application_id: str
    kind: str
    label: str
    state: str
    details: dict[str, Any]
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    note: str | None


_LABELS = {
    "KK_LAMA_DIKEMBALIKAN": "KK lama dikembalikan ke Petugas Dukcapil di Kecamatan",
    "CETAK_ULANG_KTP": "Permohonan pencetakan KTP-el karena perubahan data",
}


def ticket_view(row: QueueTicket) -> TicketView:
    return TicketView(
        row.id, row.region_code, row.counter, row.day, row.number, row.label, row.application_id, row.created_at
    )


def complaint_view(row: Complaint, events: list[ComplaintEvent], now: datetime) -> ComplaintView:
    return ComplaintView(
        id=row.id,
        application_id=row.application_id,
        region_code=row.region_code,
        channel=row.channel,
        field=row.field,
        subject=row.subject,
        description=row.description,
        complainant_name=row.complainant_name,
        complainant_contact=row.complainant_contact,
        level=row.level,
        level_started_at=row.level_started_at,
        level_due_at=row.level_due_at,
        overdue=row.state == "OPEN" and now > row.level_due_at,
        state=row.state,
        follow_up=row.follow_up,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        created_by=row.created_by,
        created_at=row.created_at,
        history=tuple(
            ComplaintEventView(e.action, e.from_level, e.to_level, e.actor, e.role, e.at, e.note) for e in events
        ),
    )


def follow_up_view(row: FollowUpTask) -> FollowUpView:
    return FollowUpView(
        id=row.id,
        application_id=row.application_id,
        kind=row.kind,
        label=_LABELS.get(row.kind, row.kind),
        state=row.state,
        details=dict(row.details or {}),
        created_at=row.created_at,
        completed_at=row.completed_at,
        completed_by=row.completed_by,
        note=row.note,
    )
