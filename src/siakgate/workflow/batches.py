"""Signing batches: the Kepala Dinas signs N applications under ONE authorisation.

* **create**: applications visible to the Kepala Dinas and waiting for the TTE (MENUNGGU_TTE). An
  application that already has an unsigned item in another batch is refused, so an application
  belongs to at most one batch that may still sign it.
* **sign**: the batch is claimed with a lease of its own (:mod:`siakgate.store.leases`: state SIGNING,
  a fencing token in ``locked_by``), renewed while the signing service works, so two calls, or two
  gateway instances, never sign it at once: a second call while one runs is refused (409,
  BATCH_SEDANG_DITANDATANGANI). Every document is recorded in ``signing_sends`` (hash of what was
  sent, which lease sent it) BEFORE it is sent, for reconciling with BSrE's log after a crash. The
  outcome is recorded only by the holder of the current lease: a stale holder (its lease ran out and
  another call took the batch) stores none of its signed PDFs, marks its sends DISCARDED and is
  answered 409 too. The KK to sign is the application's latest
  DRAFT_KK (fetched again from SIAK after the verifier's approval, without draft marks); each gets a
  TTE block whose QR code opens ``/v1/verify/{ref}`` (``ref`` unguessable, stored on the application);
  ``signing.sign_batch`` is called ONCE. The signed PDFs are stored first; then one transaction marks
  each item SIGNED with its hash, records SIGNED_KK and moves its application on to the upload Job
  (UnggahKKTertandatangan). An item that failed stays in MENUNGGU_TTE with its error (on the item and
  as the application's ``last_error_code``); a wrong passphrase fails every item and changes nothing
  else, and the batch can be signed again. Items already SIGNED are never signed again.
* **jurisdiction**: each document carries its application's region code, and the Kepala Dinas's
  backend refuses a KK of a regency it is not bound to (WILAYAH_DI_LUAR_KEWENANGAN,
  :mod:`siakgate.signing.jurisdiction`) before any key is used: that item fails alone, the others of
  the batch are signed.
* The credential is wiped when the call ends, whatever happened.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session
from tenacity import wait_none

from siakgate.errors import ActionNotAllowedError, DataIssue, InvalidDataError, NotFoundError, SiakgateError
from siakgate.signing import Credential, SignRequest, SignResult
from siakgate.store.leases import Lease, LeaseQueue, waiting_or_abandoned
from siakgate.store.models import Application, ApplicationDocument, SigningBatch, SigningBatchItem, SigningSend
from siakgate.workflow.access import Actor, require_role, visible
from siakgate.workflow.context import Deps
from siakgate.workflow.profiles import Role, StepKind
from siakgate.workflow.states import BatchItemState, BatchState, JobKind, SendOutcome, State
from siakgate.workflow.transitions import current_step, latest_document, queue_job, record, record_document
from siakgate.workflow.views import BatchView, batch_view

__all__ = ["create_signing_batch", "get_batch", "request_batch_otp", "sign_batch"]

log = logging.getLogger("siakgate.workflow")

_SIGNER_ROLES = [Role.KEPALA_DINAS]


def _items(session: Session, batch_id: str) -> list[SigningBatchItem]:
    stmt = select(SigningBatchItem).where(SigningBatchItem.batch_id == batch_id).order_by(SigningBatchItem.id)
    return list(session.scalars(stmt))


def _load(session: Session, actor: Actor, batch_id: str) -> SigningBatch:
    batch = session.get(SigningBatch, batch_id)
    if batch is None or not batch.region_prefix.startswith(actor.region_prefix):
        raise NotFoundError("Batch tanda tangan tidak ditemukan.")
    return batch


def _waiting_for_tte(deps: Deps, app: Application) -> bool:
    if app.state != State.MENUNGGU_TTE:
        return False
    step = current_step(deps.profile(app.profile_id), app)
    return step is not None and step.kind is StepKind.SIGN


async def create_signing_batch(deps: Deps, actor: Actor, app_ids: list[str]) -> BatchView:
    ids = list(dict.fromkeys(app_ids))
    if not ids:
        raise InvalidDataError([DataIssue("WAJIB_DIISI", "application_ids", "Pilih minimal satu permohonan.")])
    require_role(actor, _SIGNER_ROLES)

    def unit(session: Session) -> BatchView:
        now = deps.now()
        apps = session.scalars(select(Application).where(Application.id.in_(ids)).with_for_update()).all()
        found = {app.id: app for app in apps if visible(actor, app.region_code)}
        for app_id in ids:
            if app_id not in found:
                raise NotFoundError(f"Permohonan {app_id} tidak ditemukan.")
            if not _waiting_for_tte(deps, found[app_id]):
                raise ActionNotAllowedError(f"Permohonan {app_id} tidak sedang menunggu TTE.")
        open_items = session.scalars(
            select(SigningBatchItem.application_id).where(
                SigningBatchItem.application_id.in_(ids), SigningBatchItem.state != BatchItemState.SIGNED
            )
        ).all()
        if open_items:
            raise ActionNotAllowedError(
                f"Permohonan {', '.join(sorted(set(open_items)))} sudah ada di batch lain yang belum ditandatangani.",
                code="SUDAH_DALAM_BATCH",
            )
        batch = SigningBatch(
            state=BatchState.PENDING,
            created_by=actor.name,
            region_prefix=actor.region_prefix,
            created_at=now,
            updated_at=now,
            attempts=0,
        )
        session.add(batch)
        session.flush()
        for app_id in ids:
            session.add(SigningBatchItem(batch_id=batch.id, application_id=app_id, state=BatchItemState.PENDING))
        session.flush()
        log.info("signing batch created batch=%s items=%d", batch.id, len(ids))
        return batch_view(batch, _items(session, batch.id))

    return await deps.db.run(unit)


async def get_batch(deps: Deps, batch_id: str, actor: Actor) -> BatchView:
    def unit(session: Session) -> BatchView:
        batch = _load(session, actor, batch_id)
        require_role(actor, _SIGNER_ROLES)
        return batch_view(batch, _items(session, batch.id))

    return await deps.db.run(unit, read_only=True)


async def request_batch_otp(deps: Deps, batch_id: str, actor: Actor) -> None:
    """Ask the backend for a one-time code covering the batch's unsigned documents (BSrE v2 TOTP)."""
    view = await get_batch(deps, batch_id, actor)
    request_otp = getattr(deps.signing, "request_otp", None)
    if request_otp is None:
        raise ActionNotAllowedError(
            "Penanda tangan ini tidak memakai OTP; gunakan passphrase.", code="OTP_TIDAK_DIPAKAI"
        )
    await request_otp(sum(1 for item in view.items if item.state != BatchItemState.SIGNED))


