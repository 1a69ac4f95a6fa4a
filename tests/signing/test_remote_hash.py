"""Remote hash signing through mock BSrE's CSC API: N draft KKs, ONE authorisation, only hashes sent."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from asn1crypto import pem
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_common.pytest_plugin import MockService, serving
from mock_siak.draft_pdf import render_draft_kk
from mock_siak.population import generate_population
from siakgate.bsre import BsreClient, CscClient, RetryPolicy
from siakgate.errors import CertificateStatusError, SigningError, TransientError, WrongPassphraseError
from siakgate.signing.api import Credential, PadesLevel, SigningOptions, SignRequest, TteBlock
from siakgate.signing.remote_hash import CscRawSigner, RemoteHashBackend

pytestmark = pytest.mark.anyio

CERTS = Path(__file__).resolve().parents[2] / "certs"
KEPALA_NIK = "3508011205720001"
PASSPHRASE = "kepala-dinas-uji-123"
FAST = RetryPolicy(attempts=2, initial_wait=0.01, max_wait=0.01, jitter=0)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def families(n: int, seed: int = 3) -> list[dict[str, Any]]:
    return list(generate_population(seed, n))


def draft(family: dict[str, Any], i: int) -> bytes:
    return render_draft_kk(
        family,
        no_permohonan=f"PMH-UJI-{i:04d}",
        issued_on=date(2025, 1, 2),
        kepala_dinas_name="Drs. Bambang Setiawan, M.Si.",
        kepala_dinas_nip="197205121998031001",
        kab_name="KABUPATEN LUMAJANG",
        draft=False,
    )


def requests_for(fams: list[dict[str, Any]]) -> list[SignRequest]:
    return [
        SignRequest(
            document_id=f"kk-{i}",
            pdf=draft(family, i),
            tte=TteBlock(
                f"https://gateway.example/verifikasi/kk-{i}", "Drs. Bambang Setiawan, M.Si.", "197205121998031001"
            ),
        )
        for i, family in enumerate(fams)
    ]


def root_der() -> bytes:
    data = (CERTS / "root-ca.crt").read_bytes()
    return pem.unarmor(data)[2] if pem.detect(data) else data


async def assert_valid(signed: bytes, original: bytes) -> None:
    assert signed.startswith(original)
    reader = PdfFileReader(io.BytesIO(signed))
    sig = reader.embedded_regular_signatures[-1]
    vc = ValidationContext(
        trust_roots=[load_cert_from_pemder(str(CERTS / "root-ca.crt"))],
        allow_fetching=False,  # no other_certs: the CMS must carry the issuing CA itself
    )
    status = await async_validate_pdf_signature(sig, signer_validation_context=vc)
    assert status.bottom_line, status.pretty_print_details()
    assert status.signing_cert.subject.native["common_name"] == "Drs. Bambang Setiawan, M.Si."
    assert sig.field_name == "TTE"


class Bodies:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def __call__(self, request: httpx.Request) -> None:
        await request.aread()
        self.sent.append((request.url.path, request.content))

    def count(self, suffix: str) -> int:
        return sum(1 for path, _ in self.sent if path.endswith(suffix))


@pytest.fixture
def bodies() -> Bodies:
    return Bodies()


@pytest.fixture
async def http(bodies: Bodies) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [bodies]}) as client:
        yield client


def csc_for(http: httpx.AsyncClient, mock: MockService) -> CscClient:
    return CscClient(http, mock.url, mock.username, mock.password, retry=FAST)


async def test_batch_b_lt_one_authorisation_only_hashes(
    http: httpx.AsyncClient, mock_bsre_aia: MockService, bodies: Bodies
) -> None:
    fams = families(3)
    requests = requests_for(fams)
    backend = RemoteHashBackend(csc_for(http, mock_bsre_aia), "kepala-dinas")
    options = SigningOptions(
        level=PadesLevel.B_LT, timestamp_url=f"{mock_bsre_aia.url}/pki/tsa", trust_roots=(root_der(),)
    )
    results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), options)
    assert [r.document_id for r in results] == ["kk-0", "kk-1", "kk-2"]
    assert all(r.ok for r in results), [r.error for r in results]
    for request, result in zip(requests, results, strict=True):
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)
        assert b"/DSS" in result.signed_pdf[len(request.pdf) :]  # B-LT validation data added
    assert bodies.count("/credentials/authorize") == 1
    assert bodies.count("/signatures/signHash") == 1
    # Only hashes left the gateway: no PDF bytes, no NIK and no name of any family member.
    bsre_bodies = [body for path, body in bodies.sent if path.startswith(("/csc/", "/api/"))]
    secrets = [m["NIK"] for f in fams for m in f["ANGGOTA"]] + [m["NAMA_LGKP"] for f in fams for m in f["ANGGOTA"]]
    for body in bsre_bodies:
        for request in requests:
            assert request.pdf[:64] not in body
            assert base64.b64encode(request.pdf[:48]) not in body
        for value in secrets:
            assert str(value).encode() not in body


async def test_wrong_passphrase_fails_whole_batch_cleanly(
    http: httpx.AsyncClient, mock_bsre: MockService, bodies: Bodies
) -> None:
    requests = requests_for(families(3, seed=5))
    backend = RemoteHashBackend(csc_for(http, mock_bsre), "kepala-dinas")
    results = await backend.sign_batch(requests, Credential.passphrase("salah"), SigningOptions(level=PadesLevel.B_B))
    assert len(results) == 3
    for result in results:
        assert not result.ok
        assert result.signed_pdf is None
        assert isinstance(result.error, WrongPassphraseError)
        assert result.error.code == "PASSPHRASE_SALAH"
        assert result.error.message.startswith("Passphrase penandatangan salah")  # words, not the CSC text
        assert "No signing results available" not in str(result.error)
    assert bodies.count("/credentials/authorize") == 1
    assert bodies.count("/signatures/signHash") == 0


@pytest.fixture(scope="module")
def instant_expiry_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    """mock BSrE whose SADs expire as soon as they are issued (``sad_ttl_seconds=0``)."""
    config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("remote_hash_sad_ttl_0"), sad_ttl_seconds=0)
    with serving(create_app(config), config.clients) as service:
        yield service


async def test_expired_sad_reaches_every_document_in_words(
    http: httpx.AsyncClient, instant_expiry_bsre: MockService, bodies: Bodies
) -> None:
    requests = requests_for(families(2, seed=11))
    backend = RemoteHashBackend(csc_for(http, instant_expiry_bsre), "kepala-dinas")
    results = await backend.sign_batch(
        requests, Credential.passphrase(PASSPHRASE), SigningOptions(level=PadesLevel.B_B)
    )
    assert [r.document_id for r in results] == ["kk-0", "kk-1"]
    for result in results:
        assert result.signed_pdf is None
        assert isinstance(result.error, TransientError)  # sign the batch again: nothing is wrong with the signer
        assert result.error.code == "OTORISASI_KEDALUWARSA"
        assert result.error.message.startswith("Otorisasi tanda tangan dari BSrE (SAD) sudah kedaluwarsa")
        assert "tanda tangani batch ini sekali lagi" in result.error.message
    assert bodies.count("/signatures/signHash") == 1


async def test_signs_against_a_strict_csc_mock(http: httpx.AsyncClient, tmp_path: Path) -> None:
    """The backend's requests carry only CSC v2 names: a ``csc_strict`` mock signs them."""
    config = BsreMockConfig(state_dir=tmp_path, csc_strict=True)
    with serving(create_app(config), config.clients) as strict:
        requests = requests_for(families(2, seed=13))
        backend = RemoteHashBackend(csc_for(http, strict), "kepala-dinas")
        options = SigningOptions(level=PadesLevel.B_B)
        results = await backend.sign_batch(requests, Credential.passphrase(PASSPHRASE), options)
    assert all(r.ok for r in results), [r.error for r in results]
    for request, result in zip(requests, results, strict=True):
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)


