"""``create_app(config)``: mock BSrE's Starlette app wrapped in the shared fault injector.

Layout: Esign API under ``/api`` (HTTP Basic per calling application), CSC API under ``/csc/v2``,
PKI services under ``/pki`` (helper PKI's routes), admin under ``/_admin``, ``GET /healthz``.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from mock_bsre import admin, api_v1, api_v2, csc
from mock_bsre.config import BsreMockConfig
from mock_bsre.errors import (
    ApiError,
    CscError,
    api_error_handler,
    csc_error_handler,
    fault_body,
    unauthorized,
)
from mock_bsre.service import BsreService
from mock_common.faults import ADMIN_PATH, FaultInjector

MALFORMED_BODY = b'{"error":"Proses signing gagal : ko'


class BsreFaultInjector(FaultInjector):
    """The shared injector, but mock BSrE's own admin endpoints are never faulted either."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path.startswith("/_admin/") and path != ADMIN_PATH:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


class BasicAuthGuard:
    """Refuses ``/api/*`` without the HTTP Basic credentials of an enabled calling application."""

    def __init__(self, app: ASGIApp, config: BsreMockConfig) -> None:
        self.app = app
        self.config = config

    def credentials_ok(self, header: str) -> bool:
        if not header.lower().startswith("basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        user, sep, password = decoded.partition(":")
        expected = self.config.clients.get(user)
        return (
            bool(sep)
            and expected is not None
            and user not in self.config.disabled_clients
            and hmac.compare_digest(password.encode(), expected.encode())
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith("/api/"):
            header = dict(scope.get("headers", [])).get(b"authorization", b"").decode("latin-1")
            if not self.credentials_ok(header):
                exc = unauthorized(scope["path"])
                response = JSONResponse(exc.body, status_code=exc.status, headers=exc.headers)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def healthz(_request: Request) -> Response:
    return JSONResponse({"service": "mock_bsre", "status": "ok"})


def _load_pki(certs_dir: Path | None) -> tuple[object, list[Route | Mount]]:
    from mock_bsre.pki import load_pki, pki_routes

    pki = load_pki(certs_dir)
    return pki, [Mount("/pki", routes=list(pki_routes(pki)))]


def create_app(config: BsreMockConfig) -> FaultInjector:
    pki, pki_mount = _load_pki(config.certs_dir)
    service = BsreService(config, pki)
    routes: list[Route | Mount] = [
        Route("/healthz", healthz, methods=["GET"]),
        *api_v1.routes,
        *api_v2.routes,
        *csc.routes,
        *admin.routes,
        *pki_mount,
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={ApiError: api_error_handler, CscError: csc_error_handler},
    )
    guard = BasicAuthGuard(app, config)
    app.state.service = service
    app.state.config = config
    app.state.basic_ok = guard.credentials_ok
    return BsreFaultInjector(
        guard,
        config.faults,
        fault_response=lambda: JSONResponse(fault_body(), status_code=500),
        malformed_body=MALFORMED_BODY,
        malformed_media_type="application/json",
    )
