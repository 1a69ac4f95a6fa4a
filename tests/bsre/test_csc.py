"""CscClient against mock BSrE's CSC v2 hash-signing interface."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from asn1crypto import x509
from bsre_client_kit import KEPALA_NIK, Recorder, latest_code
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import load_der_x509_certificate

from mock_common.pytest_plugin import MockService
from siakgate.bsre import OTP_INVALID_CODE, BsreClient, CscClient, RetryPolicy
from siakgate.errors import BsreAuthError, BsreRequestError, CertificateStatusError, WrongPassphraseError
from siakgate.signing.api import Credential

pytestmark = pytest.mark.anyio


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
    with pytest.raises(BsreRequestError) as spent:  # the SAD covered exactly 3 hashes
        await csc.sign_hash("kepala-dinas", sad, digests[:1])
    assert spent.value.remote_code == "invalid_request"


async def test_hash_not_authorised(csc: CscClient, passphrase: Credential) -> None:
    sad = await csc.authorize("kepala-dinas", [hashlib.sha256(b"a").digest()], passphrase)
    with pytest.raises(BsreRequestError):
        await csc.sign_hash("kepala-dinas", sad, [hashlib.sha256(b"b").digest()])


async def test_wrong_pin(csc: CscClient, recorder: Recorder) -> None:
    with pytest.raises(WrongPassphraseError) as caught:
        await csc.authorize("kepala-dinas", [hashlib.sha256(b"a").digest()], Credential.passphrase("salah"))
    assert caught.value.remote_code == "invalid_pin"
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
