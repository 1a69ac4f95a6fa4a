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
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import anyio.to_thread
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from siakgate.domain import CaseType, KartuKeluarga
from siakgate.errors import (
    InvalidDataError,
    SiakDuplicateError,
    SiakgateError,
    SiakInvalidDataError,
    SiakNotFoundError,
    TransientError,
)
from siakgate.siak import Decision, RequestStatus
from siakgate.store.models import Application, ApplicationDocument, Job, TimelineEvent
from siakgate.workflow.context import Deps
from siakgate.workflow.profiles import Role
from siakgate.workflow.states import JobKind, JobState, State
from siakgate.workflow.transitions import (
    SYSTEM_ACTOR,
    advance,
    entry_step,
    latest_document,
    return_to,
    steps_of,
)

__all__ = ["client_request_id", "run_pending"]

log = logging.getLogger("siakgate.workflow")

_ORDER = (
    RequestStatus.DRAFT,
    RequestStatus.DIAJUKAN,
    RequestStatus.DIVERIFIKASI,
    RequestStatus.TERSERTIFIKASI,
    RequestStatus.TERCETAK,
)
_REFUSALS = (SiakInvalidDataError, SiakDuplicateError, SiakNotFoundError, InvalidDataError)
_STEP_JOBS = frozenset(
    {JobKind.SIAK_LOOKUP, JobKind.SIAK_ENTRY, JobKind.SIAK_DRAFT, JobKind.REQUEST_CERTIFICATION, JobKind.ARCHIVE}
)
_CREATES_REQUEST = (JobKind.SIAK_LOOKUP, JobKind.SIAK_ENTRY, JobKind.SIAK_DRAFT)
_BACKOFF_BASE = 5.0
_BACKOFF_MAX = 600.0
_PDF = "application/pdf"


def client_request_id(app_id: str, step_id: str, round_: int) -> str:
    """SIAK's idempotency key for the data entry of one application, step and round."""
    return f"{app_id}:{step_id}" if round_ == 0 else f"{app_id}:{step_id}:{round_}"


def _siak_id(name: str | None) -> str:
    """An actor's name as SIAK's IdType allows (``[A-Za-z0-9._:@-]{1,64}``)."""
    return (re.sub(r"[^A-Za-z0-9._:@-]", "-", name or SYSTEM_ACTOR) or SYSTEM_ACTOR)[:64]


@dataclass(frozen=True)
class _Claimed:
    job_id: int
    kind: JobKind
    step_id: str
    round: int
    attempts: int
    app_id: str
    case_type: CaseType
    request_no: str | None
    entry_no_kk: str | None
    family: dict[str, Any] | None
    signed_sha256: str | None
    reason: str | None
    officer: str | None


@dataclass(frozen=True)
class _Outcome:
    request_no: str | None = None
    no_kk: str | None = None
    draft_sha: str | None = None
    draft_size: int = 0
    note: str | None = None
    refused: SiakgateError | None = None
    failed: SiakgateError | None = None
    transient: SiakgateError | None = None


async def run_pending(deps: Deps, *, limit: int = 20) -> int:
    """Run up to ``limit`` due jobs; how many were taken."""
    claimed = await deps.db.run(partial(_claim, deps, limit))
    for job in claimed:
        outcome = await _execute(deps, job)
        try:
            await deps.db.run(partial(_record, deps, job, outcome))
        except StaleDataError:
            # Another writer changed the application meanwhile; the job stays RUNNING and is taken again
            # after its lease, when the repeated (idempotent) call finds the work already done.
            log.warning("job outcome not recorded (concurrent change) app=%s step=%s", job.app_id, job.step_id)
    return len(claimed)


def _claim(deps: Deps, limit: int, session: Session) -> list[_Claimed]:
    now = deps.now()
    due = or_(
        and_(Job.state == str(JobState.PENDING), Job.run_after <= now),
        and_(Job.state == str(JobState.RUNNING), Job.locked_until < now),
    )
    stmt = select(Job).where(due).order_by(Job.id).limit(limit)
    if deps.db.dialect_supports_skip_locked:
        stmt = stmt.with_for_update(skip_locked=True)  # concurrent instances take different jobs
    jobs = session.scalars(stmt).all()
    claimed: list[_Claimed] = []
    for job in jobs:
        app = session.get(Application, job.application_id)
        assert app is not None
        if app.round != job.round or app.current_step_id != job.step_id or app.state != State.DIPROSES_SIAK:
            job.state = str(JobState.DONE)
            job.finished_at = now
            job.last_error_code = "USANG"  # overtaken by a resubmission or a retry
            continue
        job.state = str(JobState.RUNNING)
        job.locked_by = deps.worker_id
        job.locked_until = now + deps.lease
        job.attempts += 1
        officer = session.scalars(
            select(TimelineEvent.actor)
            .where(TimelineEvent.application_id == app.id, TimelineEvent.step_id == job.step_id)
            .order_by(TimelineEvent.id.desc())
            .limit(1)
        ).first()
        claimed.append(
            _Claimed(
                job_id=job.id,
                kind=JobKind(job.kind),
                step_id=job.step_id,
                round=job.round,
                attempts=job.attempts,
                app_id=app.id,
                case_type=CaseType[app.case_type],
                request_no=app.siak_request_no,
                entry_no_kk=app.entry_no_kk,
                family=app.family,
                signed_sha256=app.signed_sha256,
                reason=app.return_reason,
                officer=officer,
            )
        )
    return claimed


