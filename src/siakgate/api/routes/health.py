"""``/healthz`` (the process is up), ``/readyz`` (its dependencies answer) and ``/metrics`` (Prometheus).

Outside ``/v1``: these are for the platform (load balancer, orchestrator, Prometheus), not callers.
"""

from __future__ import annotations

from collections.abc import Awaitable

import anyio
import httpx
from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from siakgate.api.deps import GatewayDep

router = APIRouter(tags=["observability"])

PROBE_TIMEOUT = 3.0


class Health(BaseModel):
    status: str
    service: str = "siakgate"


class Readiness(BaseModel):
    status: str
    """``ready`` or ``not_ready``."""
    checks: dict[str, bool]
    """database, siak, bsre: whether each answered."""
    failed: list[str]


@router.get("/healthz", summary="Proses gateway hidup", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


async def _answers(client: httpx.AsyncClient, url: str) -> bool:
    """Reachable = an HTTP answer below 500 (a real Esign Client may have no /healthz: 404 still answers)."""
    try:
        response = await client.get(url, timeout=PROBE_TIMEOUT)
    except httpx.HTTPError:
        return False
    return response.status_code < 500


@router.get(
    "/readyz",
    summary="Basis data, SIAK dan BSrE dapat dihubungi",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Sedikitnya satu ketergantungan tidak menjawab."}},
)
async def readyz(gateway: GatewayDep) -> JSONResponse:
    settings = gateway.settings
    checks: dict[str, bool] = {}

    async def check(name: str, probe: Awaitable[bool]) -> None:
        checks[name] = await probe

    async with anyio.create_task_group() as group:
        group.start_soon(check, "database", gateway.db.ping())
        group.start_soon(check, "siak", _answers(gateway.siak_http, f"{settings.siak.url}?wsdl"))
        group.start_soon(check, "bsre", _answers(gateway.bsre_http, f"{settings.bsre.url.rstrip('/')}/healthz"))
    ordered = {name: checks[name] for name in ("database", "siak", "bsre")}
    failed = [name for name, ok in ordered.items() if not ok]
    body = Readiness(status="not_ready" if failed else "ready", checks=ordered, failed=failed)
    return JSONResponse(body.model_dump(), status_code=503 if failed else 200)


@router.get("/metrics", summary="Metrik Prometheus", response_class=Response)
async def metrics(gateway: GatewayDep) -> Response:
    return Response(gateway.metrics.render(), media_type=CONTENT_TYPE_LATEST)
