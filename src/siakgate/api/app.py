"""The app factory: ``create_app(settings)`` builds a FastAPI app whose lifespan owns every service.

::

    app = create_app(Settings())          # nothing connects yet
    uvicorn.run(app, host="127.0.0.1", port=8000)

No import-time singletons: settings are passed in, services are built by the lifespan
(:func:`siakgate.api.runtime.open_gateway`) and kept on ``app.state.gateway``, the metrics registry
belongs to the app. Several apps can live in one process (the tests build one per database).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from siakgate import __version__
from siakgate.api import docs
from siakgate.api.bodylimit import BodyLimitMiddleware
from siakgate.api.headers import SecurityHeadersMiddleware
from siakgate.api.metrics import GatewayMetrics
from siakgate.api.observability import RequestLogMiddleware
from siakgate.api.problems import PROBLEM_DOC, PROBLEM_RESPONSE, install_problem_handlers
from siakgate.api.routes import applications, health, signing, verify, worklists
from siakgate.api.routes import archive as archive_routes
from siakgate.api.routes import audit as audit_routes
from siakgate.api.routes import desk as desk_routes
from siakgate.api.routes import reports as report_routes
from siakgate.api.runtime import open_gateway, run_worker
from siakgate.archive import archive_settings, run_replicator
from siakgate.archive.renew import run_renewer
from siakgate.clock import Clock
from siakgate.config import Settings
from siakgate.notify import run_delivery
from siakgate.web import router as workstation_router
from siakgate.workflow.applicant import open_applicant_check

__all__ = ["create_app"]

log = logging.getLogger("siakgate.api")

DESCRIPTION = """\
Gateway SIAK dan TTE untuk Dinas Dukcapil: the systems that take KK applications (WhatsApp desks,
counters, village counters, kecamatan offices) move an application from intake to a signed KK here.

* Authentication: `Authorization: Bearer <token>` (create one with `siakgate tokens add`). Each token
  carries roles and optionally a region prefix; every action is authorised against them.
* Errors: RFC 9457 `application/problem+json` with a stable `code` and a `detail` in Bahasa Indonesia.
* `POST /v1/applications` honours `Idempotency-Key`: a repeated request returns the first answer.
"""

TAGS = [
    {"name": "applications", "description": "Permohonan KK: buat, unggah persyaratan, status, riwayat, tindakan."},
    {"name": "signing", "description": "Batch TTE Kepala Dinas (passphrase atau OTP, tidak pernah dicatat)."},
    {"name": "worklists", "description": "Daftar cetak dan pengantar kecamatan."},
    {"name": "verification", "description": "Verifikasi publik (kode QR) dan unggah PDF untuk diperiksa."},
    {"name": "observability", "description": "Kesehatan, kesiapan dan metrik Prometheus."},
]


def create_app(settings: Settings, *, clock: Clock | None = None) -> FastAPI:
    """A gateway app for ``settings``; services start with the app's lifespan and stop with it.

    ``clock``: the one business clock every service is built with (a test passes a fixed one); by
    default the system's.
    """
    metrics = GatewayMetrics()
    clock = clock or Clock()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        web_config = getattr(app.state, "web_config", None)  # a test may set the workstation's knobs
        async with (
            open_gateway(settings, metrics, clock, web_config=web_config) as gateway,
            open_applicant_check(settings.dukcapil, clock) as applicant_check,  # None unless enabled
            anyio.create_task_group() as group,
        ):
            app.state.gateway = gateway
            app.state.applicant_check = applicant_check  # intake's NIK check (siakgate.workflow.applicant)
            if gateway.read_audit is not None:
                group.start_soon(gateway.read_audit.run)  # flushes what is queued when cancelled at shutdown
            group.start_soon(run_worker, gateway.workflow, settings.worker_interval, metrics)
            group.start_soon(run_replicator, gateway.archive, archive_settings(settings).interval)
            if gateway.renewer is not None:
                group.start_soon(run_renewer, gateway.renewer, archive_settings(settings).renew_interval)
            if gateway.delivery is not None:
                group.start_soon(run_delivery, gateway.delivery, settings.notify.interval)
            try:
                yield
            finally:
                # The worker's unit of work in flight finishes first (Database.run is not abandoned).
                group.cancel_scope.cancel()
                log.info("gateway stopping")

    app = FastAPI(
        title="siakgate",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        # /docs and /redoc are siakgate.api.docs's: Swagger UI and ReDoc served by the gateway itself, not a CDN.
        docs_url=None,
        redoc_url=None,
        # Every operation may answer a problem (RFC 9457) with any status: declared once, as what it is.
        responses={PROBLEM_RESPONSE: PROBLEM_DOC},
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.clock = clock
    install_problem_handlers(app)
    # Innermost first: the body limit answers inside the request log (request id, log line, metrics);
    # the security headers, outermost, cover every answer (see siakgate.api.headers).
    app.add_middleware(
        BodyLimitMiddleware, max_request_bytes=settings.request_limit, max_json_bytes=settings.max_json_bytes
    )
    app.add_middleware(RequestLogMiddleware, metrics=metrics)
    app.add_middleware(SecurityHeadersMiddleware)
    # Each router carries its full prefix (/v1/...), so a route's path is its whole template (metrics, logs).
    for module in (health, applications, signing, worklists, verify):
        app.include_router(module.router)
    app.include_router(audit_routes.router)
    app.include_router(desk_routes.router)  # queue tickets, complaints, follow-ups (siakgate.service_desk)
    app.include_router(report_routes.router)  # GET /v1/reports/sla (siakgate.reports)
    app.include_router(archive_routes.router)
    app.include_router(workstation_router)  # the signing workstation's pages under /ws/ (siakgate.web)
    app.include_router(docs.router)  # /docs, /redoc and /static/ (their assets, the public page's stylesheet)
    return app
