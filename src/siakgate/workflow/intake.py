"""Creating an application (idempotently) and receiving its requirement documents.

Data that does not validate is refused before anything is written (InvalidDataError, HTTP 422, with
every issue), so a bad request leaves no trace. A repeated ``Idempotency-Key`` from the same caller
with the same request answers the application the first request created; the same key with a
different request is :class:`~siakgate.errors.IdempotencyConflictError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from siakgate.domain import DOCUMENTS, CaseType, KartuKeluarga, case_profile, checklist, validate_family
from siakgate.domain.nik import check_no_kk
from siakgate.errors import (
    ActionNotAllowedError,
    DataIssue,
    DocumentRejectedError,
    ForbiddenError,
    IdempotencyConflictError,
    InvalidDataError,
    NotFoundError,
)
from siakgate.store.counters import next_number
from siakgate.store.models import Application, ApplicationDocument, IdempotencyRecord
from siakgate.workflow.access import Actor, require_role, visible
from siakgate.workflow.applicant import ApplicantCheck
from siakgate.workflow.context import Deps
from siakgate.workflow.profiles import Role, ServiceProfile
from siakgate.workflow.queries import view_of
from siakgate.workflow.states import TERMINAL_STATES, State
from siakgate.workflow.transitions import enter_step, load_visible, record, record_document, steps_of
from siakgate.workflow.views import ApplicationView, DocumentView, document_view

__all__ = [
    "accepted_requirements",
    "add_document",
    "check_family",
    "create_application",
    "intake_roles",
    "request_hash_of",
]

log = logging.getLogger("siakgate.workflow")


def intake_roles(profile: ServiceProfile) -> set[str]:
    """Who may open or resubmit an application of this profile: the applicant's calling system and
    whoever performs the profile's first person step."""
    roles = {str(Role.PEMOHON)}
    if profile.intake is not None:
        roles.add(str(profile.intake.role))
    for step in profile.steps:
        if step.role is not Role.SYSTEM:
            roles.add(str(step.role))
            break
    return roles


def request_hash_of(
    profile_id: str,
    case_type: str,
    region_code: str,
    phone: str | None,
    family: KartuKeluarga | None,
    no_kk: str | None,
) -> str:
    body: dict[str, Any] = {
        "profile_id": profile_id,
        "case_type": case_type,
        "region_code": region_code,
        "applicant_phone": phone,
        "family": family.model_dump(mode="json") if family is not None else None,
        "no_kk": no_kk,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _issue(code: str, path: str, message: str) -> DataIssue:
    return DataIssue(code, path, message)


def check_family(
    deps: Deps, case_type: CaseType, region_code: str, family: KartuKeluarga | None, no_kk: str | None
) -> None:
    """Every reason to refuse the submitted data (InvalidDataError), or nothing."""
    issues: list[DataIssue] = []
    needs_entry = case_profile(case_type).needs_data_entry
    if needs_entry and family is None:
        issues.append(_issue("WAJIB_DIISI", "family", f"Data keluarga wajib diisi untuk {case_type.value}."))
    if not needs_entry and family is not None:
        issues.append(_issue("TIDAK_BOLEH_DIISI", "family", f"{case_type.value} tidak memerlukan entri data keluarga."))
    if not needs_entry and no_kk is None:
        issues.append(_issue("WAJIB_DIISI", "no_kk", f"No. KK wajib diisi untuk {case_type.value}."))
    if no_kk is not None:
        issues += check_no_kk(no_kk, path="no_kk", today=deps.today_wib())[1]
    if family is not None:
        found = validate_family(family, today=deps.today_wib())
        if no_kk is None:  # SIAK numbers a new KK: the submitted family's own number is not checked
            found = [item for item in found if not item.path.startswith("no_kk")]
        issues += found
        family_region = family.province_code + family.regency_code + family.district_code + family.village_code
        if family_region != region_code:
            issues.append(
                _issue("WILAYAH_TIDAK_SESUAI", "region_code", "Kode wilayah permohonan tidak sesuai alamat keluarga.")
            )
    if issues:
        raise InvalidDataError(issues)


def _next_queue_number(session: Session, deps: Deps, counter: str) -> str:
    return f"{next_number(session, counter, deps.today_wib()):03d}"


async def create_application(
    deps: Deps,
    actor: Actor,
    *,
    profile_id: str,
    case_type: str,
    region_code: str,
    applicant_phone: str | None,
    family: KartuKeluarga | None,
    no_kk: str | None,
    idempotency_key: str | None,
    request_hash: str | None,
    applicant_check: ApplicantCheck | None = None,
) -> ApplicationView:
    """Validate, check the applicant with Dukcapil when ``applicant_check`` is given
    (:mod:`siakgate.workflow.applicant`), then write the application in one transaction."""
    try:
        profile = deps.profile(profile_id)
    except NotFoundError:
        raise InvalidDataError(
            [_issue("PROFIL_TIDAK_DIKENAL", "profile_id", f"Profil layanan {profile_id!r} tidak dikenal.")]
        ) from None
    try:
        case = CaseType[case_type]
    except KeyError:
        raise InvalidDataError(
            [_issue("JENIS_PERMOHONAN_TIDAK_DIKENAL", "case_type", f"Jenis permohonan {case_type!r} tidak dikenal.")]
        ) from None
    if not profile.accepts(case):
        raise InvalidDataError(
            [_issue("JENIS_PERMOHONAN_TIDAK_DILAYANI", "case_type", f"Layanan ini tidak melayani {case.value}.")]
        )
    if not (len(region_code) == 10 and region_code.isascii() and region_code.isdigit()):
        raise InvalidDataError(
            [_issue("WILAYAH_TIDAK_VALID", "region_code", "Kode wilayah harus 10 digit (provinsi s.d. desa).")]
        )
    role = require_role(actor, sorted(intake_roles(profile)))
    if not visible(actor, region_code):
        raise ForbiddenError("Wilayah permohonan di luar wilayah token ini.")
    check_family(deps, case, region_code, family, no_kk)
    if applicant_check is not None and family is not None:
        await applicant_check.check(family)  # before anything is written: a refusal leaves no trace
    digest = request_hash or request_hash_of(profile_id, case.value, region_code, applicant_phone, family, no_kk)
    steps = steps_of(profile, _probe(case))

    def unit(session: Session) -> ApplicationView:
        now = deps.now()
        if idempotency_key is not None:
            earlier = session.scalars(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.token == actor.name, IdempotencyRecord.key == idempotency_key
                )
            ).one_or_none()
            if earlier is not None:
                if earlier.request_hash != digest:
                    raise IdempotencyConflictError(
                        "Idempotency-Key ini sudah dipakai untuk permintaan yang berbeda.",
                    )
                assert earlier.application_id is not None
                return view_of(session, deps, load_visible(session, actor, earlier.application_id))
        app = Application(
            profile_id=profile.id,
            case_type=case.value,
            region_code=region_code,
            state=str(State.MENUNGGU_KELENGKAPAN),
            step_started_at=now,
            round=0,
            entry_round=0,
            missing=[],
            physically_confirmed=False,
            created_by=actor.name,
            applicant_phone=applicant_phone,
            family=family.model_dump(mode="json") if family is not None else None,
            no_kk=no_kk,
            entry_no_kk=no_kk,
            due_at=deps.calendar.add_working_days(now, profile.service_days),
            created_at=now,
            updated_at=now,
        )
        if profile.queue_numbers:
            app.queue_number = _next_queue_number(session, deps, profile.id)
        session.add(app)
        session.flush()
        intake = profile.intake
        record(
            session,
            app,
            step=None,
            action="created",
            actor=actor.name,
            role=role,
            started_at=None,
            now=now,
            note=intake.name if intake is not None else None,
            measured=False,
        )
        enter_step(session, app, steps, 0, now)
        if idempotency_key is not None:
            session.add(
                IdempotencyRecord(
                    token=actor.name, key=idempotency_key, request_hash=digest, application_id=app.id, created_at=now
                )
            )
        session.flush()
        log.info("application created app=%s profile=%s case=%s", app.id, profile.id, case.value)
        return view_of(session, deps, app)

    try:
        return await deps.db.run(unit)
    except IntegrityError:
        # Two requests with the same key (or the same queue day) raced; the loser reads the winner's row.
        return await deps.db.run(unit)


