"""What each kind of job does: one handler per :class:`~siakgate.workflow.states.JobKind`, in one table.

:data:`HANDLERS` is the job half of the workflow's behaviour registry (the step half is
:data:`~siakgate.workflow.states.STEP_BEHAVIOURS`): for each job kind, the coroutine that does the work
outside any transaction, whether it is an automatic step (measured against the profile's standard
minutes) and whether SIAK refusing the data returns the file to the applicant (the calls that create
the SIAK request) or sets it aside for an administrator. :func:`siakgate.workflow.registry.check_behaviours`
refuses, at start-up, a profile whose steps or jobs have no entry here.

Every handler is repeatable: data entry carries the client request id (SIAK answers a repeat with
the first request), every status change first reads the request's status in SIAK and asks only for
what is still missing, and a change SIAK refuses because the request already moved on is success
(:func:`_change`). So a repeat after a lost answer, a crash or a lost lease never applies anything twice.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Final

import anyio.to_thread

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
from siakgate.workflow.context import Deps
from siakgate.workflow.states import JobKind
from siakgate.workflow.transitions import SYSTEM_ACTOR

__all__ = ["HANDLERS", "Claimed", "JobHandler", "Outcome", "client_request_id", "execute"]

log = logging.getLogger("siakgate.workflow")

_ORDER = (
    RequestStatus.DRAFT,
    RequestStatus.DIAJUKAN,
    RequestStatus.DIVERIFIKASI,
    RequestStatus.TERSERTIFIKASI,
    RequestStatus.TERCETAK,
)
_REFUSALS = (SiakInvalidDataError, SiakDuplicateError, SiakNotFoundError, InvalidDataError)
_PDF: Final = "application/pdf"


def client_request_id(app_id: str, step_id: str, entry_round: int) -> str:
    """SIAK's idempotency key for the data entry of one application, step and version of its data.

    ``entry_round`` is the round in which the data now held was submitted (``Application.entry_round``):
    a resubmission with corrected data starts a new one (SIAK cannot amend a request), an
    administrator's retry does not, so a retried entry whose first answer was lost gets SIAK's
    first request back instead of a second one."""
    return f"{app_id}:{step_id}" if entry_round == 0 else f"{app_id}:{step_id}:{entry_round}"


def _siak_id(name: str | None) -> str:
    """An actor's name as SIAK's IdType allows (``[A-Za-z0-9._:@-]{1,64}``)."""
    return (re.sub(r"[^A-Za-z0-9._:@-]", "-", name or SYSTEM_ACTOR) or SYSTEM_ACTOR)[:64]


@dataclass(frozen=True)
class Claimed:
    """What a handler needs of the claimed job and its application (read in the claiming transaction)."""

    job_id: int
    kind: JobKind
    step_id: str
    round: int
    entry_round: int
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
class Outcome:
    """What a handler found; recorded by the lease holder in one transaction."""

    request_no: str | None = None
    no_kk: str | None = None
    draft_sha: str | None = None
    draft_size: int = 0
    note: str | None = None
    refused: SiakgateError | None = None
    failed: SiakgateError | None = None
    transient: SiakgateError | None = None


Handler = Callable[[Deps, Claimed], Awaitable[Outcome]]


@dataclass(frozen=True)
class JobHandler:
    run: Handler
    measured: bool
    """An automatic step (its actual minutes are compared with the standard); a person's follow-up call is not."""
    creates_request: bool
    """SIAK refusing the data returns the file to the applicant (DIKEMBALIKAN) instead of GANGGUAN."""


async def execute(deps: Deps, job: Claimed, handlers: dict[JobKind, JobHandler] | None = None) -> Outcome:
    """Run ``job``'s handler and classify what went wrong; never raises for a failure of the work."""
    handler = (handlers or HANDLERS)[job.kind]
    try:
        return await handler.run(deps, job)
    except TransientError as exc:
        log.warning("job transient failure app=%s step=%s code=%s", job.app_id, job.step_id, exc.code)
        return Outcome(transient=exc)
    except _REFUSALS as exc:
        if handler.creates_request:
            log.info("siak refused app=%s step=%s code=%s", job.app_id, job.step_id, exc.code)
            return Outcome(refused=exc)
        return Outcome(failed=exc)
    except SiakgateError as exc:
        log.warning("job failed app=%s step=%s code=%s", job.app_id, job.step_id, exc.code)
        return Outcome(failed=exc)
    except Exception as exc:  # a bug or an unexpected library error: retried, then GANGGUAN
        log.exception("job error app=%s step=%s", job.app_id, job.step_id)
        return Outcome(transient=SiakgateError(f"Kesalahan internal: {type(exc).__name__}", code="KESALAHAN_INTERNAL"))


async def _put_pdf(deps: Deps, pdf: bytes) -> str:
    return await anyio.to_thread.run_sync(deps.documents.put, pdf, _PDF)


async def _enter(deps: Deps, job: Claimed) -> Outcome:
    family = KartuKeluarga.model_validate(job.family) if job.family is not None else None
    if family is None and job.case_type is not CaseType.HILANG and job.entry_no_kk is not None:
        family = await deps.siak.get_family(job.entry_no_kk)  # RUSAK: the family as SIAK holds it, reissued
    result = await deps.siak.enter_family(
        client_request_id(job.app_id, job.step_id, job.entry_round), job.case_type, family, job.entry_no_kk
    )
    return Outcome(request_no=result.no_permohonan, no_kk=result.no_kk)


