"""Typed shapes of what BSrE's Esign Client Service answers and what a sign call takes.

Field names follow the service as served (snake_case in v1, camelCase in v2, ``timestampInfomation``
sic); the Python attributes are snake_case. Unknown fields are ignored so a newer service version
does not break the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "SIGNABLE_STATUSES",
    "CscCredentialInfo",
    "SignatureProperties",
    "UserStatus",
    "UserStatusInfo",
    "V1Appearance",
    "V1InfoSigner",
    "V1InfoTsa",
    "V1SignatureDetail",
    "V1SignatureDocument",
    "V1VerifyReport",
    "V2CertificateDetail",
    "V2SignatureInformation",
    "V2TimestampInformation",
    "V2VerifyReport",
]


class UserStatus(StrEnum):
    """A signer's account status at BSrE. Only ``ISSUE`` may sign."""

    ISSUE = "ISSUE"
    EXPIRED = "EXPIRED"
    RENEW = "RENEW"
    WAITING_FOR_VERIFICATION = "WAITING_FOR_VERIFICATION"
    NEW = "NEW"
    NO_CERTIFICATE = "NO_CERTIFICATE"
    NOT_REGISTERED = "NOT_REGISTERED"
    SUSPEND = "SUSPEND"
    REVOKE = "REVOKE"


SIGNABLE_STATUSES = frozenset({UserStatus.ISSUE})


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class UserStatusInfo(_Model):
    """``GET /api/user/status/{nik}`` and ``POST /api/v2/user/check/status``."""

    status: UserStatus
    status_code: int | None = None
    message: str | None = None

    @property
    def can_sign(self) -> bool:
        return self.status in SIGNABLE_STATUSES


# -- v1 verify ------------------------------------------------------------------------------------


class V1InfoTsa(_Model):
    name: str | None = None
    tsa_cert_validity: str | None = None


class V1InfoSigner(_Model):
    issuer_dn: str | None = None
    signer_name: str | None = None
    signer_dn: str | None = None
    signer_cert_validity: str | None = None
    cert_user_certified: bool | None = None


class V1SignatureDocument(_Model):
    signed_using_tsa: bool | None = None
    signed_in: str | None = None
    reason: str | None = None
    location: str | None = None
    document_integrity: bool | None = None
    hash_value: str | None = None
    signature_value: str | None = None


class V1SignatureDetail(_Model):
    info_tsa: V1InfoTsa | None = None
    signature_field: str | None = None
    info_signer: V1InfoSigner | None = None
    signature_document: V1SignatureDocument | None = None


class V1VerifyReport(_Model):
    """``POST /api/sign/verify``. ``summary`` is ``DOCUMENT VALID !!!`` (or ``VALID`` on newer services)."""

    nama_dokumen: str | None = None
    jumlah_signature: int = 0
    notes: str | None = None
    details: list[V1SignatureDetail] = Field(default_factory=list)
    summary: str | None = None

    @property
    def valid(self) -> bool:
        return self.summary is not None and self.summary.strip(" !").upper() in ("DOCUMENT VALID", "VALID")


# -- v2 verify ------------------------------------------------------------------------------------


class V2CertificateDetail(_Model):
    common_name: str | None = Field(default=None, alias="commonName")
    subject_dn: str | None = Field(default=None, alias="subjectDN")
    issuer_name: str | None = Field(default=None, alias="issuerName")
    serial_number: str | None = Field(default=None, alias="serialNumber")
    not_before_date: str | None = Field(default=None, alias="notBeforeDate")
    not_after_date: str | None = Field(default=None, alias="notAfterDate")


class V2TimestampInformation(_Model):
    signer_name: str | None = Field(default=None, alias="signerName")
    timestamp_date: str | None = Field(default=None, alias="timestampDate")


class V2SignatureInformation(_Model):
    id: int | None = None
    signature_format: str | None = Field(default=None, alias="signatureFormat")
    signer_name: str | None = Field(default=None, alias="signerName")
    signature_date: str | None = Field(default=None, alias="signatureDate")
    field_name: str | None = Field(default=None, alias="fieldName")
    reason: str | None = None
    location: str | None = None
    cert_level_code: int | None = Field(default=None, alias="certLevelCode")
    modified: bool | None = None
    integrity_valid: bool | None = Field(default=None, alias="integrityValid")
    certificate_trusted: bool | None = Field(default=None, alias="certificateTrusted")
    last_signature: bool | None = Field(default=None, alias="lastSignature")
    timestamp_information: V2TimestampInformation | None = Field(default=None, alias="timestampInfomation")
    certificate_details: list[V2CertificateDetail] = Field(default_factory=list, alias="certificateDetails")


class V2VerifyReport(_Model):
    """``POST /api/v2/verify/pdf``: ``conclusion`` is VALID, INVALID or NO_SIGNATURE."""

    document_name: str | None = Field(default=None, alias="documentName")
    conclusion: str
    description: str | None = None
    signature_count: int = Field(default=0, alias="signatureCount")
    signature_informations: list[V2SignatureInformation] = Field(default_factory=list, alias="signatureInformations")

    @property
    def valid(self) -> bool:
        return self.conclusion.upper() == "VALID"


# -- sign call options ----------------------------------------------------------------------------


@dataclass(frozen=True)
class V1Appearance:
    """How a v1 signature shows (``tampilan``).

    ``visible=False``: invisible (every other field ignored). Visible: either ``image`` (PNG/JPEG
    bytes, ``image=true`` + ``imageTTD``) or ``link_qr`` (a URL BSrE renders as a QR code). Placement:
    ``tag`` (ONE marker character printed in the PDF), or ``page`` (1-based, or ``PERTAMA``/
    ``TERAKHIR``) with ``x``/``y`` (lower left, PDF points) and ``width``/``height``.
    """

    visible: bool = False
    link_qr: str | None = None
    image: bytes | None = None
    page: int | str | None = None
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    tag: str | None = None
    text: str | None = None

    def __repr__(self) -> str:
        image = f"<{len(self.image)} bytes>" if self.image is not None else None
        return f"V1Appearance(visible={self.visible}, page={self.page!r}, tag={self.tag!r}, image={image})"


@dataclass(frozen=True)
class SignatureProperties:
    """One v2 ``signatureProperties`` entry (one for all files, or one per file)."""

    visible: bool = False
    image: bytes | None = None
    page: int | str | None = None
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    tag: str | None = None
    reason: str | None = None
    location: str | None = None

    def __repr__(self) -> str:
        image = f"<{len(self.image)} bytes>" if self.image is not None else None
        return f"SignatureProperties(visible={self.visible}, page={self.page!r}, tag={self.tag!r}, image={image})"


# -- CSC ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CscCredentialInfo:
    """``credentials/info``: the certificates (DER, leaf first), key and limits of one credential."""

    credential_id: str
    certificates: tuple[bytes, ...]
    key_algorithms: tuple[str, ...]
    key_length: int
    key_status: str
    cert_status: str
    multisign: int
    auth_mode: str
    pin_presence: str | None
    otp_presence: str | None
