"""Remote hash signing through BSrE's CSC interface: only digests leave the gateway.

Why this backend: the KK carries a whole family's personal data; with hash signing the PDF stays in
the Dinas and BSrE sees SHA-256 digests only. The batch engine (:mod:`siakgate.signing.engine`)
prepares the documents and asks :class:`CscRawSigner` for all signatures at once.

Authorisation: ONE ``credentials/authorize`` for all N digests (``numSignatures = N``, the digests
listed, the passphrase as PIN or a v2 OTP) and ONE ``signatures/signHash``. When N exceeds the
credential's ``multisign`` limit (from ``credentials/info``) the digests are split into chunks of at
most ``multisign`` and each chunk is authorised and signed in turn with the same passphrase (or the
same OTP, requested for N signatures: BSrE spends it chunk by chunk). Every returned signature is
checked against the certificate's public key before it is embedded, so a faulty answer fails the
batch instead of producing N broken PDFs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from asn1crypto import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import load_der_x509_certificate

from siakgate.bsre.csc import HASH_OIDS, SIGN_ALGO_OIDS, CscClient
from siakgate.bsre.models import CscCredentialInfo
from siakgate.errors import CertificateStatusError, SiakgateError, SigningError
from siakgate.signing.api import Credential, SigningOptions, SignRequest, SignResult
from siakgate.signing.engine import sign_batch

__all__ = ["CscRawSigner", "RemoteHashBackend"]

_CERT_STATUS = {"expired": "EXPIRED", "revoked": "REVOKE", "suspended": "SUSPEND"}
_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def _usable(info: CscCredentialInfo) -> None:
    """Refuse before sending the passphrase when BSrE already says the key may not sign."""
    status = _CERT_STATUS.get(info.cert_status.lower())
    if status is not None:
        raise CertificateStatusError(
            f"Sertifikat penandatangan tidak dapat dipakai (status {status}).",
            status=status,
            remote_code=info.cert_status,
        )
    if info.key_status and info.key_status.lower() != "enabled":
        raise CertificateStatusError(
            "Kunci penandatangan dinonaktifkan BSrE.", status="KEY_DISABLED", remote_code=info.key_status
        )


class CscRawSigner:
    """A :class:`~siakgate.signing.api.RawBatchSigner` over one CSC credential and one authorisation."""

    def __init__(self, csc: CscClient, info: CscCredentialInfo, credential: Credential) -> None:
        self._csc = csc
        self._info = info
        self._credential = credential
        self.signing_cert = x509.Certificate.load(info.certificates[0])
        # Issuing CA(s) only: a self-signed root belongs to the verifier's trust store, not the CMS.
        self.chain: Sequence[x509.Certificate] = [
            cert for cert in map(x509.Certificate.load, info.certificates[1:]) if cert.self_signed == "no"
        ]
        self._public_key = load_der_x509_certificate(info.certificates[0]).public_key()

    def __repr__(self) -> str:
        return f"CscRawSigner(credential_id={self._info.credential_id!r})"

    def _sign_algorithm(self, digest_algorithm: str) -> str:
        if isinstance(self._public_key, rsa.RSAPublicKey):
            return SIGN_ALGO_OIDS["rsa"]
        if isinstance(self._public_key, ec.EllipticCurvePublicKey):
            return SIGN_ALGO_OIDS[f"ecdsa-{digest_algorithm}"]
        raise SigningError("Jenis kunci penandatangan tidak didukung.", code="KUNCI_TIDAK_DIDUKUNG")

    def _check(self, digest: bytes, signature: bytes, algorithm: hashes.HashAlgorithm) -> None:
        key = self._public_key
        try:
            if isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, digest, padding.PKCS1v15(), Prehashed(algorithm))
            elif isinstance(key, ec.EllipticCurvePublicKey):
                key.verify(signature, digest, ec.ECDSA(Prehashed(algorithm)))
        except InvalidSignature as exc:
            raise SigningError(
                "Tanda tangan dari BSrE tidak cocok dengan sertifikat penandatangan; tidak ada dokumen yang dipakai.",
                code="TANDA_TANGAN_BSRE_TIDAK_VALID",
            ) from exc

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        """Hash every blob, authorise all digests at once (chunked by ``multisign``), sign, check."""
        algorithm = digest_algorithm.lower().replace("-", "")
        if algorithm not in HASH_OIDS:
            raise SigningError(f"Algoritma hash {digest_algorithm} tidak didukung.", code="HASH_TIDAK_DIDUKUNG")
        digests = [hashlib.new(algorithm, blob).digest() for blob in tbs]
        sign_algo = self._sign_algorithm(algorithm)
        credential_id = self._info.credential_id
        signatures: list[bytes] = []
        step = self._info.multisign
        for start in range(0, len(digests), step):
            chunk = digests[start : start + step]
            sad = await self._csc.authorize(credential_id, chunk, self._credential)
            signatures += await self._csc.sign_hash(
                credential_id, sad, chunk, hash_algorithm=algorithm, sign_algorithm=sign_algo
            )
        for digest, signature in zip(digests, signatures, strict=True):
            self._check(digest, signature, _HASHES[algorithm])
        return signatures


class RemoteHashBackend:
    """:class:`~siakgate.signing.api.SigningBackend` signing with a BSrE key through CSC hash signing."""

    name = "remote-hash"

    def __init__(self, csc: CscClient, credential_id: str) -> None:
        self._csc = csc
        self._credential_id = credential_id
        self._info: CscCredentialInfo | None = None

    async def credential_info(self) -> CscCredentialInfo:
        """``credentials/info``, fetched once per backend (certificates and limits rarely change)."""
        if self._info is None:
            self._info = await self._csc.credential_info(self._credential_id)
        return self._info

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]:
        if not requests:
            return []
        try:
            if credential is None:
                raise SigningError(
                    "Passphrase atau OTP penandatangan wajib untuk tanda tangan jarak jauh.", code="KREDENSIAL_KOSONG"
                )
            info = await self.credential_info()
            _usable(info)
            raw_signer = CscRawSigner(self._csc, info, credential)
        except SiakgateError as exc:
            return [SignResult(r.document_id, error=exc) for r in requests]
        return await sign_batch(requests, raw_signer, options)
