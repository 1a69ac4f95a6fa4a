"""The Kepala Dinas's pages: verified KKs awaiting TTE, batches, signing with live progress.

Signing runs in the background (:mod:`siakgate.web.runs`); the batch page polls ``.../status`` every
second. What you see is what you sign: each KK of a batch shows its family head, village and kecamatan
(from SIAK), its case type in words, an image of its first page rendered from the exact bytes the batch
will send and the SHA-256 of those bytes (:mod:`siakgate.web.previews`); once signed, it links to the
signed KK and to its public verification page. The passphrase or OTP arrives in the POST body, is wrapped in a
:class:`~siakgate.signing.Credential` at once and wiped when the run ends; it is never stored,
logged, or written into any answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from siakgate.errors import ActionNotAllowedError, SiakgateError
from siakgate.signing import Credential
from siakgate.store.screening import download_headers
from siakgate.web.core import (
    BASE,
    SIGNER_ROLES,
    CsrfChecked,
    CurrentOfficer,
    WebRoute,
    gateway_of,
    kk_facts,
    render,
    require,
    signer_uses_otp,
    wants_json,
    web_context,
    workflow_of,
)
from siakgate.web.messages import CREDENTIAL_CODES, RETRY_LATER_CODES, plain_error
from siakgate.web.previews import KkFacts, draft_of, render_first_page, sha_short
from siakgate.web.queries import open_batches, verify_refs
from siakgate.web.routes_verify import case_label
from siakgate.web.sessions import SignedIn
from siakgate.workflow.access import Actor
from siakgate.workflow.profiles import Role
from siakgate.workflow.states import BatchItemState, BatchState, State
from siakgate.workflow.views import ApplicationView, BatchView, DocumentView

__all__ = ["router"]

router = APIRouter(prefix=BASE, route_class=WebRoute, include_in_schema=False)


async def _queue_page(
    request: Request, signed: SignedIn, *, status_code: int = 200, error: str | None = None
) -> Response:
    actor = signed.officer.actor
    views = await workflow_of(request).list(
        actor, state=str(State.MENUNGGU_TTE), awaiting_role=str(Role.KEPALA_DINAS), limit=500
    )
    batches = await open_batches(gateway_of(request).db, actor)
    in_batch = {app_id: batch.id for batch in batches for app_id in batch.unsigned}
    return render(
        request,
        "tte_queue.html",
        status_code,
        kks=views,
        facts=await kk_facts(request, views),
        batches=batches,
        in_batch=in_batch,
        case_label=case_label,
        error=error,
    )


@router.get("/tte")
async def queue(request: Request, signed: CurrentOfficer) -> Response:
    require(signed.officer, SIGNER_ROLES)
    return await _queue_page(request, signed)


@router.post("/tte/batch")
async def create_batch(request: Request, signed: CsrfChecked) -> Response:
    """A batch of the selected KKs; the same selection as an unfinished batch opens that batch again."""
    require(signed.officer, SIGNER_ROLES)
    ids = [value for value in (await request.form()).getlist("application_id") if isinstance(value, str) and value]
    if not ids:
        return await _queue_page(request, signed, status_code=422, error="Pilih minimal satu KK untuk ditandatangani.")
    for batch in await open_batches(gateway_of(request).db, signed.officer.actor):
        if set(batch.unsigned) == set(ids):
            return RedirectResponse(f"{BASE}/tte/batch/{batch.id}", status_code=303)
    try:
        view = await workflow_of(request).create_signing_batch(signed.officer.actor, ids)
    except ActionNotAllowedError as exc:
        return await _queue_page(request, signed, status_code=409, error=plain_error(exc.code, exc.message))
    return RedirectResponse(f"{BASE}/tte/batch/{view.id}", status_code=303)


@dataclass(frozen=True)
class _Line:
    """One KK of a batch as the page shows it."""

    application_id: str
    state: str
    message: str
    error_code: str | None
    app: ApplicationView | None = None
    facts: KkFacts | None = None
    draft: DocumentView | None = None
    signed_url: str | None = None
    verify_url: str | None = None

    @property
    def preview_url(self) -> str | None:
        if self.draft is None:
            return None
        return f"{BASE}/tte/pratinjau/{self.application_id}/{self.draft.sha256}.png"

    @property
    def full_url(self) -> str | None:
        if self.draft is None:
            return None
        return f"{BASE}/tte/pratinjau/{self.application_id}/{self.draft.sha256}.pdf"

    @property
    def sha_short(self) -> str | None:
        return sha_short(self.draft.sha256) if self.draft is not None else None


_ITEM_TEXT: dict[str, str] = {
    BatchItemState.PENDING: "Menunggu tanda tangan",
    BatchState.SIGNING: "Sedang ditandatangani…",
    BatchItemState.SIGNED: "Sudah ditandatangani",
}


def _links(request: Request, app_id: str, refs: dict[str, str]) -> tuple[str | None, str | None]:
    """(the signed KK, its public verification page) of a signed application."""
    ref = refs.get(app_id)
    if ref is None:
        return None, None
    public = gateway_of(request).settings.public_base_url
    return f"{BASE}/permohonan/{app_id}/dokumen/SIGNED_KK", f"{public}/v1/verify/{ref}"


def _lines(
    request: Request,
    view: BatchView,
    running: bool,
    refs: dict[str, str],
    apps: dict[str, ApplicationView] | None = None,
    facts: dict[str, KkFacts] | None = None,
) -> list[_Line]:
    """Each KK's line. While a run is in progress every unsigned KK reads "being signed": a previous
    attempt's failure is not this attempt's news."""
    lines = []
    for item in view.items:
        state = item.state
        if running and state != BatchItemState.SIGNED:
            state = BatchState.SIGNING
        if state == BatchItemState.FAILED:
            message = "Gagal: " + plain_error(item.error_code, item.error_message)
        else:
            message = _ITEM_TEXT.get(state, state)
        signed = state == BatchItemState.SIGNED
        signed_url, verify_url = _links(request, item.application_id, refs) if signed else (None, None)
        app = (apps or {}).get(item.application_id)
        lines.append(
            _Line(
                item.application_id,
                state,
                message,
                item.error_code if state == BatchItemState.FAILED else None,
                app,
                (facts or {}).get(item.application_id),
                draft_of(app) if app is not None else None,
                signed_url,
                verify_url,
            )
        )
    return lines


async def _status(request: Request, view: BatchView) -> dict[str, object]:
    """What the page polls: the batch as the database says, plus this process's run of it."""
    run = web_context(request).runs.get(view.id)
    running = bool(run and run.running) or view.state == BatchState.SIGNING
    signed_ids = [item.application_id for item in view.items if item.state == BatchItemState.SIGNED]
    refs = await verify_refs(gateway_of(request).db, _actor(request), signed_ids)
    lines = _lines(request, view, running, refs)
    error: dict[str, str] | None = None
    if run is not None and not run.running and run.error_code is not None:
        error = {"code": run.error_code, "message": plain_error(run.error_code, run.error_message)}
    elif not running:
        failed_codes = {line.error_code for line in lines if line.state == BatchItemState.FAILED}
        if len(failed_codes) == 1 and failed_codes <= CREDENTIAL_CODES:
            code = next(iter(failed_codes))
            assert code is not None
            error = {
                "code": code,
                "message": plain_error(code, None) + " Tidak ada KK yang ditandatangani; batch tetap menunggu. "
                "Masukkan lagi lalu tekan Tandatangani.",
            }
        elif len(failed_codes) == 1 and failed_codes <= RETRY_LATER_CODES:
            code = next(iter(failed_codes))
            assert code is not None
            error = {
                "code": code,
                "message": plain_error(code, None) + " KK yang gagal tetap menunggu di batch ini; tekan "
                "Tandatangani lagi beberapa saat lagi.",
            }
    state = BatchState.SIGNING if running else view.state
    return {
        "batch_id": view.id,
        "state": state,
        "running": running,
        "error": error,
        "signed": sum(1 for line in lines if line.state == BatchItemState.SIGNED),
        "failed": sum(1 for line in lines if line.state == BatchItemState.FAILED),
        "total": len(lines),
        "items": [
            {
                "application_id": line.application_id,
                "state": line.state,
                "error_code": line.error_code,
                "message": line.message,
                "signed_url": line.signed_url,
                "verify_url": line.verify_url,
            }
            for line in lines
        ],
    }


