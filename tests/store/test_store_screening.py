"""Upload screening: a PDF is parsed and must hold no active content; an image must decode.

Every refusal happens in :meth:`DocumentStore.check_upload`, before :meth:`DocumentStore.put`: the
store stays empty.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from document_kit import HOSTILE_PDFS, jpeg, png, png_header_only, scan_pdf
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from siakgate.api.problems import status_of
from siakgate.errors import DocumentRejectedError
from siakgate.store import DocumentStore
from siakgate.store.screening import MAX_IMAGE_PIXELS, download_headers, screen_upload


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.mark.parametrize("name", sorted(HOSTILE_PDFS))
def test_hostile_pdfs_are_refused_with_their_code(document_store: DocumentStore, name: str) -> None:
    build, code = HOSTILE_PDFS[name]
    data = build()
    assert data.startswith(b"%PDF-")  # the old magic-byte check let every one of them in
    with pytest.raises(DocumentRejectedError) as refused:
        document_store.check_upload(data, "application/pdf")
    assert refused.value.code == code
    assert status_of(refused.value) == 422
    assert refused.value.message  # Bahasa Indonesia, for the caller to show
    assert files_under(document_store.root) == []


@pytest.mark.parametrize(
    ("data", "media_type"),
    [(scan_pdf(), "application/pdf"), (jpeg(), "image/jpeg"), (jpeg(), "image/jpg"), (png(), "image/png")],
)
def test_plain_documents_pass_and_are_stored(document_store: DocumentStore, data: bytes, media_type: str) -> None:
    document_store.check_upload(data, media_type)
    sha = document_store.put(data, media_type)
    assert document_store.get(sha) == data


def test_a_pdf_with_links_and_a_signature_field_passes() -> None:
    """Navigation (URI, GoTo) and an empty signature field are not active content."""
    writer = PdfWriter(clone_from=io.BytesIO(scan_pdf()))
    writer.add_uri(0, "https://example.go.id/", [0, 0, 100, 20])
    out = io.BytesIO()
    writer.write(out)
    screen_upload(out.getvalue(), "application/pdf")


@pytest.mark.parametrize(
    ("data", "media_type", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", "GAMBAR_TIDAK_VALID"),
        (png()[:-20], "image/png", "GAMBAR_TIDAK_VALID"),
        (jpeg()[: len(jpeg()) // 2], "image/jpeg", "GAMBAR_TIDAK_VALID"),
        (b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>", "image/jpeg", "GAMBAR_TIDAK_VALID"),
        (png_header_only(7_000, 7_000), "image/png", "GAMBAR_TERLALU_BESAR"),  # over our cap
        (png_header_only(20_000, 20_000), "image/png", "GAMBAR_TERLALU_BESAR"),  # over Pillow's too
        (png_header_only(100, 100), "image/png", "GAMBAR_TIDAK_VALID"),  # a header without its pixels
    ],
)
def test_images_that_do_not_decode_are_refused(
    document_store: DocumentStore, data: bytes, media_type: str, code: str
) -> None:
    with pytest.raises(DocumentRejectedError) as refused:
        document_store.check_upload(data, media_type)
    assert refused.value.code == code
    assert files_under(document_store.root) == []


def test_the_pixel_cap_stays_below_pillows_own_bomb_warning() -> None:
    from PIL import Image

    assert Image.MAX_IMAGE_PIXELS is None or MAX_IMAGE_PIXELS < Image.MAX_IMAGE_PIXELS


def test_the_basic_checks_come_first(document_store: DocumentStore) -> None:
    with pytest.raises(DocumentRejectedError) as refused:
        document_store.check_upload(jpeg(), "application/pdf")
    assert refused.value.code == "JENIS_DOKUMEN_TIDAK_SESUAI"


def test_download_headers_sandbox_and_name_safely() -> None:
    headers = download_headers('kk_lama-"x"\r\n.pdf')
    assert headers["Content-Security-Policy"] == "sandbox"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Disposition"] == 'attachment; filename="kk_lama-_x_.pdf"'
    assert download_headers("signed_kk-1.pdf", inline=True)["Content-Disposition"].startswith("inline;")


@settings(max_examples=200, deadline=None)
@given(
    tail=st.binary(max_size=400),
    media_type=st.sampled_from(["application/pdf", "image/jpeg", "image/png"]),
)
def test_any_bytes_are_accepted_or_refused_never_crash(tail: bytes, media_type: str) -> None:
    """Whatever follows the magic bytes, the screening answers with a refusal code, never another error."""
    prefix = {"application/pdf": b"%PDF-1.7\n", "image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
    code = None
    try:
        screen_upload(prefix[media_type] + tail, media_type)
    except DocumentRejectedError as refused:
        code = refused.code
    assert code in {None, "PDF_TIDAK_VALID", "GAMBAR_TIDAK_VALID", "GAMBAR_TERLALU_BESAR"}