@dataclass(frozen=True)
class _ToSign:
    item_id: int
    app_id: str
    ref: str
    draft_sha: str | None
    region_code: str


def batch_queue(deps: Deps) -> LeaseQueue[SigningBatch]:
    """Signing batches as a lease queue: a batch may be taken when PENDING, or SIGNING with a lease that ran out."""

    return LeaseQueue(
        deps.db,
        SigningBatch,
        clock=deps.clock,
        owner=deps.worker_id,
        lease=deps.lease,
        due=waiting_or_abandoned(SigningBatch.state, BatchState.PENDING, BatchState.SIGNING, SigningBatch.locked_until),
        order_by=[SigningBatch.id],
        backoff=wait_none(),
    )


def _busy() -> ActionNotAllowedError:
    return ActionNotAllowedError("Batch ini sedang ditandatangani.", code="BATCH_SEDANG_DITANDATANGANI")


def _claim(
    deps: Deps, queue: LeaseQueue[SigningBatch], actor: Actor, batch_id: str, session: Session
) -> tuple[list[_ToSign], Lease | None]:
    batch = _load(session, actor, batch_id)
    if batch.state == BatchState.DONE:
        return [], None
    found = queue.claim(session, where=[SigningBatch.id == batch.id])
    if not found:
        raise _busy()
    _, lease = found[0]
    now = deps.now()
    todo: list[_ToSign] = []
    for item in _items(session, batch.id):
        if item.state == BatchItemState.SIGNED:
            continue
        app = session.get(Application, item.application_id)
        assert app is not None
        if not _waiting_for_tte(deps, app):
            continue
        if app.verify_ref is None:
            app.verify_ref = secrets.token_urlsafe(24)
        draft = latest_document(session, app.id, "DRAFT_KK")
        draft_sha = draft.sha256 if draft is not None else None
        todo.append(_ToSign(item.id, app.id, app.verify_ref, draft_sha, app.region_code))
    batch.state = BatchState.SIGNING
    batch.attempts += 1
    batch.updated_at = now
    return todo, lease


def _record_sends(deps: Deps, batch_id: str, lease: Lease, requests: list[SignRequest], session: Session) -> list[int]:
    """What is about to be sent, committed before it is: one ``signing_sends`` row per document."""
    now = deps.now()
    rows = [
        SigningSend(
            batch_id=batch_id,
            application_id=request.document_id,
            lease_token=lease.token,
            document_sha256=hashlib.sha256(request.pdf).hexdigest(),
            sent_at=now,
        )
        for request in requests
    ]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


async def _request(deps: Deps, item: _ToSign) -> SignRequest | SiakgateError:
    if item.draft_sha is None:
        return SiakgateError("KK untuk ditandatangani belum tersedia.", code="DRAFT_TIDAK_ADA")
    pdf = await anyio.to_thread.run_sync(deps.documents.get, item.draft_sha)
    return SignRequest(document_id=item.app_id, pdf=pdf, tte=deps.tte.block(item.ref), region_code=item.region_code)


