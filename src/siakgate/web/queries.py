"""Read-only questions the workflow facade does not answer: a signer's unfinished batches, an officer's history.

Both read the workflow's own tables and apply its region rule (:func:`siakgate.workflow.access.visible`),
so nothing here shows what the API would hide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.store.db import Database
from siakgate.store.models import Application, SigningBatch, SigningBatchItem, TimelineEvent
from siakgate.workflow.access import Actor
from siakgate.workflow.states import BatchItemState, BatchState

__all__ = ["HistoryRow", "OpenBatch", "history", "open_batches"]

_HISTORY_ACTIONS = ("approve", "reject", "signed")


@dataclass(frozen=True)
class OpenBatch:
    """A batch with KKs still to sign (PENDING or SIGNING), and those KKs."""

    id: str
    state: str
    created_at: datetime
    unsigned: tuple[str, ...]
    failed: int


@dataclass(frozen=True)
class HistoryRow:
    application_id: str
    action: str
    step_id: str | None
    outcome: str
    at: datetime
    note: str | None
    profile_id: str
    case_type: str
    request_no: str | None = None  # SIAK's NO_PERMOHONAN, the number officers know the file by


async def open_batches(db: Database, actor: Actor) -> list[OpenBatch]:
    def read(session: Session) -> list[OpenBatch]:
        batches = session.scalars(
            select(SigningBatch)
            .where(SigningBatch.state != BatchState.DONE)
            .where(SigningBatch.region_prefix.startswith(actor.region_prefix, autoescape=True))
            .order_by(SigningBatch.created_at.desc())
            .limit(50)
        ).all()
        found: list[OpenBatch] = []
        for batch in batches:
            items = session.scalars(
                select(SigningBatchItem).where(SigningBatchItem.batch_id == batch.id).order_by(SigningBatchItem.id)
            ).all()
            unsigned = tuple(i.application_id for i in items if i.state != BatchItemState.SIGNED)
            failed = sum(1 for i in items if i.state == BatchItemState.FAILED)
            if unsigned:
                found.append(OpenBatch(batch.id, batch.state, batch.created_at, unsigned, failed))
        return found

    return await db.run(read, read_only=True)


async def history(db: Database, actor: Actor, *, limit: int = 200) -> list[HistoryRow]:
    """What this officer verified, rejected and signed, newest first (the timeline under their name)."""

    def read(session: Session) -> list[HistoryRow]:
        stmt = (
            select(
                TimelineEvent,
                Application.profile_id,
                Application.case_type,
                Application.region_code,
                Application.siak_request_no,
            )
            .join(Application, Application.id == TimelineEvent.application_id)
            .where(TimelineEvent.actor == actor.name, TimelineEvent.action.in_(_HISTORY_ACTIONS))
            .order_by(TimelineEvent.id.desc())
            .limit(limit)
        )
        return [
            HistoryRow(event.application_id, event.action, event.step_id, event.outcome, event.at, event.note, p, c, no)
            for event, p, c, region, no in session.execute(stmt)
            if region.startswith(actor.region_prefix)
        ]

    return await db.run(read, read_only=True)
