"""Backend: a local PKCS#12 file whose passphrase is the batch's one authorisation.

Why a RawBatchSigner that holds the *loaded* key: pyHanko's ``SimpleSigner`` re-parses the private key
for every signature (~30 ms for RSA-2048). Here the file is decrypted once per batch, the key object
signs every to-be-signed blob of the batch, and it is dropped when the batch ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anyio
from asn1crypto import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from siakgate.errors import SigningError, WrongPassphraseError
from siakgate.signing.api import Credential, SigningOptions, SignRequest, SignResult
from siakgate.signing.engine import sign_batch

__all__ = ["LoadedKeySigner", "Pkcs12Backend", "load_pkcs12"]

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def hash_for(digest_algorithm: str) -> hashes.HashAlgorithm:
    try:
        return _HASHES[digest_algorithm.lower()]()
    except KeyError as exc:
        raise SigningError(f"Algoritma hash '{digest_algorithm}' tidak didukung.", code="HASH_TIDAK_DIDUKUNG") from exc


class LoadedKeySigner:
    """A RawBatchSigner over a private key already in memory (RSA PKCS#1 v1.5 or ECDSA).

    ``signs_in_chunks``: the key is loaded once per batch, so the engine may call :meth:`sign_raw_batch`
    once per chunk of the batch without asking for the passphrase again.
    """

    signs_in_chunks = True

    def __init__(
        self,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        signing_cert: x509.Certificate,
        chain: Sequence[x509.Certificate],
    ) -> None:
        self._key = key
        self.signing_cert = signing_cert
        self.chain: Sequence[x509.Certificate] = tuple(chain)

    def sign_all(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        """Sign every blob (CPU-bound: call from a worker thread)."""
        algorithm = hash_for(digest_algorithm)
        key = self._key
        if isinstance(key, rsa.RSAPrivateKey):
            return [key.sign(blob, padding.PKCS1v15(), algorithm) for blob in tbs]
        return [key.sign(blob, ec.ECDSA(algorithm)) for blob in tbs]

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        return await anyio.to_thread.run_sync(self.sign_all, list(tbs), digest_algorithm)


def load_pkcs12(data: bytes, passphrase: str) -> LoadedKeySigner:
    """Decrypt a PKCS#12 file into a :class:`LoadedKeySigner`; a wrong passphrase is :class:`WrongPassphraseError`."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError as exc:
        # cryptography says "Invalid password or PKCS12 data" for both; a file that parses without a
        # password is not a passphrase problem, so tell them apart for the officer.
        raise _classify_pkcs12_failure(data) from exc
    if key is None or cert is None:
        raise SigningError("Berkas PKCS#12 tidak berisi kunci privat dan sertifikat.", code="PKCS12_TIDAK_LENGKAP")
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SigningError(
            "Jenis kunci di berkas PKCS#12 tidak didukung (hanya RSA atau ECDSA).", code="KUNCI_TIDAK_DIDUKUNG"
        )
    signing_cert = x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    chain = [x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra]
    return LoadedKeySigner(key, signing_cert, chain)


def _classify_pkcs12_failure(data: bytes) -> SigningError | WrongPassphraseError:
    if not data.startswith(b"\x30"):
        return SigningError("Berkas kunci bukan PKCS#12 yang valid.", code="PKCS12_TIDAK_VALID")
    return WrongPassphraseError("Passphrase berkas kunci (PKCS#12) salah.", code="PASSPHRASE_SALAH")


class Pkcs12Backend:
    """Signs batches with the key in a PKCS#12 file; the credential is its passphrase.

    ``key_loads`` counts how often the file was decrypted (once per batch; tests check it).
    """

    name = "pkcs12"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.key_loads = 0

    async def open(self, credential: Credential | None) -> LoadedKeySigner:
        """Decrypt the file once (in a worker thread: key derivation is CPU work)."""
        if credential is None:
            raise WrongPassphraseError("Passphrase berkas kunci (PKCS#12) wajib diisi.", code="PASSPHRASE_KOSONG")
        try:
            data = await anyio.Path(self.path).read_bytes()
        except OSError as exc:
            raise SigningError(
                f"Berkas kunci PKCS#12 tidak dapat dibaca: {self.path.name}", code="KUNCI_TIDAK_ADA"
            ) from exc
        passphrase = credential.reveal()
        self.key_loads += 1
        return await anyio.to_thread.run_sync(load_pkcs12, data, passphrase)

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]:
        try:
            signer = await self.open(credential)
        except SigningError as exc:
            return [SignResult(r.document_id, error=exc) for r in requests]
        except WrongPassphraseError as exc:
            return [SignResult(r.document_id, error=exc) for r in requests]
        try:
            return await sign_batch(requests, signer, options)
        finally:
            del signer  # the key object lives for this batch only
