"""Reading applications: the view of one, lists, timelines, documents (units of work that only read).

The documents and timeline statements are built once, with a bound parameter: building a ``select()`` costs more than
running it from SQLAlchemy's compiled cache. A page of applications reads its documents in one ``IN``
query (:func:`views_of`), not one query per application.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from siakgate.domain import CaseType
from siakgate.store.models import Application, ApplicationDocument, TimelineEvent
from siakgate.workflow.context import Deps
from siakgate.workflow.transitions import current_step
from siakgate.workflow.views import ApplicationView, TimelineEntry, application_view, timeline_entry

__all__ = ["documents_of", "timeline_of", "view_of", "views_of"]

_DOCUMENTS_OF = (
    select(ApplicationDocument)
    .where(ApplicationDocument.application_id == bindparam("app_id"))
    .order_by(ApplicationDocument.id)
)
_DOCUMENTS_OF_MANY = (
    select(ApplicationDocument)
    .where(ApplicationDocument.application_id.in_(bindparam("app_ids", expanding=True)))
    .order_by(ApplicationDocument.id)
)
_TIMELINE_OF = (
    select(TimelineEvent).where(TimelineEvent.application_id == bindparam("app_id")).order_by(TimelineEvent.id)
)


def documents_of(session: Session, app_id: str) -> list[ApplicationDocument]:
    return list(session.scalars(_DOCUMENTS_OF, {"app_id": app_id}))


def view_of(session: Session, deps: Deps, app: Application) -> ApplicationView:
    return _view(deps, app, documents_of(session, app.id))


def views_of(session: Session, deps: Deps, apps: Sequence[Application]) -> list[ApplicationView]:
    """The views of ``apps``, in their order: as ``[view_of(...) for app in apps]``, with one documents query."""
    if not apps:
        return []
    documents: dict[str, list[ApplicationDocument]] = {app.id: [] for app in apps}
    for document in session.scalars(_DOCUMENTS_OF_MANY, {"app_ids": list(documents)}):
        documents[document.application_id].append(document)  # ordered by id, as documents_of
    return [_view(deps, app, documents[app.id]) for app in apps]


def _view(deps: Deps, app: Application, documents: list[ApplicationDocument]) -> ApplicationView:
    profile = deps.profile(app.profile_id)
    step = current_step(profile, app)
    provided = {d.kind for d in documents}
    missing = profile.missing_requirements(CaseType[app.case_type], provided)
    return application_view(
        app, documents, step_name=step.name if step is not None else None, missing_requirements=missing
    )


def timeline_of(session: Session, app_id: str) -> list[TimelineEntry]:
    return [timeline_entry(row) for row in session.scalars(_TIMELINE_OF, {"app_id": app_id})]
