"""What every workstation page shares: rendering, the signed-in officer, CSRF, and errors as pages.

Errors are turned into pages (or JSON for the page's own fetch calls) by :class:`WebRoute`, the route
class of the workstation's router, so the REST API's problem+json handlers stay as they are: a
:class:`~siakgate.errors.ForbiddenError` from the workflow is a 403 page here and a 403 problem
there, from the same rule.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment

from siakgate.errors import (
    CsrfRefusedError,
    ForbiddenError,
    NotFoundError,
    NotSignedInError,
    SiakgateError,
    WorkflowError,
)
from siakgate.web.accounts import Officer
from siakgate.web.config import WebConfig
from siakgate.web.messages import FLASH, plain_error
from siakgate.web.previews import KkFacts, KkFactsCache
from siakgate.web.runs import SigningRuns
from siakgate.web.sessions import SESSION_COOKIE, SignedIn, constant_time_equal, find_session
from siakgate.web.throttle import SignInThrottle
from siakgate.workflow.engine import Workflow
from siakgate.workflow.profiles import Role
from siakgate.workflow.views import ApplicationView

if TYPE_CHECKING:  # siakgate.api imports this package (the app mounts its router): no import back at run time
    from siakgate.api.runtime import Gateway

__all__ = [
    "BASE",
    "PRE_SESSION_COOKIE",
    "VERIFIER_ROLES",
    "CsrfChecked",
    "CsrfRefusedError",
    "CurrentOfficer",
    "NotSignedInError",
    "WebContext",
    "WebRoute",
    "home_of",
    "render",
    "web_context",
]

log = logging.getLogger("siakgate.web")

BASE = "/ws"
PRE_SESSION_COOKIE = "siakgate_ws_pre"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
VERIFIER_ROLES = (str(Role.KASI), str(Role.KABID), str(Role.KASI_YANMUM))
SIGNER_ROLES = (str(Role.KEPALA_DINAS),)

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; frame-src 'self'; object-src 'self'; script-src 'self'; "
    "style-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
)


@dataclass
class WebContext:
    """The workstation's per-gateway state (``Gateway.web``): its config, templates, signing runs, sign-in counts."""

    config: WebConfig
    env: Environment
    runs: SigningRuns = field(default_factory=SigningRuns)
    throttle: SignInThrottle = field(init=False)
    """Sign-in failures per client address (:mod:`siakgate.web.throttle`), on the config's clock."""
    kk: KkFactsCache = field(default_factory=KkFactsCache)
    """SIAK's family head and region names per KK, and rendered previews (:mod:`siakgate.web.previews`)."""

    def __post_init__(self) -> None:
        self.throttle = SignInThrottle(self.config)


def web_context(request: Request) -> WebContext:
    """The workstation's context, built with the gateway by the composition root."""
    return gateway_of(request).web


