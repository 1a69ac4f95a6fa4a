"""CSC API v2 of mock BSrE, driven by pyHanko's own CSC client and by hand for the error cases."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from io import BytesIO

import aiohttp
import anyio
import httpx
import pytest
from bsre_testkit import KEPALA, make_pdf, validate
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    fetch_certs_in_csc_credential,
)

from mock_common.pytest_plugin import MockService

SHA256 = "2.16.840.1.101.3.4.2.1"
SHA256_RSA = "1.2.840.113549.1.1.11"


@pytest.fixture(scope="module")
def token(mock_bsre: MockService) -> str:
    r = httpx.post(f"{mock_bsre.url}/csc/v2/auth/login", auth=mock_bsre.auth, json={})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.fixture(scope="module")
def csc(mock_bsre: MockService, token: str) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"{mock_bsre.url}/csc/v2", headers=headers, timeout=30) as c:
        yield c


class PinAuthorizationManager(CSCAuthorizationManager):
    """Authorises each batch with the signer's passphrase as the CSC PIN."""

    def __init__(self, session: aiohttp.ClientSession, pin: str, *args: object) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.session = session
        self.pin = pin

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        req = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s)
        url = self.csc_session_info.endpoint_url("credentials/authorize")
        async with self.session.post(url, headers=self.auth_headers, json=req, raise_for_status=True) as response:
            return self.parse_csc_auth_response(await response.json())


def test_pyhanko_csc_client_signs_valid_pdf(mock_bsre: MockService, token: str) -> None:
    async def run() -> bytes:
        info = CSCServiceSessionInfo(mock_bsre.url, "kepala-dinas", oauth_token=token, api_ver="v2")
        async with aiohttp.ClientSession() as session:
            cred = await fetch_certs_in_csc_credential(session, info)
            assert cred.max_batch_size >= 1
            manager = PinAuthorizationManager(session, KEPALA["passphrase"], info, cred)
            signer = CSCSigner(session, manager)
            meta = signers.PdfSignatureMetadata(
                field_name="Sig1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
            )
            writer = IncrementalPdfFileWriter(BytesIO(make_pdf()))
            out = await signers.PdfSigner(meta, signer).async_sign_pdf(writer)
            return bytes(out.getvalue())

    signed = anyio.run(run)
    (status,) = validate(signed)
    assert status.bottom_line
    assert status.trusted


def test_info_and_list(mock_bsre: MockService, csc: httpx.Client) -> None:
    info = httpx.post(f"{mock_bsre.url}/csc/v2/info", json={}).json()
    assert "signatures/signHash" in info["methods"]
    ids = csc.post("/credentials/list", json={"userID": KEPALA["nik"]}).json()["credentialIDs"]
    assert ids == ["kepala-dinas"]
    every = csc.post("/credentials/list", json={}).json()["credentialIDs"]
    assert "signer-revoked" in every


def test_credentials_info_shape(csc: httpx.Client) -> None:
    body = csc.post("/credentials/info", json={"credentialID": "kepala-dinas", "certificates": "chain"}).json()
    assert len(body["cert"]["certificates"]) >= 2
    assert body["authMode"] == "explicit"
    assert body["PIN"]["presence"] == "true"
    assert body["key"]["status"] == "enabled"
    assert SHA256_RSA in body["key"]["algo"]
    revoked = csc.post("/credentials/info", json={"credentialID": "signer-revoked"}).json()
    assert revoked["cert"]["status"] == "revoked"
    assert revoked["key"]["status"] == "disabled"


def _authorize(csc: httpx.Client, hashes: list[str], pin: str = KEPALA["passphrase"]) -> httpx.Response:
    return csc.post(
        "/credentials/authorize",
        json={
            "credentialID": "kepala-dinas",
            "numSignatures": len(hashes),
            "hashes": hashes,
            "PIN": pin,
        },
    )


def _sign(csc: httpx.Client, sad: str, hashes: list[str]) -> httpx.Response:
    return csc.post(
        "/signatures/signHash",
        json={
            "credentialID": "kepala-dinas",
            "SAD": sad,
            "hashes": hashes,
            "hashAlgorithmOID": SHA256,
            "signAlgo": SHA256_RSA,
        },
    )


def _h(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_sad_is_bound_to_hashes_and_count(csc: httpx.Client) -> None:
    a, b, c = _h(b"a"), _h(b"b"), _h(b"c")
    sad = _authorize(csc, [a, b]).json()["SAD"]
    stranger = _sign(csc, sad, [c])
    assert stranger.status_code == 400
    assert stranger.json() == {
        "error": "invalid_request",
        "error_description": "Hash is not authorized by the SAD",
    }
    assert len(_sign(csc, sad, [a, b]).json()["signatures"]) == 2
    exhausted = _sign(csc, sad, [a])
    assert exhausted.status_code == 400
    assert exhausted.json()["error"] == "invalid_request"


def test_wrong_pin_and_expired_sad(csc: httpx.Client, mock_bsre: MockService) -> None:
    bad = _authorize(csc, [_h(b"x")], pin="salah")
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_pin"
    sad = _authorize(csc, [_h(b"x")]).json()["SAD"]
    sessions = mock_bsre.faults.app.app.state.service.csc  # type: ignore[attr-defined]
    sessions.sads[sad].expires_at = 0
    expired = _sign(csc, sad, [_h(b"x")])
    assert expired.json()["error_description"] == "SAD expired"


def test_signature_verifies_with_the_certificate(csc: httpx.Client) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    digest = _h(b"dokumen")
    sad = _authorize(csc, [digest]).json()["SAD"]
    (sig,) = _sign(csc, sad, [digest]).json()["signatures"]
    info = csc.post("/credentials/info", json={"credentialID": "kepala-dinas"}).json()
    cert = x509.load_der_x509_certificate(base64.b64decode(info["cert"]["certificates"][0]))
    cert.public_key().verify(base64.b64decode(sig), b"dokumen", padding.PKCS1v15(), hashes.SHA256())


def test_csc_needs_a_token(mock_bsre: MockService) -> None:
    r = httpx.post(
        f"{mock_bsre.url}/csc/v2/credentials/list",
        json={},
        headers={"Authorization": "Bearer nope"},
    )
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_token"
    assert httpx.post(f"{mock_bsre.url}/csc/v2/auth/login", auth=("x", "y")).status_code == 401
