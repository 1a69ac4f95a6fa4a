"""Queue tickets (seed 001 step 1: "Pemohon mengambil nomor antrian"), numbered per region, counter and WIB day.

Numbering is :func:`siakgate.store.counters.next_number` on the key ``loket:<region>:<counter>`` (``loket:<counter>``
for the national region ""): one upsert, safe when several gateways share a database. The ticket row's unique
(region, counter, day, number) is a second guard.

Region, as for applications (:mod:`siakgate.workflow.access`): a ticket's ``region_code`` is the region given
with it or, by default, the token's region prefix; a region outside the token's is refused. A token sees a
ticket only when the ticket's region starts with the token's prefix (tickets of region "", from before tickets
had regions, are seen by national tokens only), and an unseen ticket does not exist for it. A ticket is linked
only to an application the token sees and whose region lies inside the ticket's region; any other is "not found".

The ``loket:`` prefix keeps ticket counters apart from the per-profile counters that intake uses for
``Application.queue_number`` in the same table. The day is the WIB date, so numbers restart at
midnight in Jakarta whatever the server's zone.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.clock import WIB
from siakgate.errors import ActionNotAllowedError, ForbiddenError, NotFoundError
from siakgate.service_desk.errors import DeskInputError
from siakgate.service_desk.views import TicketView, ticket_view
from siakgate.store import counters
from siakgate.store.models import Application
from siakgate.store.models_desk import QueueTicket
from siakgate.workflow.access import Actor, visible
from siakgate.workflow.transitions import load_visible

__all__ = ["COUNTER_PATTERN", "REGION_PATTERN", "issue_ticket", "link_ticket", "list_tickets", "next_number"]

log = logging.getLogger("siakgate.service_desk")

COUNTER_PATTERN: Final = r"^[A-Z][A-Z0-9]{0,7}$"
"""A counter's code: a letter, then up to seven letters or digits ("A", "B2", "CAPIL")."""
_COUNTER = re.compile(COUNTER_PATTERN)
REGION_PATTERN: Final = r"^(\d{2}|\d{4}|\d{6}|\d{10})$"
"""A ticket's region: a province, regency, kecamatan or village code (the office that hands tickets out)."""
_REGION = re.compile(REGION_PATTERN)


def wib_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def next_number(session: Session, counter: str, day: date, region_code: str = "") -> int:
    """The next ticket number of ``counter`` in ``region_code`` on ``day`` (1 for the first), in the caller's unit
    of work. The national region "" keeps the key it had before tickets had regions."""
    key = f"loket:{region_code}:{counter}" if region_code else f"loket:{counter}"
    return counters.next_number(session, key, day)


def ticket_region(actor: Actor, region_code: str | None) -> str:
    """The region of a new ticket: the one given (inside the token's region) or the token's own prefix."""
    if region_code is None:
        return actor.region_prefix
    if not _REGION.match(region_code):
        raise DeskInputError("Kode wilayah harus 2, 4, 6 atau 10 digit (provinsi s.d. desa).")
    if not visible(actor, region_code):
        raise ForbiddenError("Token ini hanya untuk wilayahnya: sebutkan kode wilayah di dalamnya.")
    return region_code


def _application_for(session: Session, actor: Actor, application_id: str, region_code: str) -> Application:
    """The application, when the token sees it and it lies in the ticket's region; "not found" otherwise."""
    app = load_visible(session, actor, application_id)
    if not app.region_code.startswith(region_code):
        raise NotFoundError("Permohonan tidak ditemukan.")
    return app


def _check_counter(counter: str) -> None:
    if not _COUNTER.match(counter):
        raise DeskInputError("Kode loket harus huruf besar/angka, diawali huruf, paling panjang 8 (mis. A).")


def issue_ticket(
    session: Session,
    actor: Actor,
    counter: str,
    now: datetime,
    application_id: str | None = None,
    region_code: str | None = None,
) -> TicketView:
    """A new ticket for ``counter`` of the region (today, WIB), optionally linked to an application in it."""
    _check_counter(counter)
    region = ticket_region(actor, region_code)
    if application_id is not None:
        _application_for(session, actor, application_id, region)
    day = wib_day(now)
    number = next_number(session, counter, day, region)
    ticket = QueueTicket(
        region_code=region,
        counter=counter,
        day=day,
        number=number,
        label=f"{counter}-{number:03d}",
        application_id=application_id,
        created_by=actor.name,
        created_at=now,
    )
    session.add(ticket)
    session.flush()
    log.info("queue ticket issued region=%s counter=%s day=%s number=%d", region or "-", counter, day, number)
    return ticket_view(ticket)


def list_tickets(session: Session, actor: Actor, counter: str, day: date) -> list[TicketView]:
    """The tickets of ``counter`` on ``day`` in the token's region (by region, then number)."""
    _check_counter(counter)
    rows = session.scalars(
        select(QueueTicket)
        .where(
            QueueTicket.region_code.startswith(actor.region_prefix, autoescape=True),
            QueueTicket.counter == counter,
            QueueTicket.day == day,
        )
        .order_by(QueueTicket.region_code, QueueTicket.number)
    )
    return [ticket_view(row) for row in rows]


def link_ticket(session: Session, actor: Actor, ticket_id: str, application_id: str) -> TicketView:
    """Link a ticket to the application opened for it (once; linking it again to the same one is harmless).

    Both must be in the token's region and the application in the ticket's; across regions, "not found"."""
    ticket = session.get(QueueTicket, ticket_id, with_for_update=True)
    if ticket is None or not visible(actor, ticket.region_code):
        raise NotFoundError("Nomor antrian tidak ditemukan.")
    _application_for(session, actor, application_id, ticket.region_code)
    if ticket.application_id not in (None, application_id):
        raise ActionNotAllowedError("Nomor antrian ini sudah terhubung ke permohonan lain.")
    ticket.application_id = application_id
    session.flush()
    return ticket_view(ticket)
