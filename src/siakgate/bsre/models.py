"""Typed shapes of what BSrE's Esign Client Service answers and what a sign call takes.

Field names follow the service as served (snake_case in v1, camelCase in v2, ``timestampInfomation``
sic); the Python attributes are snake_case. Unknown fields are ignored so a newer service version
does not break the gateway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, SecretStr

from siakgate.signing.api import Credential

__all__ = [
    "SIGNABLE_STATUSES",
    "WIB",
    "CscCredentialInfo",
    "SealCode",
    "SignatureProperties",
    "UserRegistration",
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


WIB = timezone(timedelta(hours=7), "WIB")
"""Western Indonesia Time: the zone of v1's ``signed_in`` and certificate validity texts (guide p.16-17)."""


def _moment(value: Any, naive_zone: timezone) -> Any:
    """An ISO-like date (``2023-07-11T02:41:23.000+00:00``, ``2023-08-07T04:24:40.927+0000``,
    ``2023-10-16 13:28:34.00``) as an aware datetime; a naive one is read in ``naive_zone``."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return value  # pydantic reports it
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=naive_zone)
    return value


def _utc_moment(value: Any) -> Any:
    return _moment(value, UTC)


def _wib_moment(value: Any) -> Any:
    return _moment(value, WIB)


def _text(value: Any) -> Any:
    """A number where text is expected (a decimal serial number, a numeric code) is kept as its digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


IsoMoment = Annotated[datetime | None, BeforeValidator(_utc_moment)]
"""v2 dates: ISO 8601 with an offset (a date without one is read as UTC)."""
WibMoment = Annotated[datetime | None, BeforeValidator(_wib_moment)]
"""v1 dates: ``YYYY-MM-DD HH:MM:SS.ff`` in WIB (UTC+7), the service's local time."""
Text = Annotated[str | None, BeforeValidator(_text)]


class UserStatusInfo(_Model):
    """``GET /api/user/status/{nik}`` and ``POST /api/v2/user/check/status``."""

    status: UserStatus
    status_code: int | None = None
    message: str | None = None

    @property
    def can_sign(self) -> bool:
        return self.status in SIGNABLE_STATUSES


# -- v1 verify ------------------------------------------------------------------------------------


_VALIDITY_SPLIT = re.compile(r"\s+to\b\s*")


def validity_range(text: str | None) -> tuple[datetime | None, datetime | None]:
    """``2023-10-06 12:56:15.00 to 2024-10-06 12:56:15.00`` (WIB) as two aware datetimes; None where unreadable."""
    parts = _VALIDITY_SPLIT.split(text or "", maxsplit=1)
    if len(parts) != 2:
        return None, None
    start, end = parts
    out: list[datetime | None] = []
    for part in (start, end):
        moment = _wib_moment(part)
        out.append(moment if isinstance(moment, datetime) else None)
    return out[0], out[1]


class V1InfoTsa(_Model):
    name: str | None = None
    tsa_cert_validity: str | None = None

    @property
    def tsa_cert_valid_from(self) -> datetime | None:
        return validity_range(self.tsa_cert_validity)[0]

    @property
    def tsa_cert_valid_until(self) -> datetime | None:
        return validity_range(self.tsa_cert_validity)[1]


class V1InfoSigner(_Model):
    issuer_dn: str | None = None
    signer_name: str | None = None
    signer_dn: str | None = None
    signer_cert_validity: str | None = None
    """``<from> to <until>`` in WIB, as served; :attr:`signer_cert_valid_from` and ``_until`` read it."""
    cert_user_certified: bool | None = None

    @property
    def signer_cert_valid_from(self) -> datetime | None:
        return validity_range(self.signer_cert_validity)[0]

    @property
    def signer_cert_valid_until(self) -> datetime | None:
        return validity_range(self.signer_cert_validity)[1]


class V1SignatureDocument(_Model):
    signed_using_tsa: bool | None = None
    signed_in: WibMoment = None
    """When the document was signed: served as WIB wall-clock time (``2023-10-16 13:28:34.00``), kept aware."""
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
    """One certificate of the chain. The guide (p.35-36) writes ``signatureAlgoritm`` (sic) and decimal serial
    numbers; older services wrote hex serials and ``subjectDN``: both are read."""

    id: Text = None
    common_name: str | None = Field(default=None, alias="commonName")
    subject_dn: str | None = Field(default=None, alias="subjectDN")
    issuer_name: str | None = Field(default=None, alias="issuerName")
    serial_number: Text = Field(default=None, alias="serialNumber")
    not_before_date: IsoMoment = Field(default=None, alias="notBeforeDate")
    not_after_date: IsoMoment = Field(default=None, alias="notAfterDate")
    signature_algorithm: str | None = Field(
        default=None, validation_alias=AliasChoices("signatureAlgoritm", "signatureAlgorithm", "signature_algorithm")
    )
    key_usages: list[str] = Field(default_factory=list, alias="keyUsages")


