"""The Esign Client whole-document backend: BSrE signs the PDF itself (API v2 or v1).

Why the gateway still validates: in this mode the gateway hands BSrE the whole document and gets a
PDF back. Before a returned PDF is accepted it must (see :func:`check_returned`):

1. start with the exact bytes we sent (BSrE appended an incremental update; a rewritten file is
   refused, since we could no longer show the signed KK is the draft that was checked);
2. carry a signature added by BSrE (in a revision after ours) that covers the WHOLE file;
3. be intact and valid, and chain to ``SigningOptions.trust_roots`` (pyHanko's validation,
   revocation soft-fail, fetching as ``SigningOptions.allow_fetching`` says).

A document failing this gets :class:`SignedDocumentRejectedError`; the others are kept. An OCSP, CRL or
TSA service that fails temporarily while a returned document is checked or brought to its level is a
:class:`ServiceUnavailableError` ("coba lagi", see :mod:`siakgate.signing._errors`), never a rejection; the
check is tried again a few times first (:mod:`siakgate.signing._retry`).

The visible TTE block goes where the draft's empty ``TTE`` field is (its rectangle and page read
with pyHanko), or at ``SignRequest.box`` on the last page. BSrE draws the appearance and signs into
a NEW field of its own at that rectangle (the empty ``TTE`` field stays, invisible, under it):

* v2: ``imageBase64`` = a PNG rendered here (qrcode + Pillow): the QR code of ``tte.verify_url``,
  the Kepala Dinas's name and NIP and the BSrE sentence; v2 has no text/QR parameter of its own.
  The text part is drawn once per batch and each KK's QR code pasted into it (:class:`TteImages`).
* v1: ``linkQR`` = ``tte.verify_url`` (BSrE renders the QR code) and ``text`` = name, NIP and the
  sentence, so no image has to be uploaded.

Coordinates: the box is sent in PDF points (one of the guide's "pixels" per point, as mock BSrE reads them);
v1's ``xAxis``/``yAxis`` are its lower-left corner (guide p.11), v2's ``originX``/``originY`` its upper-left
corner measured from the top of the page (guide p.21, :attr:`Placement.v2_origin`).

Levels: BSrE signs at B-T (its signature carries a timestamp). For B-LT the gateway then adds the
validation information of that signature (certificates, OCSP answers, CRLs) to the document security
store in an incremental update, and for B-LTA a document timestamp over it: the signature bytes stay
BSrE's, the long-term evidence is ours. A B-B request gets B-T, which is a superset. A B-T or higher
request whose returned signature carries no valid, trusted signature timestamp is rejected (adding a DSS
to it would not make it B-LT, and the document would claim a level it does not have).

Signature formats: BSrE may return a PAdES signature (``ETSI.CAdES.detached``) or an ``adbe.pkcs7.detached``
one (its verify calls it "PKCS7-T", guide v2.2.1 p.35). Both are checked the same way (intact, valid,
trusted, covering the whole file) and brought to B-LT/B-LTA the same way (DSS, document timestamp): the
evidence is format-independent. The level reported for a PKCS#7 signature is that evidence ladder, named
``PKCS7-T``/``PKCS7-LT``/``PKCS7-LTA`` where a name is shown, never "PAdES baseline" (see
:mod:`siakgate.verify._signature`: ``level_reached`` and ``format_name``); the level is logged per document.

Batches: v2 sends the documents in chunks (``chunk_size``, one passphrase or one OTP requested for
all N files, which BSrE spends chunk by chunk), ``concurrency`` calls in flight after the first chunk
went alone; a refused call fails its chunk's documents with the mapped error, and a refusal that
concerns the signer or a transient failure stops the chunks not yet sent (see ``_sign_v2``); each
chunk's documents are checked as they arrive. v1 makes one call per document with the same
passphrase (v1 has no OTP); a refusal that concerns the signer (wrong passphrase, certificate
status, unregistered, application credentials) or a transient failure stops the batch, and the
documents not yet sent get that error. Documents already signed are kept either way.
"""

from __future__ import annotations

