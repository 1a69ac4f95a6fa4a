"""``/healthz`` (the process is up), ``/readyz`` (its dependencies answer) and ``/metrics`` (Prometheus).

Outside ``/v1``: these are for the platform (load balancer, orchestrator, Prometheus), not callers.

When ``metrics_token`` is set (``SIAKGATE_METRICS_TOKEN``; required outside development), ``/metrics``
answers only ``Authorization: Bearer <metrics_token>`` (401 otherwise), and ``/readyz`` tells anyone
only ``ready``/``not_ready`` (200/503, what a load balancer needs); which dependency failed is shown
with the token only. A wrong token is a 401 on both. Unset (development): both open.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable

import anyio
import httpx
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel

from siakgate.api.deps import GatewayDep
from siakgate.config import Settings
from siakgate.errors import UnauthenticatedError

router = APIRouter(tags=["observability"])

PROBE_TIMEOUT = 3.0


class Health(BaseModel):
    status: str
    service: str = "siakgate"


class Readiness(BaseModel):
    status: str
    """``ready`` or ``not_ready``."""
    checks: dict[str, bool] | None = None
    """database, siak, bsre: whether each answered (with the metrics token, when one is configured)."""
    failed: list[str] | None = None


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
async def readyz(request: Request, gateway: GatewayDep) -> JSONResponse:
    settings = gateway.settings
    detailed = _authorised(request, settings, required=False)
    checks: dict[str, bool] = {}

    async def check(name: str, probe: Awaitable[bool]) -> None:
        checks[name] = await probe

    async with anyio.create_task_group() as group:
        group.start_soon(check, "database", gateway.db.ping())
        group.start_soon(check, "siak", _answers(gateway.siak_http, f"{settings.siak.url}?wsdl"))
        group.start_soon(check, "bsre", _answers(gateway.bsre_http, f"{settings.bsre.url.rstrip('/')}/healthz"))
    ordered = {name: checks[name] for name in ("database", "siak", "bsre")}
    failed = [name for name, ok in ordered.items() if not ok]
    body = Readiness(status="not_ready" if failed else "ready")
    if detailed:
        body.checks, body.failed = ordered, failed
    return JSONResponse(body.model_dump(exclude_none=True), status_code=503 if failed else 200)


def _authorised(request: Request, settings: Settings, *, required: bool) -> bool:
    """Whether the request carries the metrics token (always, when none is configured).

    No token configured: True. A wrong token: 401. No token sent: 401 if ``required``, else False.
    """
    if settings.metrics_token is None:
        return True
    given = request.headers.get("authorization")
    if given is None and not required:
        return False
    expected = f"Bearer {settings.metrics_token.get_secret_value()}"
    if given is None or not hmac.compare_digest(given.encode(), expected.encode()):
        raise UnauthenticatedError(
            "Token metrik diperlukan (Authorization: Bearer <SIAKGATE_METRICS_TOKEN>).", code="TOKEN_METRIK_TIDAK_VALID"
        )
    return True


@router.get("/metrics", summary="Metrik Prometheus", response_class=Response)
async def metrics(request: Request, gateway: GatewayDep) -> Response:
    _authorised(request, gateway.settings, required=True)
    return Response(gateway.metrics.render(), media_type=CONTENT_TYPE_LATEST)
