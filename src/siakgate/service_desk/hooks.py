"""Follow-up tasks created in the transaction that finishes an application (a workflow listener).

:class:`FollowUps` is one of the workflow's transition listeners (:mod:`siakgate.workflow.pipeline`,
passed by :func:`siakgate.api.runtime.open_gateway`): every state change of an application adds a
:class:`~siakgate.store.models.TimelineEvent` and tells the listeners, so every way an application
finishes (a person's last action, the archive job) is seen, and the tasks commit or roll back together
with the transition.

When: the event whose ``outcome`` is SELESAI. The new KK has then been signed and handed over (or sent
as a PDF), which is when seed 003 tells the applicant to return the old KK to the kecamatan and, when
the change touched the KTP-el, to ask for a new one. What (:func:`tasks_for`):

* ``KK_LAMA_DIKEMBALIKAN`` when the case type's profile says the old card is handed back
  (``case_profile(case).old_kk_returned``: every case but a lost KK);
* ``CETAK_ULANG_KTP`` for PERUBAHAN_DATA when the declared changed elements include one printed on the
  KTP-el (:mod:`siakgate.service_desk.ktp`), or when nothing was declared: then the task says the
  elements are unknown and the officer checks (closing it with a note when no new card is needed).
  Missing a reprint costs the citizen a second trip; an unneeded task costs one click.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.domain import CaseType, case_profile
from siakgate.service_desk.ktp import ktp_elements
from siakgate.store.models import Application, TimelineEvent
from siakgate.store.models_desk import ChangeDeclaration, FollowUpTask
from siakgate.workflow.pipeline import TransitionListener

__all__ = ["KTP_REPRINT", "OLD_KK_RETURN", "FollowUps", "tasks_for"]

log = logging.getLogger("siakgate.service_desk")

OLD_KK_RETURN = "KK_LAMA_DIKEMBALIKAN"
KTP_REPRINT = "CETAK_ULANG_KTP"
_DONE = "SELESAI"


def tasks_for(case_type: CaseType, declared: list[str] | None) -> dict[str, dict[str, Any]]:
    """The follow-up tasks (kind -> details) of a finished application of ``case_type``.

    ``declared``: the changed element codes of a PERUBAHAN_DATA application, None when not declared.
    """
    tasks: dict[str, dict[str, Any]] = {}
    if case_profile(case_type).old_kk_returned:
        tasks[OLD_KK_RETURN] = {"return_to": "Petugas Dukcapil di Kecamatan"}
    if case_type is CaseType.PERUBAHAN_DATA:
        if declared is None:
            tasks[KTP_REPRINT] = {"elements": None, "check": True}
        elif printed := ktp_elements(declared):
            tasks[KTP_REPRINT] = {"elements": printed, "check": False}
    return tasks


class FollowUps(TransitionListener):
    """Adds the follow-up tasks of an application when an event finishes it (outcome SELESAI)."""

    def on_state_change(self, session: Session, app: Application, event: TimelineEvent) -> None:
        if event.outcome != _DONE:
            return
        with session.no_autoflush:
            declaration = session.get(ChangeDeclaration, app.id)
            wanted = tasks_for(CaseType[app.case_type], list(declaration.elements) if declaration is not None else None)
            existing = set(session.scalars(select(FollowUpTask.kind).where(FollowUpTask.application_id == app.id)))
        existing |= {obj.kind for obj in session.new if isinstance(obj, FollowUpTask) and obj.application_id == app.id}
        for kind, details in wanted.items():
            if kind in existing:
                continue
            session.add(
                FollowUpTask(
                    application_id=app.id,
                    region_code=app.region_code,
                    kind=kind,
                    state="OPEN",
                    details=details,
                    created_at=event.at,
                )
            )
            existing.add(kind)
            log.info("follow-up task created app=%s kind=%s", app.id, kind)