import asyncio
import io
import logging
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import anyio
from PIL import Image, ImageDraw, ImageFont, ImageOps
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from siakgate.bsre.client import BsreClient
from siakgate.bsre.models import SignatureProperties, V1Appearance
from siakgate.clock import monotonic
from siakgate.errors import (
    BsreAuthError,
    CertificateStatusError,
    ServiceUnavailableError,
    SiakgateError,
    SignedDocumentRejectedError,
    SignerNotRegisteredError,
    SigningError,
    TransientError,
    WrongPassphraseError,
)
from siakgate.signing._errors import pki_outage
from siakgate.signing._retry import DEFAULT_PKI_RETRY, pki_retrying
from siakgate.signing.api import Credential, PadesLevel, SigningOptions, SignRequest, SignResult, TteBlock
from siakgate.signing.appearance import qr_modules
from siakgate.signing.evidence import add_document_timestamp, evidence_context, load_roots
from siakgate.verify._signature import format_name, level_reached
from siakgate.verify.fetching import allow_listed_backend

__all__ = [
    "DEFAULT_V2_CHUNK",
    "DEFAULT_V2_CONCURRENCY",
    "EsignBackend",
    "Placement",
    "TteImages",
    "check_returned",
    "find_placement",
    "render_tte_png",
]

logger = logging.getLogger("siakgate.signing.esign")

_BATCH_WIDE = (WrongPassphraseError, CertificateStatusError, SignerNotRegisteredError, BsreAuthError, TransientError)
_PNG_SCALE = 4  # pixels per point: sharp enough when printed on A4
DEFAULT_V2_CHUNK = 25
"""Documents per v2 ``sign/pdf`` call: a chunk's request and answer (base64 PDFs) stay a few MB."""
DEFAULT_V2_CONCURRENCY = 4
"""v2 calls in flight at once (each one has BSrE sign a whole chunk)."""


@dataclass(frozen=True)
class Placement:
    """Where the visible block goes: 1-based page and a (x1, y1, x2, y2) box in points (PDF space, origin
    bottom-left); ``page_top``: the upper edge of that page's /MediaBox, from which API v2 measures ``originY``."""

    page: int
    box: tuple[float, float, float, float]
    page_top: float = 792.0

    @property
    def v2_origin(self) -> tuple[float, float]:
        """``(originX, originY)`` as API v2 reads them (guide p.21: ``y = 0`` at the top of the page, ``(x, y)``
        the box's upper-left corner); API v1's ``xAxis``/``yAxis`` are the lower-left corner (p.11)."""
        return self.box[0], self.page_top - self.box[3]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]


def _empty_field_placement(reader: PdfFileReader, field_name: str) -> Placement | None:
    """The page and rectangle of the empty signature field ``field_name`` (its first widget)."""
    found = [ref for _, _, ref in enumerate_sig_fields(reader, filled_status=False, with_name=field_name)]
    if not found:
        return None
    field = found[0].get_object()
    widget_ref = field["/Kids"].raw_get(0) if "/Kids" in field else found[0]
    widget = widget_ref.get_object()
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    box = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    pages = list(reader.root["/Pages"].get_object().get("/Kids", ArrayObject()))
    page_count = int(reader.root["/Pages"]["/Count"])
    target = getattr(widget_ref, "idnum", None)
    for index in range(page_count):
        page = _page(reader, index, pages)
        annots = page.get("/Annots", ArrayObject())
        if any(getattr(a, "idnum", None) == target for a in annots.get_object()):
            return Placement(index + 1, box, _page_top(page))
    return Placement(page_count, box, _page_top(_page(reader, page_count - 1, pages)))


def _page_top(page: DictionaryObject) -> float:
    """The upper edge of the page's /MediaBox (inherited through /Parent); 792 (US Letter) without one."""
    node: DictionaryObject | None = page
    for _ in range(32):  # a page tree is never that deep; a /Parent loop must not hang us
        if node is None:
            break
        if "/MediaBox" in node:
            y0, y1 = float(node["/MediaBox"][1]), float(node["/MediaBox"][3])
            return max(y0, y1)
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return 792.0


