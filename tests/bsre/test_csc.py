"""CscClient against mock BSrE's CSC v2 hash-signing interface (default and ``csc_strict``), and its errors in words."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import httpx
import pytest
from asn1crypto import x509
from bsre_client_kit import KEPALA_NIK, Recorder, latest_code
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import load_der_x509_certificate

from mock_bsre.app import create_app
from mock_bsre.config import BsreMockConfig
from mock_common.pytest_plugin import MockService, serving
from siakgate.bsre import OTP_INVALID_CODE, BsreClient, CscClient, RetryPolicy
from siakgate.bsre._errors import csc_error
from siakgate.errors import (
    BsreAuthError,
    BsreRequestError,
    CertificateStatusError,
    TransientError,
    WrongPassphraseError,
)
from siakgate.signing.api import Credential

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def strict_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    """mock BSrE with ``csc_strict``: CSC v1 names (``hash``, ``hashAlgo``) refused."""
    config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("csc_strict"), csc_strict=True)
    with serving(create_app(config), config.clients) as service:
        yield service


@pytest.fixture(scope="module")
def instant_expiry_bsre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockService]:
    """mock BSrE whose SADs expire as soon as they are issued (``sad_ttl_seconds=0``)."""
    config = BsreMockConfig(state_dir=tmp_path_factory.mktemp("csc_sad_ttl_0"), sad_ttl_seconds=0)
    with serving(create_app(config), config.clients) as service:
        yield service


def client_for(http: httpx.AsyncClient, mock: MockService, policy: RetryPolicy) -> CscClient:
    return CscClient(http, mock.url, mock.username, mock.password, retry=policy)


def indonesian_first(error: Exception, *words: str) -> None:
    """The message starts in Bahasa Indonesia (never with the English CSC text) and says ``words``."""
    text = str(error)
    assert not text.split("] ", 1)[-1].startswith(("The ", "SAD", "Invalid", "invalid_"))
    for word in words:
        assert word in text


def verify(cert_der: bytes, digest: bytes, signature: bytes) -> None:
    key = load_der_x509_certificate(cert_der).public_key()
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))


async def test_login_list_info(csc: CscClient, recorder: Recorder) -> None:
    assert "signatures/signHash" in (await csc.info())["methods"]
    assert await csc.login() > 0
    assert await csc.list_credentials(user_id=KEPALA_NIK) == ["kepala-dinas"]
    assert "kepala-dinas" in await csc.list_credentials()
    info = await csc.credential_info("kepala-dinas")
    assert recorder.requests[-1].headers["authorization"].startswith("Bearer ")
    leaf = x509.Certificate.load(info.certificates[0])
    assert leaf.subject.native["common_name"] == "Drs. Bambang Setiawan, M.Si."
    assert len(info.certificates) >= 2  # leaf + issuing CA (+ root)
    assert info.multisign >= 1
    assert info.key_status == "enabled"
    assert info.cert_status == "valid"


async def test_authorize_and_sign_hashes(csc: CscClient, passphrase: Credential) -> None:
    info = await csc.credential_info("kepala-dinas")
    digests = [hashlib.sha256(f"dokumen {i}".encode()).digest() for i in range(3)]
    sad = await csc.authorize("kepala-dinas", digests, passphrase)
    assert sad.value not in repr(sad)
    signatures = await csc.sign_hash("kepala-dinas", sad, digests)
    for digest, signature in zip(digests, signatures, strict=True):
        verify(info.certificates[0], digest, signature)
    with pytest.raises(TransientError) as spent:  # the SAD covered exactly 3 hashes: BSrE invalidated it
        await csc.sign_hash("kepala-dinas", sad, digests[:1])
    assert spent.value.code == "OTORISASI_TIDAK_BERLAKU"
    indonesian_first(spent.value, "tidak berlaku lagi", "tanda tangani batch ini sekali lagi")


async def test_sends_only_v2_names(csc: CscClient, passphrase: Credential, recorder: Recorder) -> None:
    digests = [hashlib.sha256(b"v2").digest()]
    sad = await csc.authorize("kepala-dinas", digests, passphrase)
    await csc.sign_hash("kepala-dinas", sad, digests)
    authorize, sign = (json.loads(r.content) for r in recorder.requests[-2:])
    assert set(authorize) == {"credentialID", "numSignatures", "hashes", "hashAlgorithmOID", "PIN"}
    assert authorize["hashAlgorithmOID"] == "2.16.840.1.101.3.4.2.1"
    assert set(sign) == {"credentialID", "SAD", "hashes", "hashAlgorithmOID", "signAlgo"}
    assert sign["signAlgo"] == "1.2.840.113549.1.1.1"


async def test_signs_against_a_strict_mock(
    http: httpx.AsyncClient, strict_bsre: MockService, policy: RetryPolicy, passphrase: Credential
) -> None:
    csc = client_for(http, strict_bsre, policy)
    await csc.login()
    info = await csc.credential_info("kepala-dinas")
    digests = [hashlib.sha256(f"ketat {i}".encode()).digest() for i in range(2)]
    sad = await csc.authorize("kepala-dinas", digests, passphrase)
    for digest, signature in zip(digests, await csc.sign_hash("kepala-dinas", sad, digests), strict=True):
        verify(info.certificates[0], digest, signature)


async def test_expired_sad_in_words(
    http: httpx.AsyncClient, instant_expiry_bsre: MockService, policy: RetryPolicy, passphrase: Credential
) -> None:
    csc = client_for(http, instant_expiry_bsre, policy)
    digests = [hashlib.sha256(b"kedaluwarsa").digest()]
    sad = await csc.authorize("kepala-dinas", digests, passphrase)
    assert sad.expires_in == 0
    with pytest.raises(TransientError) as caught:
        await csc.sign_hash("kepala-dinas", sad, digests)
    assert caught.value.code == "OTORISASI_KEDALUWARSA"
    indonesian_first(caught.value, "sudah kedaluwarsa", "tanda tangani batch ini sekali lagi", "SAD expired")


async def test_hash_not_authorised(csc: CscClient, passphrase: Credential) -> None:
    sad = await csc.authorize("kepala-dinas", [hashlib.sha256(b"a").digest()], passphrase)
    with pytest.raises(BsreRequestError):
        await csc.sign_hash("kepala-dinas", sad, [hashlib.sha256(b"b").digest()])


async def test_wrong_pin(csc: CscClient, recorder: Recorder) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        await csc.authorize("kepala-dinas", [hashlib.sha256(b"a").digest()], Credential.passphrase("salah"))
    assert caught.value.remote_code == "invalid_pin"
    assert caught.value.code == "PASSPHRASE_SALAH"
    indonesian_first(caught.value, "Passphrase penandatangan salah", "tidak ada dokumen yang ditandatangani")
    assert len(recorder.requests) == 1


async def test_otp(csc: CscClient, bsre: BsreClient, mock_bsre: MockService) -> None:
    await bsre.request_totp(nik=KEPALA_NIK, count=2)
    otp = Credential.otp(latest_code(mock_bsre, nik=KEPALA_NIK, kind="sign-totp"))
    digests = [hashlib.sha256(b"x").digest(), hashlib.sha256(b"y").digest()]
    sad = await csc.authorize("kepala-dinas", digests, otp)
    assert len(await csc.sign_hash("kepala-dinas", sad, digests)) == 2
    with pytest.raises(WrongPassphraseError) as caught:
        await csc.authorize("kepala-dinas", digests[:1], otp)
    assert caught.value.code == OTP_INVALID_CODE
    assert caught.value.remote_code == "invalid_otp"
    indonesian_first(caught.value, "Kode OTP tidak valid", "Minta kode OTP baru")


async def test_disabled_key_is_certificate_status(csc: CscClient) -> None:
    info = await csc.credential_info("signer-revoked")
    assert info.key_status == "disabled"
    assert info.cert_status == "revoked"
    with pytest.raises(CertificateStatusError):
        await csc.authorize("signer-revoked", [hashlib.sha256(b"a").digest()], Credential.passphrase("revoked-uji-000"))


async def test_unknown_credential_and_too_many(csc: CscClient, passphrase: Credential) -> None:
    with pytest.raises(BsreRequestError):
        await csc.credential_info("tidak-ada")
    info = await csc.credential_info("kepala-dinas")
    too_many = [hashlib.sha256(str(i).encode()).digest() for i in range(info.multisign + 1)]
    with pytest.raises(BsreRequestError):
        await csc.authorize("kepala-dinas", too_many, passphrase)


async def test_wrong_application_credentials(
    http: httpx.AsyncClient, mock_bsre: MockService, policy: RetryPolicy
) -> None:
    client = CscClient(http, mock_bsre.url, mock_bsre.username, "salah", retry=policy)
    with pytest.raises(BsreAuthError):
        await client.login()
    with pytest.raises(BsreAuthError):
        await client.credential_info("kepala-dinas")


def answer(status: int, error: str, description: str) -> httpx.Response:
    return httpx.Response(status, json={"error": error, "error_description": description})


@pytest.mark.parametrize(
    ("error", "description", "kind", "code", "words"),
    [
        (
            "invalid_pin",
            "The PIN is invalid",
            WrongPassphraseError,
            "PASSPHRASE_SALAH",
            "Passphrase penandatangan salah",
        ),
        ("invalid_otp", "The OTP is invalid", WrongPassphraseError, OTP_INVALID_CODE, "Kode OTP tidak valid"),
        (
            "invalid_authentication_data",
            "The authentication data is invalid",
            WrongPassphraseError,
            "PASSPHRASE_SALAH",
            "Passphrase atau kode OTP",
        ),
        ("invalid_request", "PIN locked", WrongPassphraseError, "KREDENSIAL_TERKUNCI", "dikunci BSrE"),
        ("invalid_request", "SAD expired", TransientError, "OTORISASI_KEDALUWARSA", "sudah kedaluwarsa"),
        ("invalid_request", "Invalid parameter SAD", TransientError, "OTORISASI_TIDAK_BERLAKU", "tidak berlaku lagi"),
        ("invalid_request", "Hash is not authorized by the SAD", BsreRequestError, None, "Permintaan ditolak"),
        (
            "invalid_request",
            "Missing (or invalid type) string parameter SAD",
            BsreRequestError,
            None,
            "Permintaan ditolak",
        ),
    ],
)
def test_csc_errors_in_words(error: str, description: str, kind: type[Exception], code: str | None, words: str) -> None:
    """The standard's refusals (CSC API v2.0.0.2 error tables), each to its exception, code and words."""
    translated = csc_error(answer(400, error, description))
    assert type(translated) is kind
    if code is not None:
        assert getattr(translated, "code", None) == code
    indonesian_first(translated, words, description)