def _actor(request: Request) -> Actor:
    signed: SignedIn = request.state.signed_in
    return signed.officer.actor


def _regions(lines: list[_Line]) -> list[str]:
    """The kecamatan (with their villages) of the KKs still to sign, in words; a KK without SIAK's names by
    its region code."""
    villages: dict[str, list[str]] = {}
    unnamed: list[str] = []
    for line in lines:
        if line.state == BatchItemState.SIGNED:
            continue
        if line.facts is not None:
            found = villages.setdefault(line.facts.district, [])
            if line.facts.village not in found:
                found.append(line.facts.village)
        elif line.app is not None and line.app.region_code not in unnamed:
            unnamed.append(line.app.region_code)
    named = [f"Kec. {district} ({', '.join(sorted(names))})" for district, names in sorted(villages.items())]
    return named + [f"wilayah {code} (nama belum didapat dari SIAK)" for code in unnamed]


@router.get("/tte/batch/{batch_id}")
async def batch_page(request: Request, batch_id: str, signed: CurrentOfficer) -> Response:
    require(signed.officer, SIGNER_ROLES)
    workflow = workflow_of(request)
    view = await workflow.get_batch(batch_id, signed.officer.actor)
    apps: dict[str, ApplicationView] = {}
    for item in view.items:
        try:
            apps[item.application_id] = await workflow.get(item.application_id, signed.officer.actor)
        except SiakgateError:
            continue
    facts = await kk_facts(request, apps.values())
    status = await _status(request, view)
    signed_ids = [item.application_id for item in view.items if item.state == BatchItemState.SIGNED]
    refs = await verify_refs(gateway_of(request).db, signed.officer.actor, signed_ids)
    lines = _lines(request, view, bool(status["running"]), refs, apps, facts)
    return render(
        request,
        "batch.html",
        batch=view,
        status=status,
        lines=lines,
        regions=_regions(lines),
        uses_otp=signer_uses_otp(request),
        case_label=case_label,
        poll_ms=web_context(request).config.poll_interval_ms,
    )


