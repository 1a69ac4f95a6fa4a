"""Security headers on every response the gateway sends, added where a route did not set its own.

A plain ASGI middleware, the outermost one: it also covers problem answers, the 413 of
:mod:`siakgate.api.bodylimit` and the 500 of :class:`~siakgate.api.observability.RequestLogMiddleware`.

=========================  ======================================================================
header                     value
=========================  ======================================================================
X-Content-Type-Options     ``nosniff``
Referrer-Policy            ``no-referrer``
X-Frame-Options            ``DENY``; ``SAMEORIGIN`` under ``/ws/`` (the workstation shows the draft
                           KK, a document of its own origin, in an iframe)
Content-Security-Policy    JSON and problem bodies: ``default-src 'none'; frame-ancestors 'none'``;
                           HTML pages: only the gateway's own scripts, styles and images (the public
                           verification page loads ``/static/public.css``); the OpenAPI pages
                           (``/docs``, ``/redoc``, :mod:`siakgate.api.docs`): Swagger UI / ReDoc from
                           the gateway's own ``/static/``, the page's inline start-up script allowed
                           by its hash (:func:`docs_csp`), no host but the gateway's
=========================  ======================================================================

A header a route set itself wins (the workstation's pages carry their own CSP; a document download
may carry ``sandbox``). Other bodies (PDFs, images, Prometheus text) get no CSP: a PDF shown inline
is rendered by the browser's viewer, which a CSP written for it could break.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["API_CSP", "DOCS_CSP", "PAGE_CSP", "SecurityHeadersMiddleware", "docs_csp"]

API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def docs_csp(inline_scripts: Iterable[str] = ()) -> str:
    """The policy of an OpenAPI page: the gateway's own assets only, plus its inline ``<script>`` bodies by hash.

    Styles allow ``'unsafe-inline'``: Swagger UI sets style attributes and ReDoc injects ``<style>`` elements
    at run time (styled-components); ReDoc's search runs in a ``blob:`` worker. No font source: the pages use
    the system's fonts (ReDoc without Google Fonts).
    """
    hashes = "".join(
        f" 'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'" for script in inline_scripts
    )
    return (
        f"default-src 'none'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


DOCS_CSP = docs_csp()
"""An OpenAPI page's policy when its route set none (the routes of :mod:`siakgate.api.docs` always do)."""

DOCS_PATHS = frozenset({"/docs", "/redoc"})
WORKSTATION_PREFIX = "/ws/"

_ALWAYS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def _csp_for(path: str, content_type: str) -> str | None:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/json" or media_type.endswith("+json"):
        return API_CSP
    if media_type == "text/html":
        return DOCS_CSP if path in DOCS_PATHS else PAGE_CSP
    return None


class SecurityHeadersMiddleware:
    """Add the module's headers to every HTTP response that does not already carry them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS.items():
                    headers.setdefault(name, value)
                headers.setdefault("x-frame-options", "SAMEORIGIN" if path.startswith(WORKSTATION_PREFIX) else "DENY")
                csp = _csp_for(path, headers.get("content-type", ""))
                if csp is not None:
                    headers.setdefault("content-security-policy", csp)
            await send(message)

        await self.app(scope, receive, send_with_headers)
