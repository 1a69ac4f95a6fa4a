"""Real small documents for upload tests: a scan-like PDF, a JPEG, and the hostile PDFs the store refuses.

The PDFs are built here with reportlab and pypdf, so every test uploads what a scanner or an attacker
would send, not a byte string that only starts with ``%PDF-``.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Callable

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas


@functools.cache
def jpeg(size: tuple[int, int] = (120, 80)) -> bytes:
    """A small, valid JPEG (a grey "scan")."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 200, 200)).save(out, format="JPEG", quality=70)
    return out.getvalue()


@functools.cache
def png(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("L", size, 128).save(out, format="PNG")
    return out.getvalue()


@functools.cache
def scan_pdf() -> bytes:
    """A one-page PDF holding a JPEG, as a scanner writes it (plus a line of text)."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pageCompression=1)
    page.drawImage(ImageReader(io.BytesIO(jpeg((240, 160)))), 72, 500, width=300, height=200)
    page.drawString(72, 760, "Hasil pindai dokumen persyaratan")
    page.showPage()
    page.save()
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header announces ``width``×``height`` pixels, with almost no pixel data (a bomb's shape)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


def _rewrite(change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(scan_pdf()))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _action(kind: str, **entries: str) -> DictionaryObject:
    action = DictionaryObject({NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)})
    for key, value in entries.items():
        action[NameObject(f"/{key}")] = TextStringObject(value)
    return action


def _javascript_open_action(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_action("/JavaScript", JS="app.alert(1)"))


def _launch_link(writer: PdfWriter) -> None:
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
            NameObject("/A"): _action("/Launch", F="cmd.exe"),
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _names_javascript(writer: PdfWriter) -> None:
    tree = DictionaryObject(
        {NameObject("/Names"): ArrayObject([TextStringObject("x"), _action("/JavaScript", JS="app.alert(1)")])}
    )
    names = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})
    writer._root_object[NameObject("/Names")] = writer._add_object(names)


def _page_additional_action(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): _action("/Named", N="NextPage")})


def _embedded_exe(writer: PdfWriter) -> None:
    writer.add_attachment("setup.exe", b"MZ\x90\x00" + b"\x00" * 60)


def _xfa_form(writer: PdfWriter) -> None:
    form = DictionaryObject(
        {NameObject("/Fields"): ArrayObject(), NameObject("/XFA"): TextStringObject("<xdp:xdp></xdp:xdp>")}
    )
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)


def _encrypted(writer: PdfWriter) -> None:
    writer.encrypt(user_password="", owner_password="rahasia", algorithm="AES-128")


HOSTILE_PDFS: dict[str, tuple[Callable[[], bytes], str]] = {
    "html-after-header": (
        lambda: b"%PDF-1.7\n<html><script>alert(document.cookie)</script></html>\n",
        "PDF_TIDAK_VALID",
    ),
    "bare-header": (lambda: b"%PDF-", "PDF_TIDAK_VALID"),
    "truncated": (lambda: scan_pdf()[: len(scan_pdf()) // 2], "PDF_TIDAK_VALID"),
    "javascript-open-action": (lambda: _rewrite(_javascript_open_action), "DOKUMEN_BERISI_KONTEN_AKTIF"),
    "launch-link": (lambda: _rewrite(_launch_link), "DOKUMEN_BERISI_KONTEN_AKTIF"),
    "names-javascript": (lambda: _rewrite(_names_javascript), "DOKUMEN_BERISI_KONTEN_AKTIF"),
    "page-additional-action": (lambda: _rewrite(_page_additional_action), "DOKUMEN_BERISI_KONTEN_AKTIF"),
    "embedded-exe": (lambda: _rewrite(_embedded_exe), "DOKUMEN_BERISI_KONTEN_AKTIF"),
    "xfa-form": (lambda: _rewrite(_xfa_form), "DOKUMEN_BERISI_KONTEN_AKTIF"),
    "encrypted": (lambda: _rewrite(_encrypted), "DOKUMEN_TERENKRIPSI"),
}
"""Name → (builder, the code the store refuses it with)."""
