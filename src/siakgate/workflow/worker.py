"""The worker: runs due Jobs (the automatic steps and the SIAK calls after a person's action), crash-safe.

One job, three units of work with the SIAK call outside any transaction:

1. **claim** (one transaction): due jobs (PENDING and ``run_after`` passed, or RUNNING whose lease
   ran out: a worker that died) are marked RUNNING under this worker's name with a lease. On
   PostgreSQL the select uses ``FOR UPDATE SKIP LOCKED``, so concurrent gateway instances take
   different jobs; on SQLite the writer lock serialises claims.
2. **call**: SIAK, idempotently. Data entry uses the client request id ``{application}:{step}``
   (``:{round}`` appended after a resubmission), so a repeat answers the first request; every status
   change first reads the request's status in SIAK and only asks for what is still missing, so a
   repeat after a lost answer (or a crash before the commit) never applies anything twice. Draft and
   signed PDFs go into the content-addressed store before the commit (idempotent).
3. **record** (one transaction): only if the job is still this worker's, the outcome and the
   application's transition are committed together (the application's ``version`` stops a second
   writer). A transient failure puts the job back with exponential backoff; SIAK refusing the data
   returns the file (DIKEMBALIKAN) with SIAK's reasons; anything else after ``max_attempts`` is
   GANGGUAN, for an administrator's ``retry``.

A crash anywhere between 1 and 3 leaves the job RUNNING with a lease; after the lease another run
takes it and repeats the (harmless) call.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from tenacity import wait_exponential

from siakgate.domain import CaseType
from siakgate.errors import (
    SiakgateError,
)
from siakgate.store.leases import Lease, LeaseQueue, waiting_or_abandoned
from siakgate.store.models import Application, ApplicationDocument, Job, TimelineEvent
from siakgate.workflow.context import Deps
from siakgate.workflow.jobs import HANDLERS, Claimed, Outcome, client_request_id, execute
from siakgate.workflow.profiles import Role
from siakgate.workflow.states import JobKind, JobState, State
from siakgate.workflow.transitions import (
    SYSTEM_ACTOR,
    advance,
    entry_step,
    latest_document,
    record_document,
    record_event,
    return_to,
    steps_of,
)

__all__ = ["client_request_id", "job_queue", "run_pending"]

log = logging.getLogger("siakgate.workflow")

_BACKOFF_BASE = 5.0
_BACKOFF_MAX = 600.0
_PDF = "application/pdf"


def job_queue(deps: Deps) -> LeaseQueue[Job]:
    """The jobs' lease queue: PENDING and due, or RUNNING with a lease that ran out (a worker that died)."""

    return LeaseQueue(
        deps.db,
        Job,
        clock=deps.clock,
        owner=deps.worker_id,
        lease=deps.lease,
        due=waiting_or_abandoned(Job.state, JobState.PENDING, JobState.RUNNING, Job.locked_until, Job.run_after),
        order_by=[Job.id],
        backoff=wait_exponential(multiplier=_BACKOFF_BASE, max=_BACKOFF_MAX),
    )


async def run_pending(deps: Deps, *, limit: int = 20) -> int:
    """Run up to ``limit`` jobs that were due when the pass started, one claim at a time (each lease
    renewed while its job runs); how many were taken. Jobs queued by this pass wait for the next one."""
    queue = job_queue(deps)
    horizon = await deps.db.run(lambda session: session.scalar(select(func.max(Job.id))), read_only=True)
    taken = 0
    while taken < limit and horizon is not None:
        claimed = await deps.db.run(partial(_claim, deps, queue, horizon))
        if claimed is None:
            break
        job, lease = claimed
        taken += 1
        async with queue.kept(lease):
            outcome = await execute(deps, job)
        try:
            await deps.db.run(partial(_record, deps, queue, lease, job, outcome))
        except StaleDataError:
            # Another writer changed the application meanwhile; the job stays RUNNING and is taken again
            # after its lease, when the repeated (idempotent) call finds the work already done.
            log.warning("job outcome not recorded (concurrent change) app=%s step=%s", job.app_id, job.step_id)
    return taken


def _claim(deps: Deps, queue: LeaseQueue[Job], horizon: int, session: Session) -> tuple[Claimed, Lease] | None:
    """The next due job (up to ``horizon``) that is still current, leased to this worker; overtaken ones
    are closed on the way."""
    now = deps.now()
    while True:
        found = queue.claim(session, limit=1, where=[Job.id <= horizon])
        if not found:
            return None
        job, lease = found[0]
        app = session.get(Application, job.application_id)
        assert app is not None
        if app.round != job.round or app.current_step_id != job.step_id or app.state != State.DIPROSES_SIAK:
            job.state = str(JobState.DONE)
            job.finished_at = now
            job.last_error_code = "USANG"  # overtaken by a resubmission or a retry
            queue.release(job)
            continue
        job.state = str(JobState.RUNNING)
        job.attempts += 1
        officer = session.scalars(
            select(TimelineEvent.actor)
            .where(TimelineEvent.application_id == app.id, TimelineEvent.step_id == job.step_id)
            .order_by(TimelineEvent.id.desc())
            .limit(1)
        ).first()
        return (
            Claimed(
                job_id=job.id,
                kind=JobKind(job.kind),
                step_id=job.step_id,
                round=job.round,
                entry_round=app.entry_round,
                attempts=job.attempts,
                app_id=app.id,
                case_type=CaseType[app.case_type],
                request_no=app.siak_request_no,
                entry_no_kk=app.entry_no_kk,
                family=app.family,
                signed_sha256=app.signed_sha256,
                reason=app.return_reason,
                officer=officer,
            ),
            lease,
        )


