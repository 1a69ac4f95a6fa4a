"""The signing interface every backend and caller codes against.

Why a separate module: the engine, the four backends (PKCS#12, PKCS#11, remote hash, Esign Client)
and the gateway's workflow all meet here, so nothing in it does I/O or imports pyHanko's heavy
machinery. Two seams:

* :class:`SigningBackend` — what a caller uses: "sign these N documents under this one authorisation".
* :class:`RawBatchSigner` — what a backend that can reach a key provides to
  :func:`siakgate.signing.engine.sign_batch`: "sign these N to-be-signed blobs under one authorisation".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal, NoReturn, Protocol

from siakgate.errors import SiakgateError, SigningError

if TYPE_CHECKING:
    from asn1crypto import x509

__all__ = [
    "TTE_SENTENCE",
    "Credential",
    "PadesLevel",
    "RawBatchSigner",
    "SignRequest",
    "SignResult",
    "SigningBackend",
    "SigningOptions",
    "TteBlock",
]

TTE_SENTENCE = (
    "Dokumen ini telah ditandatangani secara elektronik menggunakan sertifikat elektronik "
    "yang diterbitkan oleh Balai Sertifikasi Elektronik (BSrE), Badan Siber dan Sandi Negara (BSSN)."
)
"""The sentence every signed KK carries in its TTE block (Bahasa Indonesia)."""


class PadesLevel(StrEnum):
    """PAdES baseline levels (ETSI EN 319 142-1); each adds to the one before."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"


CredentialKind = Literal["passphrase", "otp"]


class Credential:
    """A passphrase, PIN or OTP held only for the call: never in repr/str/pickle/logs.

    Python cannot guarantee that a ``str`` is erased from memory; what this class does guarantee is
    that the secret never leaves by accident (repr, str, format, pickle, copy, comparison in a log
    line) and that :meth:`wipe` drops the only reference the gateway holds once a batch is done.
    """

    __slots__ = ("_secret", "kind")

    kind: CredentialKind
    _secret: str | None

    def __init__(self, value: str, kind: CredentialKind) -> None:
        if not isinstance(value, str):
            raise TypeError("a credential is a str")
        self.kind = kind
        self._secret = value

    @classmethod
    def passphrase(cls, value: str) -> Credential:
        """A passphrase or PIN (BSrE passphrase, PKCS#12 password, PKCS#11 user PIN)."""
        return cls(value, "passphrase")

    @classmethod
    def otp(cls, value: str) -> Credential:
        """A one-time code (BSrE v2 TOTP)."""
        return cls(value, "otp")

    def reveal(self) -> str:
        """The secret, for the one call that needs it; raises once :meth:`wipe` has run."""
        if self._secret is None:
            raise SigningError(
                "Kredensial sudah dihapus dari memori; minta ulang passphrase/OTP.", code="KREDENSIAL_DIHAPUS"
            )
        return self._secret

    def wipe(self) -> None:
        """Drop the secret; :meth:`reveal` afterwards raises."""
        self._secret = None

    @property
    def wiped(self) -> bool:
        return self._secret is None

    def __repr__(self) -> str:
        state = "wiped" if self._secret is None else "***"
        return f"Credential(kind={self.kind!r}, secret={state})"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        # Identity only: comparing secrets by value invites timing and logging mistakes.
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Credential cannot be pickled")

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("a Credential cannot be pickled")

    def __copy__(self) -> NoReturn:
        raise TypeError("a Credential cannot be copied")

    def __deepcopy__(self, memo: object) -> NoReturn:
        raise TypeError("a Credential cannot be copied")


@dataclass(frozen=True)
class TteBlock:
    """The visible TTE block drawn in the KK's TTE area."""

    verify_url: str
    """What the QR code opens: the gateway's verification page for this document."""
    signer_name: str
    """The Kepala Dinas's name."""
    signer_nip: str
    sentence: str = TTE_SENTENCE


@dataclass(frozen=True)
class SignRequest:
    """One document of a batch."""

    document_id: str
    """The caller's id for this document (results come back in request order)."""
    pdf: bytes
    tte: TteBlock | None = None
    """None: an invisible signature."""
    field_name: str = "TTE"
    """An existing empty field of that name is used (the draft KK has one); else a new field is created."""
    box: tuple[int, int, int, int] | None = None
    """(x1, y1, x2, y2) in points on the last page, for a new field."""
    reason: str | None = "Tanda Tangan Elektronik Kartu Keluarga"
    location: str | None = None
    region_code: str | None = None
    """The KK's Kemendagri region code (digits, at least the 4 of its regency: ``3508`` or ``3508101003``).
    A signer bound to regencies (:mod:`siakgate.signing.jurisdiction`) signs only what this places there."""

    def __repr__(self) -> str:
        # Never print the document: it carries a family's personal data.
        size = len(self.pdf)
        return (
            f"SignRequest(document_id={self.document_id!r}, pdf=<{size} bytes>, field_name={self.field_name!r}, "
            f"region_code={self.region_code!r})"
        )


@dataclass(frozen=True)
class SignResult:
    """The outcome for one document: either ``signed_pdf`` or ``error``."""

    document_id: str
    signed_pdf: bytes | None = None
    error: SiakgateError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.signed_pdf is not None

    def __repr__(self) -> str:
        body = f"<{len(self.signed_pdf)} bytes>" if self.signed_pdf is not None else None
        return f"SignResult(document_id={self.document_id!r}, signed_pdf={body}, error={self.error!r})"


@dataclass(frozen=True)
class SigningOptions:
    """How to sign a batch."""

    level: PadesLevel = PadesLevel.B_LT
    """A KK defaults to B-LT."""
    timestamp_url: str | None = None
    """RFC 3161 TSA (mock: ``<mock_bsre>/pki/tsa``); required for B-T and above."""
    trust_roots: tuple[bytes, ...] = ()
    """DER certificates; for B-LT/B-LTA validation-info collection."""
    allow_fetching: bool = True
    """Fetch OCSP responses and CRLs from the AIA/CRL-DP URLs (B-LT)."""
    fetch_only_from: tuple[str, ...] | None = None
    """Checking a PDF someone else signed (the Esign Client's answer): the only endpoints (URL prefixes,
    hosts) its certificates may make us fetch from (:mod:`siakgate.verify.fetching`); None: any."""
    workers: int | None = None
    """Processes that prepare and finish the documents of a large local-key batch at B-B/B-T (e.g. 2 on two
    cores); None or 1: all in this process. The key never leaves this process: it signs here, once per
    chunk (:mod:`siakgate.signing._pool`)."""


class SigningBackend(Protocol):
    """One way to sign: a local PKCS#12 file, a PKCS#11 token, remote hash signing, the Esign Client."""

    name: str

    async def sign_batch(
        self, requests: Sequence[SignRequest], credential: Credential | None, options: SigningOptions
    ) -> list[SignResult]: ...


class RawBatchSigner(Protocol):
    """Holds a key (or reaches one) and signs many to-be-signed blobs under ONE authorisation."""

    signing_cert: x509.Certificate
    chain: Sequence[x509.Certificate]
    """Issuing CA(s), for the CMS and for B-LT."""

    async def sign_raw_batch(self, tbs: Sequence[bytes], digest_algorithm: str) -> list[bytes]:
        """One signature per blob (RSA PKCS#1 v1.5 or ECDSA, per the key), same order.

        ``tbs`` are the DER-encoded CMS signed attributes (the bytes to hash and sign), not digests.
        Raise a SiakgateError subclass (WrongPassphraseError, CertificateStatusError, SigningError,
        TransientError, ...) to fail the whole batch.
        """
        ...
