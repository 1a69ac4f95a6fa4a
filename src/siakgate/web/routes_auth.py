"""Sign-in, sign-out, the landing redirect and the static files of the workstation."""

from __future__ import annotations

import logging
from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from siakgate.errors import TooManyRequestsError
from siakgate.limits import client_address, networks
from siakgate.web.accounts import SignInRefused, check_password
from siakgate.web.core import (
    BASE,
    CSRF_FIELD,
    PRE_SESSION_COOKIE,
    CsrfChecked,
    CsrfRefusedError,
    NotSignedInError,
    WebRoute,
    current_officer,
    gateway_of,
    home_of,
    new_pre_session_token,
    render,
    web_context,
)
from siakgate.web.sessions import SESSION_COOKIE, constant_time_equal, end_session, start_session

__all__ = ["router"]

log = logging.getLogger("siakgate.web")

router = APIRouter(prefix=BASE, route_class=WebRoute, include_in_schema=False)

_STATIC = {"app.css": "text/css; charset=utf-8", "app.js": "text/javascript; charset=utf-8"}


def _secure(request: Request) -> bool:
    return gateway_of(request).settings.public_base_url.startswith("https://")


def _next_path(value: str | None, fallback: str) -> str:
    """Only a path of the workstation itself (no open redirect to another site)."""
    if value and value.startswith(f"{BASE}/") and not value.startswith("//") and "\\" not in value:
        return value
    return fallback


@router.get("/")
async def landing(request: Request) -> Response:
    try:
        signed = await current_officer(request)
    except NotSignedInError:
        return RedirectResponse(f"{BASE}/masuk", status_code=303)
    return RedirectResponse(home_of(signed.officer), status_code=303)


def _login_page(request: Request, status_code: int = 200, error: str | None = None, username: str = "") -> Response:
    token = request.cookies.get(PRE_SESSION_COOKIE) or new_pre_session_token()
    response = render(
        request,
        "login.html",
        status_code,
        pre_csrf=token,
        error=error,
        username=username,
        next_path=_next_path(request.query_params.get("lanjut"), ""),
    )
    response.set_cookie(
        PRE_SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path=f"{BASE}/masuk"
    )
    return response


@router.get("/masuk")
async def login_form(request: Request) -> Response:
    try:
        signed = await current_officer(request)
    except NotSignedInError:
        return _login_page(request)
    return RedirectResponse(home_of(signed.officer), status_code=303)


@router.post("/masuk")
async def login(request: Request) -> Response:
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not constant_time_equal(sent if isinstance(sent, str) else None, request.cookies.get(PRE_SESSION_COOKIE)):
        raise CsrfRefusedError
    username = form.get("username")
    password = form.get("password")
    name = username if isinstance(username, str) else ""
    context = web_context(request)
    gateway = gateway_of(request)
    db = gateway.db
    # Failures count per client address (siakgate.web.throttle): a throttled address tries no password at all.
    throttle = context.throttle
    address = client_address(request, networks(gateway.settings.trusted_proxies))
    account = name.strip().lower()[:64]
    wait = throttle.address_wait(address)
    if wait:
        del password
        log.info("web sign-in throttled")
        page = _login_page(request, 429, error=TooManyRequestsError(wait).message, username=name[:64])
        page.headers["Retry-After"] = str(wait)
        return page
    try:
        if throttle.pair_locked(account, address):
            raise SignInRefused(context.config.max_failures, int(context.config.lockout.total_seconds() // 60))
        officer = await check_password(
            db,
            name,
            password if isinstance(password, str) else "",
            context.config,
            addresses=throttle.addresses_if_failed(account, address),
        )
    except SignInRefused as exc:
        throttle.failed(account, address)
        log.info("web sign-in refused")
        return _login_page(request, 401, error=exc.message, username=name[:64])
    finally:
        del password
    throttle.succeeded(account, address)
    token, _ = await start_session(db, officer, context.config)
    log.info("web sign-in user_id=%s", officer.user_id)
    lanjut = form.get("lanjut")
    target = _next_path(lanjut if isinstance(lanjut, str) else None, home_of(officer))
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(context.config.session_lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path=BASE,
    )
    response.delete_cookie(PRE_SESSION_COOKIE, path=f"{BASE}/masuk")
    return response


@router.post("/keluar")
async def logout(request: Request, signed: CsrfChecked) -> Response:
    await end_session(gateway_of(request).db, signed.session_id)
    log.info("web sign-out user_id=%s", signed.officer.user_id)
    response = RedirectResponse(f"{BASE}/masuk?pesan=keluar", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=BASE)
    return response


@router.get("/static/{name}")
async def static(name: str) -> Response:
    media_type = _STATIC.get(name)
    if media_type is None:
        return Response("Tidak ditemukan.", status_code=404, media_type="text/plain; charset=utf-8")
    data = resources.files("siakgate.web").joinpath("static", name).read_bytes()
    return Response(data, media_type=media_type, headers={"Cache-Control": "public, max-age=300"})
