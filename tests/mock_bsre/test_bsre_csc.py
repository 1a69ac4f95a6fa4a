"""CSC API v2 of mock BSrE, driven by pyHanko's own CSC client and by hand for the error cases.

pyHanko's ``CSCSigner`` sends CSC v1 field names (``hash``, ``hashAlgo``): the default mock accepts them
(pyHanko signs unchanged), a ``csc_strict`` mock refuses them with the standard's ``invalid_request``.
The standard's own flow, v2 names and error table: ``test_csc_v2_spec.py``.
"""

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
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.csc_signer import (
    CSCAuthorizationInfo,
    CSCAuthorizationManager,
    CSCServiceSessionInfo,
    CSCSigner,
    base64_digest,
    fetch_certs_in_csc_credential,
)

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_common.pytest_plugin import MockService, serving

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


@pytest.fixture(scope="module")
def strict_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    """A mock BSrE started with ``csc_strict`` (``--csc-strict``)."""
    config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("mock_bsre_strict"), csc_strict=True)
    with serving(create_app(config), config.clients) as service:
        yield service


class PinAuthorizationManager(CSCAuthorizationManager):
    """Authorises each batch with the signer's passphrase as the CSC PIN (the batch's hashes listed, unless
    ``pinned`` is False: pyHanko then sends no v1 ``hash`` in ``credentials/authorize``)."""

    def __init__(self, session: aiohttp.ClientSession, pin: str, *args: object, pinned: bool = True) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.session = session
        self.pin = pin
        self.pinned = pinned

    async def authorize_signature(self, hash_b64s: list[str]) -> CSCAuthorizationInfo:
        req = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s if self.pinned else None)
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


@pytest.mark.parametrize("pinned", [True, False], ids=["hash-in-authorize", "hash-in-signHash"])
def test_pyhanko_csc_client_refused_by_strict_mock(strict_bsre: MockService, pinned: bool) -> None:
    """pyHanko's own requests, answered by a strict mock: the v1 ``hash`` is refused where pyHanko sends it
    (``credentials/authorize`` when the SAD is bound to the hashes, else ``signatures/signHash``), and
    pyHanko's signing of a PDF fails."""
    login = httpx.post(f"{strict_bsre.url}/csc/v2/auth/login", auth=strict_bsre.auth, json={})
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    async def run() -> httpx.Response:
        info = CSCServiceSessionInfo(
            strict_bsre.url, "kepala-dinas", oauth_token=headers["Authorization"][7:], api_ver="v2"
        )
        async with aiohttp.ClientSession() as session, httpx.AsyncClient(headers=headers, timeout=30) as http:
            cred = await fetch_certs_in_csc_credential(session, info)
            manager = PinAuthorizationManager(session, KEPALA["passphrase"], info, cred, pinned=pinned)
            signer = CSCSigner(session, manager)
            digest = base64_digest(b"dokumen", "sha256")
            if pinned:
                body = manager.format_csc_auth_request(pin=KEPALA["passphrase"], hash_b64s=[digest])
                answer = await http.post(info.endpoint_url("credentials/authorize"), json=body)
            else:
                body = await signer.format_csc_signing_req([digest], "sha256")
                answer = await http.post(info.endpoint_url("signatures/signHash"), json=body)
            assert "hash" in body
            assert "hashes" not in body
            meta = signers.PdfSignatureMetadata(
                field_name="Sig1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
            )
            with pytest.raises(SigningError):
                await signers.PdfSigner(meta, signer).async_sign_pdf(IncrementalPdfFileWriter(BytesIO(make_pdf())))
            return answer

    answer = anyio.run(run)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": "invalid_request",
        "error_description": "Missing (or invalid type) array parameter hashes",
    }


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
    assert exhausted.json() == {"error": "invalid_request", "error_description": "Invalid parameter SAD"}


def test_wrong_pin_and_expired_sad(csc: httpx.Client, mock_bsre: MockService) -> None:
    bad = _authorize(csc, [_h(b"x")], pin="salah")
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_pin", "error_description": "The PIN is invalid"}
    sad = _authorize(csc, [_h(b"x")]).json()["SAD"]
    sessions = mock_bsre.faults.app.app.state.service.csc  # type: ignore[attr-defined]
    sessions.sads[sad].expires_at = 0
    expired = _sign(csc, sad, [_h(b"x")])
    assert expired.status_code == 400
    assert expired.json() == {"error": "invalid_request", "error_description": "SAD expired"}


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