def _reason_of(error: SiakgateError) -> str:
    issues = getattr(error, "issues", ())
    details = "; ".join(issue.message for issue in issues)
    return f"{error.message} {details}".strip() if details and details not in error.message else error.message


def _record(deps: Deps, queue: LeaseQueue[Job], lease: Lease, job: Claimed, outcome: Outcome, session: Session) -> None:
    now = deps.now()
    row = queue.holds(session, lease)  # the fence: only the current lease's holder records
    if row is None or row.state != JobState.RUNNING:
        log.warning("job outcome discarded (lease lost) app=%s step=%s", job.app_id, job.step_id)
        return
    app = session.get(Application, job.app_id)
    assert app is not None
    profile = deps.profile(app.profile_id)
    if outcome.transient is not None:
        _transient(session, deps, queue, row, app, outcome.transient, now)
        return
    row.state = str(JobState.DONE)
    row.finished_at = now
    queue.release(row)
    if outcome.failed is not None:
        _give_up(session, row, app, outcome.failed, now)
        return
    if outcome.refused is not None:
        row.last_error_code = outcome.refused.code
        app.last_error_code = outcome.refused.code
        return_to(
            session,
            app,
            profile,
            state=State.DIKEMBALIKAN,
            reason=_reason_of(outcome.refused),
            return_step_id=job.step_id,
            missing=None,
            action=f"{job.kind.value}_refused",
            actor=SYSTEM_ACTOR,
            role=str(Role.SYSTEM),
            now=now,
        )
        return
    if outcome.request_no is not None:
        app.siak_request_no = outcome.request_no
    if outcome.no_kk is not None:
        app.no_kk = outcome.no_kk
    if outcome.draft_sha is not None:
        _add_draft(session, app, outcome, now)
    if job.kind is JobKind.VERIFY_REJECT:
        return_to(
            session,
            app,
            profile,
            state=State.DITOLAK,
            reason=app.return_reason or "Ditolak verifikator.",
            return_step_id=entry_step(steps_of(profile, app)).id,
            missing=None,
            action="rejection_recorded",
            actor=SYSTEM_ACTOR,
            role=str(Role.SYSTEM),
            now=now,
            measured=False,
        )
        return
    automatic = HANDLERS[job.kind].measured  # an automatic step is measured; a person step's follow-up call is not
    advance(
        session,
        app,
        profile,
        action=job.kind.value,
        actor=SYSTEM_ACTOR,
        role=str(Role.SYSTEM),
        now=now,
        note=outcome.note,
        measured=automatic,
    )
    log.info("job done app=%s step=%s kind=%s state=%s", app.id, job.step_id, job.kind.value, app.state)


def _add_draft(session: Session, app: Application, outcome: Outcome, now: datetime) -> None:
    assert outcome.draft_sha is not None
    latest = latest_document(session, app.id, "DRAFT_KK")
    if latest is not None and latest.sha256 == outcome.draft_sha:
        return
    record_document(
        session,
        ApplicationDocument(
            application_id=app.id,
            kind="DRAFT_KK",
            sha256=outcome.draft_sha,
            size=outcome.draft_size,
            media_type=_PDF,
            filename=f"draft-kk-{app.siak_request_no or app.id}.pdf",
            created_by=SYSTEM_ACTOR,
            created_at=now,
        ),
    )


def _transient(
    session: Session,
    deps: Deps,
    queue: LeaseQueue[Job],
    row: Job,
    app: Application,
    error: SiakgateError,
    now: datetime,
) -> None:
    row.last_error_code = error.code
    app.last_error_code = error.code
    app.updated_at = now
    if row.attempts >= deps.max_attempts:
        row.state = str(JobState.DONE)
        row.finished_at = now
        queue.release(row)
        _give_up(session, row, app, error, now)
        return
    row.state = str(JobState.PENDING)
    row.run_after = queue.retry_at(row.attempts)
    queue.release(row)


def _give_up(session: Session, row: Job, app: Application, error: SiakgateError, now: datetime) -> None:
    row.state = str(JobState.FAILED)
    row.last_error_code = error.code
    app.state = str(State.GANGGUAN)
    app.awaiting_role = "ADMIN"
    app.last_error_code = error.code
    app.updated_at = now
    record_event(
        session,
        app,
        TimelineEvent(
            application_id=app.id,
            step_id=row.step_id,
            action=f"{row.kind}_failed",
            actor=SYSTEM_ACTOR,
            role=str(Role.SYSTEM),
            at=now,
            outcome=app.state,
            note=error.message,
        ),
    )
    log.error("job failed for good app=%s step=%s code=%s", app.id, row.step_id, error.code)