def _probe(case: CaseType) -> Application:
    probe = Application()
    probe.case_type = case.value
    return probe


def accepted_requirements(profile: ServiceProfile, case: CaseType) -> set[str]:
    return {item.code for item in checklist(case)} | set(profile.requirements.get(case, ()))


async def add_document(
    deps: Deps, app_id: str, actor: Actor, *, requirement: str, data: bytes, media_type: str, filename: str
) -> DocumentView:
    """Store a requirement document: refused for an unknown code, a finished application or a bad file."""

    def check(session: Session) -> None:
        app = load_visible(session, actor, app_id)
        profile = deps.profile(app.profile_id)
        require_role(actor, sorted(intake_roles(profile)))
        if requirement not in DOCUMENTS or requirement not in accepted_requirements(profile, CaseType[app.case_type]):
            raise DocumentRejectedError(
                f"Kode persyaratan {requirement!r} tidak dikenal untuk permohonan ini.",
                code="PERSYARATAN_TIDAK_DIKENAL",
            )
        if app.state in TERMINAL_STATES:
            raise ActionNotAllowedError("Permohonan sudah selesai; berkas tidak dapat ditambah.")

    await deps.db.run(check, read_only=True)
    # The content screening (a PDF parsed, an image decoded) runs before the transaction: nothing is
    # written for a refused file, and no write lock is held while a large scan is parsed.
    await anyio.to_thread.run_sync(deps.documents.check_upload, data, media_type)
    name = (filename or requirement).replace("/", "_").replace("\\", "_")[:255]

    def unit(session: Session) -> DocumentView:
        app = load_visible(session, actor, app_id)
        sha = deps.documents.put(data, media_type)  # checks size and type; idempotent
        row = ApplicationDocument(
            application_id=app.id,
            kind=requirement,
            sha256=sha,
            size=len(data),
            media_type=media_type.split(";", 1)[0].strip().lower(),
            filename=name,
            created_by=actor.name,
            created_at=deps.now(),
        )
        record_document(session, row)
        app.updated_at = deps.now()
        session.flush()
        log.info("document added app=%s kind=%s", app.id, requirement)
        return document_view(row)

    return await deps.db.run(unit)
