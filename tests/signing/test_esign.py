"""Esign Client whole-document backend (v2 and v1) against mock BSrE, with the gateway's acceptance check."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from asn1crypto import pem
from cryptography import x509 as cx509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from PIL import Image
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas

from mock_common.faults import FaultConfig
from mock_common.pytest_plugin import MockService
from mock_siak.draft_pdf import TTE_BOX, render_draft_kk
from mock_siak.population import generate_population
from siakgate.bsre import BsreClient, RetryPolicy
from siakgate.errors import ServiceUnavailableError, SignedDocumentRejectedError, SigningError, WrongPassphraseError
from siakgate.signing.api import Credential, PadesLevel, SigningOptions, SignRequest, TteBlock
from siakgate.signing.esign import EsignBackend, render_tte_png

pytestmark = pytest.mark.anyio

CERTS = Path(__file__).resolve().parents[2] / "certs"
KEPALA_NIK = "3508011205720001"
PASSPHRASE = "kepala-dinas-uji-123"
FAST = RetryPolicy(attempts=2, initial_wait=0.01, max_wait=0.01, jitter=0)
TTE = TteBlock("https://gateway.example/verifikasi/kk", "Drs. Bambang Setiawan, M.Si.", "197205121998031001")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def root_der() -> bytes:
    data = (CERTS / "root-ca.crt").read_bytes()
    return pem.unarmor(data)[2] if pem.detect(data) else data


# B-T: what BSrE itself signs at; the B-LT/B-LTA upgrade (which fetches OCSP/CRLs) has tests of its own below.
OPTIONS = SigningOptions(level=PadesLevel.B_T, trust_roots=(root_der(),), allow_fetching=False)


def drafts(n: int, seed: int = 11) -> list[SignRequest]:
    return [
        SignRequest(
            document_id=f"kk-{i}",
            pdf=render_draft_kk(
                family,
                no_permohonan=f"PMH-{i}",
                issued_on=date(2025, 1, 2),
                kepala_dinas_name=TTE.signer_name,
                kepala_dinas_nip=TTE.signer_nip,
                kab_name="KABUPATEN LUMAJANG",
                draft=False,
            ),
            tte=TTE,
        )
        for i, family in enumerate(generate_population(seed, n))
    ]


async def assert_valid(signed: bytes, original: bytes) -> None:
    assert signed.startswith(original)
    reader = PdfFileReader(io.BytesIO(signed))
    sig = max(reader.embedded_regular_signatures, key=lambda s: s.signed_revision)
    vc = ValidationContext(trust_roots=[load_cert_from_pemder(str(CERTS / "root-ca.crt"))], allow_fetching=False)
    status = await async_validate_pdf_signature(sig, signer_validation_context=vc)
    assert status.bottom_line
    rect = [float(v) for v in sig.sig_field["/Rect"]]  # BSrE's field sits on the draft's TTE area
    assert rect == pytest.approx([float(v) for v in TTE_BOX], abs=1)


class Paths:
    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, request: httpx.Request) -> None:
        self.paths.append(request.url.path)


Edit = Callable[[list[bytes]], Awaitable[list[bytes]]]


class Tamper(httpx.AsyncBaseTransport):
    """Forwards to the real mock, then edits the signed files of a v2 answer (a misbehaving BSrE)."""

    def __init__(self, edit: Edit) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.edit = edit

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path != "/api/v2/sign/pdf" or response.status_code != 200:
            return response
        body: dict[str, Any] = json.loads(await response.aread())
        files = await self.edit([base64.b64decode(f) for f in body["file"]])
        return httpx.Response(200, json={**body, "file": [base64.b64encode(f).decode() for f in files]})

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def paths() -> Paths:
    return Paths()


@pytest.fixture
async def http(paths: Paths) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [paths]}) as client:
        yield client


def client(http: httpx.AsyncClient, mock: MockService) -> BsreClient:
    return BsreClient(http, mock.url, mock.username, mock.password, retry=FAST)


async def test_v2_one_call_for_the_batch(http: httpx.AsyncClient, mock_bsre: MockService, paths: Paths) -> None:
    requests = drafts(3)
    backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, api="v2")
    results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    assert all(r.ok for r in results), [r.error for r in results]
    for request, result in zip(requests, results, strict=True):
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)
    assert paths.paths.count("/api/v2/sign/pdf") == 1


async def test_v2_with_otp(http: httpx.AsyncClient, mock_bsre: MockService, paths: Paths) -> None:
    bsre = client(http, mock_bsre)
    await bsre.request_totp(nik=KEPALA_NIK, count=3)
    outbox = httpx.get(f"{mock_bsre.url}/_admin/outbox", params={"nik": KEPALA_NIK, "kind": "sign-totp"}).json()
    otp = Credential.otp(outbox["messages"][-1]["code"])
    results = await EsignBackend(bsre, nik=KEPALA_NIK).sign_batch(drafts(3, seed=12), otp, OPTIONS)
    assert all(r.ok for r in results), [r.error for r in results]


async def test_v1_one_call_per_document(http: httpx.AsyncClient, mock_bsre: MockService, paths: Paths) -> None:
    requests = drafts(3, seed=13)
    backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, api="v1")
    results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    assert all(r.ok for r in results), [r.error for r in results]
    for request, result in zip(requests, results, strict=True):
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)
    assert paths.paths.count("/api/sign/pdf") == 3


@pytest.mark.parametrize(("api", "calls"), [("v2", 1), ("v1", 1)])
async def test_wrong_passphrase_fails_batch_cleanly(
    http: httpx.AsyncClient, mock_bsre: MockService, paths: Paths, api: str, calls: int
) -> None:
    backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, api=api)  # type: ignore[arg-type]
    results = await backend.sign_batch(drafts(3), Credential.passphrase("salah"), OPTIONS)
    assert all(isinstance(r.error, WrongPassphraseError) and r.signed_pdf is None for r in results)
    assert len(paths.paths) == calls  # v1 stops after the first refusal: no lockout by repetition


async def self_signed_copy(pdf: bytes) -> bytes:
    """``pdf`` + a signature by a self-signed key: intact, but not trusted."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Bukan BSrE")])
    now = datetime.now(UTC)
    cert = (
        cx509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    signer = _simple_signer(key, cert)
    meta = signers.PdfSignatureMetadata(field_name="Palsu")
    out = await signers.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    return out.getvalue()


def _simple_signer(key: rsa.RSAPrivateKey, cert: cx509.Certificate) -> signers.SimpleSigner:
    from asn1crypto import keys, x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der_key = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    asn1_cert = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return signers.SimpleSigner(
        signing_cert=asn1_cert, signing_key=keys.PrivateKeyInfo.load(der_key), cert_registry=SimpleCertificateStore()
    )


async def test_bad_returned_documents_rejected_alone(mock_bsre: MockService) -> None:
    requests = drafts(4, seed=14)

    async def edit(files: list[bytes]) -> list[bytes]:
        rewritten = files[1][:9] + bytes([files[1][9] ^ 0x01]) + files[1][10:]  # first revision changed
        untrusted = await self_signed_copy(requests[2].pdf)  # our bytes + a signature BSrE did not make
        appended = files[3] + b"\n% ditambahkan setelah tanda tangan\n"
        return [files[0], rewritten, untrusted, appended]

    async with httpx.AsyncClient(transport=Tamper(edit), timeout=60) as http:
        backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK)
        results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), OPTIONS)
    assert results[0].ok
    assert results[0].signed_pdf is not None
    await assert_valid(results[0].signed_pdf, requests[0].pdf)
    for result, why in zip(results[1:], ["ditulis ulang", "akar tepercaya", "seluruh berkas"], strict=True):
        assert isinstance(result.error, SignedDocumentRejectedError)
        assert result.signed_pdf is None
        assert why in result.error.message


