"""The Kasi/Kabid's pages: the queue of drafts to verify, one draft beside its documents, approve, reject.

Everything goes through :class:`~siakgate.workflow.engine.Workflow` as the officer's :class:`Actor`,
so the workflow's rules (region, the role of the step, the state) apply unchanged; this module only
decides what to show.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from siakgate.archive.recover import ArchiveCopies
from siakgate.domain import DOCUMENTS, CaseType
from siakgate.errors import NotFoundError
from siakgate.store.screening import download_headers
from siakgate.web.core import (
    BASE,
    VERIFIER_ROLES,
    CsrfChecked,
    CurrentOfficer,
    WebRoute,
    gateway_of,
    render,
    require,
    workflow_of,
)
from siakgate.workflow.states import State
from siakgate.workflow.views import ApplicationView, DocumentView

__all__ = ["router"]

router = APIRouter(prefix=BASE, route_class=WebRoute, include_in_schema=False)

_NOT_REQUIREMENTS = frozenset({"DRAFT_KK", "SIGNED_KK", "COVER_LETTER"})
_INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
_VIEWED_KINDS = frozenset({"DRAFT_KK", "SIGNED_KK"})


def case_label(case_type: str) -> str:
    member = CaseType.__members__.get(case_type)
    return member.label if member is not None else case_type


def requirements(view: ApplicationView) -> list[tuple[str, str, DocumentView]]:
    """The latest upload of each requirement: (code, label, document), in upload order."""
    latest: dict[str, DocumentView] = {}
    for document in view.documents:
        if document.kind not in _NOT_REQUIREMENTS:
            latest.pop(document.kind, None)
            latest[document.kind] = document
    return [(code, DOCUMENTS.get(code, code), document) for code, document in latest.items()]


async def verification_queue(request: Request, signed: CurrentOfficer) -> list[ApplicationView]:
    officer = signed.officer
    workflow = workflow_of(request)
    found: dict[str, ApplicationView] = {}
    for role in VERIFIER_ROLES:
        if role in officer.roles or officer.actor.is_admin:
            for view in await workflow.list(
                officer.actor, state=str(State.MENUNGGU_VERIFIKASI), awaiting_role=role, limit=500
            ):
                found[view.id] = view
    return [found[key] for key in sorted(found)]


@router.get("/verifikasi")
async def queue(request: Request, signed: CurrentOfficer) -> Response:
    require(signed.officer, VERIFIER_ROLES)
    views = await verification_queue(request, signed)
    return render(request, "verify_queue.html", drafts=views, case_label=case_label)


def _can_verify(view: ApplicationView, signed: CurrentOfficer) -> bool:
    return view.state == State.MENUNGGU_VERIFIKASI and signed.officer.has_any([view.awaiting_role or ""])


async def _draft_page(
    request: Request, signed: CurrentOfficer, app_id: str, *, status_code: int = 200, error: str | None = None
) -> Response:
    require(signed.officer, VERIFIER_ROLES)
    view = await workflow_of(request).get(app_id, signed.officer.actor)
    return render(
        request,
        "draft.html",
        status_code,
        app=view,
        case_label=case_label(view.case_type),
        requirements=requirements(view),
        has_draft=any(d.kind == "DRAFT_KK" for d in view.documents),
        may_act=_can_verify(view, signed),
        error=error,
    )


@router.get("/verifikasi/{app_id}")
async def draft(request: Request, app_id: str, signed: CurrentOfficer) -> Response:
    return await _draft_page(request, signed, app_id)


@router.post("/verifikasi/{app_id}/setujui")
async def approve(request: Request, app_id: str, signed: CsrfChecked) -> Response:
    require(signed.officer, VERIFIER_ROLES)
    await workflow_of(request).act(app_id, signed.officer.actor, "approve")
    return RedirectResponse(f"{BASE}/verifikasi?pesan=disetujui", status_code=303)


@router.post("/verifikasi/{app_id}/tolak")
async def reject(request: Request, app_id: str, signed: CsrfChecked) -> Response:
    require(signed.officer, VERIFIER_ROLES)
    value = (await request.form()).get("reason")
    reason = value.strip() if isinstance(value, str) else ""
    if not reason:
        return await _draft_page(
            request,
            signed,
            app_id,
            status_code=422,
            error="Alasan penolakan wajib diisi; alasan ini dikirim ke pemohon.",
        )
    if len(reason) > 1000:
        return await _draft_page(request, signed, app_id, status_code=422, error="Alasan paling panjang 1000 karakter.")
    await workflow_of(request).act(app_id, signed.officer.actor, "reject", reason=reason)
    return RedirectResponse(f"{BASE}/verifikasi?pesan=ditolak", status_code=303)


@router.get("/permohonan/{app_id}/dokumen/{kind}")
async def document(request: Request, app_id: str, kind: str, signed: CurrentOfficer) -> Response:
    """A document of the application: the draft in the page's iframe, a requirement's image or download."""
    # A corrupt stored file is served from a good archive copy, and repaired (siakgate.archive.recover).
    copies = ArchiveCopies(gateway_of(request).archive)
    data, media_type = await workflow_of(request).document(app_id, signed.officer.actor, kind, copies=copies)
    if media_type not in _INLINE_TYPES:
        raise NotFoundError("Dokumen ini tidak dapat ditampilkan.")
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[media_type]
    # The draft and the signed KK show in the page's viewer (inline, sandboxed); a requirement scan is an
    # attachment (an <img> still shows it; opened on its own it downloads instead of rendering here).
    inline = kind in _VIEWED_KINDS and media_type == "application/pdf"
    headers = download_headers(f"{kind.lower()}-{app_id}.{extension}", inline=inline)
    return Response(data, media_type=media_type, headers={**headers, "Cache-Control": "private, no-store"})