async def _execute(deps: Deps, job: _Claimed) -> _Outcome:
    try:
        return await _call(deps, job)
    except TransientError as exc:
        log.warning("job transient failure app=%s step=%s code=%s", job.app_id, job.step_id, exc.code)
        return _Outcome(transient=exc)
    except _REFUSALS as exc:
        if job.kind in _CREATES_REQUEST:
            log.info("siak refused app=%s step=%s code=%s", job.app_id, job.step_id, exc.code)
            return _Outcome(refused=exc)
        return _Outcome(failed=exc)
    except SiakgateError as exc:
        log.warning("job failed app=%s step=%s code=%s", job.app_id, job.step_id, exc.code)
        return _Outcome(failed=exc)
    except Exception as exc:  # a bug or an unexpected library error: retried, then GANGGUAN
        log.exception("job error app=%s step=%s", job.app_id, job.step_id)
        return _Outcome(transient=SiakgateError(f"Kesalahan internal: {type(exc).__name__}", code="KESALAHAN_INTERNAL"))


async def _put_pdf(deps: Deps, pdf: bytes) -> str:
    return await anyio.to_thread.run_sync(deps.documents.put, pdf, _PDF)


async def _enter(deps: Deps, job: _Claimed) -> _Outcome:
    family = KartuKeluarga.model_validate(job.family) if job.family is not None else None
    if family is None and job.case_type is not CaseType.HILANG and job.entry_no_kk is not None:
        family = await deps.siak.get_family(job.entry_no_kk)  # RUSAK: the family as SIAK holds it, reissued
    result = await deps.siak.enter_family(
        client_request_id(job.app_id, job.step_id, job.round), job.case_type, family, job.entry_no_kk
    )
    return _Outcome(request_no=result.no_permohonan, no_kk=result.no_kk)


async def _reach(deps: Deps, job: _Claimed, request_no: str, target: RequestStatus) -> RequestStatus:
    """Move the SIAK request forward until it has ``target``, asking only for what is still missing."""
    status = (await deps.siak.get_draft(request_no)).status
    if target is RequestStatus.DITOLAK:
        if status is RequestStatus.DRAFT:
            status = (await deps.siak.request_certification(request_no)).status
        if status is RequestStatus.DIAJUKAN:
            reason = job.reason or "Ditolak verifikator."
            change = await deps.siak.record_verification(
                request_no, Decision.TOLAK, verifier_id=_siak_id(job.officer), reason=reason
            )
            status = change.status
        return status
    while status in _ORDER and _ORDER.index(status) < _ORDER.index(target):
        if status is RequestStatus.DRAFT:
            status = (await deps.siak.request_certification(request_no)).status
        elif status is RequestStatus.DIAJUKAN:
            change = await deps.siak.record_verification(request_no, Decision.SETUJU, verifier_id=_siak_id(job.officer))
            status = change.status
        elif status is RequestStatus.DIVERIFIKASI:
            assert job.signed_sha256 is not None
            pdf = await anyio.to_thread.run_sync(deps.documents.get, job.signed_sha256)
            status = (await deps.siak.upload_signed(request_no, pdf)).status
        else:
            status = (await deps.siak.mark_printed(request_no, officer=_siak_id(job.officer))).status
    return status


