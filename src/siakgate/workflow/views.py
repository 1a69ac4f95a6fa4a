"""What the workflow answers: frozen dataclasses of plain values, built inside the unit of work.

They are JSON-ready through ``dataclasses.asdict`` (datetimes in UTC, to be ``isoformat``-ed). No
view carries the family's data: names and NIKs stay in the database and in the KK PDFs; a No. KK is
shown masked (``3508********0001``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from siakgate.domain import mask_nik
from siakgate.store.models import (
    Application,
    ApplicationDocument,
    CollectionBatch,
    SigningBatch,
    SigningBatchItem,
    TimelineEvent,
)
from siakgate.workflow.states import BatchItemState

__all__ = [
    "ApplicationView",
    "BatchItemView",
    "BatchView",
    "CollectionView",
    "DocumentView",
    "PrintListEntry",
    "PublicVerification",
    "TimelineEntry",
    "application_view",
    "batch_view",
    "collection_view",
    "document_view",
    "masked",
    "timeline_entry",
]


def masked(no_kk: str | None) -> str | None:
    return mask_nik(no_kk) if no_kk else None


@dataclass(frozen=True)
class DocumentView:
    kind: str
    """A requirement code, DRAFT_KK, SIGNED_KK or COVER_LETTER."""
    sha256: str
    size: int
    media_type: str
    filename: str
    created_at: datetime


@dataclass(frozen=True)
class ApplicationView:
    id: str
    profile_id: str
    case_type: str
    region_code: str
    state: str
    current_step_id: str | None
    current_step_name: str | None
    awaiting_role: str | None
    missing: tuple[str, ...]
    """What the checker listed as missing when the file was returned."""
    missing_requirements: tuple[str, ...]
    """Mandatory requirements of the profile not uploaded yet."""
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
    documents: tuple[DocumentView, ...]


@dataclass(frozen=True)
class TimelineEntry:
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


@dataclass(frozen=True)
class BatchItemView:
    application_id: str
    state: str
    error_code: str | None
    error_message: str | None
    signed_sha256: str | None
    signed_at: datetime | None


@dataclass(frozen=True)
class BatchView:
    id: str
    state: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    items: tuple[BatchItemView, ...]

    @property
    def signed(self) -> int:
        return sum(1 for item in self.items if item.state == BatchItemState.SIGNED)


@dataclass(frozen=True)
class CollectionView:
    id: str
    profile_id: str
    district_code: str
    state: str
    number: str
    application_ids: tuple[str, ...]
    cover_letter_sha256: str | None
    signed_cover_letter_sha256: str | None
    created_by: str
    created_at: datetime
    signed_at: datetime | None
    submitted_at: datetime | None


@dataclass(frozen=True)
class PrintListEntry:
    """One line of SIAK's certified print list, joined with the gateway's application where there is one."""

    no_permohonan: str
    application_id: str | None
    no_kk_masked: str
    region_code: str
    certified_at: datetime
    print_status: str
    print_count: int


@dataclass(frozen=True)
class PublicVerification:
    """What the QR code's page shows: never the family's data."""

    ref: str
    valid: bool
    status: str
    """Bahasa Indonesia, one sentence."""
    signer: str | None
    signed_at: datetime | None
    no_kk_masked: str | None
    document_sha256: str | None


def document_view(row: ApplicationDocument) -> DocumentView:
    return DocumentView(row.kind, row.sha256, row.size, row.media_type, row.filename, row.created_at)


def application_view(
    app: Application,
    documents: list[ApplicationDocument],
    *,
    step_name: str | None,
    missing_requirements: tuple[str, ...],
) -> ApplicationView:
    return ApplicationView(
        id=app.id,
        profile_id=app.profile_id,
        case_type=app.case_type,
        region_code=app.region_code,
        state=app.state,
        current_step_id=app.current_step_id,
        current_step_name=step_name,
        awaiting_role=app.awaiting_role,
        missing=tuple(str(code) for code in app.missing or ()),
        missing_requirements=missing_requirements,
        return_reason=app.return_reason,
        no_kk_masked=masked(app.no_kk),
        siak_request_no=app.siak_request_no,
        queue_number=app.queue_number,
        due_at=app.due_at,
        created_at=app.created_at,
        updated_at=app.updated_at,
        completed_at=app.completed_at,
        collection_id=app.collection_id,
        last_error_code=app.last_error_code,
        round=app.round,
        version=app.version,
        documents=tuple(document_view(d) for d in documents),
    )


def timeline_entry(row: TimelineEvent) -> TimelineEntry:
    return TimelineEntry(
        step_id=row.step_id,
        action=row.action,
        actor=row.actor,
        role=row.role,
        at=row.at,
        started_at=row.started_at,
        standard_minutes=row.standard_minutes,
        actual_minutes=row.actual_minutes,
        outcome=row.outcome,
        note=row.note,
    )


def batch_view(batch: SigningBatch, items: list[SigningBatchItem]) -> BatchView:
    return BatchView(
        id=batch.id,
        state=batch.state,
        created_by=batch.created_by,
        created_at=batch.created_at,
        updated_at=batch.updated_at,
        items=tuple(
            BatchItemView(i.application_id, i.state, i.error_code, i.error_message, i.signed_sha256, i.signed_at)
            for i in items
        ),
    )


def collection_view(batch: CollectionBatch, application_ids: list[str]) -> CollectionView:
    return CollectionView(
        id=batch.id,
        profile_id=batch.profile_id,
        district_code=batch.district_code,
        state=batch.state,
        number=batch.number,
        application_ids=tuple(application_ids),
        cover_letter_sha256=batch.cover_letter_sha256,
        signed_cover_letter_sha256=batch.signed_cover_letter_sha256,
        created_by=batch.created_by,
        created_at=batch.created_at,
        signed_at=batch.signed_at,
        submitted_at=batch.submitted_at,
    )
