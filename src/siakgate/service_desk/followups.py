"""Follow-up tasks on applications (seed 003): listed, completed, and the changed-elements declaration.

The tasks themselves are created by :mod:`siakgate.service_desk.hooks` when an application is done;
here a desk lists them (per application, or all open ones in its region) and completes them with an
optional note ("KK lama diterima di Kecamatan X", "KTP-el tidak perlu dicetak ulang").
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.domain import CaseType
from siakgate.errors import ActionNotAllowedError, NotFoundError
from siakgate.service_desk.errors import DeskInputError
from siakgate.service_desk.ktp import ktp_elements, unknown_elements
from siakgate.service_desk.roles import COMPLAINT_INTAKE_ROLES, FOLLOW_UP_ROLES
from siakgate.service_desk.views import FollowUpView, follow_up_view
from siakgate.store.models_desk import ChangeDeclaration, FollowUpTask
from siakgate.workflow.access import Actor, require_role, visible
from siakgate.workflow.states import State
from siakgate.workflow.transitions import load_visible

__all__ = ["DONE", "OPEN", "complete_follow_up", "declare_changes", "follow_ups_of", "list_follow_ups"]

log = logging.getLogger("siakgate.service_desk")

OPEN, DONE = "OPEN", "DONE"
_DECLARING_ROLES = (*COMPLAINT_INTAKE_ROLES[1:], "OPERATOR_DESA", "PETUGAS_BO", "PEMOHON")
"""The desks that take a PERUBAHAN_DATA application (not the complaint secretariat)."""


def follow_ups_of(session: Session, actor: Actor, application_id: str) -> list[FollowUpView]:
    require_role(actor, FOLLOW_UP_ROLES)
    load_visible(session, actor, application_id)
    rows = session.scalars(
        select(FollowUpTask).where(FollowUpTask.application_id == application_id).order_by(FollowUpTask.id)
    )
    return [follow_up_view(row) for row in rows]


def list_follow_ups(
    session: Session,
    actor: Actor,
    *,
    state: str | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[FollowUpView]:
    """Tasks in the actor's region, oldest first (``state=OPEN``: the desk's to-do list)."""
    require_role(actor, FOLLOW_UP_ROLES)
    stmt = select(FollowUpTask).where(FollowUpTask.region_code.startswith(actor.region_prefix, autoescape=True))
    if state is not None:
        stmt = stmt.where(FollowUpTask.state == state)
    if kind is not None:
        stmt = stmt.where(FollowUpTask.kind == kind)
    rows = session.scalars(stmt.order_by(FollowUpTask.created_at, FollowUpTask.id).limit(limit).offset(offset))
    return [follow_up_view(row) for row in rows]


def complete_follow_up(
    session: Session, actor: Actor, task_id: int, now: datetime, *, note: str | None = None
) -> FollowUpView:
    """Mark a task done (once: completing a done task is refused, so the first completion is kept)."""
    require_role(actor, FOLLOW_UP_ROLES)
    task = session.get(FollowUpTask, task_id, with_for_update=True)
    if task is None or not visible(actor, task.region_code):
        raise NotFoundError("Tugas tindak lanjut tidak ditemukan.")
    if task.state != OPEN:
        raise ActionNotAllowedError("Tugas tindak lanjut ini sudah selesai.")
    task.state = DONE
    task.completed_at = now
    task.completed_by = actor.name
    task.note = note.strip() if note and note.strip() else None
    session.flush()
    log.info("follow-up task done task=%d kind=%s", task.id, task.kind)
    return follow_up_view(task)


def declare_changes(
    session: Session, actor: Actor, application_id: str, elements: list[str], now: datetime
) -> dict[str, object]:
    """Record which elements a PERUBAHAN_DATA application changes (replacing an earlier declaration).

    Refused once the application is done (its tasks are already decided) and for other case types.
    """
    require_role(actor, _DECLARING_ROLES)
    app = load_visible(session, actor, application_id)
    if app.case_type != CaseType.PERUBAHAN_DATA.value:
        raise DeskInputError("Elemen data yang berubah hanya dinyatakan untuk permohonan PERUBAHAN_DATA.")
    unknown = unknown_elements(elements)
    if unknown:
        raise DeskInputError(f"Kode elemen data tidak dikenal: {', '.join(unknown)}.")
    if not elements:
        raise DeskInputError("Sebutkan sedikitnya satu elemen data yang berubah.")
    if app.state == State.SELESAI.value:
        raise ActionNotAllowedError("Permohonan sudah selesai: tugas tindak lanjutnya sudah dibuat.")
    chosen = sorted(set(elements))
    row = session.get(ChangeDeclaration, app.id)
    if row is None:
        session.add(ChangeDeclaration(application_id=app.id, elements=chosen, declared_by=actor.name, declared_at=now))
    else:
        row.elements, row.declared_by, row.declared_at = chosen, actor.name, now
    session.flush()
    return {"application_id": app.id, "elements": chosen, "ktp_elements": ktp_elements(chosen)}
