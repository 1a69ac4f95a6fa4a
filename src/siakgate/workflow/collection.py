"""Kecamatan collections: applications gathered under one cover letter, signed by the Sekcam, then submitted.

Seed 004 (Kecamatan Sumbersuko): the kecamatan prints the KKs and a cover letter (*surat pengantar*),
the Sekcam signs the letter, and the not-yet-legal KKs go to the Dinas together for legalisation.
Today that is: applications of a ``batch_collection`` profile wait in MENUNGGU_PENGANTAR (a
COVER_LETTER step); the Sekcam (or the step's role) collects some of one district into a
CollectionBatch, whose cover letter (a PDF listing application ids, SIAK request numbers and masked
No. KK, never names) is rendered here; the Sekcam signs it with the ``sekcam_signing`` backend; then
``submit`` completes every application's COVER_LETTER step, so they wait for the Kepala Dinas's TTE.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from functools import partial

import anyio.to_thread
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.clock import WIB
from siakgate.errors import ActionNotAllowedError, DataIssue, InvalidDataError, NotFoundError, SiakgateError
from siakgate.signing import Credential, SignRequest
from siakgate.store.models import Application, ApplicationDocument, CollectionBatch
from siakgate.workflow.access import Actor, require_role, visible
from siakgate.workflow.context import Deps
from siakgate.workflow.profiles import Role, StepKind
from siakgate.workflow.states import CollectionState, State
from siakgate.workflow.transitions import advance, current_step, record_document
from siakgate.workflow.views import CollectionView, collection_view, masked

__all__ = ["collect", "get_collection", "render_cover_letter", "sign_cover_letter", "submit_collection"]

log = logging.getLogger("siakgate.workflow")

_ROLES = [Role.SEKCAM]


def render_cover_letter(number: str, district_code: str, day: str, lines: list[tuple[str, str, str]]) -> bytes:
    """A one-page (or more) A4 cover letter: number, date, and one line per application."""
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setTitle(f"Surat Pengantar {number}")
    _width, height = A4
    y = height - 25 * mm

    def line(text: str, size: int = 10, step: float = 6 * mm) -> None:
        nonlocal y
        if y < 25 * mm:
            pdf.showPage()
            y = height - 25 * mm
        pdf.setFont("Helvetica", size)
        pdf.drawString(20 * mm, y, text)
        y -= step

    line("SURAT PENGANTAR PENGESAHAN KARTU KELUARGA", 13, 9 * mm)
    line(f"Nomor: {number}")
    line(f"Kecamatan (kode wilayah): {district_code}")
    line(f"Tanggal: {day}", step=9 * mm)
    line("Bersama ini kami sampaikan permohonan Kartu Keluarga berikut untuk ditandatangani secara elektronik")
    line("oleh Kepala Dinas Kependudukan dan Pencatatan Sipil:", step=9 * mm)
    line("No.  ID Permohonan                 No. Permohonan SIAK         No. KK", 9)
    for index, (app_id, request_no, no_kk) in enumerate(lines, start=1):
        line(f"{index:>3}.  {app_id}    {request_no:<26}  {no_kk}", 9)
    y -= 6 * mm
    line(f"Jumlah: {len(lines)} permohonan", step=15 * mm)
    line("Sekretaris Kecamatan")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _members(session: Session, collection_id: str) -> list[Application]:
    stmt = select(Application).where(Application.collection_id == collection_id).order_by(Application.id)
    return list(session.scalars(stmt))


def _load(session: Session, actor: Actor, collection_id: str) -> CollectionBatch:
    batch = session.get(CollectionBatch, collection_id)
    if batch is None or not batch.district_code.startswith(actor.region_prefix):
        raise NotFoundError("Kumpulan permohonan tidak ditemukan.")
    return batch


def _view(session: Session, batch: CollectionBatch) -> CollectionView:
    return collection_view(batch, [app.id for app in _members(session, batch.id)])


async def collect(deps: Deps, actor: Actor, app_ids: list[str]) -> CollectionView:
    ids = list(dict.fromkeys(app_ids))
    if not ids:
        raise InvalidDataError([DataIssue("WAJIB_DIISI", "application_ids", "Pilih minimal satu permohonan.")])
    require_role(actor, _ROLES)

    def unit(session: Session) -> CollectionView:
        now = deps.now()
        apps = session.scalars(select(Application).where(Application.id.in_(ids)).with_for_update()).all()
        found = {app.id: app for app in apps if visible(actor, app.region_code)}
        for app_id in ids:
            app = found.get(app_id)
            if app is None:
                raise NotFoundError(f"Permohonan {app_id} tidak ditemukan.")
            step = current_step(deps.profile(app.profile_id), app)
            if app.state != State.MENUNGGU_PENGANTAR or step is None or step.kind is not StepKind.COVER_LETTER:
                raise ActionNotAllowedError(f"Permohonan {app_id} tidak sedang menunggu surat pengantar.")
            if app.collection_id is not None:
                raise ActionNotAllowedError(f"Permohonan {app_id} sudah masuk kumpulan lain.", code="SUDAH_DIKUMPULKAN")
        districts = {app.region_code[:6] for app in found.values()}
        profiles = {app.profile_id for app in found.values()}
        if len(districts) != 1 or len(profiles) != 1:
            raise ActionNotAllowedError("Satu surat pengantar hanya untuk satu kecamatan dan satu layanan.")
        district = districts.pop()
        day = now.astimezone(WIB)
        batch = CollectionBatch(
            profile_id=profiles.pop(),
            district_code=district,
            state=CollectionState.OPEN,
            number=f"474/{district}/{day:%Y%m%d}/{len(ids)}",
            created_by=actor.name,
            created_at=now,
        )
        session.add(batch)
        session.flush()
        batch.number = f"474/{district}/{day:%Y%m%d}/{batch.id[-6:]}"
        ordered = sorted(found.values(), key=lambda a: a.id)
        lines = [(a.id, a.siak_request_no or "-", masked(a.no_kk) or "-") for a in ordered]
        pdf = render_cover_letter(batch.number, district, f"{day:%d-%m-%Y}", lines)
        batch.cover_letter_sha256 = deps.documents.put(pdf, "application/pdf")
        for app in ordered:
            app.collection_id = batch.id
            app.updated_at = now
        session.flush()
        log.info("collection created collection=%s items=%d", batch.id, len(ordered))
        return _view(session, batch)

    return await deps.db.run(unit)


async def get_collection(deps: Deps, collection_id: str, actor: Actor) -> CollectionView:
    def unit(session: Session) -> CollectionView:
        return _view(session, _load(session, actor, collection_id))

    return await deps.db.run(unit, read_only=True)


async def sign_cover_letter(deps: Deps, collection_id: str, actor: Actor, credential: Credential) -> CollectionView:
    try:
        require_role(actor, _ROLES)
        backend = deps.sekcam_signing
        if backend is None:
            raise ActionNotAllowedError("Penanda tangan Sekcam belum dikonfigurasi.", code="SEKCAM_TIDAK_ADA")

        def read(session: Session) -> str:
            batch = _load(session, actor, collection_id)
            if batch.state != CollectionState.OPEN or batch.cover_letter_sha256 is None:
                raise ActionNotAllowedError("Surat pengantar ini sudah ditandatangani.")
            return batch.cover_letter_sha256

        sha = await deps.db.run(read, read_only=True)
        pdf = await anyio.to_thread.run_sync(deps.documents.get, sha)
        request = SignRequest(document_id=collection_id, pdf=pdf, reason="Surat Pengantar Kecamatan")
        [result] = await backend.sign_batch([request], credential, deps.sekcam_signing_options)
        if not result.ok or result.signed_pdf is None:
            error = result.error or SiakgateError("Surat pengantar gagal ditandatangani.", code="PENANDATANGANAN_GAGAL")
            raise error
        signed_sha = await anyio.to_thread.run_sync(deps.documents.put, result.signed_pdf, "application/pdf")
        return await deps.db.run(partial(_mark_signed, deps, actor, collection_id, signed_sha))
    finally:
        credential.wipe()


def _mark_signed(deps: Deps, actor: Actor, collection_id: str, sha: str, session: Session) -> CollectionView:
    batch = _load(session, actor, collection_id)
    if batch.state != CollectionState.OPEN:
        raise ActionNotAllowedError("Surat pengantar ini sudah ditandatangani.")
    batch.state = CollectionState.SIGNED
    batch.signed_cover_letter_sha256 = sha
    batch.signed_at = deps.now()
    deps.pipeline.cover_letter_signed(session, batch)
    log.info("cover letter signed collection=%s", batch.id)
    return _view(session, batch)


async def submit_collection(deps: Deps, collection_id: str, actor: Actor) -> CollectionView:
    require_role(actor, _ROLES)

    def unit(session: Session) -> CollectionView:
        now = deps.now()
        batch = _load(session, actor, collection_id)
        if batch.state != CollectionState.SIGNED or batch.signed_cover_letter_sha256 is None:
            raise ActionNotAllowedError("Surat pengantar harus ditandatangani Sekcam sebelum diajukan.")
        size = len(deps.documents.get(batch.signed_cover_letter_sha256))
        for app in _members(session, batch.id):
            if app.state != State.MENUNGGU_PENGANTAR:
                continue
            _attach(session, app, batch, size, actor, now)
            advance(
                session,
                app,
                deps.profile(app.profile_id),
                action="submitted",
                actor=actor.name,
                role=str(Role.SEKCAM),
                now=now,
                note=f"Surat pengantar {batch.number}",
            )
        batch.state = CollectionState.SUBMITTED
        batch.submitted_at = now
        session.flush()
        log.info("collection submitted collection=%s", batch.id)
        return _view(session, batch)

    return await deps.db.run(unit)


def _attach(session: Session, app: Application, batch: CollectionBatch, size: int, actor: Actor, now: datetime) -> None:
    assert batch.signed_cover_letter_sha256 is not None
    record_document(
        session,
        ApplicationDocument(
            application_id=app.id,
            kind="COVER_LETTER",
            sha256=batch.signed_cover_letter_sha256,
            size=size,
            media_type="application/pdf",
            filename=f"surat-pengantar-{batch.id}.pdf",
            created_by=actor.name,
            created_at=now,
        ),
    )
