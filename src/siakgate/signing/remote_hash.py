"""Remote hash signing through BSrE's CSC interface: only digests leave the gateway.

Why this backend: the KK carries a whole family's personal data; with hash signing the PDF stays in
the Dinas and BSrE sees SHA-256 digests only. The batch engine (:mod:`siakgate.signing.engine`)
prepares the documents and asks :class:`CscRawSigner` for all signatures at once.

Authorisation: the digests are split into chunks of at most the credential's ``multisign`` (from
``credentials/info``); each chunk gets its own ``credentials/authorize`` (``numSignatures`` = the
chunk, the digests listed, the passphrase as PIN or a v2 OTP) and its own ``signatures/signHash``.
An OTP is requested once for all N signatures and BSrE spends it chunk by chunk.

Pipelining: at 100 ms to BSrE a chunk costs two round trips, so chunks run with a bounded number in
flight (``concurrency``, default :data:`DEFAULT_CONCURRENCY`), over the caller's one
``httpx.AsyncClient`` (its connection pool). The FIRST authorisation is sent alone: a wrong passphrase
or OTP is then refused once, never once per chunk in flight (BSrE may lock a signer out after
repeated refusals). A 429 from BSrE is waited out by :mod:`siakgate.bsre._http`.

Every returned signature is checked against the certificate's public key before it is embedded, so
a faulty answer fails the batch instead of producing N broken PDFs. Any chunk failing fails the
whole batch (the engine's contract: no signatures at all, every document gets the error); the
chunks still in flight are cancelled.

What the documents then carry is BSrE's refusal in words, as :func:`siakgate.bsre._errors.csc_error`
reads the CSC error (never pyHanko's bare "No signing results available": pyHanko's ``CSCSigner`` is
not used here): a wrong passphrase or OTP is :class:`~siakgate.errors.WrongPassphraseError`
(``PASSPHRASE_SALAH``, ``OTP_TIDAK_VALID``); a SAD that expired or was spent before its chunk was
signed is a :class:`~siakgate.errors.TransientError` (``OTORISASI_KEDALUWARSA``,
``OTORISASI_TIDAK_BERLAKU``) whose message says the batch can simply be signed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import anyio
from asn1crypto import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509 import load_der_x509_certificate

from siakgate.bsre.csc import HASH_OIDS, SIGN_ALGO_OIDS, CscClient, Sad
from siakgate.bsre.models import CscCredentialInfo
from siakgate.errors import CertificateStatusError, SiakgateError, SigningError
from siakgate.signing.api import Credential, SigningOptions, SignRequest, SignResult
from siakgate.signing.engine import sign_batch

__all__ = ["DEFAULT_CONCURRENCY", "CscRawSigner", "RemoteHashBackend"]

DEFAULT_CONCURRENCY = 8
"""CSC chunks (authorize + signHash) in flight at once: 100 chunks of 10 take about 2.6 s at 100 ms."""

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

    def __init__(
        self,
        csc: CscClient,
        info: CscCredentialInfo,
        credential: Credential,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._csc = csc
        self._info = info
        self._credential = credential
        self._concurrency = concurrency
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
        """Hash every blob; authorise, sign and check chunk by chunk (``multisign``), several in flight."""
        algorithm = digest_algorithm.lower().replace("-", "")
        if algorithm not in HASH_OIDS:
            raise SigningError(f"Algoritma hash {digest_algorithm} tidak didukung.", code="HASH_TIDAK_DIDUKUNG")
        if not tbs:
            return []
        digests = [hashlib.new(algorithm, blob).digest() for blob in tbs]
        sign_algo = self._sign_algorithm(algorithm)
        credential_id = self._info.credential_id
        step = self._info.multisign
        chunks = [digests[start : start + step] for start in range(0, len(digests), step)]
        signed: list[list[bytes]] = [[] for _ in chunks]
        failures: list[Exception] = []
        limit = anyio.CapacityLimiter(self._concurrency)

        async def run(index: int, sad: Sad | None, scope: anyio.CancelScope) -> None:
            chunk = chunks[index]
            try:
                async with limit:
                    if sad is None:
                        sad = await self._csc.authorize(
                            credential_id, chunk, self._credential, hash_algorithm=algorithm
                        )
                    signatures = await self._csc.sign_hash(
                        credential_id, sad, chunk, hash_algorithm=algorithm, sign_algorithm=sign_algo
                    )
                    for digest, signature in zip(chunk, signatures, strict=True):
                        self._check(digest, signature, _HASHES[algorithm])
                    signed[index] = signatures
            except Exception as exc:  # the first failure fails the batch; the others are cancelled
                failures.append(exc)
                scope.cancel()

        # Alone first: a wrong passphrase or OTP is refused once, not by every chunk in flight.
        first = await self._csc.authorize(credential_id, chunks[0], self._credential, hash_algorithm=algorithm)
        async with anyio.create_task_group() as group:
            group.start_soon(run, 0, first, group.cancel_scope)
            for index in range(1, len(chunks)):
                group.start_soon(run, index, None, group.cancel_scope)
        if failures:
            raise failures[0]
        return [signature for chunk_signatures in signed for signature in chunk_signatures]


class RemoteHashBackend:
    """:class:`~siakgate.signing.api.SigningBackend` signing with a BSrE key through CSC hash signing."""

    name = "remote-hash"

    def __init__(self, csc: CscClient, credential_id: str, *, concurrency: int = DEFAULT_CONCURRENCY) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self._csc = csc
        self._credential_id = credential_id
        self._concurrency = concurrency
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
            raw_signer = CscRawSigner(self._csc, info, credential, concurrency=self._concurrency)
        except SiakgateError as exc:
            return [SignResult(r.document_id, error=exc) for r in requests]
        return await sign_batch(requests, raw_signer, options)
