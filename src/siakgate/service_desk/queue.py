"""Queue tickets (seed 001 step 1: "Pemohon mengambil nomor antrian"), numbered per counter and WIB day.

Numbering is :func:`siakgate.store.counters.next_number` on the key ``loket:<counter>``: one upsert, safe when
several gateways share a database. The ticket row's unique (counter, day, number) is a second guard.

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
from siakgate.errors import ActionNotAllowedError, NotFoundError
from siakgate.service_desk.errors import DeskInputError
from siakgate.service_desk.views import TicketView, ticket_view
from siakgate.store import counters
from siakgate.store.models_desk import QueueTicket
from siakgate.workflow.access import Actor
from siakgate.workflow.transitions import load_visible

__all__ = ["COUNTER_PATTERN", "issue_ticket", "link_ticket", "list_tickets", "next_number"]

log = logging.getLogger("siakgate.service_desk")

COUNTER_PATTERN: Final = r"^[A-Z][A-Z0-9]{0,7}$"
"""A counter's code: a letter, then up to seven letters or digits ("A", "B2", "CAPIL")."""
_COUNTER = re.compile(COUNTER_PATTERN)


def wib_day(moment: datetime) -> date:
    return moment.astimezone(WIB).date()


def next_number(session: Session, counter: str, day: date) -> int:
    """The next ticket number of ``counter`` on ``day`` (1 for the first), in the caller's unit of work."""
    return counters.next_number(session, f"loket:{counter}", day)


def _check_counter(counter: str) -> None:
    if not _COUNTER.match(counter):
        raise DeskInputError("Kode loket harus huruf besar/angka, diawali huruf, paling panjang 8 (mis. A).")


def issue_ticket(
    session: Session, actor: Actor, counter: str, now: datetime, application_id: str | None = None
) -> TicketView:
    """A new ticket for ``counter`` (today, WIB), optionally linked to a visible application."""
    _check_counter(counter)
    if application_id is not None:
        load_visible(session, actor, application_id)
    day = wib_day(now)
    number = next_number(session, counter, day)
    ticket = QueueTicket(
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
    log.info("queue ticket issued counter=%s day=%s number=%d", counter, day, number)
    return ticket_view(ticket)


def list_tickets(session: Session, counter: str, day: date) -> list[TicketView]:
    _check_counter(counter)
    rows = session.scalars(
        select(QueueTicket).where(QueueTicket.counter == counter, QueueTicket.day == day).order_by(QueueTicket.number)
    )
    return [ticket_view(row) for row in rows]


def link_ticket(session: Session, actor: Actor, ticket_id: str, application_id: str) -> TicketView:
    """Link a ticket to the application opened for it (once; linking it again to the same one is harmless)."""
    ticket = session.get(QueueTicket, ticket_id, with_for_update=True)
    if ticket is None:
        raise NotFoundError("Nomor antrian tidak ditemukan.")
    load_visible(session, actor, application_id)
    if ticket.application_id not in (None, application_id):
        raise ActionNotAllowedError("Nomor antrian ini sudah terhubung ke permohonan lain.")
    ticket.application_id = application_id
    session.flush()
    return ticket_view(ticket)