def _page(reader: PdfFileReader, index: int, kids: list[object]) -> DictionaryObject:
    """Page ``index`` (flat page trees directly; nested ones through pyHanko's page lookup)."""
    if len(kids) == int(reader.root["/Pages"]["/Count"]):
        page = kids[index].get_object()  # type: ignore[attr-defined]
        if isinstance(page, DictionaryObject) and page.get("/Type") == "/Page":
            return page
    page_ref, _ = reader.find_page_for_modification(index)  # type: ignore[no-untyped-call]
    result: DictionaryObject = page_ref.get_object()
    return result


def find_placement(request: SignRequest) -> Placement:
    """The empty field ``request.field_name``'s rectangle, else ``request.box`` on the last page."""
    try:
        reader = PdfFileReader(io.BytesIO(request.pdf), strict=False)
        placement = _empty_field_placement(reader, request.field_name)
        pages = int(reader.root["/Pages"]["/Count"])
        kids = list(reader.root["/Pages"].get_object().get("/Kids", ArrayObject()))
        last_top = _page_top(_page(reader, pages - 1, kids)) if placement is None else 0.0
    except Exception as exc:
        raise SigningError("Berkas PDF rusak atau tidak dapat dibaca.", code="PDF_TIDAK_VALID") from exc
    if placement is not None:
        return placement
    if request.box is not None:
        return Placement(pages, tuple(float(v) for v in request.box), last_top)  # type: ignore[arg-type]
    raise SigningError(
        f"Dokumen tidak memiliki kolom tanda tangan kosong '{request.field_name}' dan posisi (box) tidak diberikan.",
        code="KOLOM_TTE_TIDAK_ADA",
    )


def _font(size: float) -> ImageFont.FreeTypeFont:
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):  # Pillow without FreeType: no sizeable font
        raise SigningError("Pillow tanpa FreeType tidak dapat menggambar blok TTE.", code="BLOK_TTE_GAGAL")
    return font


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line] if line else lines


def _pixels(width_pt: float, height_pt: float) -> tuple[int, int]:
    return max(1, round(width_pt * _PNG_SCALE)), max(1, round(height_pt * _PNG_SCALE))


def _qr_image(url: str, side: int) -> Image.Image:
    """The QR code of ``url`` (one-module border), ``side`` pixels square, black on white: the same code as
    the PDF appearance's (:func:`siakgate.signing.appearance.qr_modules`, its fixed mask)."""
    modules = qr_modules(url)  # True is a dark module
    image = Image.frombytes(
        "L", (len(modules), len(modules)), bytes(0 if dark else 255 for row in modules for dark in row)
    )
    return ImageOps.expand(image, border=1, fill=255).resize((side, side), Image.Resampling.NEAREST)


def _text_layer(tte: TteBlock, w: int, h: int) -> Image.Image:
    """The block without its QR code: name, NIP and the sentence right of an empty ``h`` x ``h`` square."""
    image = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(image)
    left, right = h + 2 * _PNG_SCALE, w - _PNG_SCALE
    text_w = max(1, right - left)
    for size in range(int(h / 5), 5, -1):  # the largest font that fits the box
        big = _font(size * 1.15)
        small = _font(size * 0.8)
        sentence = _wrap(draw, tte.sentence, small, text_w)
        lines = [(tte.signer_name, big), (f"NIP. {tte.signer_nip}", small), *[(s, small) for s in sentence]]
        heights = [f.size * 1.15 for _, f in lines]
        widest = max(draw.textlength(t, font=f) for t, f in lines)
        if sum(heights) <= h and widest <= text_w:
            break
    y = (h - sum(heights)) / 2
    for (text, font), line_h in zip(lines, heights, strict=True):
        draw.text((left, y), text, fill=0, font=font)
        y += line_h
    return image


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=3)  # optimize=True cost 60 ms/block for 15 % fewer bytes
    return out.getvalue()