async def sign_batch(deps: Deps, batch_id: str, actor: Actor, credential: Credential) -> BatchView:
    try:
        require_role(actor, _SIGNER_ROLES)
        queue = batch_queue(deps)
        todo, lease = await deps.db.run(partial(_claim, deps, queue, actor, batch_id))
        if lease is None:
            return await get_batch(deps, batch_id, actor)  # every item signed already: nothing is sent
        prepared = [await _request(deps, item) for item in todo]
        requests = [r for r in prepared if isinstance(r, SignRequest)]
        results: dict[str, SignResult] = {}
        sends: list[int] = []
        async with queue.kept(lease):
            if requests:
                sends = await deps.db.run(partial(_record_sends, deps, batch_id, lease, requests))
                try:
                    signed = await deps.signing.sign_batch(requests, credential, deps.signing_options)
                except SiakgateError as exc:
                    signed = [SignResult(r.document_id, error=exc) for r in requests]
                results = {r.document_id: r for r in signed}
        errors = {item.app_id: p for item, p in zip(todo, prepared, strict=True) if isinstance(p, SiakgateError)}
        view = await deps.db.run(partial(_finish, deps, queue, lease, actor, batch_id, todo, results, errors, sends))
        if view is None:
            raise _busy()  # a stale holder: another call has the batch now, and this one's results are discarded
        return view
    finally:
        credential.wipe()


def _finish(
    deps: Deps,
    queue: LeaseQueue[SigningBatch],
    lease: Lease,
    actor: Actor,
    batch_id: str,
    todo: list[_ToSign],
    results: dict[str, SignResult],
    errors: dict[str, SiakgateError],
    sends: list[int],
    session: Session,
) -> BatchView | None:
    """Record the outcome if this call still holds the batch's lease (None, and nothing stored, if not)."""
    now = deps.now()
    batch = queue.holds(session, lease)  # the fence
    sent = {s.application_id: s for s in session.scalars(select(SigningSend).where(SigningSend.id.in_(sends)))}
    if batch is None:
        for discarded in sent.values():
            discarded.outcome = SendOutcome.DISCARDED
        log.warning("batch outcome discarded (lease lost) batch=%s documents=%d", batch_id, len(sent))
        return None
    # Stored only now, behind the fence: a stale holder leaves no signed PDF behind.
    shas = {
        app_id: deps.documents.put(result.signed_pdf, "application/pdf")
        for app_id, result in results.items()
        if result.ok and result.signed_pdf is not None
    }
    signer = deps.tte.signer_name
    for item in todo:
        row = session.get(SigningBatchItem, item.item_id)
        app = session.get(Application, item.app_id)
        assert row is not None
        assert app is not None
        result = results.get(item.app_id)
        sha = shas.get(item.app_id)
        send = sent.get(item.app_id)
        if sha is not None and result is not None and result.signed_pdf is not None:
            _signed(session, deps, actor, row, app, sha, len(result.signed_pdf), signer, now)
            if send is not None:
                send.outcome, send.signed_sha256 = SendOutcome.SIGNED, sha
            continue
        error = errors.get(item.app_id) or (result.error if result is not None else None)
        if send is not None:
            send.outcome, send.error_code = (
                SendOutcome.FAILED,
                error.code if error is not None else "PENANDATANGANAN_GAGAL",
            )
        row.state = BatchItemState.FAILED
        row.error_code = error.code if error is not None else "PENANDATANGANAN_GAGAL"
        row.error_message = error.message if error is not None else "Dokumen tidak ditandatangani."
        app.last_error_code = row.error_code
        app.updated_at = now
        log.info("batch item failed batch=%s app=%s code=%s", batch.id, app.id, row.error_code)
    items = _items(session, batch.id)
    batch.state = BatchState.DONE if all(i.state == BatchItemState.SIGNED for i in items) else BatchState.PENDING
    queue.release(batch)
    batch.updated_at = now
    session.flush()
    return batch_view(batch, items)


def _signed(
    session: Session,
    deps: Deps,
    actor: Actor,
    row: SigningBatchItem,
    app: Application,
    sha: str,
    size: int,
    signer: str,
    now: datetime,
) -> None:
    row.state = BatchItemState.SIGNED
    row.signed_sha256 = sha
    row.signed_at = now
    row.error_code = None
    row.error_message = None
    record_document(
        session,
        ApplicationDocument(
            application_id=app.id,
            kind="SIGNED_KK",
            sha256=sha,
            size=size,
            media_type="application/pdf",
            filename=f"kk-{app.siak_request_no or app.id}.pdf",
            created_by=actor.name,
            created_at=now,
        ),
    )
    profile = deps.profile(app.profile_id)
    step = current_step(profile, app)
    started = app.step_started_at
    app.signed_sha256 = sha
    app.signed_at = now
    app.signer_name = signer
    app.last_error_code = None
    app.state = str(State.DIPROSES_SIAK)
    app.awaiting_role = str(Role.SYSTEM)
    app.updated_at = now
    assert step is not None
    queue_job(session, app, step.id, JobKind.UPLOAD_SIGNED, now)
    record(
        session,
        app,
        step=step,
        action="signed",
        actor=actor.name,
        role=str(Role.KEPALA_DINAS),
        started_at=started,
        now=now,
    )
    log.info("application signed app=%s step=%s", app.id, step.id)
