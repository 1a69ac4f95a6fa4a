"""``/v1/verify``: what the QR code on a signed KK opens, and a check of any uploaded PDF.

Both are public (no token): whoever holds a KK — the family, a bank, a school — must be able to
check it. The QR page shows validity, the signer, the time and a masked No. KK, never the family's
data. The upload check runs siakgate's own validation (:func:`siakgate.verify.verify_pdf`) against
the gateway's trust roots, at the gateway clock's now or at a moment the caller names, and stores nothing.
It fetches revocation information only from the configured endpoints (``verify.revocation_endpoints``),
never from a URL the uploaded certificates name elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from siakgate.api.deps import GatewayDep, WorkflowDep
from siakgate.api.ratelimit import limit_verify_lookup, limit_verify_upload
from siakgate.api.schemas import PublicVerificationOut
from siakgate.clock import WIB
from siakgate.errors import DocumentRejectedError, NotFoundError
from siakgate.verify import verify_pdf
from siakgate.web.public import not_found_page, public_page

router = APIRouter(prefix="/v1/verify", tags=["verification"])


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


def _page(result: PublicVerificationOut, office: str) -> str:
    """The page the QR code opens, branded as the issuing office (:mod:`siakgate.web.public`)."""
    return public_page(
        office=office,
        valid=result.valid,
        status=result.status,
        signer=result.signer_name,
        signed_at=result.signed_at,
        no_kk=result.no_kk_masked,
        ref=result.document_ref,
    )


@router.get(
    "/{ref}",
    dependencies=[Depends(limit_verify_lookup)],  # per client address (siakgate.api.ratelimit)
    response_model=PublicVerificationOut,
    summary="Verifikasi publik (tujuan kode QR)",
    responses={200: {"content": {"text/html": {}}, "description": "JSON, or a page with Accept: text/html"}},
)
async def public_verification(ref: str, request: Request, gateway: GatewayDep, workflow: WorkflowDep) -> Response:
    office = gateway.settings.office_name
    try:
        found = await workflow.public_verification(ref)
        if found.document_sha256 is None:  # no signed KK was issued under this reference
            raise NotFoundError("Dokumen dengan referensi ini tidak dikenal.")
    except NotFoundError:
        if not _wants_html(request):
            raise
        return HTMLResponse(not_found_page(office=office, ref=ref), status_code=404)
    result = PublicVerificationOut(
        valid=found.valid,
        status=found.status,
        signer_name=found.signer,
        signed_at=found.signed_at,
        no_kk_masked=found.no_kk_masked,
        document_ref=found.ref,
        document_sha256=found.document_sha256,
    )
    if _wants_html(request):
        return HTMLResponse(_page(result, office))
    return JSONResponse(result.model_dump(mode="json"))


@router.post(
    "",
    dependencies=[Depends(limit_verify_upload)],  # per client address (siakgate.api.ratelimit)
    summary="Verifikasi PDF yang diunggah (laporan lengkap, 'valid' dan 'indication' di atas)",
)
async def verify_upload(
    gateway: GatewayDep,
    file: Annotated[UploadFile, File(description="A signed PDF")],
    at: Annotated[
        datetime | None,
        Form(
            description=(
                "Validate as of this moment (ISO 8601; without a zone: WIB) instead of now. Nothing is "
                "fetched then: only the validation data in the document counts."
            )
        ),
    ] = None,
) -> JSONResponse:
    limit = gateway.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise DocumentRejectedError(
            f"Berkas terlalu besar: paling besar {limit // (1024 * 1024)} MiB.", code="DOKUMEN_TERLALU_BESAR"
        )
    if not data.startswith(b"%PDF-"):
        raise DocumentRejectedError("Berkas ini bukan PDF.", code="BUKAN_PDF")
    settings = gateway.settings
    if at is not None and at.utcoffset() is None:
        at = at.replace(tzinfo=WIB)
    report = await verify_pdf(
        data,
        trust_roots=settings.trust_root_ders(),
        allow_fetching=settings.allow_fetching,
        fetch_only_from=settings.verify.revocation_endpoints,  # never a URL the uploader chose
        document_name=(file.filename or "dokumen.pdf")[-255:],
        clock=gateway.clock,
        at=at,
    )
    return JSONResponse(report.to_json())
