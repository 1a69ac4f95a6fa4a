"""``CscClient``: BSrE's hash-signing interface in the Cloud Signature Consortium API v2 shape.

Only digests travel: the PDF and the family's personal data stay in the gateway. The flow is
``credentials/info`` (certificate chain, key, ``multisign`` limit) → ``credentials/authorize``
(``hashes`` + ``hashAlgorithmOID`` and the signer's passphrase as ``PIN``, or a v2 OTP as ``OTP`` → a SAD)
→ ``signatures/signHash`` (``hashes``, ``hashAlgorithmOID``, ``signAlgo``). Only the standard's v2 field
names are sent, so the client also works against a CSC service (or mock BSrE's ``--csc-strict``) that
refuses CSC v1's ``hash``/``hashAlgo``.

A refusal becomes an exception in words (:func:`siakgate.bsre._errors.csc_error`): a wrong PIN or OTP
is a :class:`~siakgate.errors.WrongPassphraseError`; an expired or spent SAD a
:class:`~siakgate.errors.TransientError` (the batch can simply be signed again).

Retries: ``authorize`` with an OTP and every ``signHash`` (it spends the SAD) are single-use, so
they are not re-sent once they may have reached BSrE; a PIN ``authorize`` may be (a spare SAD
expires unused).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from siakgate.bsre._base import BaseApi
from siakgate.bsre._errors import csc_error
from siakgate.bsre._http import RetryPolicy
from siakgate.bsre.models import CscCredentialInfo
from siakgate.errors import BsreRequestError, MalformedResponseError
from siakgate.signing.api import Credential

__all__ = ["HASH_OIDS", "SIGN_ALGO_OIDS", "CscClient", "Sad"]

HASH_OIDS = {
    "sha256": "2.16.840.1.101.3.4.2.1",
    "sha384": "2.16.840.1.101.3.4.2.2",
    "sha512": "2.16.840.1.101.3.4.2.3",
}
SIGN_ALGO_OIDS = {
    "rsa": "1.2.840.113549.1.1.1",  # rsaEncryption: PKCS#1 v1.5 over the hash named by hashAlgorithmOID
    "ecdsa-sha256": "1.2.840.10045.4.3.2",
    "ecdsa-sha384": "1.2.840.10045.4.3.3",
    "ecdsa-sha512": "1.2.840.10045.4.3.4",
}


@dataclass(frozen=True)
class Sad:
    """Signature activation data: authorises ``count`` hashes for a short while. Never printed."""

    value: str
    count: int
    expires_in: int | None

    def __repr__(self) -> str:
        return f"Sad(count={self.count}, expires_in={self.expires_in})"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _str_field(data: dict[str, Any], *path: str) -> str:
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return str(value) if value is not None else ""


class CscClient(BaseApi):
    """CSC v2 under ``<base_url>/csc/v2``; HTTP Basic until :meth:`login` gives a Bearer token."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        username: str,
        password: str,
        *,
        retry: RetryPolicy | None = None,
    ) -> None:
        super().__init__(client, base_url, username, password, retry=retry)
        self._token: str | None = None

    def _authorization(self) -> str:
        return f"Bearer {self._token}" if self._token else super()._authorization()

    async def _call(self, method: str, body: Any = None, *, single_use: bool = False) -> dict[str, Any]:
        path = f"/csc/v2/{method}"
        if callable(body):
            response = await self._send("POST", path, body=body, single_use=single_use)
        else:
            response = await self._send("POST", path, json=body or {}, single_use=single_use)
        if response.status_code != 200:
            raise csc_error(response)
        return self._json_object(response)

    async def info(self) -> dict[str, Any]:
        """The service's ``info`` (specs, methods, algorithms), as served."""
        return await self._call("info")

    async def login(self) -> int:
        """Exchange the Basic credentials for a Bearer token used from then on; returns its lifetime (s)."""
        self._token = None
        answer = await self._call("auth/login")
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise MalformedResponseError("Jawaban login CSC tidak memuat access_token.")
        self._token = token
        expires = answer.get("expires_in")
        return int(expires) if isinstance(expires, int) else 0

    async def list_credentials(self, *, user_id: str | None = None) -> list[str]:
        """Credential ids (``userID``: the signer's NIK, to narrow the list)."""
        answer = await self._call("credentials/list", {"userID": user_id} if user_id else {})
        ids = answer.get("credentialIDs")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise MalformedResponseError("Jawaban credentials/list CSC tidak sesuai format.")
        return ids

    async def credential_info(self, credential_id: str) -> CscCredentialInfo:
        """Certificates (DER, leaf first, with the chain), key algorithms, status and ``multisign``."""
        answer = await self._call("credentials/info", {"credentialID": credential_id, "certificates": "chain"})
        try:
            certs = tuple(base64.b64decode(c, validate=True) for c in answer["cert"]["certificates"])
            algos = tuple(str(a) for a in answer["key"].get("algo", []))
            multisign = int(answer.get("multisign", 1))
        except (KeyError, TypeError, ValueError, binascii.Error, AttributeError) as exc:
            raise MalformedResponseError("Jawaban credentials/info CSC tidak sesuai format.") from exc
        if not certs:
            raise MalformedResponseError("credentials/info CSC tidak memuat sertifikat.")
        return CscCredentialInfo(
            credential_id=credential_id,
            certificates=certs,
            key_algorithms=algos,
            key_length=int(answer["key"].get("len") or 0),
            key_status=_str_field(answer, "key", "status"),
            cert_status=_str_field(answer, "cert", "status"),
            multisign=max(1, multisign),
            auth_mode=_str_field(answer, "authMode"),
            pin_presence=_str_field(answer, "PIN", "presence") or None,
            otp_presence=_str_field(answer, "OTP", "presence") or None,
        )

    async def authorize(
        self,
        credential_id: str,
        hashes: Sequence[bytes],
        credential: Credential,
        *,
        hash_algorithm: str = "sha256",
    ) -> Sad:
        """One SAD for exactly these ``hashes`` (``numSignatures = len(hashes)``), with PIN or OTP.

        v2 names only: ``hashes`` with their ``hashAlgorithmOID`` (the standard requires it when hashes
        are listed), never CSC v1's ``hash``.
        """
        if not hashes:
            raise BsreRequestError("Tidak ada hash untuk diotorisasi.", code="PARAMETER_TIDAK_VALID")
        if hash_algorithm not in HASH_OIDS:
            raise BsreRequestError(f"Algoritma hash {hash_algorithm} tidak didukung.", code="PARAMETER_TIDAK_VALID")
        listed = [_b64(h) for h in hashes]
        secret_key = "OTP" if credential.kind == "otp" else "PIN"

        def body() -> dict[str, Any]:
            return {
                "credentialID": credential_id,
                "numSignatures": len(listed),
                "hashes": listed,
                "hashAlgorithmOID": HASH_OIDS[hash_algorithm],
                secret_key: credential.reveal(),
            }

        answer = await self._call("credentials/authorize", body, single_use=credential.kind == "otp")
        sad = answer.get("SAD")
        if not isinstance(sad, str) or not sad:
            raise MalformedResponseError("Jawaban credentials/authorize CSC tidak memuat SAD.")
        expires = answer.get("expiresIn")
        return Sad(sad, len(listed), int(expires) if isinstance(expires, int) else None)

    async def sign_hash(
        self,
        credential_id: str,
        sad: Sad,
        hashes: Sequence[bytes],
        *,
        hash_algorithm: str = "sha256",
        sign_algorithm: str = SIGN_ALGO_OIDS["rsa"],
    ) -> list[bytes]:
        """Raw signatures of ``hashes`` (digests), in order. Spends the SAD: not re-sent once sent."""
        if hash_algorithm not in HASH_OIDS:
            raise BsreRequestError(f"Algoritma hash {hash_algorithm} tidak didukung.", code="PARAMETER_TIDAK_VALID")
        body = {
            "credentialID": credential_id,
            "SAD": sad.value,
            "hashes": [_b64(h) for h in hashes],
            "hashAlgorithmOID": HASH_OIDS[hash_algorithm],
            "signAlgo": sign_algorithm,
        }
        answer = await self._call("signatures/signHash", lambda: body, single_use=True)
        signatures = answer.get("signatures")
        if not isinstance(signatures, list) or len(signatures) != len(hashes):
            raise MalformedResponseError(f"signHash CSC tidak mengembalikan {len(hashes)} tanda tangan.")
        try:
            return [base64.b64decode(s, validate=True) for s in signatures]
        except (binascii.Error, ValueError, TypeError) as exc:
            raise MalformedResponseError("Tanda tangan dari signHash CSC bukan base64 yang valid.") from exc