async def _exact_draft(request: Request, app_id: str, sha256: str, signed: SignedIn) -> tuple[bytes, ApplicationView]:
    """The KK the batch would sign for ``app_id``, only while its SHA-256 is still ``sha256``."""
    require(signed.officer, SIGNER_ROLES)
    workflow = workflow_of(request)
    view = await workflow.get(app_id, signed.officer.actor)
    data, _ = await workflow.document(app_id, signed.officer.actor, "DRAFT_KK")
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ActionNotAllowedError(
            "KK untuk permohonan ini sudah berganti sejak halaman dibuka; muat ulang halaman batch.",
            code="DRAF_BERGANTI",
        )
    return data, view


@router.get("/tte/pratinjau/{app_id}/{sha256}.png")
async def preview_image(request: Request, app_id: str, sha256: str, signed: CurrentOfficer) -> Response:
    """The first page of the KK to sign, as an image rendered from exactly the bytes with this SHA-256."""
    data, _ = await _exact_draft(request, app_id, sha256, signed)
    cache = web_context(request).kk.previews
    png = cache.get((sha256, _PREVIEW_WIDTH))
    if png is None:
        png = await render_first_page(data, width=_PREVIEW_WIDTH)
        cache.put((sha256, _PREVIEW_WIDTH), png)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, no-store"})


@router.get("/tte/pratinjau/{app_id}/{sha256}.pdf")
async def preview_pdf(request: Request, app_id: str, sha256: str, signed: CurrentOfficer) -> Response:
    """The KK to sign at full size: exactly the bytes with this SHA-256, in the browser's PDF viewer."""
    data, view = await _exact_draft(request, app_id, sha256, signed)
    headers = download_headers(f"kk-akan-ditandatangani-{view.siak_request_no or app_id}.pdf", inline=True)
    return Response(data, media_type="application/pdf", headers={**headers, "Cache-Control": "private, no-store"})


_PREVIEW_WIDTH = 1200
"""Pixels on the page's longer side: sharp enough to read names in the thumbnail's zoom, small to send."""


@router.get("/tte/batch/{batch_id}/status")
async def batch_status(request: Request, batch_id: str, signed: CurrentOfficer) -> Response:
    require(signed.officer, SIGNER_ROLES)
    view = await workflow_of(request).get_batch(batch_id, signed.officer.actor)
    return JSONResponse(await _status(request, view))


@router.post("/tte/batch/{batch_id}/otp")
async def request_otp(request: Request, batch_id: str, signed: CsrfChecked) -> Response:
    require(signed.officer, SIGNER_ROLES)
    await workflow_of(request).request_batch_otp(batch_id, signed.officer.actor)
    if wants_json(request):
        return JSONResponse({"ok": True, "message": "Kode OTP sudah dikirim."})
    return RedirectResponse(f"{BASE}/tte/batch/{batch_id}?pesan=otp-dikirim", status_code=303)


@router.post("/tte/batch/{batch_id}/tandatangani")
async def sign(request: Request, batch_id: str, signed: CsrfChecked) -> Response:
    """Start signing the batch with the passphrase (or OTP) just typed; progress at ``.../status``."""
    require(signed.officer, SIGNER_ROLES)
    form = await request.form()
    mode = form.get("mode")
    secret = form.get("secret")
    if not isinstance(secret, str) or not secret:
        del secret
        return _refused(request, batch_id, "KREDENSIAL_KOSONG", "Passphrase atau kode OTP belum diisi.", 422)
    if mode == "otp" and not signer_uses_otp(request):
        del secret
        return _refused(request, batch_id, "OTP_TIDAK_DIPAKAI", "Penanda tangan ini tidak memakai OTP.", 409)
    credential = Credential.otp(secret) if mode == "otp" else Credential.passphrase(secret)
    del secret
    workflow = workflow_of(request)
    actor = signed.officer.actor
    try:
        view = await workflow.get_batch(batch_id, actor)  # not found / forbidden before anything starts
    except BaseException:
        credential.wipe()
        raise
    context = web_context(request)
    run = context.runs.start(
        view.id, actor.name, context.config.now(), credential, partial(workflow.sign_batch, view.id, actor)
    )
    if run is None:
        return _refused(request, batch_id, "BATCH_SEDANG_DITANDATANGANI", "Batch ini sedang ditandatangani.", 409)
    if wants_json(request):
        return JSONResponse({"started": True, "batch_id": view.id}, status_code=202)
    return RedirectResponse(f"{BASE}/tte/batch/{view.id}?pesan=penandatanganan-dimulai", status_code=303)


def _refused(request: Request, batch_id: str, code: str, message: str, status_code: int) -> Response:
    if wants_json(request):
        return JSONResponse({"code": code, "message": plain_error(code, message)}, status_code=status_code)
    return RedirectResponse(f"{BASE}/tte/batch/{batch_id}", status_code=303)
