"""Returns, rejections, corrections, bad input, access rules and idempotency (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from workflow_kit import NEW_REGION, REQUIREMENT_FILE, actor, drive, new_couple, settle

from siakgate.errors import (
    ActionNotAllowedError,
    ForbiddenError,
    IdempotencyConflictError,
    InvalidDataError,
    NotFoundError,
)
from siakgate.siak import RequestStatus, SiakClient
from siakgate.workflow import State, Workflow
from siakgate.workflow.profiles import Role

pytestmark = pytest.mark.anyio

APPLICANT = actor(Role.PEMOHON)
ADMIN = actor("ADMIN")
WA = actor(Role.OPERATOR_WA)
KASI = actor(Role.KASI)


async def _lumajang(workflow: Workflow, **kwargs: object) -> str:
    view = await workflow.create_application(
        APPLICANT,
        profile_id="lumajang-bca",
        case_type="KK_BARU_MENIKAH",
        region_code=NEW_REGION,
        applicant_phone=None,
        family=new_couple(),
        no_kk=None,
        idempotency_key=None,
        request_hash=None,
        **kwargs,  # type: ignore[arg-type]
    )
    return view.id


async def test_incomplete_file_goes_back_with_the_missing_list(workflow: Workflow) -> None:
    app_id = await _lumajang(workflow)
    view = await workflow.get(app_id, ADMIN)
    assert view.state == State.MENUNGGU_KELENGKAPAN
    assert set(view.missing_requirements) == {"SURAT_PENGANTAR_DESA", "BUKU_NIKAH", "KK_LAMA_ASLI"}
    with pytest.raises(ActionNotAllowedError) as refused:
        await workflow.act(app_id, WA, "complete")
    assert refused.value.code == "BERKAS_BELUM_LENGKAP"
    with pytest.raises(InvalidDataError):
        await workflow.act(app_id, WA, "incomplete", missing=["BUKAN_KODE"])
    with pytest.raises(InvalidDataError):
        await workflow.act(app_id, WA, "incomplete", missing=[])
    assert (await workflow.get(app_id, ADMIN)).version == view.version  # nothing written

    view = await workflow.act(app_id, WA, "incomplete", missing=["BUKU_NIKAH", "KK_LAMA_ASLI"])
    assert view.state == State.DIKEMBALIKAN
    assert view.missing == ("BUKU_NIKAH", "KK_LAMA_ASLI")
    assert view.awaiting_role == Role.PEMOHON
    assert "Buku Nikah" in (view.return_reason or "")

    for code in ("SURAT_PENGANTAR_DESA", "BUKU_NIKAH", "KK_LAMA_ASLI"):
        await workflow.add_document(
            app_id, APPLICANT, requirement=code, data=REQUIREMENT_FILE, media_type="application/pdf", filename="x.pdf"
        )
    view = await workflow.act(app_id, APPLICANT, "resubmit")
    assert view.state == State.MENUNGGU_KELENGKAPAN
    assert view.missing == ()
    assert view.missing_requirements == ()
    view = await workflow.act(app_id, WA, "complete")
    assert view.state == State.DIPROSES_SIAK
    actions = [e.action for e in await workflow.timeline(app_id, ADMIN)]
    assert actions == ["created", "incomplete", "resubmit", "complete"]


async def test_applicant_correction_and_verifier_rejection(workflow: Workflow, siak: SiakClient) -> None:
    app_id = await _lumajang(workflow)
    await workflow.act(app_id, WA, "complete_physical")
    view = await drive(workflow, app_id, until={State.MENUNGGU_KONFIRMASI_PEMOHON})
    first_request = view.siak_request_no
    assert first_request is not None

    # The applicant finds a mistake in the draft: back, with the reason; resubmitting needs the data.
    view = await workflow.act(app_id, APPLICANT, "correct", reason="Nama istri salah ketik")
    assert view.state == State.DIKEMBALIKAN
    assert view.return_reason == "Nama istri salah ketik"
    with pytest.raises(InvalidDataError):
        await workflow.act(app_id, APPLICANT, "resubmit")
    view = await workflow.act(app_id, APPLICANT, "resubmit", family=new_couple("RAHMAT DIPERBAIKI"))
    assert view.round == 1
    assert view.state == State.DIPROSES_SIAK
    view = await drive(workflow, app_id, until={State.MENUNGGU_KONFIRMASI_PEMOHON})
    assert view.siak_request_no not in (None, first_request)

    # The verifier rejects the draft with a reason: SIAK records it, the application is DITOLAK.
    await workflow.act(app_id, APPLICANT, "confirm")
    view = await drive(workflow, app_id, until={State.MENUNGGU_VERIFIKASI})
    with pytest.raises(InvalidDataError):
        await workflow.act(app_id, KASI, "reject")
    view = await workflow.act(app_id, KASI, "reject", reason="Dokumen pendukung tidak sesuai")
    assert view.state == State.DIPROSES_SIAK
    await settle(workflow)
    view = await workflow.get(app_id, ADMIN)
    assert view.state == State.DITOLAK
    assert view.return_reason == "Dokumen pendukung tidak sesuai"
    rejected = await siak.get_draft(view.siak_request_no or "")
    assert rejected.status is RequestStatus.DITOLAK
    timeline = await workflow.timeline(app_id, ADMIN)
    reject = next(e for e in timeline if e.action == "reject")
    assert reject.role == Role.KASI
    assert reject.standard_minutes is not None


async def test_invalid_data_refused_at_creation_and_nothing_written(workflow: Workflow) -> None:
    family = new_couple()
    broken = family.model_copy(update={"members": (family.members[1],)})  # no Kepala Keluarga
    with pytest.raises(InvalidDataError) as refused:
        await _lumajang_with(workflow, family=broken)
    assert refused.value.issues
    with pytest.raises(InvalidDataError):
        await _lumajang_with(workflow, family=family, region_code="3508010001")  # not the family's region
    with pytest.raises(InvalidDataError):
        await _lumajang_with(workflow, family=None)  # KK_BARU_MENIKAH needs the data
    with pytest.raises(InvalidDataError):
        await _lumajang_with(workflow, family=family, profile_id="tidak-ada")
    assert await workflow.list(ADMIN) == []


async def _lumajang_with(workflow: Workflow, **changes: object) -> object:
    arguments: dict[str, object] = {
        "profile_id": "lumajang-bca",
        "case_type": "KK_BARU_MENIKAH",
        "region_code": NEW_REGION,
        "applicant_phone": None,
        "family": new_couple(),
        "no_kk": None,
        "idempotency_key": None,
        "request_hash": None,
    }
    arguments.update(changes)
    return await workflow.create_application(APPLICANT, **arguments)  # type: ignore[arg-type]


async def test_region_and_role_enforcement(workflow: Workflow) -> None:
    app_id = await _lumajang(workflow)
    village = actor(Role.OPERATOR_WA, region=NEW_REGION)
    other_village = actor(Role.OPERATOR_WA, Role.PEMOHON, region="3204152007")
    assert (await workflow.get(app_id, village)).id == app_id
    with pytest.raises(NotFoundError):
        await workflow.get(app_id, other_village)
    with pytest.raises(NotFoundError):
        await workflow.act(app_id, other_village, "complete_physical")
    with pytest.raises(NotFoundError):
        await workflow.timeline(app_id, other_village)
    assert await workflow.list(other_village) == []
    with pytest.raises(ForbiddenError):
        await workflow.create_application(
            other_village,
            profile_id="lumajang-bca",
            case_type="KK_BARU_MENIKAH",
            region_code=NEW_REGION,
            applicant_phone=None,
            family=new_couple(),
            no_kk=None,
            idempotency_key=None,
            request_hash=None,
        )
    with pytest.raises(ForbiddenError):
        await workflow.act(app_id, KASI, "complete_physical")  # visible, but not the checker's role
    with pytest.raises(ActionNotAllowedError):
        await workflow.act(app_id, KASI, "approve")  # not waiting for verification
    with pytest.raises(ActionNotAllowedError):
        await workflow.create_signing_batch(actor(Role.KEPALA_DINAS), [app_id])
    view = await workflow.act(app_id, village, "complete_physical")
    assert view.state == State.DIPROSES_SIAK


async def test_idempotent_create(workflow: Workflow) -> None:
    family = new_couple()
    first = await _lumajang_with(workflow, family=family, idempotency_key="wa-001")
    again = await _lumajang_with(workflow, family=family, idempotency_key="wa-001")
    assert again.id == first.id  # type: ignore[attr-defined]
    with pytest.raises(IdempotencyConflictError):
        await _lumajang_with(workflow, family=family, applicant_phone="0811", idempotency_key="wa-001")
    other_token = await workflow.create_application(
        actor(Role.PEMOHON, name="desk-2"),
        profile_id="lumajang-bca",
        case_type="KK_BARU_MENIKAH",
        region_code=NEW_REGION,
        applicant_phone=None,
        family=family,
        no_kk=None,
        idempotency_key="wa-001",
        request_hash=None,
    )
    assert other_token.id != first.id  # type: ignore[attr-defined]
    assert len(await workflow.list(ADMIN)) == 2
    assert not (await workflow.public_verification("tidak-ada")).valid