async def test_otp_signs_batch(http: httpx.AsyncClient, mock_bsre: MockService) -> None:
    bsre = BsreClient(http, mock_bsre.url, mock_bsre.username, mock_bsre.password, retry=FAST)
    await bsre.request_totp(nik=KEPALA_NIK, count=3)
    outbox = httpx.get(f"{mock_bsre.url}/_admin/outbox", params={"nik": KEPALA_NIK, "kind": "sign-totp"}).json()
    otp = Credential.otp(outbox["messages"][-1]["code"])
    requests = requests_for(families(3, seed=7))
    options = SigningOptions(level=PadesLevel.B_T, timestamp_url=f"{mock_bsre.url}/pki/tsa")
    results = await RemoteHashBackend(csc_for(http, mock_bsre), "kepala-dinas").sign_batch(requests, otp, options)
    assert all(r.ok for r in results), [r.error for r in results]
    for request, result in zip(requests, results, strict=True):
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)


async def test_revoked_credential_refused_before_the_passphrase_is_sent(
    http: httpx.AsyncClient, mock_bsre: MockService, bodies: Bodies
) -> None:
    backend = RemoteHashBackend(csc_for(http, mock_bsre), "signer-revoked")
    results = await backend.sign_batch(
        requests_for(families(1)), Credential.passphrase("revoked-uji-000"), SigningOptions(level=PadesLevel.B_B)
    )
    assert isinstance(results[0].error, CertificateStatusError)
    assert results[0].error.status == "REVOKE"
    assert bodies.count("/credentials/authorize") == 0