async def test_document_without_tte_field_fails_alone(http: httpx.AsyncClient, mock_bsre: MockService) -> None:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.drawString(72, 700, "Surat tanpa kolom TTE")
    c.showPage()
    c.save()
    requests = [*drafts(2, seed=15), SignRequest("surat", buf.getvalue(), tte=TTE)]
    results = await EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK).sign_batch(
        requests, Credential.passphrase(PASSPHRASE), OPTIONS
    )
    assert results[0].ok
    assert results[1].ok
    assert isinstance(results[2].error, SigningError)
    assert results[2].error.code == "KOLOM_TTE_TIDAK_ADA"


async def test_misconfiguration(http: httpx.AsyncClient, mock_bsre: MockService, paths: Paths) -> None:
    backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK)
    no_roots = await backend.sign_batch(drafts(1), Credential.passphrase(PASSPHRASE), SigningOptions())
    no_credential = await backend.sign_batch(drafts(1), None, OPTIONS)
    assert no_roots[0].error is not None
    assert no_roots[0].error.code == "AKAR_TEPERCAYA_TIDAK_DIATUR"
    assert no_credential[0].error is not None
    assert no_credential[0].error.code == "KREDENSIAL_KOSONG"
    assert paths.paths == []
    with pytest.raises(ValueError):
        EsignBackend(client(http, mock_bsre), email="a@b.example", api="v1")


