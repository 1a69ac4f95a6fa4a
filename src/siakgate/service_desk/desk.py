"""``ServiceDesk``: the async facade the API calls; each method is one unit of work, committed on return."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import partial

from siakgate.clock import Clock, as_clock
from siakgate.service_desk import complaints, followups, queue
from siakgate.service_desk.complaints import Channel, ComplaintDeadlines, ComplaintRules, Field_, Level
from siakgate.service_desk.roles import QUEUE_ROLES
from siakgate.service_desk.views import ComplaintView, FollowUpView, TicketView
from siakgate.store.db import Database
from siakgate.workflow.access import Actor, require_role
from siakgate.workflow.calendar import WorkingCalendar

__all__ = ["ServiceDesk"]


class ServiceDesk:
    """Queue tickets, complaints and follow-ups on one database, on the gateway's clock."""

    def __init__(
        self,
        db: Database,
        *,
        calendar: WorkingCalendar | None = None,
        deadlines: ComplaintDeadlines | None = None,
        clock: Clock | Callable[[], datetime],
    ) -> None:
        self.db = db
        self.clock = as_clock(clock)
        self.rules = ComplaintRules(calendar or WorkingCalendar(), deadlines or ComplaintDeadlines())

    # -- queue tickets ---------------------------------------------------------------------------------

    async def issue_ticket(
        self, actor: Actor, counter: str, application_id: str | None = None, region_code: str | None = None
    ) -> TicketView:
        require_role(actor, QUEUE_ROLES)
        return await self.db.run(
            lambda s: queue.issue_ticket(s, actor, counter, self.clock(), application_id, region_code)
        )

    async def list_tickets(self, actor: Actor, counter: str, day: date | None) -> list[TicketView]:
        require_role(actor, QUEUE_ROLES)
        wanted = day or queue.wib_day(self.clock())
        return await self.db.run(lambda s: queue.list_tickets(s, actor, counter, wanted), read_only=True)

    async def link_ticket(self, actor: Actor, ticket_id: str, application_id: str) -> TicketView:
        require_role(actor, QUEUE_ROLES)
        return await self.db.run(lambda s: queue.link_ticket(s, actor, ticket_id, application_id))

    # -- complaints ------------------------------------------------------------------------------------

    async def create_complaint(
        self,
        actor: Actor,
        *,
        channel: Channel,
        subject: str,
        description: str,
        application_id: str | None,
        region_code: str | None,
        field: Field_ | None,
        complainant_name: str | None,
        complainant_contact: str | None,
    ) -> ComplaintView:
        return await self.db.run(
            lambda s: complaints.create_complaint(
                s,
                actor,
                self.rules,
                self.clock(),
                channel=channel,
                subject=subject,
                description=description,
                application_id=application_id,
                region_code=region_code,
                field=field,
                complainant_name=complainant_name,
                complainant_contact=complainant_contact,
            )
        )

    async def get_complaint(self, actor: Actor, complaint_id: str) -> ComplaintView:
        # A write unit: reading may escalate a level whose deadline passed (see complaints' docstring).
        return await self.db.run(lambda s: complaints.get_complaint(s, actor, complaint_id, self.clock(), self.rules))

    async def list_complaints(
        self,
        actor: Actor,
        *,
        state: str | None,
        level: Level | None,
        application_id: str | None,
        limit: int,
        offset: int,
    ) -> list[ComplaintView]:
        fn = partial(
            complaints.list_complaints,
            actor=actor,
            now=self.clock(),
            rules=self.rules,
            state=state,
            level=level,
            application_id=application_id,
            limit=limit,
            offset=offset,
        )
        return await self.db.run(fn)

    async def escalate_complaint(
        self, actor: Actor, complaint_id: str, *, to: Level | None, field: Field_ | None, note: str | None
    ) -> ComplaintView:
        return await self.db.run(
            lambda s: complaints.escalate_complaint(
                s, actor, complaint_id, self.clock(), self.rules, to=to, field=field, note=note
            )
        )

    async def resolve_complaint(self, actor: Actor, complaint_id: str, follow_up: str | None) -> ComplaintView:
        return await self.db.run(
            lambda s: complaints.resolve_complaint(
                s, actor, complaint_id, self.clock(), self.rules, follow_up=follow_up
            )
        )

    # -- follow-ups ------------------------------------------------------------------------------------

    async def follow_ups_of(self, actor: Actor, application_id: str) -> list[FollowUpView]:
        return await self.db.run(lambda s: followups.follow_ups_of(s, actor, application_id), read_only=True)

    async def list_follow_ups(
        self, actor: Actor, *, state: str | None, kind: str | None, limit: int, offset: int
    ) -> list[FollowUpView]:
        return await self.db.run(
            lambda s: followups.list_follow_ups(s, actor, state=state, kind=kind, limit=limit, offset=offset),
            read_only=True,
        )

    async def complete_follow_up(self, actor: Actor, task_id: int, note: str | None) -> FollowUpView:
        return await self.db.run(lambda s: followups.complete_follow_up(s, actor, task_id, self.clock(), note=note))

    async def declare_changes(self, actor: Actor, application_id: str, elements: list[str]) -> dict[str, object]:
        return await self.db.run(lambda s: followups.declare_changes(s, actor, application_id, elements, self.clock()))
