"""The public verification page (what the QR code on a signed KK opens), rendered with the workstation's look.

Served by :mod:`siakgate.api.routes.verify` at ``/v1/verify/{ref}`` for browsers; no sign-in. It shows
validity, the signer, the time and a masked No. KK, never the family's data.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from siakgate.clock import WIB
from siakgate.web.messages import state_label

__all__ = ["environment", "public_page"]


@cache
def environment() -> Environment:
    """The workstation's templates (autoescaped), shared by every page."""
    env = Environment(
        loader=PackageLoader("siakgate.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["BASE"] = "/ws"
    env.filters["wib"] = wib
    env.globals["state_label"] = state_label
    return env


def wib(moment: datetime | None, fmt: str = "%d-%m-%Y %H:%M") -> str:
    """A time as officers and citizens read it: in WIB (the database keeps UTC)."""
    if moment is None:
        return "-"
    return moment.astimezone(WIB).strftime(fmt) + (" WIB" if "%H" in fmt else "")


def public_page(
    *, valid: bool, status: str, signer: str | None, signed_at: datetime | None, no_kk: str | None, ref: str
) -> str:
    return (
        environment()
        .get_template("verify_public.html")
        .render(valid=valid, status=status, signer=signer, signed_at=signed_at, no_kk=no_kk, ref=ref, officer=None)
    )
