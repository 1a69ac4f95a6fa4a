"""Each officer's own history: what they verified, rejected and signed (the timeline under their name)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from siakgate.web.core import BASE, CurrentOfficer, WebRoute, gateway_of, render
from siakgate.web.messages import ACTION_LABELS
from siakgate.web.queries import history
from siakgate.web.routes_verify import case_label

__all__ = ["router"]

router = APIRouter(prefix=BASE, route_class=WebRoute, include_in_schema=False)


@router.get("/riwayat")
async def my_history(request: Request, signed: CurrentOfficer) -> Response:
    rows = await history(gateway_of(request).db, signed.officer.actor)
    return render(request, "history.html", rows=rows, labels=ACTION_LABELS, case_label=case_label)