class TteImages:
    """The TTE block PNGs of one batch: the text part (the same for every KK a Kepala Dinas signs) is
    drawn once per signer and box size, and each document's QR code is pasted into a copy of it.

    Why: fitting the font and drawing the text was most of the block's cost, and it does not change
    between documents. The result equals :func:`render_tte_png` pixel for pixel (a test says so).
    Safe to share between worker threads.
    """

    def __init__(self) -> None:
        self._templates: dict[tuple[str, str, str, int, int], Image.Image] = {}
        self._lock = threading.Lock()

    def _template(self, tte: TteBlock, w: int, h: int) -> Image.Image:
        key = (tte.signer_name, tte.signer_nip, tte.sentence, w, h)
        with self._lock:
            template = self._templates.get(key)
        if template is None:
            template = _text_layer(tte, w, h)
            with self._lock:
                template = self._templates.setdefault(key, template)
        return template

    def png(self, tte: TteBlock, width_pt: float, height_pt: float) -> bytes:
        w, h = _pixels(width_pt, height_pt)
        image = self._template(tte, w, h).copy()
        image.paste(_qr_image(tte.verify_url, h), (0, 0))
        return _png(image)


def render_tte_png(tte: TteBlock, width_pt: float, height_pt: float) -> bytes:
    """The TTE block as a (grayscale) PNG of the box's proportions: QR code left; name, NIP, sentence right.

    Drawn from scratch; a batch uses :class:`TteImages`, which reuses the text part.
    """
    w, h = _pixels(width_pt, height_pt)
    image = _text_layer(tte, w, h)
    image.paste(_qr_image(tte.verify_url, h), (0, 0))
    return _png(image)


def _tte_text(tte: TteBlock) -> str:
    return "\n".join([tte.signer_name, f"NIP. {tte.signer_nip}", *textwrap.wrap(tte.sentence, 48)])


def _reject(document_id: str, why: str) -> SignedDocumentRejectedError:
    return SignedDocumentRejectedError(f"Dokumen {document_id} dari BSrE ditolak: {why}")


def _temporary(exc: BaseException) -> ServiceUnavailableError | None:
    """The temporary error (logged) if a PKI service failing is what ``exc`` comes from; else None."""
    outage = pki_outage(exc)
    if outage is None:
        return None
    outage.log()
    return outage.error()


async def check_returned(document_id: str, sent: bytes, returned: bytes, options: SigningOptions) -> bytes:
    """Accept ``returned`` if it is ``sent`` + a valid, trusted signature covering the whole file (see the
    module docstring) and bring it to ``options.level``; raise :class:`SignedDocumentRejectedError` if not.
    """
    if not returned.startswith(sent) or len(returned) == len(sent):
        raise _reject(document_id, "isinya bukan dokumen yang dikirim ditambah tanda tangan (berkas ditulis ulang).")
    try:
        before = PdfFileReader(io.BytesIO(sent), strict=False).xrefs.total_revisions
        reader = PdfFileReader(io.BytesIO(returned), strict=False)
        signatures = [s for s in reader.embedded_regular_signatures if s.signed_revision >= before]
    except Exception as exc:
        raise _reject(document_id, "berkas tidak dapat dibaca sebagai PDF.") from exc
    if not signatures:
        raise _reject(document_id, "tidak ada tanda tangan baru di dalamnya.")
    last = max(signatures, key=lambda s: s.signed_revision)
    # retroactive_revinfo: an OCSP answer or CRL produced while this check waited for it (a slow responder)
    # is evidence all the same; without it BSrE's signature was refused as untrusted ("CRL is too recent").
    vc = ValidationContext(
        trust_roots=load_roots(options.trust_roots),
        allow_fetching=options.allow_fetching,
        retroactive_revinfo=True,
        fetcher_backend=_returned_fetcher(options),
    )
    try:
        try:
            status = await async_validate_pdf_signature(last, signer_validation_context=vc)
        except Exception as exc:
            raise (_temporary(exc) or _reject(document_id, "tanda tangan tidak dapat divalidasi.")) from exc
        if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
            raise _reject(document_id, "tanda tangan terakhir tidak mencakup seluruh berkas.")
        if not (status.intact and status.valid):
            raise _reject(document_id, "tanda tangan rusak atau isi dokumen berubah setelah ditandatangani.")
        if not status.trusted:
            raise _reject(document_id, "sertifikat penandatangan tidak berantai ke akar tepercaya.")
        subfilter = str(last.sig_object.get("/SubFilter"))
        reached = level_reached(last, status, dss_sufficient=False, archived=False)
        wanted = PadesLevel(options.level)
        if wanted is not PadesLevel.B_B and reached is not PadesLevel.B_T:
            raise _reject(
                document_id,
                f"tanda tangan BSrE tanpa cap waktu yang sah dan tepercaya, sedangkan level {wanted.value} diminta.",
            )
        out = await _to_level(last, returned, options)
        final = reached if wanted in (PadesLevel.B_B, PadesLevel.B_T) else wanted
        logger.info(
            "esign document=%s accepted subfilter=%s level=%s", document_id, subfilter, format_name(subfilter, final)
        )
        return out
    finally:
        await vc.aclose()  # type: ignore[no-untyped-call]


