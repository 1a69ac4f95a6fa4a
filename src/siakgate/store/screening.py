"""What the store lets in from callers, and how stored documents go out again.

An upload (a requirement scan from a calling system or a workstation) is judged by its content, not by
its first bytes: a file that starts with ``%PDF-`` may be HTML, a bare header, or a PDF that runs
JavaScript, launches a program or carries an ``.exe``. :func:`screen_upload` decides, before anything is
written:

* **PDF** — parsed with pypdf in strict mode (no xref reconstruction), so ``%PDF-`` followed by HTML,
  a bare header or a file without a catalogue and at least one page is ``PDF_TIDAK_VALID``. An encrypted
  file is ``DOKUMEN_TERENKRIPSI`` (the gateway could neither inspect nor archive it). Then every
  indirect object in the cross-reference table (and every direct object nested in one) is inspected
  for active content — ``DOKUMEN_BERISI_KONTEN_AKTIF``: a ``/JS`` entry or an action of type
  JavaScript, Launch, SubmitForm, ImportData, GoToE, GoToR or RichMediaExecute (whether it hangs off
  ``/OpenAction``, an annotation, a form field or an outline item), additional actions (``/AA``), the
  ``/Names /JavaScript`` tree, embedded files (``/EmbeddedFiles``, ``/EF``, file-attachment
  annotations), rich media and XFA forms. Looking at every object, not only those reached from the
  catalogue, means no reference path is forgotten.
* **JPEG, PNG** — decoded with Pillow: the header must announce the declared format and at most
  :data:`MAX_IMAGE_PIXELS` pixels (a decompression bomb is ``GAMBAR_TERLALU_BESAR`` before any pixel is
  decoded), then ``verify()`` and a full decode; anything that does not decode is ``GAMBAR_TIDAK_VALID``.

The check applies to uploads only (:func:`siakgate.workflow.intake.add_document`). Documents the
gateway produces or receives from SIAK and BSrE — drafts, signed KKs with their signature fields and
DSS, cover letters, renewed archives — are stored without it: they are not a caller's bytes, and the
signing path validates them on its own (:mod:`siakgate.signing.esign`).

Going out, :func:`download_headers` is what every response carrying a stored document sends:
``Content-Security-Policy: sandbox`` (a document that a browser does render as HTML or runs script in
gets an opaque origin, not the gateway's), ``X-Content-Type-Options: nosniff`` and a
``Content-Disposition`` (``attachment`` unless the caller asks for ``inline``).

The functions are blocking CPU work: call them from a worker thread, not on the event loop.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Final

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, PdfObject

from siakgate.errors import DocumentRejectedError

__all__ = ["MAX_IMAGE_PIXELS", "download_headers", "screen_upload"]

MAX_IMAGE_PIXELS: Final = 40_000_000
"""Pixels an uploaded image may have: an A3 page scanned at 600 dpi is about 35 million."""

_PDF: Final = "application/pdf"
_IMAGE_FORMATS: Final = {"image/jpeg": "JPEG", "image/png": "PNG"}

_ACTIVE_ACTIONS: Final = frozenset(
    {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToE", "/GoToR", "/RichMediaExecute"}
)
"""Action types (``/S``) that run code, start programs, send data or open other files."""

_ACTIVE_KEYS: Final = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/AA": "aksi tambahan (/AA)",
    "/EmbeddedFiles": "berkas sisipan",
    "/EF": "berkas sisipan",
    "/XFA": "formulir XFA",
    "/RichMediaContent": "media kaya (RichMedia)",
}
"""Dictionary keys whose mere presence means active content, with the words the refusal names it by."""

_ACTIVE_SUBTYPES: Final = {"/FileAttachment": "berkas sisipan", "/RichMedia": "media kaya (RichMedia)"}
_ACTIVE_TYPES: Final = {"/EmbeddedFile": "berkas sisipan"}
_SAFE_FILENAME: Final = re.compile(r"[^A-Za-z0-9._-]+")


def screen_upload(data: bytes, media_type: str) -> None:
    """Refuse an upload whose content is not a plain document of its type (see the module docstring).

    ``media_type`` is the normalised type the store has already matched against the magic bytes
    (:meth:`~siakgate.store.documents.DocumentStore.check`); other types pass through unchanged.
    """
    if media_type == _PDF:
        _screen_pdf(data)
    elif media_type in _IMAGE_FORMATS:
        _screen_image(data, _IMAGE_FORMATS[media_type])


def download_headers(filename: str, *, inline: bool = False) -> dict[str, str]:
    """Headers for a response whose body is a stored document (sandboxed, not sniffed, named)."""
    name = _SAFE_FILENAME.sub("_", filename).strip("._") or "dokumen"
    return {
        "Content-Security-Policy": "sandbox",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
    }


# -- PDF --------------------------------------------------------------------------------------------------


def _invalid_pdf() -> DocumentRejectedError:
    return DocumentRejectedError(
        "Berkas bukan PDF yang sah (strukturnya rusak atau tidak lengkap); pindai ulang lalu unggah kembali.",
        code="PDF_TIDAK_VALID",
    )


def _screen_pdf(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise DocumentRejectedError(
                "Dokumen PDF terenkripsi atau dilindungi kata sandi; unggah salinan tanpa enkripsi.",
                code="DOKUMEN_TERENKRIPSI",
            )
        if len(reader.pages) < 1:
            raise _invalid_pdf()
        found = next(_active_content(reader), None)
    except DocumentRejectedError:
        raise
    except Exception as exc:  # a hostile file can make the parser fail in any way; all of them mean "not a PDF"
        raise _invalid_pdf() from exc
    if found is not None:
        raise DocumentRejectedError(
            f"Dokumen PDF berisi konten aktif ({found}) dan tidak diterima; unggah hasil pindai biasa.",
            code="DOKUMEN_BERISI_KONTEN_AKTIF",
        )


def _active_content(reader: PdfReader) -> Iterator[str]:
    """What active content the file holds, object by object (empty for a plain document)."""
    numbers = {(number, generation) for generation, table in reader.xref.items() for number in table}
    numbers |= {(number, 0) for number in reader.xref_objStm}
    roots: list[PdfObject] = [reader.trailer]
    roots += (IndirectObject(number, generation, reader) for number, generation in sorted(numbers) if number > 0)
    for root in roots:
        pending = [root.get_object() if isinstance(root, IndirectObject) else root]
        while pending:
            item = pending.pop()
            if isinstance(item, DictionaryObject):
                if (why := _active_dictionary(item)) is not None:
                    yield why
                pending.extend(value for value in item.values() if not isinstance(value, IndirectObject))
            elif isinstance(item, ArrayObject):
                pending.extend(value for value in item if not isinstance(value, IndirectObject))


def _active_dictionary(item: DictionaryObject) -> str | None:
    for key, why in _ACTIVE_KEYS.items():
        if key in item:
            return why
    action = item.get("/S")
    if isinstance(action, NameObject) and action in _ACTIVE_ACTIONS:
        return f"aksi {action[1:]}"
    subtype = item.get("/Subtype")
    if isinstance(subtype, NameObject) and subtype in _ACTIVE_SUBTYPES:
        return _ACTIVE_SUBTYPES[subtype]
    kind = item.get("/Type")
    if isinstance(kind, NameObject) and kind in _ACTIVE_TYPES:
        return _ACTIVE_TYPES[kind]
    return None


# -- images -----------------------------------------------------------------------------------------------


def _invalid_image(label: str) -> DocumentRejectedError:
    return DocumentRejectedError(
        f"Berkas tidak dapat dibaca sebagai gambar {label}; unggah ulang hasil pindai yang utuh.",
        code="GAMBAR_TIDAK_VALID",
    )


def _too_big(pixels: str) -> DocumentRejectedError:
    return DocumentRejectedError(
        f"Gambar terlalu besar ({pixels} piksel); batasnya {MAX_IMAGE_PIXELS // 1_000_000} juta piksel. "
        "Pindai dengan resolusi lebih rendah.",
        code="GAMBAR_TERLALU_BESAR",
    )


def _screen_image(data: bytes, image_format: str) -> None:
    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_big(f"{width}×{height}")
            image.verify()
        with Image.open(io.BytesIO(data), formats=[image_format]) as image:
            image.load()
    except DocumentRejectedError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own guard, beyond ours (the warning arrives as an exception where warnings are errors).
        raise _too_big("lebih dari batas Pillow") from exc
    except Exception as exc:  # Pillow reports a broken file in many ways (OSError, SyntaxError, struct.error)
        raise _invalid_image(image_format) from exc
