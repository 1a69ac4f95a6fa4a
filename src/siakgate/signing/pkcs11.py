"""Backend: a PKCS#11 token (smart card, HSM, SoftHSM2 in tests); the credential is the user PIN.

One session and one login per batch: every to-be-signed blob of the batch is signed in that session
(``CKM_SHA256_RSA_PKCS``, or ``CKM_ECDSA`` over a SHA-256 digest for EC keys), then the session closes.
All token calls block, so they run in a worker thread, never on the event loop.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import anyio
import pkcs11
from asn1crypto import algos, x509
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11 import exceptions as p11

from siakgate.errors import SigningError, WrongPassphraseError
from siakgate.signing.api import Credential, SigningOptions, SignRequest, SignResult
from siakgate.signing.engine import sign_batch

__all__ = ["Pkcs11Backend", "Pkcs11BatchSigner"]

_RSA_MECHANISMS = {
    "sha256": Mechanism.SHA256_RSA_PKCS,
    "sha384": Mechanism.SHA384_RSA_PKCS,
    "sha512": Mechanism.SHA512_RSA_PKCS,
}


class Pkcs11BatchSigner:
    """A RawBatchSigner over an open, logged-in PKCS#11 session (one per batch)."""

    def __init__(
        self, session: Any, key: Any, signing_cert: x509.Certificate, chain: Sequence[x509.Certificate]
    ) -> None:
        self._session = session
        self._key = key
        self.signing_cert = signing_cert
        self.chain: Sequence[x509.Certificate] = tuple(chain)
        self.sign_calls = 0

    def sign_all(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        """Sign every blob in this session (blocking: call from a worker thread)."""
        self.sign_calls += 1
        algorithm = digest_algorithm.lower()
        try:
            if self._key.key_type == KeyType.EC:
                return [
                    _ecdsa_der(self._key.sign(hashlib.new(algorithm, blob).digest(), mechanism=Mechanism.ECDSA))
                    for blob in tbs
                ]
            mechanism = _RSA_MECHANISMS[algorithm]
            return [self._key.sign(blob, mechanism=mechanism) for blob in tbs]
        except KeyError as exc:
            raise SigningError(
                f"Algoritma hash '{digest_algorithm}' tidak didukung token.", code="HASH_TIDAK_DIDUKUNG"
            ) from exc
        except p11.PKCS11Error as exc:
            raise SigningError(
                f"Token PKCS#11 gagal menandatangani ({type(exc).__name__}).", code="TOKEN_GAGAL"
            ) from exc

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        return await anyio.to_thread.run_sync(self.sign_all, list(tbs), digest_algorithm)

    def close(self) -> None:
        self._session.close()


def _ecdsa_der(raw: bytes) -> bytes:
    """PKCS#11 returns ECDSA signatures as r||s; CMS wants the DER SEQUENCE."""
    half = len(raw) // 2
    value = algos.DSASignature({"r": int.from_bytes(raw[:half], "big"), "s": int.from_bytes(raw[half:], "big")})
    return bytes(value.dump())


class Pkcs11Backend:
    """Signs batches with a key on a PKCS#11 token.

    ``key_label`` names the private key; the certificate is the token's certificate with the same
    CKA_ID (or ``cert_label``). Other certificates on the token, plus ``chain``, form the CMS chain.
    ``sessions_opened`` counts logins (once per batch; tests check it).
    """

    name = "pkcs11"

    def __init__(
        self,
        lib_path: Path | str,
        token_label: str,
        *,
        key_label: str | None = None,
        cert_label: str | None = None,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        if key_label is None and cert_label is None:
            raise ValueError("key_label or cert_label is required")
        self.lib_path = str(lib_path)
        self.token_label = token_label
        self.key_label = key_label
        self.cert_label = cert_label
        self.extra_chain = tuple(chain)
        self.sessions_opened = 0

    def _open(self, pin: str) -> Pkcs11BatchSigner:
        try:
            token = pkcs11.lib(self.lib_path).get_token(token_label=self.token_label)
        except (p11.NoSuchToken, p11.MultipleTokensReturned) as exc:
            raise SigningError(
                f"Token PKCS#11 '{self.token_label}' tidak ditemukan.", code="TOKEN_TIDAK_DITEMUKAN"
            ) from exc
        except (RuntimeError, OSError, p11.PKCS11Error) as exc:
            raise SigningError("Pustaka PKCS#11 tidak dapat dimuat.", code="PKCS11_TIDAK_TERSEDIA") from exc
        try:
            session = token.open(user_pin=pin)
        except p11.PinIncorrect as exc:
            raise WrongPassphraseError("PIN token PKCS#11 salah.", code="PIN_SALAH") from exc
        except p11.PinLocked as exc:
            raise WrongPassphraseError("PIN token PKCS#11 terkunci.", code="PIN_TERKUNCI") from exc
        except p11.PKCS11Error as exc:
            raise SigningError(f"Sesi token PKCS#11 gagal dibuka ({type(exc).__name__}).", code="TOKEN_GAGAL") from exc
        self.sessions_opened += 1
        try:
            return self._find(session)
        except BaseException:
            session.close()
            raise

    def _find(self, session: Any) -> Pkcs11BatchSigner:
        certs = {
            bytes(obj[Attribute.ID]): (obj[Attribute.LABEL], x509.Certificate.load(bytes(obj[Attribute.VALUE])))
            for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})
        }
        try:
            if self.key_label is not None:
                key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=self.key_label)
            else:
                cert_id = next(i for i, (label, _) in certs.items() if label == self.cert_label)
                key = session.get_key(object_class=ObjectClass.PRIVATE_KEY, id=cert_id)
        except (StopIteration, p11.NoSuchKey, p11.MultipleObjectsReturned) as exc:
            raise SigningError("Kunci privat tidak ditemukan di token PKCS#11.", code="KUNCI_TIDAK_DITEMUKAN") from exc
        key_id = bytes(key[Attribute.ID])
        if self.cert_label is not None:
            match = [c for label, c in certs.values() if label == self.cert_label]
        else:
            match = [certs[key_id][1]] if key_id in certs else []
        if not match:
            raise SigningError(
                "Sertifikat penanda tangan tidak ditemukan di token PKCS#11.", code="SERTIFIKAT_TIDAK_DITEMUKAN"
            )
        signing_cert = match[0]
        chain = [c for _, c in certs.values() if c.dump() != signing_cert.dump()] + list(self.extra_chain)
        return Pkcs11BatchSigner(session, key, signing_cert, chain)

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]:
        try:
            if credential is None:
                raise WrongPassphraseError("PIN token PKCS#11 wajib diisi.", code="PIN_KOSONG")
            signer = await anyio.to_thread.run_sync(self._open, credential.reveal())
        except (SigningError, WrongPassphraseError) as exc:
            return [SignResult(r.document_id, error=exc) for r in requests]
        try:
            return await sign_batch(requests, signer, options)
        finally:
            await anyio.to_thread.run_sync(signer.close)