def _returned_fetcher(options: SigningOptions) -> OwnedFetcherBackend | None:
    """Semi-trusted: the returned PDF's certificates may make us fetch from configured endpoints only."""
    if not options.allow_fetching or options.fetch_only_from is None:
        return None
    return OwnedFetcherBackend(allow_listed_backend(options.fetch_only_from))  # closed by vc.aclose()


async def _to_level(signature: EmbeddedPdfSignature, returned: bytes, options: SigningOptions) -> bytes:
    """Add B-LT validation info (and a B-LTA document timestamp) on top of BSrE's B-T signature."""
    level = PadesLevel(options.level)
    if level not in (PadesLevel.B_LT, PadesLevel.B_LTA):
        return returned
    if level is PadesLevel.B_LTA and options.timestamp_url is None:
        raise SigningError(
            "PAdES B-LTA memerlukan layanan cap waktu (TSA): timestamp_url belum diatur.", code="TSA_TIDAK_DIATUR"
        )
    if not options.allow_fetching:
        raise SigningError(
            f"PAdES {level.value} lewat Esign memerlukan pengambilan OCSP/CRL (allow_fetching).",
            code="INFO_VALIDASI_GAGAL",
        )
    # Hard-fail here: B-LT promises the evidence is in the file, so missing revocation data is an error.
    # Complete long-term evidence, CRLs included (what an offline validator falls back on): see
    # siakgate.signing.evidence.
    vc = evidence_context(load_roots(options.trust_roots))
    try:
        try:
            out = await async_add_validation_info(signature, vc)
        except Exception as exc:
            raise (
                _temporary(exc)
                or SigningError(
                    "Informasi validasi (OCSP/CRL) untuk PAdES B-LT tidak dapat dikumpulkan.",
                    code="INFO_VALIDASI_GAGAL",
                )
            ) from exc
        if level is PadesLevel.B_LTA:
            assert options.timestamp_url is not None
            try:  # the document timestamp, then the evidence for it (its TSA may not be BSrE's)
                return await add_document_timestamp(
                    out.getvalue(), vc, HTTPTimeStamper(options.timestamp_url, timeout=30)
                )
            except Exception as exc:
                raise (
                    _temporary(exc)
                    or ServiceUnavailableError(
                        "Cap waktu dokumen (B-LTA) tidak dapat diperoleh dari TSA.", code="TSA_TIDAK_TERSEDIA"
                    )
                ) from exc
        data: bytes = out.getvalue()
        return data
    finally:
        await vc.aclose()  # type: ignore[no-untyped-call]


def _check_all(items: list[tuple[str, bytes, bytes]], options: SigningOptions) -> list[bytes | SiakgateError]:
    """Worker-thread entry: accept every returned document on this thread's own event loop."""

    async def checked(document_id: str, sent: bytes, returned: bytes, deadline_at: float) -> bytes:
        # BSrE has signed already: a PKI hiccup is tried again rather than costing the signature.
        async for attempt in pki_retrying(DEFAULT_PKI_RETRY, deadline_at):
            with attempt:
                return await check_returned(document_id, sent, returned, options)
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    async def run() -> list[bytes | SiakgateError]:
        out: list[bytes | SiakgateError] = []
        deadline_at = monotonic() + DEFAULT_PKI_RETRY.deadline
        for document_id, sent, returned in items:
            try:
                out.append(await checked(document_id, sent, returned, deadline_at))
            except SiakgateError as exc:
                out.append(exc)
        return out

    return asyncio.run(run())


