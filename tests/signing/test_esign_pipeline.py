"""Esign v2 in chunks with several calls in flight, and the TTE images drawn from a per-batch template."""

from __future__ import annotations

import io

import httpx
import pytest
import qrcode
from PIL import Image, ImageChops, ImageDraw
from test_esign import KEPALA_NIK, OPTIONS, PASSPHRASE, TTE, Paths, assert_valid, client, drafts

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.bsre import BsreClient
from siakgate.errors import BsreRequestError, ServiceUnavailableError, WrongPassphraseError
from siakgate.signing import esign
from siakgate.signing.api import Credential, SignRequest, TteBlock
from siakgate.signing.appearance import QR_MASK
from siakgate.signing.esign import EsignBackend, TteImages, render_tte_png

pytestmark = pytest.mark.anyio

URLS = [f"https://gateway.example/v1/verify/{i:032x}" for i in (1, 77, 4096)] + ["https://x.example/v/1"]
OTHER_SIGNER = TteBlock(URLS[0], "Dra. Siti Aminah", "198001012005012002")


def pixels(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def reference(tte: TteBlock, width_pt: float, height_pt: float) -> Image.Image:
    """The block the way it was drawn before templates: one RGB canvas, the QR code's image from qrcode
    (``make_image``, 10 px modules) pasted first, then the text, with the same fixed mask."""
    w, h = round(width_pt * 4), round(height_pt * 4)
    image = Image.new("RGB", (w, h), "white")
    qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=QR_MASK)
    qr.add_data(tte.verify_url)
    qr_image = qr.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    image.paste(qr_image.resize((h, h), Image.Resampling.NEAREST), (0, 0))
    text = esign._text_layer(tte, w, h).convert("RGB").crop((h, 0, w, h))  # the text part, right of the QR code
    draw = ImageDraw.Draw(image)
    draw.rectangle((h, 0, w, h), fill="white")
    image.paste(text, (h, 0))
    return image


@pytest.mark.parametrize("box", [(230, 62), (180, 70)])
def test_template_images_equal_a_fresh_render_pixel_for_pixel(box: tuple[float, float]) -> None:
    images = TteImages()  # one per batch: its template is reused from the second document on
    for url in URLS:
        for tte in (
            TteBlock(url, TTE.signer_name, TTE.signer_nip),
            TteBlock(url, OTHER_SIGNER.signer_name, OTHER_SIGNER.signer_nip),
        ):
            from_template = pixels(images.png(tte, *box))
            fresh = pixels(render_tte_png(tte, *box))
            assert from_template.size == fresh.size == (round(box[0] * 4), round(box[1] * 4))
            assert ImageChops.difference(from_template, fresh).getbbox() is None
            assert ImageChops.difference(from_template.convert("RGB"), reference(tte, *box)).getbbox() is None


def test_each_image_carries_its_own_qr_code() -> None:
    """Sampled at module centres, the pasted QR code is exactly qrcode's matrix for that document's URL."""
    images = TteImages()
    for url in URLS:
        image = pixels(images.png(TteBlock(url, TTE.signer_name, TTE.signer_nip), 230, 62))
        qr = qrcode.QRCode(border=1, error_correction=qrcode.constants.ERROR_CORRECT_M, mask_pattern=QR_MASK)
        qr.add_data(url)
        matrix = qr.get_matrix()
        side, n = image.height, len(matrix)
        centre = [int((k + 0.5) * side / n) for k in range(n)]
        sampled = [[image.getpixel((cx, cy)) < 128 for cx in centre] for cy in centre]
        assert sampled == matrix


async def test_v2_chunks_in_flight_sign_every_document_in_order(mock_bsre: MockService) -> None:
    paths = Paths()
    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [paths]}) as http:
        backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, chunk_size=2, concurrency=2)
        requests = drafts(5, seed=31)
        results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    assert [r.document_id for r in results] == [r.document_id for r in requests]
    assert all(r.ok for r in results), [r.error for r in results]
    for request, result in zip(requests, results, strict=True):
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)  # its own document, not a neighbour's
    assert paths.paths.count("/api/v2/sign/pdf") == 3


async def test_v2_wrong_passphrase_is_sent_once(mock_bsre: MockService) -> None:
    paths = Paths()
    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [paths]}) as http:
        backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, chunk_size=2, concurrency=4)
        results = await backend.sign_batch(drafts(7, seed=32), Credential.passphrase("salah"), OPTIONS)
    assert all(isinstance(r.error, WrongPassphraseError) and r.signed_pdf is None for r in results)
    assert paths.paths == ["/api/v2/sign/pdf"]


async def test_v2_refused_chunk_fails_its_documents_only(mock_bsre: MockService) -> None:
    """A chunk BSrE refuses for its content (an unreadable PDF) costs that chunk; the others are signed."""
    good = drafts(4, seed=33)
    broken = SignRequest("rusak", b"%PDF-1.7\nbukan PDF yang utuh\n")  # invisible: no local parsing
    requests = [good[0], good[1], good[2], broken, good[3]]
    async with httpx.AsyncClient(timeout=60) as http:
        backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, chunk_size=2, concurrency=2)
        results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    assert [r.ok for r in results] == [True, True, False, False, True]
    assert isinstance(results[3].error, BsreRequestError)
    assert results[2].error is results[3].error  # the chunk's one refusal
    for index in (0, 1, 4):
        signed = results[index].signed_pdf
        assert signed is not None
        await assert_valid(signed, requests[index].pdf)


async def test_v2_transient_failure_stops_the_chunks_not_yet_sent(
    mock_bsre: MockService, mock_bsre_faults: FaultInjector
) -> None:
    paths = Paths()
    mock_bsre_faults.configure(FaultConfig(script=["ok", "fault"], paths=["/api/v2/sign/pdf"]))
    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [paths]}) as http:
        backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, chunk_size=2, concurrency=1)
        requests = drafts(6, seed=34)
        results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    assert [r.ok for r in results] == [True, True, False, False, False, False]
    assert all(isinstance(r.error, ServiceUnavailableError) for r in results[2:])
    assert paths.paths.count("/api/v2/sign/pdf") == 2  # the third chunk was never sent
    for request, result in zip(requests[:2], results[:2], strict=True):  # signed documents are kept
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)


async def test_chunking_must_be_positive() -> None:
    async with httpx.AsyncClient() as http:
        bsre = BsreClient(http, "http://127.0.0.1:1", "siakgate", "rahasia")
        for bad in ({"chunk_size": 0}, {"concurrency": 0}):
            with pytest.raises(ValueError):
                EsignBackend(bsre, nik=KEPALA_NIK, **bad)
