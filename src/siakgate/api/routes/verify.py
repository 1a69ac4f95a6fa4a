"""``/v1/verify``: what the QR code on a signed KK opens, and a check of any uploaded PDF.

Both are public (no token): whoever holds a KK — the family, a bank, a school — must be able to
check it. The QR page shows validity, the signer, the time and a masked No. KK, never the family's
data. The upload check runs siakgate's own validation (:func:`siakgate.verify.verify_pdf`) against
the gateway's trust roots and stores nothing.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, Response

from siakgate.api.deps import GatewayDep, WorkflowDep
from siakgate.api.schemas import PublicVerificationOut
from siakgate.errors import DocumentRejectedError, NotFoundError
from siakgate.verify import verify_pdf

router = APIRouter(prefix="/v1/verify", tags=["verification"])

_PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verifikasi Kartu Keluarga</title>
<style>body{{font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em}}
.ok{{color:#0a6b2c}}.bad{{color:#a40e0e}}dt{{font-weight:bold;margin-top:.6em}}</style></head>
<body><h1>Verifikasi Kartu Keluarga</h1>
<p class="{css}"><strong>{headline}</strong></p><p>{status}</p>
<dl>{rows}</dl>
<p><small>Halaman ini hanya menampilkan keabsahan tanda tangan elektronik, bukan data keluarga.</small></p>
</body></html>
"""


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split("text/html")[0]


def _page(result: PublicVerificationOut) -> str:
    rows = [
        ("Penandatangan", result.signer_name or "-"),
        ("Waktu tanda tangan", result.signed_at.strftime("%d-%m-%Y %H:%M UTC") if result.signed_at else "-"),
        ("Nomor KK", result.no_kk_masked or "-"),
        ("Referensi dokumen", result.document_ref),
    ]
    return _PAGE.format(
        css="ok" if result.valid else "bad",
        headline="Dokumen SAH" if result.valid else "Dokumen TIDAK SAH",
        status=escape(result.status),
        rows="".join(f"<dt>{escape(name)}</dt><dd>{escape(value)}</dd>" for name, value in rows),
    )


@router.get(
    "/{ref}",
    response_model=PublicVerificationOut,
    summary="Verifikasi publik (tujuan kode QR)",
    responses={200: {"content": {"text/html": {}}, "description": "JSON, or a page with Accept: text/html"}},
)
async def public_verification(ref: str, request: Request, workflow: WorkflowDep) -> Response:
    try:
        found = await workflow.public_verification(ref)
    except NotFoundError:
        if not _wants_html(request):
            raise
        unknown = PublicVerificationOut(
            valid=False,
            status="Dokumen dengan referensi ini tidak dikenal.",
            signer_name=None,
            signed_at=None,
            no_kk_masked=None,
            document_ref=ref[:64],
            document_sha256=None,
        )
        return HTMLResponse(_page(unknown), status_code=404)
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
        return HTMLResponse(_page(result))
    return JSONResponse(result.model_dump(mode="json"))


@router.post("", summary="Verifikasi PDF yang diunggah (laporan lengkap, 'valid' di atas)")
async def verify_upload(
    gateway: GatewayDep, file: Annotated[UploadFile, File(description="A signed PDF")]
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
    report = await verify_pdf(
        data,
        trust_roots=settings.trust_root_ders(),
        allow_fetching=settings.allow_fetching,
        document_name=(file.filename or "dokumen.pdf")[-255:],
    )
    return JSONResponse(report.to_json())
