"""PAdES signing of a whole PDF with a key of the test PKI (what the Esign Client Service does
for v1/v2).

CPU-bound and synchronous on purpose: the routers run it in a worker thread (``anyio.to_thread``).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from PIL import Image
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.stamp import BaseStampStyle, QRStampStyle, TextStampStyle

from mock_bsre.errors import BAD_PDF, BAD_REQUEST, Refused
from mock_bsre.tags import find_tag

_field_counter = itertools.count(1)


@dataclass
class Appearance:
    """Where and how a signature shows. ``visible=False`` ignores every other field."""

    visible: bool = False
    page: int | str | None = None  # 1-based number, or FIRST/LAST (PERTAMA/TERAKHIR)
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    tag: str | None = None
    image: bytes | None = None
    link_qr: str | None = None
    text: str | None = None


@dataclass
class SignRequest:
    pdf: bytes
    appearance: Appearance
    reason: str | None = None
    location: str | None = None
    pdf_password: str | None = None


def pdf_library_error(exc: Exception) -> Refused:
    """A broken PDF is reported with the PDF library's own error, as the real service does
    (iText).
    """
    return Refused(BAD_PDF, f"{type(exc).__module__}.{type(exc).__name__}: {exc}")


def _open(pdf: bytes, password: str | None) -> IncrementalPdfFileWriter:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise Refused(BAD_PDF, "pyhanko.pdf_utils.misc.PdfReadError: Illegal PDF header")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as exc:
        raise pdf_library_error(exc) from exc
    if writer.prev.encrypted:
        if not password:
            raise Refused(BAD_PDF, "Dokumen PDF terproteksi password, pdfPassword wajib diisi")
        try:
            result = writer.encrypt(password)  # type: ignore[no-untyped-call]
        except Exception as exc:
            raise pdf_library_error(exc) from exc
        if getattr(result, "status", None) is not None and result.status.name == "FAILED":
            raise Refused(BAD_PDF, "Password dokumen PDF salah")
    return writer


def _page_index(page: int | str | None, page_count: int) -> int:
    if page is None or page == "":
        return 0
    text = str(page).strip().upper()
    if text in ("FIRST", "PERTAMA"):
        return 0
    if text in ("LAST", "TERAKHIR"):
        return page_count - 1
    try:
        number = int(float(text))
    except ValueError as exc:
        raise Refused(BAD_REQUEST, f"Halaman tidak valid: {page}") from exc
    if not 1 <= number <= page_count:
        raise Refused(BAD_REQUEST, f"Halaman {number} tidak ditemukan (dokumen {page_count} halaman)")
    return number - 1


def _stamp_style(appearance: Appearance) -> tuple[BaseStampStyle, dict[str, Any] | None]:
    text = (appearance.text or "").replace("%", "%%")
    if appearance.image is not None:
        try:
            img = Image.open(BytesIO(appearance.image))
            img.load()
        except Exception as exc:
            raise Refused(BAD_REQUEST, f"Gambar tanda tangan tidak valid: {exc}") from exc
        style = TextStampStyle(stamp_text=text, background=PdfImage(img), background_opacity=1.0, border_width=0)
        return style, None
    if appearance.link_qr:
        return QRStampStyle(stamp_text=text or "%(url)s", border_width=0), {"url": appearance.link_qr}
    return TextStampStyle(stamp_text=text or "Ditandatangani secara elektronik"), None


def sign_pdf(
    request: SignRequest,
    signer: signers.Signer,
    timestamper: TimeStamper | None,
) -> bytes:
    """Sign ``request.pdf`` (PAdES, ETSI.CAdES.detached, SHA-256); returns the signed PDF bytes."""
    writer = _open(request.pdf, request.pdf_password)
    field_name = f"sig_{int(time.time() * 1000)}{next(_field_counter)}"
    app = request.appearance
    spec = fields.SigFieldSpec(sig_field_name=field_name)
    style: BaseStampStyle | None = None
    params: dict[str, Any] | None = None
    if app.visible:
        try:
            page_count = int(writer.root["/Pages"]["/Count"])
        except Exception as exc:
            raise pdf_library_error(exc) from exc
        if app.tag:
            pos = find_tag(request.pdf, app.tag, request.pdf_password)
            index, x, y = pos.page_index, pos.x, pos.y
        else:
            index, x, y = _page_index(app.page, page_count), app.x, app.y
        if app.width <= 0 or app.height <= 0:
            raise Refused(BAD_REQUEST, "width dan height wajib diisi untuk tampilan visible")
        spec = fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=index,
            box=(round(x), round(y), round(x + app.width), round(y + app.height)),
        )
        style, params = _stamp_style(app)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=request.reason or None,
        location=request.location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(meta, signer, timestamper=timestamper, stamp_style=style, new_field_spec=spec)
    try:
        out = pdf_signer.sign_pdf(writer, appearance_text_params=params)
    except Refused:
        raise
    except Exception as exc:
        raise pdf_library_error(exc) from exc
    return bytes(out.getvalue())
