"""What verification found, as plain data: one :class:`SignatureReport` per signature, one
:class:`VerificationReport` per document.

The report is built once (by :mod:`siakgate.verify.engine`) and rendered three ways: ``to_json()``
for programs, ``summary_id()`` for people (Bahasa Indonesia), ``to_bsre_v1()`` / ``to_bsre_v2()`` for
clients written against BSrE's Esign Client Service.

About the NIK: the JSON report carries the signing official's NIK unmasked. It is read from the
signer's certificate, which is embedded in the signed PDF for anyone to read, and it identifies the
Kepala Dinas acting in office, not a family member. The Indonesian summary, which ends up in chat
messages and logs, masks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from siakgate.signing.api import PadesLevel


class ModificationKind(StrEnum):
    """What changed after a signature was applied (pyHanko's incremental-update difference analysis)."""

    NONE = "NONE"
    """The signature covers the whole file."""
    LTA_UPDATES = "LTA_UPDATES"
    """Only validation data (DSS) and document timestamps were added."""
    FORM_FILLING = "FORM_FILLING"
    """Only form fields were filled in or further signatures added."""
    ANNOTATIONS = "ANNOTATIONS"
    """Annotations (comments, stamps) were added or changed."""
    OTHER = "OTHER"
    """Anything else: the document's content or structure was changed."""

    @property
    def allowed(self) -> bool:
        """Whether this kind of change leaves a signed KK valid."""
        return self in (ModificationKind.NONE, ModificationKind.LTA_UPDATES, ModificationKind.FORM_FILLING)

    @property
    def explanation(self) -> str:
        """Bahasa Indonesia, for an officer or a family."""
        return _MODIFICATION_TEXT[self]


_MODIFICATION_TEXT = {
    ModificationKind.NONE: "Tidak ada perubahan setelah ditandatangani.",
    ModificationKind.LTA_UPDATES: (
        "Setelah ditandatangani hanya ditambahkan data validasi jangka panjang (DSS atau cap waktu dokumen); "
        "isi dokumen tidak berubah."
    ),
    ModificationKind.FORM_FILLING: (
        "Setelah ditandatangani hanya ada pengisian formulir atau tanda tangan tambahan; isi dokumen tidak berubah."
    ),
    ModificationKind.ANNOTATIONS: (
        "Setelah ditandatangani ada anotasi (catatan atau stempel) yang ditambahkan atau diubah."
    ),
    ModificationKind.OTHER: "Isi dokumen diubah setelah ditandatangani.",
}


class Indication(StrEnum):
    """The verdict on one signature (and, worst first, on a document), in the spirit of ETSI EN 319 102-1."""

    VALID = "VALID"
    """Intact, and the signer's certificate is trusted, in force and not revoked at the validation time."""
    VALID_AT_SIGNING_TIME = "VALID_AT_SIGNING_TIME"
    """Intact, and proven (by timestamps) to have existed while the signer's certificate was in force and not
    revoked, with the validation data of that time in the document (ETSI past signature validation): the
    certificate has since expired or been revoked, or its revocation information is no longer fresh. The
    signature stays valid; :attr:`SignatureReport.proven_at` says when it was proven to exist."""
    INDETERMINATE = "INDETERMINATE"
    """Not decidable now, for want of revocation information: the OCSP responder or CRL could not be reached, or
    what the document holds is no longer fresh. Temporary, and not a verdict of invalidity: verify again
    (online, or later)."""
    INVALID = "INVALID"
    """Altered, untrusted, or signed when the certificate was already expired or revoked (or with nothing to
    prove it was not)."""

    @property
    def valid(self) -> bool:
        return self in (Indication.VALID, Indication.VALID_AT_SIGNING_TIME)


class RevocationStatus(StrEnum):
    GOOD = "GOOD"
    """An OCSP response or CRL (embedded or fetched) says the certificate is not revoked."""
    REVOKED = "REVOKED"
    UNKNOWN = "UNKNOWN"
    """No usable revocation information: not embedded, and fetching was off or failed."""


@dataclass(frozen=True)
class SignerInfo:
    """Who signed, read from the signer's certificate."""

    name: str
    nik: str | None
    """From the subject's serialNumber attribute (BSrE puts the NIK there); None for a seal."""
    email: str | None
    organization: str | None
    title: str | None
    subject_dn: str
    issuer_dn: str
    certificate_serial: str
    """Hexadecimal, lower case."""
    not_before: datetime
    not_after: datetime


@dataclass(frozen=True)
class CertificateInfo:
    """One certificate embedded in the signature: the signer's, then its issuer, that one's issuer and so on
    (the order of BSrE's ``certificateDetails``, guide v2.2.1 p.35-36); embedded certificates off that path
    follow in their embedded order."""

    common_name: str
    subject_dn: str
    issuer_dn: str
    serial: str
    """Hexadecimal, lower case."""
    not_before: datetime
    not_after: datetime
    sha256: str
    """SHA-256 of the certificate's DER encoding, upper-case hex (BSrE's v2 ``C-`` id, guide v2.2.1 p.35)."""
    signature_algorithm: str
    """How the issuer signed it, e.g. ``RSA with SHA256`` (BSrE's ``signatureAlgoritm``, p.35-36)."""
    key_usages: tuple[str, ...]
    """The keyUsage bits set, RFC 5280 names in bit order (``digitalSignature``, ``nonRepudiation``, ...)."""


@dataclass(frozen=True)
class Revocation:
    status: RevocationStatus
    revoked_at: datetime | None = None
    reason: str | None = None
    """The CRL reason code (keyCompromise, ...), when revoked."""
    ca_revoked: bool = False
    """True when a CA certificate of the chain, not the signer's, is the revoked one."""


@dataclass(frozen=True)
class TimestampInfo:
    """The RFC 3161 signature timestamp inside a signature (PAdES B-T and up)."""

    tsa_name: str
    time: datetime
    intact: bool
    trusted: bool
    tsa_not_before: datetime
    tsa_not_after: datetime
    token_sha256: str | None = None
    """SHA-256 of the timestamp token's DER encoding, upper-case hex (BSrE's v2 ``T-`` id, guide v2.2.1 p.35);
    None when whoever built the report did not read the token."""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


@dataclass(frozen=True)
class DocumentTimestampInfo:
    """A document timestamp (/DocTimeStamp, PAdES B-LTA) over everything before it."""

    field_name: str
    tsa_name: str
    time: datetime
    intact: bool
    trusted: bool

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted


@dataclass(frozen=True)
class SignatureReport:
    """Everything found about one signature."""

    field_name: str
    subfilter: str
    intact: bool
    """The digest of the signed byte ranges matches the one in the signature."""
    signature_valid: bool
    """The signature value itself verifies with the signer's public key."""
    coverage: str
    """pyHanko's coverage level: ENTIRE_FILE, ENTIRE_REVISION, CONTIGUOUS_BLOCK_FROM_START, UNCLEAR."""
    modification: ModificationKind
    docmdp_ok: bool | None
    signer: SignerInfo
    chain: tuple[CertificateInfo, ...]
    trusted: bool
    """The signer's chain is trusted: at the validation time, or (``VALID_AT_SIGNING_TIME``) when the signature
    was proven to exist."""
    trust_problem: str | None
    """A stable code (AdES sub-indication, e.g. REVOKED_NO_POE, OUT_OF_BOUNDS_NO_POE, TRY_LATER) for what the
    check at the validation time found; None when it found nothing. With ``VALID_AT_SIGNING_TIME`` it says
    what changed after the signature was proven to exist (expired, revoked, revocation information stale)."""
    trust_explanation: str
    """Bahasa Indonesia: why (not) trusted."""
    trust_anchor: str | None
    revocation: Revocation
    signing_time: datetime | None
    """The time the signer claims (signed attribute or /M): not proof of anything."""
    timestamp: TimestampInfo | None
    level: PadesLevel | None
    """The level reached: PAdES baseline for ETSI.CAdES.detached, the same evidence ladder for adbe.pkcs7.detached
    (which is not PAdES conformance: ``subfilter`` tells them apart); None for a broken signature or another
    sub-filter."""
    reason: str | None
    location: str | None
    digest_algorithm: str
    message_digest: str
    """Hex of the signed messageDigest attribute (BSrE's ``hash_value``)."""
    signature_value: str
    """Hex of the signature value (BSrE's ``signature_value``)."""
    indication: Indication
    """The verdict (see :class:`Indication`); decided by :mod:`siakgate.verify.engine`."""
    proven_at: datetime | None
    """When the signature is proven to have existed: the AdES best signature time (a valid signature timestamp,
    or an earlier proof from document timestamps). None when nothing but the signer's claim dates it (B-B)."""

    @property
    def valid(self) -> bool:
        """Valid (now, or at signing time), intact, a good timestamp if any, and only allowed changes since."""
        timestamp_ok = self.timestamp is None or self.timestamp.valid
        return (
            self.indication.valid
            and self.intact
            and self.signature_valid
            and self.trusted
            and timestamp_ok
            and self.modification.allowed
            and self.docmdp_ok is not False
        )

    @property
    def best_time(self) -> datetime | None:
        """The timestamp's time when there is one, else the claimed signing time."""
        return self.timestamp.time if self.timestamp is not None else self.signing_time


@dataclass(frozen=True)
class VerificationReport:
    """The verdict on one document, with a report per signature in file order."""

    document_name: str
    signatures: tuple[SignatureReport, ...]
    document_timestamps: tuple[DocumentTimestampInfo, ...] = field(default=())

    @property
    def valid(self) -> bool:
        """Every signature valid and every document timestamp intact."""
        return (
            bool(self.signatures)
            and all(sig.valid for sig in self.signatures)
            and all(ts.intact for ts in self.document_timestamps)
        )

    @property
    def indication(self) -> Indication:
        """The document's verdict: INVALID if anything is invalid, else INDETERMINATE if anything is, else
        VALID_AT_SIGNING_TIME if a signature is only valid at signing time, else VALID."""
        if self.valid:
            past = any(sig.indication is Indication.VALID_AT_SIGNING_TIME for sig in self.signatures)
            return Indication.VALID_AT_SIGNING_TIME if past else Indication.VALID
        undecided = all(sig.valid or sig.indication is Indication.INDETERMINATE for sig in self.signatures)
        if self.signatures and undecided and all(ts.intact for ts in self.document_timestamps):
            return Indication.INDETERMINATE
        return Indication.INVALID

    def to_json(self) -> dict[str, Any]:
        from siakgate.verify.render import report_to_json

        return report_to_json(self)

    def summary_id(self) -> str:
        from siakgate.verify.summary import summary_id

        return summary_id(self)

    def to_bsre_v1(self) -> dict[str, Any]:
        from siakgate.verify.bsre_shapes import to_bsre_v1

        return to_bsre_v1(self)

    def to_bsre_v2(self) -> dict[str, Any]:
        from siakgate.verify.bsre_shapes import to_bsre_v2

        return to_bsre_v2(self)