async def test_no_credential(http: httpx.AsyncClient, mock_bsre: MockService, bodies: Bodies) -> None:
    backend = RemoteHashBackend(csc_for(http, mock_bsre), "kepala-dinas")
    results = await backend.sign_batch(requests_for(families(1)), None, SigningOptions(level=PadesLevel.B_B))
    assert isinstance(results[0].error, SigningError)
    assert bodies.sent == []


async def test_multisign_limit_chunks_the_authorisation(
    http: httpx.AsyncClient, mock_bsre: MockService, bodies: Bodies
) -> None:
    csc = csc_for(http, mock_bsre)
    info = dataclasses.replace(await csc.credential_info("kepala-dinas"), multisign=2)
    signer = CscRawSigner(csc, info, Credential.passphrase(PASSPHRASE))
    blobs = [f"signed attributes {i}".encode() for i in range(5)]
    signatures = await signer.sign_raw_batch(blobs, "sha256")
    assert len(signatures) == 5
    assert bodies.count("/credentials/authorize") == 3
    assert bodies.count("/signatures/signHash") == 3
    assert signer.chain
    assert all(c.self_signed == "no" for c in signer.chain)
    digest_sent = base64.b64encode(hashlib.sha256(blobs[0]).digest())
    assert any(digest_sent in body for _, body in bodies.sent)


@pytest.mark.parametrize("level", list(PadesLevel), ids=str)
async def test_remote_hash_reaches_every_level(
    level: PadesLevel, http: httpx.AsyncClient, mock_bsre_aia: MockService
) -> None:
    """pyHanko's AdES validation accepts remote-hash signatures at the level they declare."""
    import anyio
    from pades_check import assert_level

    backend = RemoteHashBackend(csc_for(http, mock_bsre_aia), "kepala-dinas")
    options = SigningOptions(level=level, timestamp_url=f"{mock_bsre_aia.url}/pki/tsa", trust_roots=(root_der(),))
    (result,) = await backend.sign_batch(requests_for(families(1)), Credential.passphrase(PASSPHRASE), options)
    assert result.ok, result.error
    assert result.signed_pdf is not None
    await anyio.to_thread.run_sync(assert_level, result.signed_pdf, level)
