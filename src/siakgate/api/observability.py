"""The request middleware: a request id, one JSON log line and the HTTP metrics for every request.

A plain ASGI middleware (not Starlette's ``BaseHTTPMiddleware``, which buffers streaming bodies and
runs the app in another task, where context variables set here would not be seen).

The request id is the caller's ``X-Request-ID`` when it is a sane token (so a calling system can
follow one of its requests through our logs), otherwise a new one; it is echoed in the response
header and in problem bodies. The log line carries method, route template, the path with ids (NIKs
masked), status and duration — never a body, a query string or a header value.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siakgate.api.context import request_id_var
from siakgate.api.logs import mask_niks
from siakgate.api.metrics import GatewayMetrics
from siakgate.api.problems import internal_error

__all__ = ["RequestLogMiddleware"]

log = logging.getLogger("siakgate.api.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _route_template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    # No route matched (404/405) or the route was never reached: one label for all, not one per path.
    app = scope.get("app")
    for candidate in getattr(getattr(app, "router", None), "routes", ()):
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return str(getattr(candidate, "path", "unmatched"))
    return "unmatched"


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp, metrics: GatewayMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error")
            if response_started:
                raise
            await internal_error(Request(scope))(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope["method"]
            if route != "/metrics":
                self.metrics.requests.labels(method, route, str(status)).inc()
                self.metrics.request_duration.labels(method, route).observe(elapsed)
            log.info(
                "%s %s %d",
                method,
                route,
                status,
                extra={
                    "request_id": request_id,
                    "method": method,
                    "route": route,
                    "path": mask_niks(scope.get("path", "")),
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            request_id_var.reset(token)