def gateway_of(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


def workflow_of(request: Request) -> Workflow:
    return gateway_of(request).workflow


async def kk_facts(request: Request, views: Iterable[ApplicationView]) -> dict[str, KkFacts]:
    """The family head and village/kecamatan names of each KK (app id -> facts), as far as SIAK answers."""
    gateway = gateway_of(request)
    siak = gateway.settings.siak
    cache = web_context(request).kk
    client = cache.client(siak.url, siak.username, siak.password.get_secret_value(), gateway.siak_http)
    return await cache.lookup(client, views)


def signer_uses_otp(request: Request) -> bool:
    """Whether the Kepala Dinas's signing backend takes a one-time code: the workflow's own rule
    (:func:`siakgate.workflow.batches.request_batch_otp` asks the backend for ``request_otp``)."""
    return workflow_of(request).signer_uses_otp


def profile_title(request: Request, profile_id: str) -> str:
    profile = workflow_of(request).profiles.get(profile_id)
    return profile.name if profile is not None else profile_id


def wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def home_of(officer: Officer) -> str:
    if officer.has_any(VERIFIER_ROLES) and not officer.has_any(SIGNER_ROLES):
        return f"{BASE}/verifikasi"
    if officer.has_any(SIGNER_ROLES) and not officer.has_any(VERIFIER_ROLES):
        return f"{BASE}/tte"
    if officer.has_any(VERIFIER_ROLES):  # both (an ADMIN): the verification queue first
        return f"{BASE}/verifikasi"
    return f"{BASE}/riwayat"


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """A page: the template with the signed-in officer (if any), their CSRF token and the flash message.

    A page about applications (``app=`` or ``drafts=``) without their ``facts`` is finished by
    :class:`WebRoute`, which first asks SIAK for their family head and region names (:func:`kk_facts`).
    """
    views = [values["app"]] if isinstance(values.get("app"), ApplicationView) else list(values.get("drafts") or [])
    if "facts" not in values and views and all(isinstance(view, ApplicationView) for view in views):
        return _FactsPending(template, status_code, values, views)
    context = web_context(request)
    signed: SignedIn | None = getattr(request.state, "signed_in", None)
    flash_key = request.query_params.get("pesan", "")
    values.setdefault("flash", FLASH.get(flash_key))
    officer = signed.officer if signed else None
    html = context.env.get_template(template).render(
        officer=officer,
        csrf_token=signed.csrf_token if signed else values.pop("pre_csrf", ""),
        can_verify=officer is not None and officer.has_any(VERIFIER_ROLES),
        can_sign=officer is not None and officer.has_any(SIGNER_ROLES),
        path=request.url.path,
        profile_title=lambda profile_id: profile_title(request, profile_id),
        office_name=getattr(gateway_of(request).settings, "office_name", ""),
        **values,
    )
    return HTMLResponse(html, status_code=status_code, headers={"Content-Security-Policy": _PAGE_CSP})


class _FactsPending(HTMLResponse):
    """A page still waiting for SIAK's names of its KKs; :class:`WebRoute` finishes it (never sent as is)."""

    def __init__(self, template: str, status_code: int, values: dict[str, Any], views: list[ApplicationView]) -> None:
        super().__init__("", status_code=status_code)
        self.template, self.values, self.views = template, values, views

    async def finish(self, request: Request) -> HTMLResponse:
        facts = await kk_facts(request, self.views)
        return render(request, self.template, self.status_code, facts=facts, **self.values)


async def current_officer(request: Request) -> SignedIn:
    """The signed-in officer, from the session cookie (NotSignedInError otherwise)."""
    context = web_context(request)
    token = request.cookies.get(SESSION_COOKIE)
    signed = await find_session(gateway_of(request).db, token, context.config)
    if signed is None:
        raise NotSignedInError(expired=bool(token))
    request.state.signed_in = signed
    return signed


CurrentOfficer = Annotated[SignedIn, Depends(current_officer)]


async def csrf_checked(request: Request, signed: CurrentOfficer) -> SignedIn:
    """The signed-in officer, once the request has shown the session's CSRF token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not constant_time_equal(sent, signed.csrf_token):
        log.warning("csrf refused path=%s", request.url.path)
        raise CsrfRefusedError
    return signed


CsrfChecked = Annotated[SignedIn, Depends(csrf_checked)]


def require(officer: Officer, roles: Iterable[str]) -> None:
    if not officer.has_any(roles):
        raise ForbiddenError("Halaman ini bukan untuk peran Anda.")


def new_pre_session_token() -> str:
    return secrets.token_urlsafe(32)


def _error_response(request: Request, exc: Exception) -> Response:
    if isinstance(exc, NotSignedInError):
        if wants_json(request) or request.method != "GET":
            if wants_json(request):
                body = {"code": "SESI_BERAKHIR", "message": "Sesi berakhir; silakan masuk lagi."}
                return JSONResponse(body, status_code=401)
            return RedirectResponse(f"{BASE}/masuk?pesan=sesi-berakhir", status_code=303)
        reason = "sesi-berakhir" if exc.expired else "perlu-masuk"
        target = f"{BASE}/masuk?pesan={reason}&lanjut={quote(request.url.path)}"
        response = RedirectResponse(target, status_code=303)
        if exc.expired:
            response.delete_cookie(SESSION_COOKIE, path=BASE)
        return response
    if isinstance(exc, CsrfRefusedError):
        if wants_json(request):
            return JSONResponse({"code": exc.code, "message": exc.message}, status_code=403)
        return render(request, "error.html", 403, testid="csrf-error", title="Permintaan ditolak", message=exc.message)
    from siakgate.api.problems import status_of  # not at import time: siakgate.api imports this package

    assert isinstance(exc, SiakgateError)
    status = status_of(exc)
    message = plain_error(exc.code, exc.message)
    if wants_json(request):
        return JSONResponse({"code": exc.code, "message": message}, status_code=status)
    if isinstance(exc, ForbiddenError):
        testid, title = "forbidden", "Akses ditolak"
    elif isinstance(exc, NotFoundError):
        testid, title = "not-found", "Tidak ditemukan"
    else:
        testid, title = "error-banner", "Permintaan ditolak"
    if status >= 500 and not isinstance(exc, WorkflowError):
        log.warning("web request failed code=%s path=%s", exc.code, request.url.path)
    return render(request, "error.html", status, testid=testid, title=title, message=message)


class WebRoute(APIRoute):
    """Routes of the workstation: errors become pages (JSON for fetch), every answer gets security headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                response = await handler(request)
                if isinstance(response, _FactsPending):
                    response = await response.finish(request)
            except (NotSignedInError, CsrfRefusedError, SiakgateError) as exc:
                response = _error_response(request, exc)
            for name, value in _SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return guarded
