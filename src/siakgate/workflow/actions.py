"""A person's action on the step an application waits in: ``act(app_id, actor, action, ...)``.

=============================  ==================  =========================================================
state (step kind)              action              effect
=============================  ==================  =========================================================
MENUNGGU_KELENGKAPAN (check)   complete            next step; refused while a mandatory document is missing
                               complete_physical   next step; the checker saw the originals at the counter
                                                   (recorded; the missing uploads are waived)
                               incomplete          DIKEMBALIKAN with ``missing`` (requirement codes)
MENUNGGU_KONFIRMASI_PEMOHON    confirm             next step
                               correct             DIKEMBALIKAN with ``reason``; resubmit with corrected data
MENUNGGU_VERIFIKASI            approve             DIPROSES_SIAK: SimpanVerifikasi SETUJU, then the next step
                               reject              DIPROSES_SIAK: SimpanVerifikasi TOLAK, then DITOLAK
MENUNGGU_CETAK                 printed             DIPROSES_SIAK: TandaiTercetak, then the next step
MENUNGGU_PENYERAHAN            delivered           next step
DIKEMBALIKAN, DITOLAK          resubmit            the step it was returned from (new round)
GANGGUAN                       retry (ADMIN)       the failed automatic step is queued again
=============================  ==================  =========================================================

MENUNGGU_TTE and MENUNGGU_PENGANTAR move through signing batches and kecamatan collections, not here.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.domain import DOCUMENTS, CaseType, KartuKeluarga, checklist
from siakgate.domain.text import TextPolicyError, clean_text
from siakgate.errors import ActionNotAllowedError, DataIssue, ForbiddenError, InvalidDataError
from siakgate.store.models import Application, Job
from siakgate.workflow.access import ADMIN_ROLE, Actor, require_role
from siakgate.workflow.context import Deps
from siakgate.workflow.intake import check_family, intake_roles
from siakgate.workflow.profiles import Role, ServiceProfile, Step
from siakgate.workflow.queries import documents_of, view_of
from siakgate.workflow.states import ACTIONS, JobKind, JobState, State
from siakgate.workflow.transitions import (
    advance,
    current_step,
    enter_step,
    entry_step,
    load_visible,
    queue_job,
    record,
    return_to,
    step_index,
    steps_of,
)
from siakgate.workflow.views import ApplicationView

__all__ = ["ACTIONS", "act"]

log = logging.getLogger("siakgate.workflow")


def _invalid(code: str, path: str, message: str) -> InvalidDataError:
    return InvalidDataError([DataIssue(code, path, message)])


def _reason(reason: str | None) -> str:
    # The API's schema already applies the text policy; the web form's reason arrives here directly.
    try:
        text = clean_text(reason or "").strip()
    except TextPolicyError as exc:
        raise _invalid("TEKS_TIDAK_VALID", "reason", f"Alasan {exc.reason}.") from None
    if not text:
        raise _invalid("WAJIB_DIISI", "reason", "Alasan wajib diisi.")
    if len(text) > 1000:
        raise _invalid("FORMAT_TIDAK_VALID", "reason", "Alasan lebih dari 1000 karakter.")
    return text


def _missing_codes(app: Application, missing: list[str] | None) -> list[str]:
    codes = list(dict.fromkeys(missing or []))
    if not codes:
        raise _invalid("WAJIB_DIISI", "missing", "Sebutkan persyaratan yang kurang (kode persyaratan).")
    known = {item.code for item in checklist(CaseType[app.case_type])}
    issues = [
        DataIssue("PERSYARATAN_TIDAK_DIKENAL", f"missing[{i}]", f"Kode persyaratan {code!r} tidak dikenal.")
        for i, code in enumerate(codes)
        if code not in DOCUMENTS or code not in known
    ]
    if issues:
        raise InvalidDataError(issues)
    return codes


async def act(
    deps: Deps,
    app_id: str,
    actor: Actor,
    action: str,
    *,
    reason: str | None = None,
    missing: list[str] | None = None,
    family: KartuKeluarga | None = None,
) -> ApplicationView:
    def unit(session: Session) -> ApplicationView:
        app = load_visible(session, actor, app_id)
        profile = deps.profile(app.profile_id)
        state = State(app.state)
        if action not in ACTIONS.get(state, ()):
            raise ActionNotAllowedError(f"Tindakan {action!r} tidak dapat dilakukan pada status {state.value}.")
        now = deps.now()
        if action == "resubmit":
            role = require_role(actor, sorted(intake_roles(profile)))
            _resubmit(session, deps, app, profile, family, role, actor, now)
        elif action == "retry":
            if not actor.is_admin:
                raise ForbiddenError(f"Tindakan ini hanya untuk peran {ADMIN_ROLE}.")
            _retry(session, app, profile, actor, now)
        else:
            step = current_step(profile, app)
            assert step is not None
            role = require_role(actor, [step.role])
            _step_action(session, app, profile, step, action, role, actor, now, reason, missing)
        session.flush()
        log.info("action app=%s step=%s action=%s state=%s", app.id, app.current_step_id, action, app.state)
        return view_of(session, deps, app)

    return await deps.db.run(unit)


def _step_action(
    session: Session,
    app: Application,
    profile: ServiceProfile,
    step: Step,
    action: str,
    role: str,
    actor: Actor,
    now: datetime,
    reason: str | None,
    missing: list[str] | None,
) -> None:
    who = actor.name
    if action == "complete":
        provided = {d.kind for d in documents_of(session, app.id)}
        lacking = profile.missing_requirements(CaseType[app.case_type], provided)
        if lacking:
            raise ActionNotAllowedError(
                f"Berkas belum lengkap: {', '.join(lacking)}. Unggah berkasnya, kembalikan berkas "
                "(incomplete), atau nyatakan berkas fisik lengkap (complete_physical).",
                code="BERKAS_BELUM_LENGKAP",
            )
        app.missing = []
        advance(session, app, profile, action=action, actor=who, role=role, now=now, note=step.notify)
    elif action == "complete_physical":
        app.physically_confirmed = True
        app.missing = []
        note = "Berkas fisik diperiksa dan dinyatakan lengkap oleh petugas."
        advance(session, app, profile, action=action, actor=who, role=role, now=now, note=note)
    elif action == "incomplete":
        codes = _missing_codes(app, missing)
        text = "Berkas belum lengkap: " + "; ".join(DOCUMENTS[code] for code in codes)
        return_to(
            session,
            app,
            profile,
            state=State.DIKEMBALIKAN,
            reason=text,
            return_step_id=step.id,
            missing=codes,
            action=action,
            actor=who,
            role=role,
            now=now,
        )
    elif action in ("confirm", "delivered"):
        advance(session, app, profile, action=action, actor=who, role=role, now=now, note=step.notify)
    elif action == "correct":
        text = _reason(reason)
        return_to(
            session,
            app,
            profile,
            state=State.DIKEMBALIKAN,
            reason=text,
            return_step_id=entry_step(steps_of(profile, app)).id,
            missing=None,
            action=action,
            actor=who,
            role=role,
            now=now,
        )
    elif action in ("approve", "reject", "printed"):
        if action == "reject":
            app.return_reason = _reason(reason)
        kind = {"approve": JobKind.VERIFY_APPROVE, "reject": JobKind.VERIFY_REJECT, "printed": JobKind.MARK_PRINTED}
        started = app.step_started_at
        app.state = str(State.DIPROSES_SIAK)
        app.awaiting_role = str(Role.SYSTEM)
        app.updated_at = now
        queue_job(session, app, step.id, kind[action], now)
        record(
            session,
            app,
            step=step,
            action=action,
            actor=who,
            role=role,
            started_at=started,
            now=now,
            note=app.return_reason if action == "reject" else None,
        )
    else:  # pragma: no cover - ACTIONS and this function list the same actions
        raise ActionNotAllowedError(f"Tindakan {action!r} tidak dikenal.")


def _resubmit(
    session: Session,
    deps: Deps,
    app: Application,
    profile: ServiceProfile,
    family: KartuKeluarga | None,
    role: str,
    actor: Actor,
    now: datetime,
) -> None:
    case = CaseType[app.case_type]
    steps = steps_of(profile, app)
    target = app.return_step_id or steps[0].id
    index = step_index(steps, target)
    data_again = index <= step_index(steps, entry_step(steps).id) and app.siak_request_no is not None
    if family is not None:
        check_family(deps, case, app.region_code, family, app.entry_no_kk)
        app.family = family.model_dump(mode="json")
    elif (app.state == State.DITOLAK or (data_again and app.return_reason and not app.missing)) and app.family:
        raise _invalid("WAJIB_DIISI", "family", "Kirim data keluarga yang sudah diperbaiki.")
    if data_again or app.state == State.DITOLAK:
        app.siak_request_no = None  # SIAK cannot amend a request: the corrected data is a new one
        app.no_kk = app.entry_no_kk
    app.round += 1
    app.entry_round = app.round  # the resubmitted data is a new version: a new SIAK client request id
    app.return_step_id = None
    app.return_reason = None
    app.missing = []
    started = app.step_started_at
    enter_step(session, app, steps, index, now)
    record(
        session,
        app,
        step=None,
        action="resubmit",
        actor=actor.name,
        role=role,
        started_at=started,
        now=now,
        note=f"Dilanjutkan ke langkah {target}",
        measured=False,
    )


def _retry(session: Session, app: Application, profile: ServiceProfile, actor: Actor, now: datetime) -> None:
    """Queue the failed job again in a new round (the same kind: a failed upload is uploaded, never re-signed).

    The data did not change, so ``entry_round`` stays: a data entry is retried under the same SIAK
    client request id, and SIAK answers with the request the first attempt may already have made."""
    failed = session.scalars(
        select(Job)
        .where(Job.application_id == app.id, Job.state == str(JobState.FAILED))
        .order_by(Job.id.desc())
        .limit(1)
    ).first()
    app.round += 1
    if failed is None or failed.step_id != app.current_step_id:
        steps = steps_of(profile, app)
        enter_step(session, app, steps, step_index(steps, app.current_step_id), now)
    else:
        app.state = str(State.DIPROSES_SIAK)
        app.awaiting_role = str(Role.SYSTEM)
        app.last_error_code = None
        app.updated_at = now
        queue_job(session, app, failed.step_id, JobKind(failed.kind), now)
    record(
        session,
        app,
        step=None,
        action="retry",
        actor=actor.name,
        role=ADMIN_ROLE,
        started_at=None,
        now=now,
        measured=False,
    )
