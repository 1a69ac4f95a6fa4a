"""Request and response bodies of the REST API (pydantic, English field names).

Responses are built from the workflow's views (``Model.model_validate(view)``): the API's shapes are
declared here, separately from the engine's dataclasses, so the engine can change without changing
the published contract by accident. No response carries the family's data; a No. KK is masked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from siakgate.domain import CaseType
from siakgate.domain.text import FreeText

__all__ = [
    "ActionRequest",
    "ApplicationCreate",
    "ApplicationOut",
    "BatchCreate",
    "BatchItemOut",
    "BatchOut",
    "CollectionCreate",
    "CollectionOut",
    "DocumentOut",
    "PrintListEntryOut",
    "PublicVerificationOut",
    "SignRequestBody",
    "TimelineEntryOut",
]


RequirementCode = Annotated[str, Field(pattern=r"^[A-Z][A-Z_]{1,39}$", examples=["KK_LAMA_ASLI"])]
"""A requirement code (siakgate.domain.DOCUMENTS): code-shaped only, so an unknown one may be named back."""


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationCreate(_In):
    """A new application. ``family`` is the KK as it should be (new data to enter); ``no_kk`` the existing KK."""

    profile_id: str = Field(min_length=1, max_length=64, examples=["lumajang-bca"])
    case_type: CaseType
    region_code: str = Field(
        pattern=r"^\d{10}$", description="Kode wilayah 10 digit (NO_PROP+NO_KAB+NO_KEC+NO_KEL) of the applicant."
    )
    applicant_phone: str | None = Field(default=None, pattern=r"^\+?\d{8,15}$")
    family: dict[str, Any] | None = Field(
        default=None, description="The KK's data (siakgate.domain.KartuKeluarga, English field names)."
    )
    no_kk: str | None = Field(default=None, pattern=r"^\d{16}$", description="The existing No. KK, when there is one.")


class ActionRequest(_In):
    """The body of ``POST /v1/applications/{id}/actions/{action}``."""

    reason: FreeText | None = Field(default=None, max_length=1000, description="Why (reject, correct, return).")
    missing: list[RequirementCode] | None = Field(
        default=None, max_length=50, description="Requirement codes missing (incomplete)."
    )


class DocumentOut(_Out):
    kind: str
    sha256: str
    size: int
    media_type: str
    filename: str
    created_at: datetime


class ApplicationOut(_Out):
    id: str
    profile_id: str
    case_type: str
    region_code: str
    state: str
    current_step_id: str | None
    current_step_name: str | None
    awaiting_role: str | None
    missing: list[str]
    missing_requirements: list[str]
    return_reason: str | None
    no_kk_masked: str | None
    siak_request_no: str | None
    queue_number: str | None
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    collection_id: str | None
    last_error_code: str | None
    round: int
    version: int
    documents: list[DocumentOut]


class TimelineEntryOut(_Out):
    step_id: str | None
    action: str
    actor: str
    role: str | None
    at: datetime
    started_at: datetime | None
    standard_minutes: float | None
    actual_minutes: float | None
    outcome: str
    note: str | None


class BatchCreate(_In):
    application_ids: list[str] = Field(min_length=1, max_length=500)


class SignRequestBody(_In):
    """Exactly one of ``passphrase`` and ``otp``. Never logged, never stored, never echoed."""

    passphrase: str | None = Field(default=None, min_length=1, max_length=256, json_schema_extra={"writeOnly": True})
    otp: str | None = Field(default=None, min_length=4, max_length=16, json_schema_extra={"writeOnly": True})

    def __repr__(self) -> str:
        return "SignRequestBody(***)"

    __str__ = __repr__


class BatchItemOut(_Out):
    application_id: str
    state: str
    error_code: str | None
    error_message: str | None
    signed_sha256: str | None
    signed_at: datetime | None


class BatchOut(_Out):
    id: str
    state: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    signed: int = Field(description="How many items are signed.")
    items: list[BatchItemOut]


class CollectionCreate(_In):
    application_ids: list[str] = Field(min_length=1, max_length=500)


class CollectionOut(_Out):
    id: str
    profile_id: str
    district_code: str
    state: str
    number: str
    application_ids: list[str]
    cover_letter_sha256: str | None
    signed_cover_letter_sha256: str | None
    created_by: str
    created_at: datetime
    signed_at: datetime | None
    submitted_at: datetime | None


class PrintListEntryOut(_Out):
    no_permohonan: str
    application_id: str | None
    no_kk_masked: str
    region_code: str
    certified_at: datetime
    print_status: str
    print_count: int


class PublicVerificationOut(BaseModel):
    """What anyone scanning the QR code learns: validity, signer, time, the masked No. KK. No family data."""

    valid: bool
    status: str = Field(description="One sentence in Bahasa Indonesia.")
    signer_name: str | None
    signed_at: datetime | None
    no_kk_masked: str | None
    document_ref: str
    document_sha256: str | None
