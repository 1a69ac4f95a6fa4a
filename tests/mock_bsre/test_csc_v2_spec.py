"""mock BSrE's CSC API against a client written from the Cloud Signature Consortium API v2 (2.0.0.2).

The client below is the specification's flow, with httpx and nothing of the gateway or of pyHanko:
``auth/login`` (HTTP Basic → Bearer), ``credentials/list``, ``credentials/info``, ``credentials/authorize``
(``numSignatures``, ``hashes``, ``hashAlgorithmOID``, ``PIN`` or ``OTP``) and ``signatures/signHash``
(``hashes``, ``hashAlgorithmOID``, ``signAlgo``). It runs against a mock in its default mode and one with
``csc_strict``; strict mode refuses the CSC v1 names (``hash``, ``hashAlgo``) that the default accepts for
pyHanko. Refusals are checked against the standard's error tables: HTTP status, ``error`` and
``error_description``. Time is the mock's clock seam (``CscSessions.clock``), advanced, never slept.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from bsre_testkit import KEPALA
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_bsre.service import BsreService
from mock_common.pytest_plugin import MockService, serving

SHA256 = "2.16.840.1.101.3.4.2.1"
SHA384 = "2.16.840.1.101.3.4.2.2"
RSA = "1.2.840.113549.1.1.1"  # rsaEncryption: the hash is named by hashAlgorithmOID
SHA256_RSA = "1.2.840.113549.1.1.11"  # sha256WithRSAEncryption: names its hash itself
CREDENTIAL = "kepala-dinas"
SAD_TTL = 300


class Clock:
    """The mock's CSC clock, moved forward by the test instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


@dataclass
class Mock:
    service: MockService
    state: BsreService
    clock: Clock


@pytest.fixture(scope="module", params=["default", "strict"])
def mock(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mock]:
    """A mock BSrE of this module's own (its clock is ours to move), default or ``csc_strict``."""
    strict = request.param == "strict"
    config = BsreMockConfig(
        state_dir=tmp_path_factory.mktemp(f"csc_{request.param}"), csc_strict=strict, sad_ttl_seconds=SAD_TTL
    )
    app = create_app(config)
    state: BsreService = app.app.app.state.service  # type: ignore[attr-defined]
    clock = Clock()
    state.csc.clock = clock
    with serving(app, config.clients) as service:
        yield Mock(service, state, clock)


