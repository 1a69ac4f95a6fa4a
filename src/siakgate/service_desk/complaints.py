"""Complaints (pengaduan) and their escalation, as seed 001 describes them.

::

    SEKRETARIAT ──forward──▶ SEKRETARIS ─┐
    (sekretariat pengaduan)  or KABID ───┴──escalate──▶ KEPALA_DINAS
                             (Bidang Pendaftaran Penduduk / Pencatatan Sipil)

    any level but SEKRETARIAT ──resolve(follow_up)──▶ RESOLVED

* The secretariat registers a complaint (phone, in person, LAPOR!, WhatsApp) and forwards it to the
  Secretary or to the Kabid of the field concerned; it does not settle complaints itself (the seed:
  "sekretariat pengaduan melanjutkan ke Sekretaris ataupun ke bidang terkait").
* The Secretary or the Kabid settles it, or, "jika pengaduan tidak bisa diselesaikan", escalates it to
  the Kepala Dinas. The Kepala Dinas is the last level.
* Every complaint ends with a recorded follow-up: ``resolve`` without a follow-up text is refused
  (:class:`~siakgate.service_desk.errors.FollowUpRequiredError`), and nothing else closes a complaint.

Deadlines are in working days (:class:`~siakgate.workflow.calendar.WorkingCalendar`), per level,
configurable (:class:`ComplaintDeadlines`, ``SIAKGATE_COMPLAINTS__*``). The defaults are choices (the
seed says only "setiap pengaduan dari warga langsung segera ditindak lanjuti"): 1 working day for the
secretariat to forward, 3 for the Secretary or the Kabid, 5 for the Kepala Dinas; 9 working days in
all, inside the 14 days within which UU 25/2009 (Pelayanan Publik) expects a complaint to be answered.

A level whose deadline has passed escalates **when the complaint is next read or acted on** (every
get, list, escalate and resolve catches up first, in its own transaction), not by a background job:
the result is the same as a periodic check at any moment someone looks, needs no extra process, and
is exact (the escalation is dated at the deadline itself, not at the read). From the secretariat a
late complaint goes to the Kabid of its field when the field is known (a complaint about a KK
application: Pendaftaran Penduduk), otherwise to the Secretary. A late Kepala Dinas level stays there,
marked ``overdue``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from enum import StrEnum
from typing import Final

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.errors import ActionNotAllowedError, ForbiddenError, NotFoundError
from siakgate.service_desk.errors import DeskInputError, FollowUpRequiredError
from siakgate.service_desk.roles import COMPLAINT_INTAKE_ROLES, COMPLAINT_READ_ROLES, SEKRETARIAT_PENGADUAN, SEKRETARIS
from siakgate.service_desk.views import ComplaintView, complaint_view
from siakgate.store.models_desk import Complaint, ComplaintEvent
from siakgate.workflow.access import Actor, require_role, visible
from siakgate.workflow.calendar import WorkingCalendar
from siakgate.workflow.transitions import load_visible

__all__ = [
    "Channel",
    "ComplaintDeadlines",
    "ComplaintRules",
    "Field_",
    "Level",
    "create_complaint",
    "escalate_complaint",
    "get_complaint",
    "list_complaints",
    "resolve_complaint",
]

log = logging.getLogger("siakgate.service_desk")

OPEN, RESOLVED = "OPEN", "RESOLVED"
SYSTEM_ACTOR: Final = "system"
MIN_FOLLOW_UP: Final = 10
"""A follow-up shorter than this says nothing ("ok", "selesai")."""


class Channel(StrEnum):
    """How the complaint came in (seed 001: phone, in person at the secretariat, LAPOR!; WhatsApp desks)."""

    TELEPON = "TELEPON"
    LANGSUNG = "LANGSUNG"
    LAPOR = "LAPOR"
    WHATSAPP = "WHATSAPP"


class Field_(StrEnum):  # ``Field`` is pydantic's
    """The Bidang concerned."""

    PENDAFTARAN_PENDUDUK = "PENDAFTARAN_PENDUDUK"
    PENCATATAN_SIPIL = "PENCATATAN_SIPIL"


class Level(StrEnum):
    SEKRETARIAT = "SEKRETARIAT"
    SEKRETARIS = "SEKRETARIS"
    KABID = "KABID"
    KEPALA_DINAS = "KEPALA_DINAS"


ROLE_OF_LEVEL: Final = {
    Level.SEKRETARIAT: SEKRETARIAT_PENGADUAN,
    Level.SEKRETARIS: SEKRETARIS,
    Level.KABID: "KABID",
    Level.KEPALA_DINAS: "KEPALA_DINAS",
}


class ComplaintDeadlines(BaseSettings):
    """Working days each level has (``SIAKGATE_COMPLAINTS__SEKRETARIAT_DAYS=2`` and so on)."""

    model_config = SettingsConfigDict(env_prefix="SIAKGATE_COMPLAINTS__", extra="ignore")

    sekretariat_days: int = Field(default=1, ge=1, le=30)
    sekretaris_days: int = Field(default=3, ge=1, le=30)
    kabid_days: int = Field(default=3, ge=1, le=30)
    kepala_dinas_days: int = Field(default=5, ge=1, le=30)

    def days(self, level: Level) -> int:
        return {
            Level.SEKRETARIAT: self.sekretariat_days,
            Level.SEKRETARIS: self.sekretaris_days,
            Level.KABID: self.kabid_days,
            Level.KEPALA_DINAS: self.kepala_dinas_days,
        }[level]


class ComplaintRules:
    """The calendar and the deadlines: when a level is due."""

    def __init__(self, calendar: WorkingCalendar, deadlines: ComplaintDeadlines) -> None:
        self.calendar = calendar
        self.deadlines = deadlines

    def due(self, level: Level, start: datetime) -> datetime:
        """The deadline in UTC, as every stored time (the calendar counts in WIB)."""
        return self.calendar.add_working_days(start, self.deadlines.days(level)).astimezone(UTC)


def _event(session: Session, complaint: Complaint, action: str, actor: str, role: str | None, at: datetime,
           from_level: str | None, to_level: str | None, note: str | None = None) -> None:  # fmt: skip
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            action=action,
            from_level=from_level,
            to_level=to_level,
            actor=actor,
            role=role,
            at=at,
            note=note,
        )
    )


def _move(session: Session, complaint: Complaint, to: Level, at: datetime, rules: ComplaintRules) -> str:
    before = complaint.level
    complaint.level = str(to)
    complaint.level_started_at = at
    complaint.level_due_at = rules.due(to, at)
    complaint.updated_at = at
    return before


def _catch_up(session: Session, complaint: Complaint, now: datetime, rules: ComplaintRules) -> None:
    """Escalate every level whose deadline passed before ``now``, dated at each deadline."""
    while complaint.state == OPEN and complaint.level != Level.KEPALA_DINAS and now > complaint.level_due_at:
        level = Level(complaint.level)
        at = complaint.level_due_at
        if level is Level.SEKRETARIAT:
            target = Level.KABID if complaint.field is not None else Level.SEKRETARIS
        else:
            target = Level.KEPALA_DINAS
        before = _move(session, complaint, target, at, rules)
        _event(session, complaint, "escalated_deadline", SYSTEM_ACTOR, None, at, before, str(target),
               f"Batas waktu tingkat {before} terlewati.")  # fmt: skip
        log.info("complaint escalated by deadline complaint=%s from=%s to=%s", complaint.id, before, target)


def _view(session: Session, complaint: Complaint, now: datetime) -> ComplaintView:
    session.flush()
    events = list(
        session.scalars(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id).order_by(ComplaintEvent.id)
        )
    )
    return complaint_view(complaint, events, now)


def _load(session: Session, actor: Actor, complaint_id: str, now: datetime, rules: ComplaintRules) -> Complaint:
    complaint = session.get(Complaint, complaint_id, with_for_update=True)
    if complaint is None or not visible(actor, complaint.region_code):
        raise NotFoundError("Pengaduan tidak ditemukan.")
    _catch_up(session, complaint, now, rules)
    return complaint


def create_complaint(
    session: Session,
    actor: Actor,
    rules: ComplaintRules,
    now: datetime,
    *,
    channel: Channel,
    subject: str,
    description: str,
    application_id: str | None = None,
    region_code: str | None = None,
    field: Field_ | None = None,
    complainant_name: str | None = None,
    complainant_contact: str | None = None,
) -> ComplaintView:
    """Register a complaint at the secretariat level; about an application (visible to the actor) or general."""
    role = require_role(actor, COMPLAINT_INTAKE_ROLES)
    if application_id is not None:
        app = load_visible(session, actor, application_id)
        if region_code is not None and region_code != app.region_code:
            raise DeskInputError("Kode wilayah pengaduan tidak sesuai dengan wilayah permohonan.")
        region = app.region_code
        field = field or Field_.PENDAFTARAN_PENDUDUK  # issuing a KK is Bidang Pendaftaran Penduduk's
    else:
        region = region_code or ""
        if not visible(actor, region):
            raise ForbiddenError("Token ini hanya untuk wilayahnya: sebutkan kode wilayah di dalamnya.")
    complaint = Complaint(
        application_id=application_id,
        region_code=region,
        channel=str(channel),
        field=str(field) if field is not None else None,
        subject=subject.strip(),
        description=description.strip(),
        complainant_name=complainant_name,
        complainant_contact=complainant_contact,
        level=str(Level.SEKRETARIAT),
        level_started_at=now,
        level_due_at=rules.due(Level.SEKRETARIAT, now),
        state=OPEN,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    session.add(complaint)
    session.flush()
    _event(session, complaint, "created", actor.name, role, now, None, str(Level.SEKRETARIAT), f"Kanal {channel}.")
    log.info("complaint created complaint=%s channel=%s", complaint.id, channel)  # never the contact or text
    return _view(session, complaint, now)


def get_complaint(
    session: Session, actor: Actor, complaint_id: str, now: datetime, rules: ComplaintRules
) -> ComplaintView:
    require_role(actor, COMPLAINT_READ_ROLES)
    return _view(session, _load(session, actor, complaint_id, now, rules), now)


def list_complaints(
    session: Session,
    actor: Actor,
    now: datetime,
    rules: ComplaintRules,
    *,
    state: str | None = None,
    level: Level | None = None,
    application_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[ComplaintView]:
    """Complaints visible to the actor, oldest first; overdue levels are escalated first."""
    require_role(actor, COMPLAINT_READ_ROLES)
    late = session.scalars(
        select(Complaint)
        .where(Complaint.state == OPEN, Complaint.level != str(Level.KEPALA_DINAS), Complaint.level_due_at < now)
        .with_for_update()
    )
    for complaint in late:
        _catch_up(session, complaint, now, rules)
    session.flush()
    stmt = select(Complaint).where(Complaint.region_code.startswith(actor.region_prefix, autoescape=True))
    if state is not None:
        stmt = stmt.where(Complaint.state == state)
    if level is not None:
        stmt = stmt.where(Complaint.level == str(level))
    if application_id is not None:
        stmt = stmt.where(Complaint.application_id == application_id)
    rows = session.scalars(stmt.order_by(Complaint.created_at, Complaint.id).limit(limit).offset(offset))
    return [_view(session, row, now) for row in rows]


def _require_level_role(actor: Actor, complaint: Complaint) -> str:
    wanted = ROLE_OF_LEVEL[Level(complaint.level)]
    if not actor.has_any([wanted]):
        raise ForbiddenError(f"Pengaduan ini sedang di tingkat {complaint.level}: hanya peran {wanted} yang dapat.")
    return actor.acting_role([wanted])


def _require_open(complaint: Complaint) -> None:
    if complaint.state != OPEN:
        raise ActionNotAllowedError("Pengaduan ini sudah selesai ditindaklanjuti.")


def escalate_complaint(
    session: Session,
    actor: Actor,
    complaint_id: str,
    now: datetime,
    rules: ComplaintRules,
    *,
    to: Level | None = None,
    field: Field_ | None = None,
    note: str | None = None,
) -> ComplaintView:
    """Forward (from the secretariat: ``to`` SEKRETARIS or KABID) or escalate (to the Kepala Dinas)."""
    complaint = _load(session, actor, complaint_id, now, rules)
    _require_open(complaint)
    role = _require_level_role(actor, complaint)
    level = Level(complaint.level)
    if level is Level.SEKRETARIAT:
        if to not in (Level.SEKRETARIS, Level.KABID):
            raise DeskInputError("Sekretariat meneruskan pengaduan ke SEKRETARIS atau KABID (isi 'to').")
        if to is Level.KABID:
            if field is not None:
                complaint.field = str(field)
            if complaint.field is None:
                raise DeskInputError("Sebutkan bidangnya (PENDAFTARAN_PENDUDUK atau PENCATATAN_SIPIL) untuk KABID.")
        target = Level.KABID if to is Level.KABID else Level.SEKRETARIS
    elif level is Level.KEPALA_DINAS:
        raise ActionNotAllowedError("Pengaduan sudah di tingkat Kepala Dinas: selesaikan dengan tindak lanjut.")
    else:
        if to not in (None, Level.KEPALA_DINAS):
            raise DeskInputError("Dari tingkat ini pengaduan hanya dapat dinaikkan ke KEPALA_DINAS.")
        target = Level.KEPALA_DINAS
    before = _move(session, complaint, target, now, rules)
    _event(session, complaint, "escalated", actor.name, role, now, before, str(target), note)
    log.info("complaint escalated complaint=%s from=%s to=%s", complaint.id, before, target)
    return _view(session, complaint, now)


def resolve_complaint(
    session: Session, actor: Actor, complaint_id: str, now: datetime, rules: ComplaintRules, *, follow_up: str | None
) -> ComplaintView:
    """Close the complaint with its follow-up (required, at least :data:`MIN_FOLLOW_UP` characters)."""
    text = (follow_up or "").strip()
    if len(text) < MIN_FOLLOW_UP:
        raise FollowUpRequiredError(
            "Pengaduan hanya dapat diselesaikan dengan tindak lanjut tertulis "
            f"(paling sedikit {MIN_FOLLOW_UP} karakter)."
        )
    complaint = _load(session, actor, complaint_id, now, rules)
    _require_open(complaint)
    role = _require_level_role(actor, complaint)
    if complaint.level == Level.SEKRETARIAT:
        raise ActionNotAllowedError(
            "Sekretariat pengaduan meneruskan pengaduan ke Sekretaris atau Kabid terlebih dulu."
        )
    complaint.state = RESOLVED
    complaint.follow_up = text
    complaint.resolved_by = actor.name
    complaint.resolved_at = now
    complaint.updated_at = now
    _event(session, complaint, "resolved", actor.name, role, now, complaint.level, None, text)
    log.info("complaint resolved complaint=%s level=%s", complaint.id, complaint.level)
    return _view(session, complaint, now)
