"""Signing of a whole PDF with a key of the test PKI (what the Esign Client Service does for v1/v2/seal).

Two signature formats: PAdES (``ETSI.CAdES.detached``, the default) or PKCS#7 (``adbe.pkcs7.detached``, what
the guide's v2 verify answer "PKCS7-T" suggests); both time-stamped when a time stamper is given (B-T / "-T").

Visible signatures: the guide gives ``width``/``height`` in "pixel" (printed p.12, p.20) and draws the box as
iText's ``(llx, lly)-(urx, ury)`` in PDF space, origin bottom-left (p.11). A pixel is one PDF user-space unit
(a pixel at 72 ppi), so the widget is exactly ``[x, y, x + width, y + height]``. API v2 measures from the other
corner (printed p.21: ``y = 0`` at the top of the page, ``(x, y)`` the box's upper-left corner), so a v2 box is
``[x, top - y - height, x + width, top - y]`` with ``top`` the upper edge of the page's /MediaBox
(:attr:`Appearance.origin_top_left`). Without a size, an image is
placed at its own pixel size (scaled down, keeping its proportions, if it does not fit the page), a QR code
at :data:`DEFAULT_QR_SIZE`, a text stamp at :data:`DEFAULT_TEXT_SIZE` (see API.md).

CPU-bound and synchronous on purpose: the routers run it in a worker thread (``anyio.to_thread``).
"""

from __future__ import annotations

import threading
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

_field_name_lock = threading.Lock()
_last_field_ms = 0


def field_name_now() -> str:
    """``sig_<13-digit ms>`` as the guide shows (printed p.16 ``sig_1697437714025``, p.35): the signing time in
    milliseconds, moved on by 1 ms when two signatures would share a millisecond so every name stays unique.
    """
    global _last_field_ms
    with _field_name_lock:
        _last_field_ms = max(int(time.time() * 1000), _last_field_ms + 1)
        return f"sig_{_last_field_ms}"


SIGNATURE_SUBFILTERS = {
    "pades": fields.SigSeedSubFilter.PADES,
    "pkcs7": fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED,
}
# Size (PDF units = "pixels") of a visible signature sent without width/height and without an image: the
# guide's own QR example (printed p.13, c) asks for 100 x 100; a text-only stamp gets a box its text fits.
DEFAULT_QR_SIZE = (100.0, 100.0)
DEFAULT_TEXT_SIZE = (200.0, 60.0)


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
    origin_top_left: bool = False  # API v2: (x, y) is the upper-left corner, y measured down from the top


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


def _load_image(data: bytes) -> Image.Image:
    try:
        img = Image.open(BytesIO(data))
        img.load()
    except Exception as exc:
        raise Refused(BAD_REQUEST, f"Gambar tanda tangan tidak valid: {exc}") from exc
    return img


def _stamp_style(appearance: Appearance, img: Image.Image | None) -> tuple[BaseStampStyle, dict[str, Any] | None]:
    text = (appearance.text or "").replace("%", "%%")
    if img is not None:
        style = TextStampStyle(stamp_text=text, background=PdfImage(img), background_opacity=1.0, border_width=0)
        return style, None
    if appearance.link_qr:
        return QRStampStyle(stamp_text=text or "%(url)s", border_width=0), {"url": appearance.link_qr}
    return TextStampStyle(stamp_text=text or "Ditandatangani secara elektronik"), None


def _media_box(writer: IncrementalPdfFileWriter, index: int) -> tuple[float, float, float, float]:
    """The page's /MediaBox, normalised to (llx, lly, urx, ury) (inherited through /Parent if need be)."""
    node: Any = writer.find_page_for_modification(index)[0].get_object()  # type: ignore[no-untyped-call]
    while node is not None:
        if "/MediaBox" in node:
            x0, y0, x1, y1 = (float(v) for v in node["/MediaBox"])
            return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
        node = node.get("/Parent")
        node = node.get_object() if node is not None else None
    return 0.0, 0.0, 612.0, 792.0  # no /MediaBox anywhere: the PDF default (US Letter)


def box_size(appearance: Appearance, img: Image.Image | None, page: tuple[float, float]) -> tuple[float, float]:
    """Width and height of the signature box in PDF units (1 "pixel" of the guide = 1 unit).

    Both given: as given. Neither: the image's pixel size, scaled down proportionally if it does not fit
    ``page``; without an image the default size of a QR code or a text stamp. One of them: the other follows
    the natural proportions (the image's, a square QR code, the text stamp's).
    """
    width, height = appearance.width, appearance.height
    if width < 0 or height < 0:
        raise Refused(BAD_REQUEST, "width dan height tidak boleh negatif")
    if img is not None:
        natural = (float(img.size[0]), float(img.size[1]))
    elif appearance.link_qr:
        natural = DEFAULT_QR_SIZE
    else:
        natural = DEFAULT_TEXT_SIZE
    if width > 0 and height > 0:
        return width, height
    if width > 0:
        return width, width * natural[1] / natural[0]
    if height > 0:
        return height * natural[0] / natural[1], height
    scale = min(1.0, page[0] / natural[0], page[1] / natural[1])
    return natural[0] * scale, natural[1] * scale


def sign_pdf(
    request: SignRequest,
    signer: signers.Signer,
    timestamper: TimeStamper | None,
    signature_format: str = "pades",
) -> bytes:
    """Sign ``request.pdf`` (SHA-256; PAdES ``ETSI.CAdES.detached`` or ``adbe.pkcs7.detached`` as
    ``signature_format`` says); returns the signed PDF bytes.
    """
    subfilter = SIGNATURE_SUBFILTERS[signature_format]
    writer = _open(request.pdf, request.pdf_password)
    field_name = field_name_now()
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
        img = _load_image(app.image) if app.image is not None else None
        try:
            llx, lly, urx, ury = _media_box(writer, index)
        except Exception as exc:
            raise pdf_library_error(exc) from exc
        width, height = box_size(app, img, (urx - llx, ury - lly))
        if app.origin_top_left and not app.tag:
            y = ury - y - height  # v2 (printed p.21): y measured down from the top to the box's upper edge
        spec = fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=index,
            box=(x, y, x + width, y + height),  # type: ignore[arg-type]  # floats are fine (FloatObject)
        )
        style, params = _stamp_style(app, img)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=request.reason or None,
        location=request.location or None,
        subfilter=subfilter,
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
