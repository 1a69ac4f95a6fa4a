"""``GET /v1/reports/sla?profile=&from=&to=``: the service-time report as JSON (:mod:`siakgate.reports.sla`).

For the Kepala Dinas, the Kabid and the Kasi (and ADMIN); a token bound to a region sees its region's
applications only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from siakgate.api.deps import CurrentActor, GatewayDep
from siakgate.api.params import IsoDate
from siakgate.reports.render import report_dict
from siakgate.reports.sla import build_sla_report
from siakgate.service_desk.roles import REPORT_ROLES
from siakgate.workflow.access import require_role

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get("/sla", summary="Laporan waktu layanan: tepat waktu (hari kerja) dan waktu nyata tiap langkah")
async def sla(
    request: Request,
    actor: CurrentActor,
    gateway: GatewayDep,
    profile: Annotated[str, Query(min_length=1, max_length=64, description="Service profile id")],
    start: Annotated[IsoDate, Query(alias="from", description="First day (WIB), YYYY-MM-DD")],
    end: Annotated[IsoDate, Query(alias="to", description="Last day (WIB), YYYY-MM-DD, inclusive")],
) -> dict[str, Any]:
    require_role(actor, REPORT_ROLES)
    report = await build_sla_report(
        gateway.db,
        gateway.workflow.profiles,
        profile,
        start,
        end,
        calendar=gateway.calendar,
        now=gateway.clock.now(),
        region_prefix=actor.region_prefix,
    )
    return report_dict(report)