def test_tte_png_has_the_box_proportions() -> None:
    png = render_tte_png(TTE, 230, 62)
    image = Image.open(io.BytesIO(png))
    assert image.size == (920, 248)
    assert image.convert("L").getextrema()[0] == 0  # something black was drawn


@pytest.mark.parametrize("level", [PadesLevel.B_LT, PadesLevel.B_LTA], ids=str)
async def test_esign_documents_are_brought_to_the_level_asked(
    level: PadesLevel, http: httpx.AsyncClient, mock_bsre_aia: MockService
) -> None:
    """BSrE signs at B-T; the gateway adds the validation info (and a document timestamp) on top."""
    from pades_check import assert_level

    options = SigningOptions(level=level, trust_roots=(root_der(),), timestamp_url=f"{mock_bsre_aia.url}/pki/tsa")
    backend = EsignBackend(client(http, mock_bsre_aia), nik=KEPALA_NIK, api="v2")
    requests = drafts(2)
    results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), options)
    for request, result in zip(requests, results, strict=True):
        assert result.ok, result.error
        assert result.signed_pdf is not None
        assert result.signed_pdf.startswith(request.pdf)
        await anyio.to_thread.run_sync(assert_level, result.signed_pdf, level)


async def test_esign_b_lt_without_fetching_is_refused_per_document(
    http: httpx.AsyncClient, mock_bsre: MockService
) -> None:
    options = SigningOptions(level=PadesLevel.B_LT, trust_roots=(root_der(),), allow_fetching=False)
    backend = EsignBackend(client(http, mock_bsre), nik=KEPALA_NIK, api="v2")
    results = await backend.sign_batch(drafts(2), Credential.passphrase(PASSPHRASE), options)
    assert [r.error.code if r.error else None for r in results] == ["INFO_VALIDASI_GAGAL"] * 2
    assert all(r.signed_pdf is None for r in results)


@pytest.mark.parametrize("level", [PadesLevel.B_LT, PadesLevel.B_LTA], ids=str)
async def test_esign_level_upgrade_during_a_pki_outage_is_temporary(
    level: PadesLevel, http: httpx.AsyncClient, mock_bsre_aia: MockService, mock_bsre_aia_faults: Any
) -> None:
    """BSrE signed, but its OCSP/CRL do not answer: "coba lagi" (tried a few times first), not a rejection."""
    options = SigningOptions(level=level, trust_roots=(root_der(),), timestamp_url=f"{mock_bsre_aia.url}/pki/tsa")
    backend = EsignBackend(client(http, mock_bsre_aia), nik=KEPALA_NIK, api="v2")
    mock_bsre_aia_faults.configure(FaultConfig(http_5xx_rate=1.0, paths=["/pki/ocsp", "/pki/crl/"]))
    results = await backend.sign_batch(drafts(1), Credential.passphrase(PASSPHRASE), options)
    (result,) = results
    assert isinstance(result.error, ServiceUnavailableError), result.error
    assert result.error.code == "OCSP_CRL_TIDAK_TERSEDIA"
    mock_bsre_aia_faults.configure(FaultConfig())
    (again,) = await backend.sign_batch(drafts(1), Credential.passphrase(PASSPHRASE), options)
    assert again.ok, again.error


async def test_esign_b_lt_with_the_pki_answering_in_two_seconds(
    http: httpx.AsyncClient, mock_bsre_aia: MockService, mock_bsre_aia_faults: Any
) -> None:
    """Slow OCSP/CRL answers are evidence all the same: BSrE's signature is accepted, not "untrusted"."""
    from pades_check import assert_level

    options = SigningOptions(
        level=PadesLevel.B_LT, trust_roots=(root_der(),), timestamp_url=f"{mock_bsre_aia.url}/pki/tsa"
    )
    backend = EsignBackend(client(http, mock_bsre_aia), nik=KEPALA_NIK, api="v2")
    mock_bsre_aia_faults.configure(FaultConfig(latency_ms=2000, paths=["/pki/ocsp", "/pki/crl/", "/pki/tsa"]))
    (result,) = await backend.sign_batch(drafts(1), Credential.passphrase(PASSPHRASE), options)
    mock_bsre_aia_faults.configure(FaultConfig())
    assert result.ok, result.error
    assert result.signed_pdf is not None
    await anyio.to_thread.run_sync(assert_level, result.signed_pdf, PadesLevel.B_LT)