class EsignBackend:
    """:class:`~siakgate.signing.api.SigningBackend` over BSrE's Esign Client (whole documents).

    ``chunk_size`` and ``concurrency`` (v2 only): documents per ``sign/pdf`` call and calls in flight.
    """

    name = "esign"

    def __init__(
        self,
        client: BsreClient,
        *,
        nik: str | None = None,
        email: str | None = None,
        api: Literal["v1", "v2"] = "v2",
        chunk_size: int = DEFAULT_V2_CHUNK,
        concurrency: int = DEFAULT_V2_CONCURRENCY,
    ) -> None:
        if api not in ("v1", "v2"):
            raise ValueError("api must be 'v1' or 'v2'")
        if api == "v1" and nik is None:
            raise ValueError("API v1 identifies the signer by NIK")
        if chunk_size < 1 or concurrency < 1:
            raise ValueError("chunk_size and concurrency must be at least 1")
        self._client = client
        self._nik = nik
        self._email = email
        self._api = api
        self._chunk_size = chunk_size
        self._concurrency = concurrency

    def __repr__(self) -> str:
        return f"EsignBackend(api={self._api!r})"

    def _properties(self, request: SignRequest, images: TteImages) -> SignatureProperties:
        common = {"reason": request.reason, "location": request.location}
        if request.tte is None:
            return SignatureProperties(**common)  # type: ignore[arg-type]
        where = find_placement(request)
        origin_x, origin_y = where.v2_origin
        return SignatureProperties(
            visible=True,
            image=images.png(request.tte, where.width, where.height),
            page=where.page,
            x=origin_x,
            y=origin_y,
            width=where.width,
            height=where.height,
            **common,
        )

    def _appearance(self, request: SignRequest) -> V1Appearance:
        if request.tte is None:
            return V1Appearance()
        where = find_placement(request)
        return V1Appearance(
            visible=True,
            link_qr=request.tte.verify_url,
            text=_tte_text(request.tte),
            page=where.page,
            x=where.box[0],
            y=where.box[1],
            width=where.width,
            height=where.height,
        )

    def _prepare_v2(
        self, requests: Sequence[SignRequest], images: TteImages
    ) -> list[SignatureProperties | SiakgateError]:
        """Worker-thread entry: placements and TTE images (PDF parsing and PNG rendering are CPU work)."""
        out: list[SignatureProperties | SiakgateError] = []
        for request in requests:
            try:
                out.append(self._properties(request, images))
            except SiakgateError as exc:
                out.append(exc)
        return out

    async def _sign_v2(
        self, requests: Sequence[SignRequest], credential: Credential, options: SigningOptions
    ) -> list[bytes | SiakgateError]:
        """Chunks of ``chunk_size`` documents, one ``sign/pdf`` call each, ``concurrency`` in flight.

        The first chunk is sent alone, so a wrong passphrase or OTP is refused once and not by every call
        in flight. A refused chunk fails its own documents; a refusal that concerns the signer, or a
        transient failure, also stops the batch: the chunks not yet sent get that error, the documents
        already signed are kept. Each chunk's documents are checked (:func:`check_returned`) in a worker
        thread as soon as they arrive, while the other chunks are still with BSrE, and the answer is
        dropped once checked.
        """
        outcome: list[bytes | SiakgateError | None] = [None] * len(requests)
        images = TteImages()
        chunks = [range(i, min(i + self._chunk_size, len(requests))) for i in range(0, len(requests), self._chunk_size)]
        in_flight = anyio.CapacityLimiter(self._concurrency)
        checking = anyio.CapacityLimiter(1)  # one checking thread: pyHanko's validation holds the GIL anyway
        stop: list[SiakgateError] = []

        async def send(chunk: range) -> list[tuple[int, bytes]]:
            """Sign one chunk; returns (index, returned PDF) of its documents BSrE signed."""
            async with in_flight:
                if stop:
                    for i in chunk:
                        outcome[i] = stop[0]
                    return []
                prepared = await anyio.to_thread.run_sync(self._prepare_v2, [requests[i] for i in chunk], images)
                todo: list[int] = []
                props: list[SignatureProperties] = []
                for i, p in zip(chunk, prepared, strict=True):
                    if isinstance(p, SiakgateError):
                        outcome[i] = p
                    else:
                        todo.append(i)
                        props.append(p)
                if stop or not todo:  # a refusal may have come in while this chunk was prepared
                    for i in todo:
                        outcome[i] = stop[0]
                    return []
                try:
                    signed = await self._client.sign_pdf_v2(
                        [requests[i].pdf for i in todo],
                        credential=credential,
                        nik=self._nik,
                        email=None if self._nik else self._email,
                        signature_properties=props,
                    )
                except SiakgateError as exc:
                    for i in todo:
                        outcome[i] = exc
                    if isinstance(exc, _BATCH_WIDE) and not stop:
                        stop.append(exc)
                    return []
            return list(zip(todo, signed, strict=True))

        async def check(returned: list[tuple[int, bytes]]) -> None:
            if not returned:
                return
            indexes = [i for i, _ in returned]
            items = [(requests[i].document_id, requests[i].pdf, pdf) for i, pdf in returned]
            returned.clear()
            verdicts = await anyio.to_thread.run_sync(_check_all, items, options, limiter=checking)
            for i, verdict in zip(indexes, verdicts, strict=True):
                outcome[i] = verdict

        async def send_and_check(chunk: range) -> None:
            await check(await send(chunk))

        async with anyio.create_task_group() as group:
            group.start_soon(check, await send(chunks[0]))  # alone: see the docstring
            for chunk in chunks[1:]:
                group.start_soon(send_and_check, chunk)
        assert all(o is not None for o in outcome)
        return [o for o in outcome if o is not None]

    async def _sign_v1(self, requests: Sequence[SignRequest], credential: Credential) -> list[bytes | SiakgateError]:
        assert self._nik is not None
        outcome: list[bytes | SiakgateError] = []
        stop: SiakgateError | None = None
        for request in requests:
            if stop is not None:
                outcome.append(stop)
                continue
            try:
                appearance = await anyio.to_thread.run_sync(self._appearance, request)
                signed, _ = await self._client.sign_pdf_v1(
                    request.pdf,
                    nik=self._nik,
                    credential=credential,
                    appearance=appearance,
                    reason=request.reason,
                    location=request.location,
                )
                outcome.append(signed)
            except SiakgateError as exc:
                outcome.append(exc)
                if isinstance(exc, _BATCH_WIDE):
                    stop = exc
        return outcome

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]:
        if not requests:
            return []
        if credential is None or not options.trust_roots:
            error = SigningError(
                "Passphrase/OTP penandatangan dan akar tepercaya (trust_roots) wajib untuk backend Esign.",
                code="KREDENSIAL_KOSONG" if credential is None else "AKAR_TEPERCAYA_TIDAK_DIATUR",
            )
            return [SignResult(r.document_id, error=error) for r in requests]
        if self._api == "v2":
            outcome = await self._sign_v2(requests, credential, options)  # checked as the chunks arrive
        else:
            signed = await self._sign_v1(requests, credential)
            returned = [
                (r.document_id, r.pdf, o) for r, o in zip(requests, signed, strict=True) if isinstance(o, bytes)
            ]
            verdicts = iter(await anyio.to_thread.run_sync(_check_all, returned, options) if returned else [])
            outcome = [next(verdicts) if isinstance(o, bytes) else o for o in signed]
        return [
            SignResult(request.document_id, signed_pdf=out)
            if isinstance(out, bytes)
            else SignResult(request.document_id, error=out)
            for request, out in zip(requests, outcome, strict=True)
        ]
