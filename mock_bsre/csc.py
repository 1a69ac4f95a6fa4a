"""Remote hash signing in the shape of the Cloud Signature Consortium API v2, under ``/csc/v2``.

The calling application logs in with its HTTP Basic credentials (``auth/login`` gives a Bearer
token;
Basic is also accepted directly). A credential is a signer's key (credential id = certificate name);
``credentials/authorize`` takes the signer's passphrase as PIN, or a v2 TOTP as OTP, and
returns a SAD
valid for exactly ``numSignatures`` hashes (and only the listed hashes, when listed).
Field names of CSC v1 (``hash``, ``hashAlgo``) are accepted too, because pyHanko's client sends
them.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from mock_bsre.errors import CscError, Refused
from mock_bsre.identities import User
from mock_bsre.keys import cert_der
from mock_bsre.service import BsreService, service_of

HASHES: dict[str, hashes.HashAlgorithm] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256(),
    "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
    "2.16.840.1.101.3.4.2.3": hashes.SHA512(),
}
RSA_PKCS1 = "1.2.840.113549.1.1.1"
SIGN_ALGOS: dict[str, str | None] = {
    RSA_PKCS1: None,  # hash given by hashAlgo
    "1.2.840.113549.1.1.11": "2.16.840.1.101.3.4.2.1",
    "1.2.840.113549.1.1.12": "2.16.840.1.101.3.4.2.2",
    "1.2.840.113549.1.1.13": "2.16.840.1.101.3.4.2.3",
}
CERT_STATUS = {"ISSUE": "valid", "EXPIRED": "expired", "REVOKE": "revoked", "SUSPEND": "suspended"}


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise CscError(400, "invalid_request", "Malformed JSON body") from exc
    if not isinstance(data, dict):
        raise CscError(400, "invalid_request", "The request body must be a JSON object")
    return data


def _authenticate(request: Request) -> None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        if service_of(request).csc.token_ok(header[7:].strip()):
            return
        raise CscError(401, "invalid_token", "The access token is not valid or has expired")
    if request.app.state.basic_ok(header):
        return
    raise CscError(401, "invalid_token", "Authentication is required")


def _credential(service: BsreService, body: dict[str, Any]) -> User:
    cred_id = body.get("credentialID")
    if not isinstance(cred_id, str) or not cred_id:
        raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter credentialID")
    user = next((u for u in service.registry.users if u.certificate == cred_id), None)
    if user is None:
        raise CscError(400, "invalid_request", "Invalid parameter credentialID")
    return user


def _hash_list(body: dict[str, Any]) -> list[str]:
    values = body.get("hashes", body.get("hash"))
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CscError(400, "invalid_request", "Invalid parameter hashes")
    return values


async def info(request: Request) -> Response:
    return JSONResponse(
        {
            "specs": "2.0.0.2",
            "name": "mock BSrE Esign Client Service (CSC)",
            "logo": "",
            "region": "ID",
            "lang": "id-ID",
            "description": "Mock remote signing service for siakgate tests",
            "authType": ["basic"],
            "methods": [
                "auth/login",
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "signatures/signHash",
            ],
            "signAlgorithms": {"algos": list(SIGN_ALGOS)},
        }
    )


async def login(request: Request) -> Response:
    if not request.app.state.basic_ok(request.headers.get("authorization", "")):
        raise CscError(401, "invalid_grant", "The client credentials are not valid")
    service = service_of(request)
    token = service.csc.new_token()
    return JSONResponse({"access_token": token, "expires_in": service.config.csc_token_ttl_seconds})


async def credentials_list(request: Request) -> Response:
    _authenticate(request)
    service = service_of(request)
    body = await _body(request)
    user_id = body.get("userID")
    ids = [u.certificate for u in service.registry.users if u.certificate and (not user_id or u.nik == str(user_id))]
    return JSONResponse({"credentialIDs": ids})


async def credentials_info(request: Request) -> Response:
    _authenticate(request)
    service = service_of(request)
    body = await _body(request)
    user = _credential(service, body)
    assert user.certificate is not None
    mode = body.get("certificates", "single")
    chain = service.pki.chain(user.certificate) if mode == "chain" else []
    leaf = service.pki.certificate(user.certificate)
    certs = [leaf, *[c for c in chain if cert_der(c) != cert_der(leaf)]] if mode != "none" else []
    key = service.pki.crypto_private_key(user.certificate)  # parsed once, as an HSM holds it
    key_len = key.key_size if isinstance(key, rsa.RSAPrivateKey) else 0
    return JSONResponse(
        {
            "description": f"Sertifikat penandatangan {user.certificate}",
            "key": {
                "status": "enabled" if user.status == "ISSUE" else "disabled",
                "algo": list(SIGN_ALGOS),
                "len": key_len,
            },
            "cert": {
                "status": CERT_STATUS.get(user.status, "valid"),
                "certificates": [base64.b64encode(cert_der(c)).decode("ascii") for c in certs],
            },
            "authMode": "explicit",
            "SCAL": "1",
            "PIN": {
                "presence": "true",
                "format": "A",
                "label": "Passphrase",
                "description": "Passphrase BSrE",
            },
            "OTP": {
                "presence": "optional",
                "type": "offline",
                "ID": "bsre-totp",
                "provider": "BSrE",
                "format": "N",
                "label": "TOTP",
                "description": "Kode TOTP dari /api/v2/sign/get/totp",
            },
            "multisign": service.config.csc_multisign,
            "lang": "id-ID",
        }
    )


async def authorize(request: Request) -> Response:
    _authenticate(request)
    service = service_of(request)
    body = await _body(request)
    user = _credential(service, body)
    num = body.get("numSignatures")
    if not isinstance(num, int) or num < 1:
        raise CscError(400, "invalid_request", "Missing (or invalid type) integer parameter numSignatures")
    if num > service.config.csc_multisign:
        raise CscError(400, "invalid_request", "numSignatures is greater than multisign")
    hash_list = _hash_list(body)
    if hash_list and len(hash_list) != num:
        raise CscError(400, "invalid_request", "Number of hashes does not match numSignatures")
    if user.status != "ISSUE":
        raise CscError(400, "invalid_request", "The signing key is disabled")
    pin, otp = body.get("PIN"), body.get("OTP")
    if otp:
        try:
            service.otps.consume(f"nik:{user.nik}", str(otp), num)
        except Refused as exc:
            raise CscError(400, "invalid_otp", "The OTP is invalid") from exc
    elif not isinstance(pin, str) or not pin:
        raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter PIN")
    elif not user.passphrase_ok(pin):
        raise CscError(400, "invalid_pin", "The PIN is invalid")
    assert user.certificate is not None
    sad = service.csc.new_sad(user.certificate, num, hash_list or None)
    return JSONResponse({"SAD": sad, "expiresIn": service.config.sad_ttl_seconds})


async def sign_hash(request: Request) -> Response:
    _authenticate(request)
    service = service_of(request)
    body = await _body(request)
    user = _credential(service, body)
    assert user.certificate is not None
    hash_list = _hash_list(body)
    if not hash_list:
        raise CscError(400, "invalid_request", "Missing (or invalid type) array parameter hashes")
    sign_algo = body.get("signAlgo")
    if sign_algo not in SIGN_ALGOS:
        raise CscError(400, "invalid_request", "Invalid parameter signAlgo")
    hash_oid = SIGN_ALGOS[sign_algo] or body.get("hashAlgorithmOID") or body.get("hashAlgo")
    if hash_oid not in HASHES:
        raise CscError(400, "invalid_request", "Invalid parameter hashAlgorithmOID")
    algorithm = HASHES[str(hash_oid)]
    try:
        digests = [base64.b64decode(h, validate=True) for h in hash_list]
    except (binascii.Error, ValueError) as exc:
        raise CscError(400, "invalid_request", "Invalid Base64 hash string parameter") from exc
    if any(len(d) != algorithm.digest_size for d in digests):
        raise CscError(400, "invalid_request", "Invalid digest value length")
    _spend_sad(service, str(body.get("SAD", "")), user.certificate, hash_list)
    key = service.pki.crypto_private_key(user.certificate)  # parsed once, as an HSM holds it
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CscError(400, "invalid_request", "Key algorithm not supported")
    signatures = [key.sign(d, padding.PKCS1v15(), Prehashed(algorithm)) for d in digests]
    return JSONResponse({"signatures": [base64.b64encode(s).decode("ascii") for s in signatures]})


def _spend_sad(service: BsreService, sad_value: str, credential_id: str, hash_list: list[str]) -> None:
    sessions = service.csc
    with sessions.lock:
        sad = sessions.sads.get(sad_value)
        if sad is None or sad.credential_id != credential_id:
            raise CscError(400, "invalid_request", "Invalid parameter SAD")
        if sad.expires_at <= sessions.clock():
            del sessions.sads[sad_value]
            raise CscError(400, "invalid_request", "SAD expired")
        if sad.hashes is not None and not set(hash_list) <= sad.hashes:
            raise CscError(400, "invalid_request", "Hash is not authorized by the SAD")
        if len(hash_list) > sad.remaining:
            raise CscError(400, "invalid_request", "Number of hashes exceeds the authorized numSignatures")
        sad.remaining -= len(hash_list)
        if sad.hashes is not None:
            sad.hashes -= set(hash_list)
        if sad.remaining == 0:
            del sessions.sads[sad_value]


routes = [
    Route("/csc/v2/info", info, methods=["GET", "POST"]),
    Route("/csc/v2/auth/login", login, methods=["POST"]),
    Route("/csc/v2/credentials/list", credentials_list, methods=["POST"]),
    Route("/csc/v2/credentials/info", credentials_info, methods=["POST"]),
    Route("/csc/v2/credentials/authorize", authorize, methods=["POST"]),
    Route("/csc/v2/signatures/signHash", sign_hash, methods=["POST"]),
]