class V2TimestampInformation(_Model):
    id: Text = None
    signer_name: str | None = Field(default=None, alias="signerName")
    timestamp_date: IsoMoment = Field(default=None, alias="timestampDate")


class V2SignatureInformation(_Model):
    """One signature. ``id`` is ``S-<hex>`` in the guide (p.35), a number on older services;
    ``signature_format`` e.g. ``PKCS7-T`` (guide) or ``PAdES-BASELINE-T``."""

    id: Text = None
    signature_format: str | None = Field(default=None, alias="signatureFormat")
    signer_name: str | None = Field(default=None, alias="signerName")
    signature_date: IsoMoment = Field(default=None, alias="signatureDate")
    field_name: str | None = Field(default=None, alias="fieldName")
    reason: str | None = None
    location: str | None = None
    cert_level_code: int | None = Field(default=None, alias="certLevelCode")
    signature_algorithm: str | None = Field(default=None, alias="signatureAlgorithm")
    digest_algorithm: str | None = Field(default=None, alias="digestAlgorithm")
    modified: bool | None = None
    integrity_valid: bool | None = Field(default=None, alias="integrityValid")
    certificate_trusted: bool | None = Field(default=None, alias="certificateTrusted")
    last_signature: bool | None = Field(default=None, alias="lastSignature")
    timestamp_information: V2TimestampInformation | None = Field(
        default=None, validation_alias=AliasChoices("timestampInfomation", "timestampInformation")
    )
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


# -- seal codes and registration -------------------------------------------------------------------


class SealCode(_Model):
    """A seal activation code (refreshed) or a seal code, as ``seal/get/activation`` and ``seal/get/totp``
    answer it (guide p.27, p.29): ``{message, totp, expires: "2023-08-07T04:24:40.927+0000", result: true}``,
    possibly inside ``{success, message, data: {...}}``; older answers carried the code in ``result`` and the
    validity in seconds (``expired``). Build it with :meth:`from_answer`.

    ``expires_at``: when an ISO ``expires`` was given; ``valid_seconds``: when a number of seconds was
    (``expires`` or ``expired``). The code itself is a :class:`~pydantic.SecretStr` (never in a repr or log).
    """

    code: SecretStr
    message: str | None = None
    expires_at: datetime | None = None
    valid_seconds: int | None = None

    @property
    def credential(self) -> Credential:
        """The code as an OTP credential, for ``seal_totp``, ``seal_pdf`` or ``seal_revoke_activation``."""
        return Credential.otp(self.code.get_secret_value())

    @classmethod
    def from_answer(cls, answer: dict[str, Any]) -> SealCode:
        """Read the code from ``totp`` (the guide), else from a string ``result`` (older services); a boolean
        ``result`` is a success flag and never a code. Raises ``ValueError`` when no code is there."""
        inner = answer.get("data") if isinstance(answer.get("data"), dict) else answer
        assert isinstance(inner, dict)
        code = _code(inner.get("totp"))
        if code is None:
            code = _code(inner.get("result"))
        if code is None:
            raise ValueError("no seal code in the answer (totp / data.totp / result)")
        expires = inner.get("expires", inner.get("expired"))
        expires_at: datetime | None = None
        seconds: int | None = None
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            seconds = int(expires)
        elif isinstance(expires, str) and expires.strip().isdigit():
            seconds = int(expires.strip())
        elif isinstance(expires, str):
            moment = _utc_moment(expires)
            if not isinstance(moment, datetime):
                raise ValueError("expires is neither ISO 8601 nor a number of seconds")
            expires_at = moment
        message = inner.get("message") if isinstance(inner.get("message"), str) else answer.get("message")
        return cls(
            code=SecretStr(code),
            message=message if isinstance(message, str) else None,
            expires_at=expires_at,
            valid_seconds=seconds,
        )

    def __repr__(self) -> str:
        return f"SealCode(expires_at={self.expires_at!r}, valid_seconds={self.valid_seconds!r})"


def _code(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


class UserRegistration(_Model):
    """``POST /api/v2/user/registration`` (guide p.33; the guide shows no answer, so every field is optional
    and what a service adds is kept in ``data``)."""

    success: bool | None = None
    message: str | None = None
    status: str | None = None
    status_code: int | None = None
    data: Any = None


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
