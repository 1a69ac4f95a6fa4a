"""The request-body limit, enforced while the body arrives, before any route parses it.

A plain ASGI middleware (not ``BaseHTTPMiddleware``): it sits between the server and FastAPI, so it
decides before a single byte is read, and without buffering anything itself.

* A declared ``Content-Length`` above the limit: ``413`` at once; the body is never read.
* A body without one (``Transfer-Encoding: chunked``): counted as it arrives; at the first chunk past
  the limit the middleware answers ``413`` itself, tells the app the client has gone
  (``http.disconnect``) and drops whatever the app answers after that.

Which limit: JSON bodies (``application/json``, ``application/*+json``) get ``max_json_bytes`` (1 MiB by
default; a KK application is a few KiB); anything else (multipart uploads, the workstation's forms)
gets ``max_request_bytes`` (by default ``max_upload_bytes`` plus room for the multipart envelope).
FastAPI reads a JSON body before it resolves the token dependency, so this is also what keeps an
unauthenticated 15 MB JSON from costing memory: the 413 comes before the 401.

Runs inside :class:`~siakgate.api.observability.RequestLogMiddleware`, so the 413 carries the request id
and is logged and counted like any other answer.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from siakgate.api.problems import problem

__all__ = ["BodyLimitMiddleware", "is_json"]

CODE = "PERMINTAAN_TERLALU_BESAR"


def is_json(content_type: str) -> bool:
    """``application/json`` or a ``+json`` type (``application/merge-patch+json``)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


class BodyLimitMiddleware:
    """Refuse request bodies above ``max_json_bytes`` (JSON) or ``max_request_bytes`` (anything else)."""

    def __init__(self, app: ASGIApp, *, max_request_bytes: int, max_json_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.max_json_bytes = max_json_bytes

    def limit_for(self, scope: Scope) -> int:
        headers = dict(scope.get("headers", ()))
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        return self.max_json_bytes if is_json(content_type) else self.max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = dict(scope.get("headers", ())).get(b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await self._too_large(scope, limit)(scope, receive, send)
            return

        received = 0
        refused = app_started = answered = False

        async def counting_receive() -> Message:
            nonlocal received, refused, answered
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not app_started:  # an app that answered before reading it all keeps its answer
                        answered = True
                        await self._too_large(scope, limit)(scope, receive, send)
                    return {"type": "http.disconnect"}  # the app stops reading: Starlette's ClientDisconnect
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal app_started
            if answered:  # after our 413, whatever the app answers (a 400 for the "disconnect") is dropped
                return
            if message["type"] == "http.response.start":
                app_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not answered:
                raise

    def _too_large(self, scope: Scope, limit: int) -> JSONResponse:
        detail = f"Isi permintaan terlalu besar: paling besar {_mib(limit)}."
        return problem(Request(scope), 413, CODE, detail, headers={"Connection": "close"})
