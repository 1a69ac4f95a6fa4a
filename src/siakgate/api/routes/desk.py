"""The service desk's API: ``/v1/queue-tickets``, ``/v1/complaints``, follow-ups.

::

    POST /v1/queue-tickets                              {counter, region_code?, application_id?} -> "A-001"
                                                        (per region, counter and WIB day)
    GET  /v1/queue-tickets?counter=A&day=YYYY-MM-DD     the day's tickets of the token's region, in order
    POST /v1/queue-tickets/{id}/link                    {application_id}
    POST /v1/complaints                                 register (secretariat level)
    GET  /v1/complaints[?state=&level=&application_id=] list (overdue levels escalate first)
    GET  /v1/complaints/{id}                            one, with its history
    POST /v1/complaints/{id}/escalate                   {to?, field?, note?}
    POST /v1/complaints/{id}/resolve                    {follow_up} (required)
    GET  /v1/applications/{id}/follow-ups               the application's tasks
    PUT  /v1/applications/{id}/changed-elements         {elements} (PERUBAHAN_DATA: decides the KTP task)
    GET  /v1/follow-ups?state=OPEN&kind=                the region's tasks
    POST /v1/follow-ups/{id}/complete                   {note?}

Queue tickets carry a region, as applications do (:mod:`siakgate.service_desk.queue`): the one given
(inside the token's region, 403 otherwise) or the token's prefix. A token lists only its region's tickets;
a ticket of another region, or an application outside the ticket's region, is 404 when linking.

The desk is the gateway's (built by the composition root on the gateway's clock).
Complainants' contacts are in the bodies; the request log never records bodies.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field

from siakgate.api.deps import CurrentActor, GatewayDep
from siakgate.api.params import IsoDate, Offset, RowId
from siakgate.domain.text import FreeText, MultilineText, PersonName
from siakgate.service_desk.complaints import Channel, Field_, Level
from siakgate.service_desk.desk import ServiceDesk
from siakgate.service_desk.queue import COUNTER_PATTERN, REGION_PATTERN

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["service-desk"])


async def get_desk(gateway: GatewayDep) -> ServiceDesk:  # async: no thread hop
    return gateway.desk


DeskDep = Annotated[ServiceDesk, Depends(get_desk)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# -- queue tickets -----------------------------------------------------------------------------------


class TicketCreate(_In):
    counter: str = Field(pattern=COUNTER_PATTERN, examples=["A"], description="Kode loket")
    region_code: str | None = Field(
        default=None, pattern=REGION_PATTERN, description="Wilayah kantor (di dalam wilayah token; default: token)"
    )
    application_id: str | None = Field(default=None, max_length=26)


class TicketLink(_In):
    application_id: str = Field(min_length=1, max_length=26)


class TicketOut(_Out):
    id: str
    region_code: str
    counter: str
    day: date
    number: int
    label: str
    application_id: str | None
    created_at: datetime


@router.post("/queue-tickets", status_code=status.HTTP_201_CREATED, response_model=TicketOut, tags=["service-desk"],
             summary="Ambil nomor antrian (per loket dan hari, WIB)")  # fmt: skip
async def issue_ticket(body: TicketCreate, actor: CurrentActor, desk: DeskDep) -> TicketOut:
    view = await desk.issue_ticket(actor, body.counter, body.application_id, body.region_code)
    return TicketOut.model_validate(view)


@router.get("/queue-tickets", response_model=list[TicketOut],
            summary="Nomor antrian satu loket pada satu hari (wilayah token)")  # fmt: skip
async def list_tickets(
    actor: CurrentActor,
    desk: DeskDep,
    counter: Annotated[str, Query(pattern=COUNTER_PATTERN)],
    day: Annotated[IsoDate | None, Query(description="YYYY-MM-DD (WIB); default: today")] = None,
) -> list[TicketOut]:
    return [TicketOut.model_validate(view) for view in await desk.list_tickets(actor, counter, day)]


@router.post("/queue-tickets/{ticket_id}/link", response_model=TicketOut, summary="Hubungkan nomor ke permohonan")
async def link_ticket(ticket_id: str, body: TicketLink, actor: CurrentActor, desk: DeskDep) -> TicketOut:
    return TicketOut.model_validate(await desk.link_ticket(actor, ticket_id, body.application_id))


# -- complaints --------------------------------------------------------------------------------------


class ComplaintCreate(_In):
    channel: Channel
    subject: FreeText = Field(min_length=3, max_length=200)
    description: MultilineText = Field(min_length=1, max_length=5000)
    application_id: str | None = Field(default=None, max_length=26)
    region_code: str | None = Field(default=None, pattern=r"^(\d{2}|\d{4}|\d{6}|\d{10})$")
    field: Field_ | None = None
    complainant_name: PersonName | None = Field(default=None, max_length=200)
    complainant_contact: FreeText | None = Field(
        default=None, max_length=200, description="Data pribadi: tidak dicatat"
    )


class ComplaintEscalate(_In):
    to: Level | None = Field(default=None, description="From the secretariat: SEKRETARIS or KABID")
    field: Field_ | None = None
    note: MultilineText | None = Field(default=None, max_length=2000)


class ComplaintResolve(_In):
    follow_up: MultilineText | None = Field(default=None, max_length=5000, description="Tindak lanjut (wajib)")


class ComplaintEventOut(_Out):
    action: str
    from_level: str | None
    to_level: str | None
    actor: str
    role: str | None
    at: datetime
    note: str | None


class ComplaintOut(_Out):
    id: str
    application_id: str | None
    region_code: str
    channel: str
    field: str | None
    subject: str
    description: str
    complainant_name: str | None
    complainant_contact: str | None
    level: str
    level_started_at: datetime
    level_due_at: datetime
    overdue: bool
    state: str
    follow_up: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    created_by: str
    created_at: datetime
    history: list[ComplaintEventOut]


@router.post("/complaints", status_code=status.HTTP_201_CREATED, response_model=ComplaintOut,
             summary="Catat pengaduan (tingkat sekretariat pengaduan)")  # fmt: skip
async def create_complaint(body: ComplaintCreate, actor: CurrentActor, desk: DeskDep) -> ComplaintOut:
    view = await desk.create_complaint(
        actor,
        channel=body.channel,
        subject=body.subject,
        description=body.description,
        application_id=body.application_id,
        region_code=body.region_code,
        field=body.field,
        complainant_name=body.complainant_name,
        complainant_contact=body.complainant_contact,
    )
    return ComplaintOut.model_validate(view)


@router.get("/complaints", response_model=list[ComplaintOut], summary="Daftar pengaduan")
async def list_complaints(
    actor: CurrentActor,
    desk: DeskDep,
    state: Annotated[str | None, Query(pattern=r"^(OPEN|RESOLVED)$")] = None,
    level: Level | None = None,
    application_id: Annotated[str | None, Query(max_length=26)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Offset = 0,
) -> list[ComplaintOut]:
    views = await desk.list_complaints(
        actor, state=state, level=level, application_id=application_id, limit=limit, offset=offset
    )
    return [ComplaintOut.model_validate(view) for view in views]


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut, summary="Pengaduan dan riwayatnya")
async def get_complaint(complaint_id: str, actor: CurrentActor, desk: DeskDep) -> ComplaintOut:
    return ComplaintOut.model_validate(await desk.get_complaint(actor, complaint_id))


@router.post("/complaints/{complaint_id}/escalate", response_model=ComplaintOut,
             summary="Teruskan (sekretariat) atau naikkan ke Kepala Dinas")  # fmt: skip
async def escalate_complaint(
    complaint_id: str, body: ComplaintEscalate, actor: CurrentActor, desk: DeskDep
) -> ComplaintOut:
    view = await desk.escalate_complaint(actor, complaint_id, to=body.to, field=body.field, note=body.note)
    return ComplaintOut.model_validate(view)


@router.post("/complaints/{complaint_id}/resolve", response_model=ComplaintOut,
             summary="Selesaikan dengan tindak lanjut tertulis")  # fmt: skip
async def resolve_complaint(
    complaint_id: str, body: ComplaintResolve, actor: CurrentActor, desk: DeskDep
) -> ComplaintOut:
    return ComplaintOut.model_validate(await desk.resolve_complaint(actor, complaint_id, body.follow_up))


# -- follow-ups --------------------------------------------------------------------------------------


class FollowUpOut(_Out):
    id: int
    application_id: str
    kind: str
    label: str
    state: str
    details: dict[str, Any]
    created_at: datetime
    completed_at: datetime | None
    completed_by: str | None
    note: str | None


class FollowUpComplete(_In):
    note: MultilineText | None = Field(default=None, max_length=2000)


class ChangedElements(_In):
    elements: list[str] = Field(max_length=30, description="Kode elemen (siakgate.service_desk.ktp.ELEMENTS)")


@router.get("/applications/{application_id}/follow-ups", response_model=list[FollowUpOut],
            summary="Tugas tindak lanjut permohonan (KK lama, cetak ulang KTP-el)")  # fmt: skip
async def follow_ups_of(application_id: str, actor: CurrentActor, desk: DeskDep) -> list[FollowUpOut]:
    return [FollowUpOut.model_validate(view) for view in await desk.follow_ups_of(actor, application_id)]


@router.put("/applications/{application_id}/changed-elements",
            summary="PERUBAHAN_DATA: elemen data yang berubah (menentukan cetak ulang KTP-el)")  # fmt: skip
async def declare_changes(
    application_id: str, body: ChangedElements, actor: CurrentActor, desk: DeskDep
) -> dict[str, object]:
    return await desk.declare_changes(actor, application_id, body.elements)


@router.get("/follow-ups", response_model=list[FollowUpOut], summary="Tugas tindak lanjut di wilayah token")
async def list_follow_ups(
    actor: CurrentActor,
    desk: DeskDep,
    state: Annotated[str | None, Query(pattern=r"^(?i:open|done)$")] = None,
    kind: Annotated[str | None, Query(pattern=r"^(KK_LAMA_DIKEMBALIKAN|CETAK_ULANG_KTP)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> list[FollowUpOut]:
    views = await desk.list_follow_ups(
        actor, state=state.upper() if state else None, kind=kind, limit=limit, offset=offset
    )
    return [FollowUpOut.model_validate(view) for view in views]


@router.post("/follow-ups/{task_id}/complete", response_model=FollowUpOut, summary="Tandai tugas selesai")
async def complete_follow_up(task_id: RowId, body: FollowUpComplete, actor: CurrentActor, desk: DeskDep) -> FollowUpOut:
    return FollowUpOut.model_validate(await desk.complete_follow_up(actor, task_id, body.note))
