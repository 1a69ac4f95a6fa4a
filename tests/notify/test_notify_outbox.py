"""Outbox rows written with the transitions: the expected messages and texts, nothing personal, nothing
for a rolled-back transition. Against mock SIAK, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from notify_kit import PHONE, count_messages, make_workflow, messages, passphrase
from sqlalchemy import select
from workflow_kit import NEW_REGION, actor, drive, existing_kk, new_couple, region_of, settle

from mock_common.pytest_plugin import MockService
from siakgate.clock import Clock
from siakgate.domain import DOCUMENTS
from siakgate.notify import Outbox, redact
from siakgate.siak import SiakClient
from siakgate.store import Database, DocumentStore
from siakgate.store.models import Application
from siakgate.store.models_notify import OutboxMessage
from siakgate.workflow import State, Workflow
from siakgate.workflow.pipeline import Pipeline
from siakgate.workflow.profiles import Role
from siakgate.workflow.states import State as S
from siakgate.workflow.transitions import return_to

pytestmark = pytest.mark.anyio

ADMIN = actor("ADMIN")
APPLICANT = actor(Role.PEMOHON)
KEPALA_DINAS = actor(Role.KEPALA_DINAS)


@pytest.fixture
def outbox(profiles: dict[str, Any]) -> Outbox:
    return Outbox(profiles, Clock(), "http://gateway.test")


@pytest.fixture
def workflow(
    database: Database, document_store: DocumentStore, siak: SiakClient, profiles: dict[str, Any], outbox: Outbox
) -> Workflow:
    return make_workflow(database, document_store, siak, profiles, listeners=[outbox])


def personal(text: str, family: dict[str, Any] | None) -> list[str]:
    found = re.findall(r"\d{16}", text)
    if family:
        names = [family["head_name"]] + [m["full_name"] for m in family["members"]]
        found += [n for n in names if n.lower() in text.lower()]
    return found


async def sign(workflow: Workflow, app_id: str) -> None:
    batch = await workflow.create_signing_batch(KEPALA_DINAS, [app_id])
    batch = await workflow.sign_batch(batch.id, KEPALA_DINAS, passphrase("kepala-dinas"))
    assert batch.state == "DONE"
    await settle(workflow)


async def test_lumajang_flow_messages(workflow: Workflow, database: Database, outbox: Outbox) -> None:
    family = new_couple("RAHMAT NOTIFUJI")
    view = await workflow.create_application(
        APPLICANT,
        profile_id="lumajang-bca",
        case_type="KK_BARU_MENIKAH",
        region_code=NEW_REGION,
        applicant_phone=PHONE,
        family=family,
        no_kk=None,
        idempotency_key=None,
        request_hash=None,
    )
    app_id = view.id
    assert messages(database, app_id) == []  # creating notifies nothing
    checker = actor(Role.OPERATOR_WA)
    await workflow.act(app_id, checker, "incomplete", missing=["BUKU_NIKAH"])
    await workflow.act(app_id, actor(Role.PEMOHON, Role.OPERATOR_WA), "resubmit")
    await drive(workflow, app_id, until={State.MENUNGGU_TTE})
    await sign(workflow, app_id)
    await drive(workflow, app_id, until={State.SELESAI})

    sent = messages(database, app_id)
    assert [m.template for m in sent] == ["berkas_belum_lengkap", "draft_dikirim", "siap_diambil"]
    assert {m.channel for m in sent} == {"WHATSAPP"}
    assert {m.recipient for m in sent} == {PHONE}
    assert {m.state for m in sent} == {"PENDING"}
    assert len({m.id for m in sent}) == 3
    incomplete, draft, ready = (m.body for m in sent)
    assert incomplete == (
        f"Permohonan KK nomor {app_id} (Kecamatan Lumajang — BCA (Berkas Cukup WA)) belum lengkap. Mohon kirim "
        f"kembali melalui WhatsApp Pelayanan: {DOCUMENTS['BUKU_NIKAH']}."
    )
    assert draft.startswith(f"Terlampir Draf Kartu Keluarga untuk permohonan nomor {app_id}.")
    assert ready.startswith(f"Kartu Keluarga permohonan nomor {app_id} sudah dicetak. Silakan ambil")
    stored = family.model_dump(mode="json")
    for m in sent:
        assert personal(m.body, stored) == [], m.body
        assert m.attachment is None


async def test_bantul_back_and_self_print_messages(
    workflow: Workflow, database: Database, outbox: Outbox, mock_siak: MockService
) -> None:
    no_kk = existing_kk(mock_siak)
    view = await workflow.create_application(
        APPLICANT,
        profile_id="bantul-wa-cetak-mandiri",
        case_type="RUSAK",
        region_code=await region_of(workflow, no_kk),
        applicant_phone=PHONE,
        family=None,
        no_kk=no_kk,
        idempotency_key=None,
        request_hash=None,
    )
    app_id = view.id
    await workflow.act(app_id, actor(Role.OPERATOR_WA), "incomplete", missing=["KK_LAMA_ASLI"])
    resubmitter = actor(Role.PEMOHON, Role.OPERATOR_WA)
    await workflow.act(app_id, resubmitter, "resubmit")
    await drive(workflow, app_id, until={State.MENUNGGU_VERIFIKASI})
    reason = f"Data No. KK {no_kk} tidak sesuai dengan dokumen pendukung."
    await workflow.act(app_id, actor(Role.KASI), "reject", reason=reason)
    await settle(workflow)
    await workflow.act(app_id, resubmitter, "resubmit")
    await drive(workflow, app_id, until={State.MENUNGGU_TTE})
    await sign(workflow, app_id)
    done = await drive(workflow, app_id, until={State.SELESAI})

    sent = messages(database, app_id)
    assert [m.template for m in sent] == [
        "berkas_belum_lengkap",
        "data_tidak_valid",
        "pdf_kk_dikirim",
        "kembalikan_kk_lama",  # a damaged card is handed back; no KTP notice (not a data change)
    ]
    assert DOCUMENTS["KK_LAMA_ASLI"] in sent[0].body
    assert "Data No. KK *** tidak sesuai dengan dokumen pendukung." in sent[1].body
    assert no_kk not in sent[1].body
    for m in sent:
        assert personal(m.body, None) == []
    pdf = sent[2]
    assert pdf.attachment is not None
    assert pdf.attachment["document_ref"] == f"/v1/applications/{app_id}/documents/SIGNED_KK"
    signed, _ = await workflow.document(app_id, APPLICANT, "SIGNED_KK")
    assert pdf.attachment["sha256"] == hashlib.sha256(signed).hexdigest()
    assert pdf.attachment["verify_url"].startswith("http://gateway.test/v1/verify/")
    assert sent[3].attachment is None
    assert done.state == State.SELESAI


async def test_a_rolled_back_transition_writes_no_message(
    workflow: Workflow, database: Database, outbox: Outbox, profiles: dict[str, Any]
) -> None:
    view = await workflow.create_application(
        APPLICANT,
        profile_id="lumajang-bca",
        case_type="KK_BARU_MENIKAH",
        region_code=NEW_REGION,
        applicant_phone=PHONE,
        family=new_couple("BAYU ROLLBACKUJI"),
        no_kk=None,
        idempotency_key=None,
        request_hash=None,
    )

    def return_then_fail() -> None:
        with database.with_hooks(Pipeline([outbox])).unit_of_work() as session:
            app = session.get(Application, view.id)
            assert app is not None
            return_to(
                session,
                app,
                profiles["lumajang-bca"],
                state=S.DIKEMBALIKAN,
                reason="Berkas belum lengkap",
                return_step_id="periksa-berkas",
                missing=["BUKU_NIKAH"],
                action="incomplete",
                actor="uji",
                role="OPERATOR_WA",
                now=app.updated_at,
            )
            session.flush()
            in_transaction = session.scalars(select(OutboxMessage.template)).all()
            assert in_transaction == ["berkas_belum_lengkap"]  # written, not yet committed
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        return_then_fail()
    assert count_messages(database) == 0
    assert (await workflow.get(view.id, ADMIN)).state == State.MENUNGGU_KELENGKAPAN
    # The same transition committed: exactly one message.
    await workflow.act(view.id, actor(Role.OPERATOR_WA), "incomplete", missing=["BUKU_NIKAH"])
    assert [m.template for m in messages(database)] == ["berkas_belum_lengkap"]


async def test_no_phone_no_message_and_no_outbox_no_message(
    workflow: Workflow, database: Database, document_store: DocumentStore, siak: SiakClient, profiles: dict[str, Any]
) -> None:
    async def returned(phone: str | None, workflow: Workflow = workflow) -> str:
        view = await workflow.create_application(
            APPLICANT,
            profile_id="lumajang-bca",
            case_type="KK_BARU_MENIKAH",
            region_code=NEW_REGION,
            applicant_phone=phone,
            family=new_couple("CITRA TANPAHPUJI"),
            no_kk=None,
            idempotency_key=None,
            request_hash=None,
        )
        await workflow.act(view.id, actor(Role.OPERATOR_WA), "incomplete", missing=["BUKU_NIKAH"])
        return view.id

    without_outbox = make_workflow(database, document_store, siak, profiles)
    await returned(PHONE, without_outbox)  # the outbox is not one of this workflow's listeners: nothing written
    assert count_messages(database) == 0
    await returned(None)
    assert count_messages(database) == 0
    app_id = await returned(PHONE)
    assert [m.application_id for m in messages(database)] == [app_id]


def test_redact_masks_the_familys_names_and_niks() -> None:
    family = new_couple("RAHMAT REDAKSIUJI").model_dump(mode="json")
    nik = family["members"][1]["nik"]
    text = f"Nama Rahmat Redaksiuji dan DEWI WORKFLOWUJI (NIK {nik}) tidak sesuai; nomor 1234567890123456."
    assert redact(text, family) == "Nama *** dan *** (NIK ***) tidak sesuai; nomor ***."
    assert redact("Tidak ada data pribadi.", family) == "Tidak ada data pribadi."


def test_the_issue_s_common_templates_are_in_the_profiles(profiles: dict[str, Any]) -> None:
    """File incomplete (with what is missing), KK ready, self-print with the PDF, old KK back, KTP reprint."""
    keys = {key: text for profile in profiles.values() for key, text in profile.notifications.items()}
    assert "{kekurangan}" in keys["berkas_belum_lengkap"]
    assert "ambil" in keys["siap_diambil"]
    assert "ambil" in keys["kk_siap"]
    assert "cetak sendiri" in keys["pdf_kk_dikirim"]
    assert "kembalikan KK lama" in keys["kembalikan_kk_lama"]
    assert "KTP-el" in keys["pembaruan_ktp"]
