"""The moves of an application, inside a unit of work: enter a step, complete it, return the file.

Every function here changes rows of one open session and nothing else; the caller's unit of work
commits them together (the transition, its timeline event and the Job it makes due), so a transition
is all-or-nothing. An automatic step's Job is written in the same transaction as the transition that
makes it due; the Job table's unique key (application, step, round) keeps a step from being queued twice.

Timeline events and documents are added through :func:`record` / :func:`record_event` and
:func:`record_document` only: they tell the unit of work's transition pipeline
(:mod:`siakgate.workflow.pipeline`), whose listeners write the notifications, audit entries, follow-up
tasks and archive records in the same transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.domain import CaseType
from siakgate.errors import NotFoundError
from siakgate.store.models import Application, ApplicationDocument, Job, TimelineEvent
from siakgate.workflow.access import Actor, require_visible
from siakgate.workflow.pipeline import pipeline_of
from siakgate.workflow.profiles import Role, ServiceProfile, Step, StepKind
from siakgate.workflow.states import AUTOMATIC_KINDS, STATE_OF_KIND, JobKind, JobState, State

__all__ = [
    "SYSTEM_ACTOR",
    "advance",
    "current_step",
    "enter_step",
    "load_visible",
    "queue_job",
    "record",
    "record_document",
    "record_event",
    "return_to",
    "steps_of",
]

log = logging.getLogger("siakgate.workflow")

SYSTEM_ACTOR = "system"


def steps_of(profile: ServiceProfile, app: Application) -> tuple[Step, ...]:
    return profile.steps_for(CaseType[app.case_type])


def step_index(steps: tuple[Step, ...], step_id: str | None) -> int:
    for index, step in enumerate(steps):
        if step.id == step_id:
            return index
    raise LookupError(step_id)


def current_step(profile: ServiceProfile, app: Application) -> Step | None:
    if app.current_step_id is None:
        return None
    steps = steps_of(profile, app)
    return steps[step_index(steps, app.current_step_id)]


def load_visible(session: Session, actor: Actor, app_id: str, *, lock: bool = False) -> Application:
    """The application, or NotFoundError when it does not exist or the actor's region does not cover it."""
    stmt = select(Application).where(Application.id == app_id)
    if lock:
        stmt = stmt.with_for_update()
    app = session.scalars(stmt).one_or_none()
    if app is None:
        raise NotFoundError("Permohonan tidak ditemukan.")
    require_visible(actor, app.region_code)
    return app


def queue_job(session: Session, app: Application, step_id: str, kind: JobKind, now: datetime) -> None:
    session.add(
        Job(
            application_id=app.id,
            step_id=step_id,
            round=app.round,
            kind=str(kind),
            state=str(JobState.PENDING),
            attempts=0,
            run_after=now,
            created_at=now,
        )
    )
    log.info("job queued app=%s step=%s kind=%s round=%d", app.id, step_id, kind, app.round)


def enter_step(session: Session, app: Application, steps: tuple[Step, ...], index: int, now: datetime) -> None:
    """Make ``steps[index]`` current (queueing its Job if it is automatic), or finish the application."""
    app.updated_at = now
    app.step_started_at = now
    app.last_error_code = None
    if index >= len(steps):
        app.state = str(State.SELESAI)
        app.current_step_id = None
        app.awaiting_role = None
        app.completed_at = now
        log.info("application done app=%s", app.id)
        return
    step = steps[index]
    app.current_step_id = step.id
    app.state = str(STATE_OF_KIND[step.kind])
    if step.kind in AUTOMATIC_KINDS:
        app.awaiting_role = str(Role.SYSTEM)
        queue_job(session, app, step.id, JobKind(str(step.kind)), now)
    else:
        app.awaiting_role = str(step.role)
    log.info("step entered app=%s step=%s state=%s", app.id, step.id, app.state)


def record(
    session: Session,
    app: Application,
    *,
    step: Step | None,
    action: str,
    actor: str,
    role: str | None,
    started_at: datetime | None,
    now: datetime,
    note: str | None = None,
    measured: bool = True,
) -> None:
    """A timeline event; ``measured`` events carry the step's standard and actual minutes."""
    actual = (now - started_at).total_seconds() / 60 if (measured and started_at is not None) else None
    record_event(
        session,
        app,
        TimelineEvent(
            application_id=app.id,
            step_id=step.id if step is not None else None,
            action=action,
            actor=actor,
            role=role,
            at=now,
            started_at=started_at if measured else None,
            standard_minutes=step.standard_minutes if (measured and step is not None) else None,
            actual_minutes=round(actual, 3) if actual is not None else None,
            outcome=app.state,
            note=note,
        ),
    )


def record_event(session: Session, app: Application, event: TimelineEvent) -> None:
    """Add ``event`` (of ``app``, its ``outcome`` the state just reached) and tell the pipeline's listeners."""
    session.add(event)
    pipeline_of(session).state_changed(session, app, event)


def record_document(session: Session, doc: ApplicationDocument) -> ApplicationDocument:
    """Add ``doc`` to its application and tell the pipeline's listeners; returns ``doc``."""
    session.add(doc)
    pipeline_of(session).document_added(session, doc)
    return doc


def advance(
    session: Session,
    app: Application,
    profile: ServiceProfile,
    *,
    action: str,
    actor: str,
    role: str | None,
    now: datetime,
    note: str | None = None,
    measured: bool = True,
) -> None:
    """Complete the current step (timeline with actual vs standard minutes) and enter the next one."""
    steps = steps_of(profile, app)
    index = step_index(steps, app.current_step_id)
    started = app.step_started_at
    enter_step(session, app, steps, index + 1, now)
    record(
        session,
        app,
        step=steps[index],
        action=action,
        actor=actor,
        role=role,
        started_at=started,
        now=now,
        note=note,
        measured=measured,
    )


def return_to(
    session: Session,
    app: Application,
    profile: ServiceProfile,
    *,
    state: State,
    reason: str,
    return_step_id: str,
    missing: list[str] | None,
    action: str,
    actor: str,
    role: str | None,
    now: datetime,
    measured: bool = True,
) -> None:
    """Send the file back to the calling system (the applicant) with the reason and what is missing."""
    step = current_step(profile, app)
    started = app.step_started_at
    app.state = str(state)
    app.awaiting_role = str(Role.PEMOHON)
    app.return_reason = reason
    app.return_step_id = return_step_id
    app.missing = list(missing or [])
    app.updated_at = now
    app.step_started_at = now
    record(
        session,
        app,
        step=step,
        action=action,
        actor=actor,
        role=role,
        started_at=started,
        now=now,
        note=reason,
        measured=measured,
    )
    log.info("application returned app=%s step=%s state=%s", app.id, app.current_step_id, app.state)


def entry_step(steps: tuple[Step, ...]) -> Step:
    """Where changed data is entered again: the SIAK_ENTRY step, else the step that fetches the draft
    (it creates the SIAK request for a case without data entry), else the first step."""
    for kind in (StepKind.SIAK_ENTRY, StepKind.SIAK_DRAFT):
        for step in steps:
            if step.kind is kind:
                return step
    return steps[0]


def latest_document(session: Session, app_id: str, kind: str) -> ApplicationDocument | None:
    stmt = (
        select(ApplicationDocument)
        .where(ApplicationDocument.application_id == app_id, ApplicationDocument.kind == kind)
        .order_by(ApplicationDocument.id.desc())
        .limit(1)
    )
    return session.scalars(stmt).first()
