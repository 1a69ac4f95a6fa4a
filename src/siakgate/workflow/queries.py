"""Reading applications: the view of one, lists, timelines, documents (units of work that only read)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.domain import CaseType
from siakgate.store.models import Application, ApplicationDocument, TimelineEvent
from siakgate.workflow.context import Deps
from siakgate.workflow.transitions import current_step
from siakgate.workflow.views import ApplicationView, TimelineEntry, application_view, timeline_entry

__all__ = ["documents_of", "timeline_of", "view_of"]


def documents_of(session: Session, app_id: str) -> list[ApplicationDocument]:
    stmt = (
        select(ApplicationDocument).where(ApplicationDocument.application_id == app_id).order_by(ApplicationDocument.id)
    )
    return list(session.scalars(stmt))


def view_of(session: Session, deps: Deps, app: Application) -> ApplicationView:
    profile = deps.profile(app.profile_id)
    documents = documents_of(session, app.id)
    step = current_step(profile, app)
    provided = {d.kind for d in documents}
    missing = profile.missing_requirements(CaseType[app.case_type], provided)
    return application_view(
        app, documents, step_name=step.name if step is not None else None, missing_requirements=missing
    )


def timeline_of(session: Session, app_id: str) -> list[TimelineEntry]:
    stmt = select(TimelineEvent).where(TimelineEvent.application_id == app_id).order_by(TimelineEvent.id)
    return [timeline_entry(row) for row in session.scalars(stmt)]
