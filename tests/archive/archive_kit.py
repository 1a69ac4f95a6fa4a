"""Rows the archive tests start from: an application and its documents, stored as the workflow stores them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from siakgate.store.models import Application, ApplicationDocument


def add_application(session: Session, app_id: str, at: datetime, state: str = "MENUNGGU_TTE") -> None:
    session.add(
        Application(
            id=app_id,
            profile_id="p",
            case_type="HILANG",
            region_code="3508012001",
            state=state,
            step_started_at=at,
            round=0,
            missing=[],
            physically_confirmed=False,
            created_by="loket",
            due_at=at,
            created_at=at,
            updated_at=at,
        )
    )
    session.flush()


def document(app_id: str, kind: str, sha: str, size: int, at: datetime) -> ApplicationDocument:
    """A stored PDF of ``kind`` (the workflow records it with ``record_document``)."""
    return ApplicationDocument(
        application_id=app_id,
        kind=kind,
        sha256=sha,
        size=size,
        media_type="application/pdf",
        filename=f"{kind}.pdf",
        created_by="kepala-dinas",
        created_at=at,
    )
