"""The OpenAPI pages (``/docs``: Swagger UI, ``/redoc``: ReDoc) and the gateway's own static files, all offline.

An office network is often closed: nothing a gateway page needs may come from outside. Swagger UI and
ReDoc come from the ``fastapi_offline`` package (its ``static/`` folder) and are served here under
``/static/``, with the public verification page's stylesheet (:mod:`siakgate.web.public`):

- ``/static/swagger-ui-bundle.js``, ``swagger-ui.css``, ``redoc.standalone.js``, ``favicon.png``: fastapi_offline's;
- ``/static/public.css``: the public verification page's (``siakgate/web/static/``).

ReDoc runs without Google Fonts (the system's fonts) and its bundle's one outside address, the Redocly logo
in the menu's footer (``cdn.redoc.ly``), is replaced by an empty ``data:`` image, which the logo's own
error handler hides. Swagger UI's online validator badge is off (``validatorUrl: null``). Each page's
inline start-up script is allowed by its hash (:func:`siakgate.api.headers.docs_csp`), not by
``'unsafe-inline'``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from siakgate.api.headers import docs_csp
from siakgate.web.public import ASSETS

__all__ = ["ASSETS", "router"]

router = APIRouter(include_in_schema=False)

_FILES: dict[str, tuple[str, str, str]] = {
    "swagger-ui-bundle.js": ("fastapi_offline", "static/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": ("fastapi_offline", "static/swagger-ui.css", "text/css; charset=utf-8"),
    "redoc.standalone.js": ("fastapi_offline", "static/redoc.standalone.js", "text/javascript; charset=utf-8"),
    "favicon.png": ("fastapi_offline", "static/favicon.png", "image/png"),
    "public.css": ("siakgate.web", "static/public.css", "text/css; charset=utf-8"),
}
"""Name under ``/static/`` -> (package, resource, media type): nothing else is served there."""

_REDOCLY_LOGO = b'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"'
_NO_IMAGE = b'src:"data:,"'
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@cache
def asset(name: str) -> bytes:
    """A static file's bytes (read once; ReDoc's bundle without its outside logo). KeyError: not served."""
    package, resource, _ = _FILES[name]
    data = resources.files(package).joinpath(resource).read_bytes()
    return data.replace(_REDOCLY_LOGO, _NO_IMAGE) if name == "redoc.standalone.js" else data


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    """The page with a CSP that allows its own inline scripts by hash (the hash of exactly this text)."""
    html = bytes(page.body).decode()
    page.headers["Content-Security-Policy"] = docs_csp(_INLINE_SCRIPT.findall(html))
    page.headers["Cache-Control"] = "no-cache"
    return page


def _openapi_url(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}{request.app.openapi_url}"


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
        swagger_ui_parameters={**(request.app.swagger_ui_parameters or {}), "validatorUrl": None},
    )
    return _with_policy(page)


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=_openapi_url(request),
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
        with_google_fonts=False,
    )
    return _with_policy(page)


@router.get(ASSETS + "/{name}")
async def static(name: str) -> Response:
    if name not in _FILES:
        return Response("Tidak ditemukan.", status_code=404, media_type="text/plain; charset=utf-8")
    return Response(asset(name), media_type=_FILES[name][2], headers={"Cache-Control": "public, max-age=3600"})