async def _call(deps: Deps, job: _Claimed) -> _Outcome:
    kind = job.kind
    if kind is JobKind.SIAK_LOOKUP:
        if job.entry_no_kk is None:
            return _Outcome(note="Keluarga baru: tidak ada No. KK untuk dicek.")
        found = await deps.siak.get_family(job.entry_no_kk)
        return _Outcome(note=f"No. KK terdaftar di SIAK ({len(found.members)} anggota).")
    if kind is JobKind.SIAK_ENTRY:
        return await _enter(deps, job)
    if kind is JobKind.ARCHIVE:
        if job.signed_sha256 is None or not await anyio.to_thread.run_sync(deps.documents.verify, job.signed_sha256):
            raise SiakgateError("KK bertanda tangan tidak ada di arsip.", code="ARSIP_TIDAK_LENGKAP")
        return _Outcome(note="KK digital diarsipkan.")
    outcome = _Outcome()
    request_no = job.request_no
    if request_no is None:
        # A case without a data-entry step (HILANG, RUSAK) gets its SIAK request from the first step
        # that needs one; the same client request id keeps that idempotent too.
        outcome = await _enter(deps, job)
        request_no = outcome.request_no
        assert request_no is not None
    if kind is JobKind.SIAK_DRAFT or kind is JobKind.VERIFY_APPROVE:
        if kind is JobKind.VERIFY_APPROVE:
            await _reach(deps, job, request_no, RequestStatus.DIVERIFIKASI)
        draft = await deps.siak.get_draft(request_no)  # once verified, the KK to sign (no draft marks)
        sha = await _put_pdf(deps, draft.draft_pdf)
        return replace(
            outcome, request_no=request_no, no_kk=draft.family.no_kk, draft_sha=sha, draft_size=len(draft.draft_pdf)
        )
    target = {
        JobKind.REQUEST_CERTIFICATION: RequestStatus.DIAJUKAN,
        JobKind.VERIFY_REJECT: RequestStatus.DITOLAK,
        JobKind.UPLOAD_SIGNED: RequestStatus.TERSERTIFIKASI,
        JobKind.MARK_PRINTED: RequestStatus.TERCETAK,
    }[kind]
    reached = await _reach(deps, job, request_no, target)
    if reached is not target and not (
        target in _ORDER and reached in _ORDER and _ORDER.index(reached) >= _ORDER.index(target)
    ):
        raise SiakgateError(f"Status permohonan di SIAK {reached.value}, bukan {target.value}.", code="STATUS_SIAK")
    return outcome


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(_BACKOFF_BASE * 2 ** max(attempts - 1, 0), _BACKOFF_MAX))


def _reason_of(error: SiakgateError) -> str:
    issues = getattr(error, "issues", ())
    details = "; ".join(issue.message for issue in issues)
    return f"{error.message} {details}".strip() if details and details not in error.message else error.message


def _record(deps: Deps, job: _Claimed, outcome: _Outcome, session: Session) -> None:
    now = deps.now()
    row = session.get(Job, job.job_id)
    if row is None or row.state != JobState.RUNNING or row.locked_by != deps.worker_id:
        log.warning("job lost its lease app=%s step=%s", job.app_id, job.step_id)
        return
    app = session.get(Application, job.app_id)
    assert app is not None
    profile = deps.profile(app.profile_id)
    if outcome.transient is not None:
        _transient(session, deps, row, app, outcome.transient, now)
        return
    row.state = str(JobState.DONE)
    row.finished_at = now
    row.locked_by = None
    row.locked_until = None
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
    automatic = job.kind in _STEP_JOBS  # an automatic step is measured; a person step's follow-up call is not
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


def _add_draft(session: Session, app: Application, outcome: _Outcome, now: datetime) -> None:
    assert outcome.draft_sha is not None
    latest = latest_document(session, app.id, "DRAFT_KK")
    if latest is not None and latest.sha256 == outcome.draft_sha:
        return
    session.add(
        ApplicationDocument(
            application_id=app.id,
            kind="DRAFT_KK",
            sha256=outcome.draft_sha,
            size=outcome.draft_size,
            media_type=_PDF,
            filename=f"draft-kk-{app.siak_request_no or app.id}.pdf",
            created_by=SYSTEM_ACTOR,
            created_at=now,
        )
    )


def _transient(session: Session, deps: Deps, row: Job, app: Application, error: SiakgateError, now: datetime) -> None:
    row.last_error_code = error.code
    app.last_error_code = error.code
    app.updated_at = now
    if row.attempts >= deps.max_attempts:
        row.state = str(JobState.DONE)
        row.finished_at = now
        _give_up(session, row, app, error, now)
        return
    row.state = str(JobState.PENDING)
    row.run_after = now + _backoff(row.attempts)
    row.locked_by = None
    row.locked_until = None


def _give_up(session: Session, row: Job, app: Application, error: SiakgateError, now: datetime) -> None:
    row.state = str(JobState.FAILED)
    row.last_error_code = error.code
    app.state = str(State.GANGGUAN)
    app.awaiting_role = "ADMIN"
    app.last_error_code = error.code
    app.updated_at = now
    session.add(
        TimelineEvent(
            application_id=app.id,
            step_id=row.step_id,
            action=f"{row.kind}_failed",
            actor=SYSTEM_ACTOR,
            role=str(Role.SYSTEM),
            at=now,
            outcome=app.state,
            note=error.message,
        )
    )
    log.error("job failed for good app=%s step=%s code=%s", app.id, row.step_id, error.code)