async def _change(
    deps: Deps, request_no: str, before: RequestStatus, call: Callable[[], Awaitable[RequestStatus]]
) -> RequestStatus:
    """One state-changing SIAK call from ``before``. SIAK refusing it because the request already moved
    on (an earlier attempt whose answer was lost, or another gateway) is success: the status SIAK now
    holds is returned. A transient failure, or a refusal while the request still stands at ``before``,
    is raised."""
    try:
        return await call()
    except TransientError:
        raise
    except SiakgateError as exc:
        status = (await deps.siak.get_draft(request_no)).status
        if status is before:
            raise
        log.info("siak already past %s request refused code=%s now=%s", before.value, exc.code, status.value)
        return status


async def _reach(deps: Deps, job: Claimed, request_no: str, target: RequestStatus) -> RequestStatus:
    """Move the SIAK request forward until it has ``target``, asking only for what is still missing."""
    status = (await deps.siak.get_draft(request_no)).status
    officer = _siak_id(job.officer)

    async def certify() -> RequestStatus:
        return (await deps.siak.request_certification(request_no)).status

    async def verify(decision: Decision, reason: str | None = None) -> RequestStatus:
        return (await deps.siak.record_verification(request_no, decision, verifier_id=officer, reason=reason)).status

    async def upload() -> RequestStatus:
        assert job.signed_sha256 is not None
        pdf = await anyio.to_thread.run_sync(deps.documents.get, job.signed_sha256)
        return (await deps.siak.upload_signed(request_no, pdf)).status

    async def printed() -> RequestStatus:
        return (await deps.siak.mark_printed(request_no, officer=officer)).status

    if target is RequestStatus.DITOLAK:
        if status is RequestStatus.DRAFT:
            status = await _change(deps, request_no, status, certify)
        if status is RequestStatus.DIAJUKAN:
            reason = job.reason or "Ditolak verifikator."
            status = await _change(deps, request_no, status, partial(verify, Decision.TOLAK, reason))
        return status
    steps: dict[RequestStatus, Callable[[], Awaitable[RequestStatus]]] = {
        RequestStatus.DRAFT: certify,
        RequestStatus.DIAJUKAN: partial(verify, Decision.SETUJU),
        RequestStatus.DIVERIFIKASI: upload,
        RequestStatus.TERSERTIFIKASI: printed,
    }
    while status in _ORDER and _ORDER.index(status) < _ORDER.index(target):
        status = await _change(deps, request_no, status, steps[status])
    return status


async def _request_of(deps: Deps, job: Claimed) -> tuple[str, Outcome]:
    """The SIAK request number; a case without a data-entry step (HILANG, RUSAK) gets its request from
    the first step that needs one, under the same client request id (idempotent too)."""
    if job.request_no is not None:
        return job.request_no, Outcome()
    outcome = await _enter(deps, job)
    assert outcome.request_no is not None
    return outcome.request_no, outcome


async def _lookup(deps: Deps, job: Claimed) -> Outcome:
    if job.entry_no_kk is None:
        return Outcome(note="Keluarga baru: tidak ada No. KK untuk dicek.")
    found = await deps.siak.get_family(job.entry_no_kk)
    return Outcome(note=f"No. KK terdaftar di SIAK ({len(found.members)} anggota).")


async def _archive(deps: Deps, job: Claimed) -> Outcome:
    if job.signed_sha256 is None or not await anyio.to_thread.run_sync(deps.documents.verify, job.signed_sha256):
        raise SiakgateError("KK bertanda tangan tidak ada di arsip.", code="ARSIP_TIDAK_LENGKAP")
    return Outcome(note="KK digital diarsipkan.")


async def _fetch_draft(deps: Deps, job: Claimed, *, approve: bool = False) -> Outcome:
    request_no, outcome = await _request_of(deps, job)
    if approve:
        await _reach(deps, job, request_no, RequestStatus.DIVERIFIKASI)
    draft = await deps.siak.get_draft(request_no)  # once verified, the KK to sign (no draft marks)
    sha = await _put_pdf(deps, draft.draft_pdf)
    return replace(
        outcome, request_no=request_no, no_kk=draft.family.no_kk, draft_sha=sha, draft_size=len(draft.draft_pdf)
    )


async def _move_to(target: RequestStatus, deps: Deps, job: Claimed) -> Outcome:
    request_no, outcome = await _request_of(deps, job)
    reached = await _reach(deps, job, request_no, target)
    if reached is not target and not (
        target in _ORDER and reached in _ORDER and _ORDER.index(reached) >= _ORDER.index(target)
    ):
        raise SiakgateError(f"Status permohonan di SIAK {reached.value}, bukan {target.value}.", code="STATUS_SIAK")
    return outcome


HANDLERS: Final[dict[JobKind, JobHandler]] = {
    JobKind.SIAK_LOOKUP: JobHandler(_lookup, measured=True, creates_request=True),
    JobKind.SIAK_ENTRY: JobHandler(_enter, measured=True, creates_request=True),
    JobKind.SIAK_DRAFT: JobHandler(_fetch_draft, measured=True, creates_request=True),
    JobKind.REQUEST_CERTIFICATION: JobHandler(
        partial(_move_to, RequestStatus.DIAJUKAN), measured=True, creates_request=False
    ),
    JobKind.ARCHIVE: JobHandler(_archive, measured=True, creates_request=False),
    JobKind.VERIFY_APPROVE: JobHandler(partial(_fetch_draft, approve=True), measured=False, creates_request=False),
    JobKind.VERIFY_REJECT: JobHandler(partial(_move_to, RequestStatus.DITOLAK), measured=False, creates_request=False),
    JobKind.UPLOAD_SIGNED: JobHandler(
        partial(_move_to, RequestStatus.TERSERTIFIKASI), measured=False, creates_request=False
    ),
    JobKind.MARK_PRINTED: JobHandler(partial(_move_to, RequestStatus.TERCETAK), measured=False, creates_request=False),
}
"""Every job kind's behaviour (checked complete at start-up)."""
