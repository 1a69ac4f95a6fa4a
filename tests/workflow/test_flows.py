"""The five service profiles from creation to SELESAI, on SQLite and on PostgreSQL, against mock SIAK."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from workflow_kit import NEW_REGION, actor, drive, existing_kk, new_couple, passphrase, region_of, settle

from mock_common.pytest_plugin import MockService
from siakgate.siak import RequestStatus, SiakClient
from siakgate.workflow import State, Workflow
from siakgate.workflow.profiles import Role

pytestmark = pytest.mark.anyio

APPLICANT = actor(Role.PEMOHON)
KEPALA_DINAS = actor(Role.KEPALA_DINAS)
SEKCAM = actor(Role.SEKCAM)
ADMIN = actor("ADMIN")


async def test_five_profiles_from_intake_to_selesai(
    workflow: Workflow, mock_siak: MockService, siak: SiakClient
) -> None:
    hilang_kk, rusak_kk = existing_kk(mock_siak), existing_kk(mock_siak)
    cases = {
        "lumajang-bca": ("KK_BARU_MENIKAH", NEW_REGION, new_couple("ADI LUMAJANGUJI"), None),
        "dinas-loket-antrian": ("KK_BARU_MENIKAH", NEW_REGION, new_couple("BUDI LOKETUJI"), None),
        "loket-desa": ("HILANG", await region_of(workflow, hilang_kk), None, hilang_kk),
        "bantul-wa-cetak-mandiri": ("RUSAK", await region_of(workflow, rusak_kk), None, rusak_kk),
        "kecamatan-sumbersuko": ("KK_BARU_MENIKAH", NEW_REGION, new_couple("CAHYO KECAMATANUJI"), None),
    }
    ids: dict[str, str] = {}
    for profile_id, (case_type, region, family, no_kk) in cases.items():
        view = await workflow.create_application(
            APPLICANT,
            profile_id=profile_id,
            case_type=case_type,
            region_code=region,
            applicant_phone="081234567890",
            family=family,
            no_kk=no_kk,
            idempotency_key=None,
            request_hash=None,
        )
        ids[profile_id] = view.id
        assert view.due_at > view.created_at
        assert (view.queue_number is not None) == (profile_id == "dinas-loket-antrian")

    for app_id in ids.values():
        await drive(workflow, app_id, until={State.MENUNGGU_TTE, State.MENUNGGU_PENGANTAR})

    # Kecamatan: the Sekcam collects the application under a cover letter, signs it and submits it.
    kecamatan = ids["kecamatan-sumbersuko"]
    assert (await workflow.get(kecamatan, ADMIN)).state == State.MENUNGGU_PENGANTAR
    collection = await workflow.collect_kecamatan_batch(SEKCAM, [kecamatan])
    collection = await workflow.sign_cover_letter(collection.id, SEKCAM, passphrase("sekcam"))
    assert collection.state == "SIGNED"
    collection = await workflow.submit_collection(collection.id, SEKCAM)
    assert collection.state == "SUBMITTED"
    letter = await workflow.cover_letter(collection.id, SEKCAM)
    assert len(PdfFileReader(io.BytesIO(letter)).embedded_signatures) == 1

    for app_id in ids.values():
        view = await workflow.get(app_id, ADMIN)
        assert view.state == State.MENUNGGU_TTE, (app_id, view.state)
        assert "DRAFT_KK" in {d.kind for d in view.documents}

    # One batch, one authorisation, five KKs.
    batch = await workflow.create_signing_batch(KEPALA_DINAS, list(ids.values()))
    batch = await workflow.sign_batch(batch.id, KEPALA_DINAS, passphrase("kepala-dinas"))
    assert batch.state == "DONE"
    assert [item.state for item in batch.items] == ["SIGNED"] * 5
    await settle(workflow)

    for profile_id, app_id in ids.items():
        view = await drive(workflow, app_id, until={State.SELESAI})
        assert view.completed_at is not None
        signed, media_type = await workflow.document(app_id, APPLICANT, "SIGNED_KK")
        assert media_type == "application/pdf"
        assert len(PdfFileReader(io.BytesIO(signed)).embedded_signatures) == 1
        draft = await siak.get_draft(view.siak_request_no or "")
        assert draft.signed_pdf == signed
        printed = profile_id != "bantul-wa-cetak-mandiri"  # Bantul: the applicant prints the PDF
        assert draft.status is (RequestStatus.TERCETAK if printed else RequestStatus.TERSERTIFIKASI)
        timeline = await workflow.timeline(app_id, ADMIN)
        measured = [e for e in timeline if e.standard_minutes is not None]
        assert measured, "each step records its standard minutes"
        assert all(e.actual_minutes is not None and e.actual_minutes >= 0 for e in measured)
        assert {e.step_id for e in timeline if e.action == "signed"} == {"tte"}

    # No data entry for a lost KK: no siak_entry step ran, and SIAK reissued the same No. KK.
    hilang = await workflow.get(ids["loket-desa"], ADMIN)
    assert hilang.no_kk_masked == f"{hilang_kk[:4]}********{hilang_kk[-4:]}"
    assert not [e for e in await workflow.timeline(ids["loket-desa"], ADMIN) if e.action == "siak_entry"]

    ref_app = await workflow.get(ids["bantul-wa-cetak-mandiri"], ADMIN)
    listed = await workflow.list(ADMIN, state="SELESAI")
    assert {v.id for v in listed} >= set(ids.values())
    assert ref_app.state == State.SELESAI
