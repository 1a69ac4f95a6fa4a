"""The public verification page (what the QR code on a signed KK opens), branded as the issuing office.

Served by :mod:`siakgate.api.routes.verify` at ``/v1/verify/{ref}`` for browsers; no sign-in. It shows
validity, the signer, the time and a masked No. KK, never the family's data; an unknown reference gets a
page of its own ("Dokumen tidak ditemukan", HTTP 404), not a verdict. The page has its own layout
(``public_base.html``, stylesheet ``/static/public.css``): a citizen or a bank reads the office's name
(``Settings.office_name``), not the workstation's, and mostly on a phone.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from siakgate.clock import WIB
from siakgate.web.messages import state_label

__all__ = ["ASSETS", "environment", "not_found_page", "public_page"]

ASSETS = "/static"
"""Where the gateway serves its own static files outside the workstation (:mod:`siakgate.api.docs`)."""

_REF_SHOWN = 64
"""At most this much of a reference is echoed on a page (a reference is 32 characters)."""


@cache
def environment() -> Environment:
    """The gateway's templates (autoescaped): the workstation's pages and the public page."""
    env = Environment(
        loader=PackageLoader("siakgate.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["BASE"] = "/ws"
    env.globals["ASSETS"] = ASSETS
    env.filters["wib"] = wib
    env.globals["state_label"] = state_label
    return env


def wib(moment: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A time as officers and citizens read it: in WIB (the database keeps UTC)."""
    if moment is None:
        return "-"
    return moment.astimezone(WIB).strftime(fmt) + (" WIB" if "%H" in fmt else "")


def public_page(
    *,
    office: str,
    valid: bool,
    status: str,
    signer: str | None,
    signed_at: datetime | None,
    no_kk: str | None,
    ref: str,
) -> str:
    """The verdict on a signed KK the gateway issued under ``ref`` (valid, or its archive copy is not intact)."""
    return (
        environment()
        .get_template("verify_public.html")
        .render(office=office, valid=valid, status=status, signer=signer, signed_at=signed_at, no_kk=no_kk, ref=ref)
    )


def not_found_page(*, office: str, ref: str) -> str:
    """The page for a reference under which no signed KK was issued (answered with HTTP 404)."""
    return environment().get_template("public_not_found.html").render(office=office, ref=ref[:_REF_SHOWN])