class CscV2Client:
    """The specification's client flow, one method per API method, answers as the service sent them."""

    def __init__(self, mock: MockService) -> None:
        self.base = f"{mock.url}/csc/v2"
        login = httpx.post(f"{self.base}/auth/login", auth=mock.auth, json={})
        assert login.status_code == 200, login.text
        assert login.json()["expires_in"] > 0
        self.http = httpx.Client(
            base_url=self.base, headers={"Authorization": f"Bearer {login.json()['access_token']}"}, timeout=30
        )

    def call(self, method: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"/{method}", json=body)

    def ok(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.call(method, body)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def authorize(self, hashes: list[str], **secret: str) -> dict[str, Any]:
        body = {"credentialID": CREDENTIAL, "numSignatures": len(hashes), "hashes": hashes, "hashAlgorithmOID": SHA256}
        return self.ok("credentials/authorize", {**body, **(secret or {"PIN": KEPALA["passphrase"]})})

    def sign_hash(self, sad: str, hashes: list[str], sign_algo: str = RSA) -> httpx.Response:
        body: dict[str, Any] = {"credentialID": CREDENTIAL, "SAD": sad, "hashes": hashes, "signAlgo": sign_algo}
        if sign_algo == RSA:
            body["hashAlgorithmOID"] = SHA256
        return self.call("signatures/signHash", body)


@pytest.fixture
def client(mock: Mock) -> Iterator[CscV2Client]:
    c = CscV2Client(mock.service)
    yield c
    c.http.close()


def digest_b64(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode("ascii")


def refused(response: httpx.Response, error: str, description: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"error": error, "error_description": description}


@pytest.mark.parametrize("sign_algo", [RSA, SHA256_RSA], ids=["rsaEncryption", "sha256WithRSA"])
def test_spec_client_signs_and_the_signature_verifies(client: CscV2Client, sign_algo: str) -> None:
    ids = client.ok("credentials/list", {"userID": KEPALA["nik"]})["credentialIDs"]
    assert ids == [CREDENTIAL]
    info = client.ok("credentials/info", {"credentialID": CREDENTIAL, "certificates": "chain"})
    assert info["key"]["status"] == "enabled"
    assert sign_algo in info["key"]["algo"]
    assert info["multisign"] >= 2
    leaf = x509.load_der_x509_certificate(base64.b64decode(info["cert"]["certificates"][0]))
    key = leaf.public_key()
    assert isinstance(key, rsa.RSAPublicKey)

    documents = ["dokumen satu", "dokumen dua"]
    listed = [digest_b64(d) for d in documents]
    authorized = client.authorize(listed)
    assert authorized["expiresIn"] == SAD_TTL
    signed = client.sign_hash(authorized["SAD"], listed, sign_algo)
    assert signed.status_code == 200, signed.text
    signatures = [base64.b64decode(s) for s in signed.json()["signatures"]]
    assert len(signatures) == 2
    for document, signature in zip(documents, signatures, strict=True):
        key.verify(signature, document.encode(), padding.PKCS1v15(), hashes.SHA256())  # raises if it does not
        key.verify(
            signature, hashlib.sha256(document.encode()).digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256())
        )


def test_csc_v1_names_accepted_by_default_refused_when_strict(mock: Mock, client: CscV2Client) -> None:
    """pyHanko's ``CSCSigner`` sends ``hash`` and ``hashAlgo``: accepted by default; ``csc_strict`` refuses
    each with ``invalid_request`` naming the missing v2 parameter, and a refused call spends nothing."""
    strict = mock.state.config.csc_strict
    listed = [digest_b64("nama v1")]
    base = {"credentialID": CREDENTIAL, "numSignatures": 1, "PIN": KEPALA["passphrase"]}
    v1_authorize = client.call("credentials/authorize", {**base, "hash": listed})
    hashes_without_oid = client.call("credentials/authorize", {**base, "hashes": listed})
    sad = client.authorize(listed)["SAD"]
    sign = {"credentialID": CREDENTIAL, "SAD": sad, "signAlgo": RSA}
    v1_hash = client.call("signatures/signHash", {**sign, "hash": listed, "hashAlgorithmOID": SHA256})
    if not strict:
        assert v1_authorize.status_code == 200, v1_authorize.text
        assert hashes_without_oid.status_code == 200, hashes_without_oid.text  # SCAL 1: the OID is not needed
        assert len(v1_hash.json()["signatures"]) == 1
        sad = client.authorize(listed)["SAD"]
        body = {"credentialID": CREDENTIAL, "SAD": sad, "hash": listed, "hashAlgo": SHA256, "signAlgo": RSA}
        assert len(client.ok("signatures/signHash", body)["signatures"]) == 1
        return
    refused(v1_authorize, "invalid_request", "Missing (or invalid type) array parameter hashes")
    # v2: hashes are listed with the algorithm that made them
    refused(hashes_without_oid, "invalid_request", "Missing (or invalid type) string parameter hashAlgorithmOID")
    refused(v1_hash, "invalid_request", "Missing (or invalid type) array parameter hashes")
    refused(
        client.call("signatures/signHash", {**sign, "hashes": listed, "hashAlgo": SHA256}),
        "invalid_request",
        "Missing (or invalid type) string parameter hashAlgorithmOID",
    )
    assert client.sign_hash(sad, listed).status_code == 200  # the SAD still signs its hash, with the v2 names


def test_wrong_pin(client: CscV2Client) -> None:
    body = {"credentialID": CREDENTIAL, "numSignatures": 1, "hashes": [digest_b64("x")], "hashAlgorithmOID": SHA256}
    refused(client.call("credentials/authorize", {**body, "PIN": "salah"}), "invalid_pin", "The PIN is invalid")


def test_wrong_otp(client: CscV2Client) -> None:
    body = {"credentialID": CREDENTIAL, "numSignatures": 1, "hashes": [digest_b64("x")], "hashAlgorithmOID": SHA256}
    # seven digits: never one of the mock's six-digit codes
    refused(client.call("credentials/authorize", {**body, "OTP": "0000000"}), "invalid_otp", "The OTP is invalid")


def test_otp_issued_by_the_esign_api_authorizes(mock: Mock, client: CscV2Client) -> None:
    answer = httpx.post(
        f"{mock.service.url}/api/v2/sign/get/totp", auth=mock.service.auth, json={"nik": KEPALA["nik"], "data": 1}
    )
    assert answer.status_code == 200, answer.text
    outbox = httpx.get(f"{mock.service.url}/_admin/outbox", params={"nik": KEPALA["nik"], "kind": "sign-totp"}).json()
    listed = [digest_b64("otp")]
    sad = client.authorize(listed, OTP=outbox["messages"][-1]["code"])["SAD"]
    assert client.sign_hash(sad, listed).status_code == 200


def test_expired_sad(mock: Mock, client: CscV2Client) -> None:
    listed = [digest_b64("kedaluwarsa")]
    sad = client.authorize(listed)["SAD"]
    mock.clock.offset += SAD_TTL + 1
    try:
        refused(client.sign_hash(sad, listed), "invalid_request", "SAD expired")
        refused(client.sign_hash(sad, listed), "invalid_request", "Invalid parameter SAD")  # and gone
    finally:
        mock.clock.offset -= SAD_TTL + 1


def test_exhausted_and_unknown_sad(client: CscV2Client) -> None:
    one, two = digest_b64("satu"), digest_b64("dua")
    sad = client.authorize([one, two])["SAD"]
    assert client.sign_hash(sad, [one]).status_code == 200
    assert client.sign_hash(sad, [two]).status_code == 200
    refused(client.sign_hash(sad, [two]), "invalid_request", "Invalid parameter SAD")  # every signature made
    refused(client.sign_hash("tidak-pernah-diterbitkan", [one]), "invalid_request", "Invalid parameter SAD")


def test_sad_authorizes_only_its_hashes_and_count(client: CscV2Client) -> None:
    one, other = digest_b64("milik SAD"), digest_b64("bukan milik SAD")
    sad = client.authorize([one])["SAD"]
    refused(client.sign_hash(sad, [other]), "invalid_request", "Hash is not authorized by the SAD")
    refused(client.sign_hash(sad, [one, one]), "invalid_request", "Hash is not authorized by the SAD")
    assert client.sign_hash(sad, [one]).status_code == 200


PARAMETER_HASHES = [digest_b64("p")]
AUTHORIZE = {"credentialID": CREDENTIAL, "numSignatures": 1, "hashes": PARAMETER_HASHES, "hashAlgorithmOID": SHA256}


@pytest.mark.parametrize(
    ("change", "description"),
    [
        ({"credentialID": None}, "Missing (or invalid type) string parameter credentialID"),
        ({"credentialID": "tidak-ada"}, "Invalid parameter credentialID"),
        ({"numSignatures": None}, "Missing (or invalid type) integer parameter numSignatures"),
        ({"numSignatures": "1"}, "Missing (or invalid type) integer parameter numSignatures"),
        ({"numSignatures": 0, "hashes": None}, "Invalid value for parameter numSignatures"),
        ({"numSignatures": 11, "hashes": None}, "Numbers of signatures is too high"),
        ({"hashes": "bukan-array"}, "Missing (or invalid type) array parameter hashes"),
        ({"hashes": ["***"]}, "Invalid Base64 hash string parameter"),
        ({"hashes": [base64.b64encode(b"pendek").decode()]}, "Invalid digest value length"),
        ({"hashAlgorithmOID": "1.2.3"}, "Invalid parameter hashAlgorithmOID"),
        ({"PIN": None}, "Missing (or invalid type) string parameter PIN"),
        ({"PIN": 123456}, "Invalid parameter PIN"),
        ({"PIN": None, "OTP": 123456}, "Invalid parameter OTP"),
    ],
)
def test_authorize_parameter_errors(client: CscV2Client, change: dict[str, Any], description: str) -> None:
    body = {"PIN": KEPALA["passphrase"], **AUTHORIZE, **change}
    refused(
        client.call("credentials/authorize", {k: v for k, v in body.items() if v is not None}),
        "invalid_request",
        description,
    )


@pytest.mark.parametrize(
    ("change", "description"),
    [
        ({"SAD": None}, "Missing (or invalid type) string parameter SAD"),
        ({"hashes": None}, "Missing (or invalid type) array parameter hashes"),
        ({"hashes": []}, "Empty hash array"),
        ({"hashes": ["***"]}, "Invalid Base64 hash string parameter"),
        ({"hashes": [base64.b64encode(b"pendek").decode()]}, "Invalid digest value length"),
        ({"signAlgo": None}, "Missing (or invalid type) string parameter signAlgo"),
        ({"signAlgo": "1.2.840.113549.1.1.10"}, "Invalid parameter signAlgo"),  # RSASSA-PSS: not a key algo here
        ({"hashAlgorithmOID": None}, "Missing (or invalid type) string parameter hashAlgorithmOID"),
        ({"hashAlgorithmOID": SHA384}, "Invalid digest value length"),  # a SHA-256 digest is not a SHA-384 one
    ],
)
def test_sign_hash_parameter_errors(client: CscV2Client, change: dict[str, Any], description: str) -> None:
    listed = PARAMETER_HASHES
    sad = client.authorize(listed)["SAD"]
    body = {"credentialID": CREDENTIAL, "SAD": sad, "hashes": listed, "hashAlgorithmOID": SHA256, "signAlgo": RSA}
    body.update(change)
    refused(
        client.call("signatures/signHash", {k: v for k, v in body.items() if v is not None}),
        "invalid_request",
        description,
    )
    assert client.sign_hash(sad, listed).status_code == 200  # a refused call spends nothing
