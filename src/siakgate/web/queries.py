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

__all__ = ["HistoryRow", "OpenBatch", "history", "open_batches", "verify_refs"]

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
    state_now: str | None = None
    """The application's state today: what became of the file (DITOLAK, MENUNGGU_TTE, MENUNGGU_CETAK, ...).
    The event's own outcome is the state right after the click, often DIPROSES_SIAK while SIAK is told."""


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
                Application.state,
            )
            .join(Application, Application.id == TimelineEvent.application_id)
            .where(TimelineEvent.actor == actor.name, TimelineEvent.action.in_(_HISTORY_ACTIONS))
            .order_by(TimelineEvent.id.desc())
            .limit(limit)
        )
        return [
            HistoryRow(
                event.application_id, event.action, event.step_id, event.outcome, event.at, event.note, p, c, no, now
            )
            for event, p, c, region, no, now in session.execute(stmt)
            if region.startswith(actor.region_prefix)
        ]

    return await db.run(read, read_only=True)


async def verify_refs(db: Database, actor: Actor, app_ids: list[str]) -> dict[str, str]:
    """The public verification reference (the QR code's) of each signed application the actor may see."""

    def read(session: Session) -> dict[str, str]:
        if not app_ids:
            return {}
        stmt = select(Application.id, Application.verify_ref, Application.region_code).where(
            Application.id.in_(app_ids), Application.signed_sha256.is_not(None)
        )
        return {
            app_id: ref
            for app_id, ref, region in session.execute(stmt)
            if ref and region.startswith(actor.region_prefix)
        }

    return await db.run(read, read_only=True)
