"""Remote hash signing in the shape of the Cloud Signature Consortium API v2 (2.0.0.2), under ``/csc/v2``.

The calling application logs in with its HTTP Basic credentials (``auth/login`` gives a Bearer
token; Basic is also accepted directly). A credential is a signer's key (credential id = certificate
name); ``credentials/authorize`` takes the signer's passphrase as ``PIN``, or a v2 TOTP as ``OTP``,
and returns a SAD valid for exactly ``numSignatures`` hashes (and only the listed ``hashes``, when
listed), for ``sad_ttl_seconds``.

Field names: the standard's v2 names (``hashes``, ``hashAlgorithmOID``). By default the CSC v1 names
``hash`` and ``hashAlgo`` are accepted too, because pyHanko's ``CSCSigner`` sends them to ``/csc/v2``;
with ``BsreMockConfig.csc_strict`` they are not read, and a request that carries only a v1 name is
refused with ``invalid_request`` naming the missing v2 parameter, so integrators can test against the
standard.

Errors are the standard's ``{"error", "error_description"}`` with its texts (HTTP 400 unless said):
a wrong PIN is ``invalid_pin`` "The PIN is invalid", a wrong OTP ``invalid_otp`` "The OTP is
invalid", an expired SAD ``invalid_request`` "SAD expired", an unknown SAD, or one whose
``numSignatures`` are all spent (the service invalidates it), ``invalid_request`` "Invalid parameter
SAD". See ``mock_bsre/API.md``.
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
    RSA_PKCS1: None,  # the hash is named by hashAlgorithmOID
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


def _strict(service: BsreService) -> bool:
    return service.config.csc_strict


def _hash_list(body: dict[str, Any], strict: bool) -> list[str] | None:
    """``hashes`` (v2), or ``hash`` (v1) unless strict; None when neither is given."""
    values = body.get("hashes")
    if values is None and "hash" in body:
        if strict:
            raise CscError(400, "invalid_request", "Missing (or invalid type) array parameter hashes")
        values = body["hash"]
    if values is None:
        return None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CscError(400, "invalid_request", "Missing (or invalid type) array parameter hashes")
    return values


def _hash_oid(body: dict[str, Any], strict: bool) -> str | None:
    """``hashAlgorithmOID`` (v2), or ``hashAlgo`` (v1) unless strict; None when neither is given."""
    oid = body.get("hashAlgorithmOID")
    if oid is None and "hashAlgo" in body:
        if strict:
            raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter hashAlgorithmOID")
        oid = body["hashAlgo"]
    if oid is None:
        return None
    if not isinstance(oid, str):
        raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter hashAlgorithmOID")
    if oid not in HASHES:
        raise CscError(400, "invalid_request", "Invalid parameter hashAlgorithmOID")
    return oid


def _digests(hash_list: list[str], algorithm: hashes.HashAlgorithm | None) -> list[bytes]:
    try:
        digests = [base64.b64decode(h, validate=True) for h in hash_list]
    except (binascii.Error, ValueError) as exc:
        raise CscError(400, "invalid_request", "Invalid Base64 hash string parameter") from exc
    if algorithm is not None and any(len(d) != algorithm.digest_size for d in digests):
        raise CscError(400, "invalid_request", "Invalid digest value length")
    return digests


def _secret(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise CscError(400, "invalid_request", f"Invalid parameter {name}")
    return value


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
    strict = _strict(service)
    user = _credential(service, body)
    num = body.get("numSignatures")
    if not isinstance(num, int) or isinstance(num, bool):
        raise CscError(400, "invalid_request", "Missing (or invalid type) integer parameter numSignatures")
    if num < 1:
        raise CscError(400, "invalid_request", "Invalid value for parameter numSignatures")
    if num > service.config.csc_multisign:
        raise CscError(400, "invalid_request", "Numbers of signatures is too high")
    hash_list = _hash_list(body, strict)
    hash_oid = _hash_oid(body, strict)
    if hash_list is not None:
        if strict and hash_oid is None:  # v2: hashAlgorithmOID is required when hashes are listed
            raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter hashAlgorithmOID")
        _digests(hash_list, HASHES[hash_oid] if hash_oid else None)
        if len(hash_list) != num:
            raise CscError(400, "invalid_request", "Number of hashes does not match numSignatures")
    if user.status != "ISSUE":
        raise CscError(400, "invalid_request", "The signing key is disabled")
    pin, otp = _secret(body, "PIN"), _secret(body, "OTP")
    if otp is not None:
        try:
            service.otps.consume(f"nik:{user.nik}", otp, num)
        except Refused as exc:
            raise CscError(400, "invalid_otp", "The OTP is invalid") from exc
    elif pin is None:
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
    strict = _strict(service)
    user = _credential(service, body)
    assert user.certificate is not None
    sad_value = body.get("SAD")
    if not isinstance(sad_value, str) or not sad_value:
        raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter SAD")
    hash_list = _hash_list(body, strict)
    if hash_list is None:
        raise CscError(400, "invalid_request", "Missing (or invalid type) array parameter hashes")
    if not hash_list:
        raise CscError(400, "invalid_request", "Empty hash array")
    sign_algo = body.get("signAlgo")
    if not isinstance(sign_algo, str) or not sign_algo:
        raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter signAlgo")
    if sign_algo not in SIGN_ALGOS:
        raise CscError(400, "invalid_request", "Invalid parameter signAlgo")
    # A signAlgo such as sha256WithRSAEncryption names its hash: hashAlgorithmOID is then ignored.
    hash_oid = SIGN_ALGOS[sign_algo] or _hash_oid(body, strict)
    if hash_oid is None:
        raise CscError(400, "invalid_request", "Missing (or invalid type) string parameter hashAlgorithmOID")
    algorithm = HASHES[hash_oid]
    digests = _digests(hash_list, algorithm)
    _spend_sad(service, sad_value, user.certificate, hash_list)
    key = service.pki.crypto_private_key(user.certificate)  # parsed once, as an HSM holds it
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CscError(400, "invalid_request", "Key algorithm not supported")
    signatures = [key.sign(d, padding.PKCS1v15(), Prehashed(algorithm)) for d in digests]
    return JSONResponse({"signatures": [base64.b64encode(s).decode("ascii") for s in signatures]})


def _spend_sad(service: BsreService, sad_value: str, credential_id: str, hash_list: list[str]) -> None:
    """Spend ``len(hash_list)`` of the SAD's signatures; a spent SAD is invalidated, as the standard asks."""
    sessions = service.csc
    with sessions.lock:
        sad = sessions.sads.get(sad_value)
        if sad is None or sad.credential_id != credential_id:  # unknown, or every signature already made
            raise CscError(400, "invalid_request", "Invalid parameter SAD")
        if sad.expires_at <= sessions.clock():
            del sessions.sads[sad_value]
            raise CscError(400, "invalid_request", "SAD expired")
        # More hashes than the SAD has signatures left: the extra ones are not authorised by it (chosen text).
        if len(hash_list) > sad.remaining or (sad.hashes is not None and not set(hash_list) <= sad.hashes):
            raise CscError(400, "invalid_request", "Hash is not authorized by the SAD")
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
