"""CSC hash signing in pipelined chunks: order kept, every document signed, one failure fails the batch."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import load_der_x509_certificate
from test_remote_hash import FAST, KEPALA_NIK, PASSPHRASE, assert_valid, families, requests_for

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService
from siakgate.bsre import BsreClient, CscClient
from siakgate.errors import ServiceUnavailableError, WrongPassphraseError
from siakgate.signing.api import Credential, PadesLevel, SigningOptions
from siakgate.signing.engine import sign_batch
from siakgate.signing.remote_hash import CscRawSigner

pytestmark = pytest.mark.anyio


class InFlight(httpx.AsyncBaseTransport):
    """Forwards to the mock and records every CSC call and the most requests ever in flight at once."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.now = 0
        self.most = 0
        self.calls: list[tuple[str, int]] = []  # (path, number of hashes)
        self.alone: list[bool] = []  # per call: nothing else was in flight when it was sent

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(await request.aread() or b"{}")
        self.calls.append((request.url.path, len(body.get("hashes", []))))
        self.alone.append(self.now == 0)
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1

    def count(self, suffix: str) -> int:
        return sum(1 for path, _ in self.calls if path.endswith(suffix))

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def transport() -> InFlight:
    return InFlight()


@pytest.fixture
async def http(transport: InFlight) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=transport, timeout=60) as client:
        yield client


async def signer_for(
    http: httpx.AsyncClient, mock: MockService, credential: Credential, *, multisign: int, concurrency: int
) -> CscRawSigner:
    csc = CscClient(http, mock.url, mock.username, mock.password, retry=FAST)
    info = dataclasses.replace(await csc.credential_info("kepala-dinas"), multisign=multisign)
    return CscRawSigner(csc, info, credential, concurrency=concurrency)


def public_key(signer: CscRawSigner) -> rsa.RSAPublicKey:
    key = load_der_x509_certificate(signer.signing_cert.dump()).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    return key


async def test_chunks_in_flight_keep_the_order(
    http: httpx.AsyncClient, mock_bsre: MockService, mock_bsre_faults: FaultInjector, transport: InFlight
) -> None:
    mock_bsre_faults.configure(FaultConfig(latency_ms=50, paths=["/csc/"]))  # so that chunks overlap
    signer = await signer_for(http, mock_bsre, Credential.passphrase(PASSPHRASE), multisign=2, concurrency=3)
    transport.calls.clear()
    blobs = [f"signed attributes {i}".encode() for i in range(9)]
    signatures = await signer.sign_raw_batch(blobs, "sha256")
    key = public_key(signer)
    assert len(signatures) == 9
    for blob, signature in zip(blobs, signatures, strict=True):  # each signature is its own blob's, in order
        key.verify(signature, hashlib.sha256(blob).digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    assert transport.count("/credentials/authorize") == 5
    assert transport.count("/signatures/signHash") == 5
    assert all(n <= 2 for _, n in transport.calls)  # never more than multisign per call
    assert transport.calls[0][0].endswith("/credentials/authorize")  # the first authorisation went alone
    assert transport.alone[0]
    assert transport.alone[1]  # the rest only started once it was answered
    assert 1 < transport.most <= 3


async def test_pipelined_batch_signs_every_document(
    http: httpx.AsyncClient, mock_bsre: MockService, transport: InFlight
) -> None:
    requests = requests_for(families(5, seed=21))
    signer = await signer_for(http, mock_bsre, Credential.passphrase(PASSPHRASE), multisign=2, concurrency=4)
    results = await sign_batch(requests, signer, SigningOptions(level=PadesLevel.B_B))
    assert [r.document_id for r in results] == [r.document_id for r in requests]
    assert all(r.ok for r in results), [r.error for r in results]
    for request, result in zip(requests, results, strict=True):
        assert result.signed_pdf is not None
        await assert_valid(result.signed_pdf, request.pdf)
    assert transport.count("/signatures/signHash") == 3


async def test_wrong_passphrase_is_sent_once_for_many_chunks(
    http: httpx.AsyncClient, mock_bsre: MockService, transport: InFlight
) -> None:
    signer = await signer_for(http, mock_bsre, Credential.passphrase("salah"), multisign=2, concurrency=4)
    transport.calls.clear()
    with pytest.raises(WrongPassphraseError):
        await signer.sign_raw_batch([f"blob {i}".encode() for i in range(8)], "sha256")
    assert transport.count("/credentials/authorize") == 1
    assert transport.count("/signatures/signHash") == 0


async def test_a_failing_chunk_fails_the_batch_cleanly(
    http: httpx.AsyncClient, mock_bsre: MockService, mock_bsre_faults: FaultInjector, transport: InFlight
) -> None:
    requests = requests_for(families(6, seed=22))
    signer = await signer_for(http, mock_bsre, Credential.passphrase(PASSPHRASE), multisign=2, concurrency=2)
    # The first authorisation and its signHash pass; the next CSC call is refused by BSrE (HTTP 500).
    mock_bsre_faults.configure(FaultConfig(script=["ok", "ok", "fault"], paths=["/csc/"]))
    results = await sign_batch(requests, signer, SigningOptions(level=PadesLevel.B_B))
    assert len(results) == 6
    for result in results:  # the engine's contract: no document signed, every one carries the error
        assert not result.ok
        assert result.signed_pdf is None
        assert isinstance(result.error, ServiceUnavailableError)


async def test_one_otp_spent_chunk_by_chunk_in_flight(
    http: httpx.AsyncClient, mock_bsre: MockService, transport: InFlight
) -> None:
    bsre = BsreClient(http, mock_bsre.url, mock_bsre.username, mock_bsre.password, retry=FAST)
    await bsre.request_totp(nik=KEPALA_NIK, count=7)
    outbox = httpx.get(f"{mock_bsre.url}/_admin/outbox", params={"nik": KEPALA_NIK, "kind": "sign-totp"}).json()
    otp = Credential.otp(outbox["messages"][-1]["code"])
    signer = await signer_for(http, mock_bsre, otp, multisign=2, concurrency=3)
    blobs = [f"kk {i}".encode() for i in range(7)]
    signatures = await signer.sign_raw_batch(blobs, "sha256")
    assert len(signatures) == 7
    with pytest.raises(WrongPassphraseError):  # all 7 uses spent: the OTP is gone
        await signer.sign_raw_batch([b"one more"], "sha256")


async def test_concurrency_must_be_positive(http: httpx.AsyncClient, mock_bsre: MockService) -> None:
    with pytest.raises(ValueError):
        await signer_for(http, mock_bsre, Credential.passphrase(PASSPHRASE), multisign=2, concurrency=0)
