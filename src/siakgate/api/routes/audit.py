"""``/v1/audit``: the audit trail for the gateway's operators (ADMIN role only).

``GET /v1/audit/verify`` walks the hash chain (the same report as ``siakgate audit verify --json``);
``GET /v1/audit?subject=<id>`` lists entries of one subject (an application id, a collection id).
Entries hold no personal data, so reading them is not itself a personal-data read.

Region: an ADMIN token bound to a region lists only entries about applications of its region (entries
about other subjects, such as collections, belong to no region and are for national ADMINs only). The
chain check walks every region's entries, so it is for a national ADMIN (no region): a regional one gets
403 ``KHUSUS_ADMIN_NASIONAL``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy.orm import Session

from siakgate.api.deps import CurrentActor, GatewayDep
from siakgate.api.params import Seq
from siakgate.audit import entries_of, verify_chain
from siakgate.workflow.access import ADMIN_ROLE, require_national_admin, require_role

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    actor: str
    calling_system: str
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str


class ChainReportOut(BaseModel):
    intact: bool
    entries: int
    head_seq: int
    head_hash: str
    broken_seq: int | None
    problem: str | None
    message: str


@router.get("/verify", response_model=ChainReportOut, summary="Periksa keutuhan rantai hash log audit")
async def verify(actor: CurrentActor, gateway: GatewayDep) -> ChainReportOut:
    """The whole chain, every region's entries: a national ADMIN only (403 ``KHUSUS_ADMIN_NASIONAL`` otherwise)."""
    require_national_admin(actor)
    report = await gateway.db.run(verify_chain, read_only=True)
    return ChainReportOut(**report.to_json())


@router.get("", response_model=list[AuditEntryOut], summary="Entri log audit (per subjek)")
async def list_entries(
    actor: CurrentActor,
    gateway: GatewayDep,
    subject: Annotated[str | None, Query(max_length=64, description="Subject id, e.g. an application id")] = None,
    subject_type: Annotated[str | None, Query(max_length=32, description="application or collection")] = None,
    action: Annotated[str | None, Query(max_length=64, description="e.g. PERSONAL_DATA_READ")] = None,
    after_seq: Seq = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEntryOut]:
    """Entries in ``seq`` order; a regional ADMIN sees only entries about its region's applications."""
    require_role(actor, [ADMIN_ROLE])

    def unit(session: Session) -> list[AuditEntryOut]:
        rows = entries_of(
            session,
            subject=subject,
            subject_type=subject_type,
            action=action,
            after_seq=after_seq,
            limit=limit,
            region_prefix=actor.region_prefix,
        )
        return [AuditEntryOut(**row.__dict__) for row in rows]

    return await gateway.db.run(unit, read_only=True)
