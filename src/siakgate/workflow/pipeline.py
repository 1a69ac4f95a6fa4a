"""The transition pipeline: what else happens, in the same transaction, when the workflow writes a row.

Cross-cutting reactions (notifications, the audit trail, follow-up tasks, archive records, metrics) are
listeners handed to the workflow by the composition root, the way zeep takes ``Client(plugins=[...])``
and httpx takes ``event_hooks``::

    workflow = Workflow(..., listeners=[Outbox(...), AuditTrail(), FollowUps(), ArchiveRecords(), ...])

The workflow calls them at the point where it creates the row, inside the unit of work, so a
reaction commits or rolls back with the transition:

* :meth:`TransitionListener.on_state_change`: every :class:`~siakgate.store.models.TimelineEvent`
  (:func:`siakgate.workflow.transitions.record`, :func:`~siakgate.workflow.transitions.record_event`);
* :meth:`TransitionListener.on_document`: every :class:`~siakgate.store.models.ApplicationDocument`
  (:func:`siakgate.workflow.transitions.record_document`);
* :meth:`TransitionListener.on_cover_letter_signed`: a kecamatan collection's cover letter signed.

And the unit of work's edges (:class:`~siakgate.store.db.SessionHooks`: the workflow's database is
:meth:`~siakgate.store.db.Database.with_hooks` of this pipeline): ``before_commit`` (the audit appends
to its hash chain there, as late as possible), ``after_commit`` (metrics of what is now durable) and
``after_rollback`` (forget what was collected). A listener keeps what it collects for one transaction
in ``session.info`` under a key of its own.

Nothing here is process-global: a session that was not opened by a pipeline's database has no
listeners, and :func:`pipeline_of` refuses it rather than silently skip the audit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from sqlalchemy.orm import Session

from siakgate.store.models import Application, ApplicationDocument, CollectionBatch, TimelineEvent

__all__ = ["Pipeline", "TransitionListener", "pipeline_of"]

log = logging.getLogger("siakgate.workflow")

_KEY: Final = "siakgate.pipeline"


class TransitionListener(Protocol):
    """A reaction to the workflow's rows. Every method has a default that does nothing: subclass this
    and override what you need (as a zeep ``Plugin`` does)."""

    def on_state_change(self, session: Session, app: Application, event: TimelineEvent) -> None:
        """``event`` was just added to ``session`` (``event.outcome`` is the application's new state)."""
        return None

    def on_document(self, session: Session, doc: ApplicationDocument) -> None:
        """``doc`` was just added to ``session`` (a requirement scan, DRAFT_KK, SIGNED_KK, COVER_LETTER)."""
        return None

    def on_cover_letter_signed(self, session: Session, collection: CollectionBatch) -> None:
        """The Sekcam signed ``collection``'s cover letter (its state is now SIGNED)."""
        return None

    def before_commit(self, session: Session) -> None:
        """The unit of work is about to commit (rows added here are committed with it)."""
        return None

    def after_commit(self, session: Session) -> None:
        """The unit of work committed (nothing can be written any more)."""
        return None

    def after_rollback(self, session: Session) -> None:
        """The unit of work was rolled back: drop what was collected."""
        return None


@dataclass(frozen=True)
class Pipeline:
    """The listeners of one workflow, called in order; also the workflow database's session hooks."""

    listeners: Sequence[TransitionListener] = ()

    # -- called by the workflow, where it creates the row ---------------------------------------------

    def state_changed(self, session: Session, app: Application, event: TimelineEvent) -> None:
        for listener in self.listeners:
            listener.on_state_change(session, app, event)

    def document_added(self, session: Session, doc: ApplicationDocument) -> None:
        for listener in self.listeners:
            listener.on_document(session, doc)

    def cover_letter_signed(self, session: Session, collection: CollectionBatch) -> None:
        for listener in self.listeners:
            listener.on_cover_letter_signed(session, collection)

    # -- the unit of work's edges (siakgate.store.db.SessionHooks) ------------------------------------

    def begin(self, session: Session) -> None:
        session.info[_KEY] = self

    def before_commit(self, session: Session) -> None:
        for listener in self.listeners:
            listener.before_commit(session)

    def after_commit(self, session: Session) -> None:
        # Committed: a listener failing now must not turn a durable change into an error for the caller.
        for listener in self.listeners:
            try:
                listener.after_commit(session)
            except Exception:
                log.exception("after-commit listener %s failed", type(listener).__name__)

    def after_rollback(self, session: Session) -> None:
        for listener in self.listeners:
            listener.after_rollback(session)


def pipeline_of(session: Session) -> Pipeline:
    """The pipeline of the unit of work ``session`` belongs to.

    Raises ``RuntimeError`` for a session opened on a database without one (a unit of work that writes
    workflow rows must be the workflow's: otherwise its audit entries would be missing).
    """
    found = session.info.get(_KEY)
    if not isinstance(found, Pipeline):
        raise RuntimeError("no transition pipeline on this session: open it with the workflow's database")
    return found
