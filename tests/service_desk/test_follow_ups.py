"""Follow-up tasks (seed 003): created when an application is done, listed and completed through the API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from api_kit import drive
from desk_kit import Clock, DeskApi

from mock_common.pytest_plugin import MockService
from siakgate.demo import SiakFamilies
from siakgate.domain import CaseType, KartuKeluarga
from siakgate.domain.codes import Pekerjaan, Pendidikan
from siakgate.service_desk.hooks import FollowUps, tasks_for
from siakgate.store.db import Database
from siakgate.store.models import Application, TimelineEvent
from siakgate.store.models_desk import FollowUpTask
from siakgate.workflow.pipeline import Pipeline
from siakgate.workflow.transitions import record_event

PROFILE = "bantul-wa-cetak-mandiri"
ALL = ("OPERATOR_WA", "PETUGAS_FO", "KASI", "KABID", "KEPALA_DINAS", "PETUGAS_CETAK", "PEMOHON", "ADMIN")


@pytest.fixture
def clock() -> Clock:
    """Now: the whole gateway runs on this clock, and mock SIAK dates the KKs it issues by its own (real)
    clock, so a pinned past date would put a family's issue date in the gateway's future."""
    return Clock(datetime.now(UTC))


def families(mock_siak: MockService, n: int) -> list[KartuKeluarga]:
    async def fetch() -> list[KartuKeluarga]:
        async with httpx.AsyncClient(timeout=30) as http:
            source = SiakFamilies(mock_siak.url, http, username=mock_siak.username, password=mock_siak.password)
            return await source.existing(n)

    return asyncio.run(fetch())


def request(family: KartuKeluarga, case_type: str, changed: KartuKeluarga | None = None) -> dict[str, Any]:
    region = family.province_code + family.regency_code + family.district_code + family.village_code
    body: dict[str, Any] = {"profile_id": PROFILE, "case_type": case_type, "region_code": region}
    body["no_kk"] = family.no_kk
    if changed is not None:
        body["family"] = changed.model_dump(mode="json")
    return body


def with_first_member(family: KartuKeluarga, **update: Any) -> KartuKeluarga:
    members = (family.members[0].model_copy(update=update), *family.members[1:])
    return family.model_copy(update={"members": members})


def create(desk: DeskApi, headers: dict[str, str], body: dict[str, Any]) -> str:
    response = desk.client.post("/v1/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    app_id: str = response.json()["id"]
    return app_id


def tasks(desk: DeskApi, headers: dict[str, str], app_id: str) -> dict[str, dict[str, Any]]:
    response = desk.client.get(f"/v1/applications/{app_id}/follow-ups", headers=headers)
    assert response.status_code == 200, response.text
    return {task["kind"]: task for task in response.json()}


def test_finished_applications_get_their_follow_up_tasks(desk: DeskApi, mock_siak: MockService) -> None:
    admin = desk.token(*ALL)
    damaged, moved_job, studied = families(mock_siak, 3)
    rusak = create(desk, admin, request(damaged, "RUSAK"))
    first = moved_job.members[0]
    new_job = Pekerjaan.PEDAGANG if first.occupation is not Pekerjaan.PEDAGANG else Pekerjaan.WIRASWASTA
    ktp_change = create(
        desk, admin, request(moved_job, "PERUBAHAN_DATA", with_first_member(moved_job, occupation=new_job))
    )
    school = Pendidikan.S2 if studied.members[0].education is not Pendidikan.S2 else Pendidikan.DIPLOMA_IV_S1
    kk_only_change = create(
        desk, admin, request(studied, "PERUBAHAN_DATA", with_first_member(studied, education=school))
    )

    declare = f"/v1/applications/{ktp_change}/changed-elements"
    declared = desk.client.put(declare, json={"elements": ["PEKERJAAN"]}, headers=admin)
    assert declared.status_code == 200, declared.text
    assert declared.json()["ktp_elements"] == ["PEKERJAAN"]
    other = desk.client.put(f"/v1/applications/{kk_only_change}/changed-elements", json={"elements": ["PENDIDIKAN"]},
                            headers=admin)  # fmt: skip
    assert other.json()["ktp_elements"] == []
    # Refusals: an unknown element, no element, a case type without changed elements.
    for app_id, elements in ((ktp_change, ["HOBI"]), (ktp_change, []), (rusak, ["PEKERJAAN"])):
        refused = desk.client.put(f"/v1/applications/{app_id}/changed-elements", json={"elements": elements},
                                  headers=admin)  # fmt: skip
        assert (refused.status_code, refused.json()["code"]) == (422, "PERMINTAAN_TIDAK_VALID"), elements
    assert tasks(desk, admin, rusak) == {}  # nothing before the application is done

    for app_id in (rusak, ktp_change, kk_only_change):
        assert drive(desk.client, admin, app_id)["state"] == "SELESAI"

    rusak_tasks = tasks(desk, admin, rusak)
    assert set(rusak_tasks) == {"KK_LAMA_DIKEMBALIKAN"}
    assert rusak_tasks["KK_LAMA_DIKEMBALIKAN"]["details"] == {"return_to": "Petugas Dukcapil di Kecamatan"}
    change_tasks = tasks(desk, admin, ktp_change)
    assert set(change_tasks) == {"KK_LAMA_DIKEMBALIKAN", "CETAK_ULANG_KTP"}
    assert change_tasks["CETAK_ULANG_KTP"]["details"] == {"elements": ["PEKERJAAN"], "check": False}
    assert set(tasks(desk, admin, kk_only_change)) == {"KK_LAMA_DIKEMBALIKAN"}  # education is not on the KTP-el
    late = desk.client.put(declare, json={"elements": ["NAMA_LENGKAP"]}, headers=admin)
    assert (late.status_code, late.json()["code"]) == (409, "TINDAKAN_TIDAK_DIIZINKAN")

    desk_token = desk.token("OPERATOR_WA")
    open_tasks = desk.client.get("/v1/follow-ups", params={"state": "open"}, headers=desk_token).json()
    assert len(open_tasks) == 4
    ktp = change_tasks["CETAK_ULANG_KTP"]
    done = desk.client.post(f"/v1/follow-ups/{ktp['id']}/complete", json={"note": "Diajukan lewat Smart Bantul."},
                            headers=desk_token)  # fmt: skip
    assert done.status_code == 200, done.text
    assert (done.json()["state"], done.json()["note"]) == ("DONE", "Diajukan lewat Smart Bantul.")
    again = desk.client.post(f"/v1/follow-ups/{ktp['id']}/complete", json={}, headers=desk_token)
    assert (again.status_code, again.json()["code"]) == (409, "TINDAKAN_TIDAK_DIIZINKAN")
    remaining = desk.client.get("/v1/follow-ups", params={"state": "OPEN"}, headers=desk_token).json()
    assert ktp["id"] not in [task["id"] for task in remaining]
    assert len(remaining) == 3
    finished = desk.client.get("/v1/follow-ups", params={"state": "done"}, headers=desk_token).json()
    assert [task["id"] for task in finished] == [ktp["id"]]

    # Other regions and roles see nothing and complete nothing.
    elsewhere = desk.token("OPERATOR_WA", region="99")
    assert desk.client.get("/v1/follow-ups", params={"state": "open"}, headers=elsewhere).json() == []
    assert (
        desk.client.post(f"/v1/follow-ups/{remaining[0]['id']}/complete", json={}, headers=elsewhere).status_code == 404
    )
    assert desk.client.get("/v1/follow-ups", headers=desk.token("KEPALA_DINAS")).status_code == 403
    assert desk.client.get("/v1/follow-ups", params={"state": "maybe"}, headers=desk_token).status_code == 422


def test_which_tasks_each_case_gets() -> None:
    assert tasks_for(CaseType.HILANG, None) == {}  # a lost card cannot be returned
    assert set(tasks_for(CaseType.RUSAK, None)) == {"KK_LAMA_DIKEMBALIKAN"}
    assert set(tasks_for(CaseType.KEMATIAN, None)) == {"KK_LAMA_DIKEMBALIKAN"}
    undeclared = tasks_for(CaseType.PERUBAHAN_DATA, None)
    assert undeclared["CETAK_ULANG_KTP"] == {"elements": None, "check": True}  # the officer checks
    printed = tasks_for(CaseType.PERUBAHAN_DATA, ["PENDIDIKAN", "ALAMAT", "NAMA_LENGKAP"])
    assert printed["CETAK_ULANG_KTP"]["elements"] == ["ALAMAT", "NAMA_LENGKAP"]
    assert "CETAK_ULANG_KTP" not in tasks_for(CaseType.PERUBAHAN_DATA, ["NAMA_AYAH", "PENDIDIKAN"])


def _finish_in(db: Database, *, fail: bool) -> str:
    now = datetime(2025, 12, 22, 2, 0, tzinfo=UTC)
    with db.with_hooks(Pipeline([FollowUps()])).unit_of_work() as session:
        app = Application(profile_id=PROFILE, case_type="RUSAK", region_code="3402012001", state="SELESAI",
                          step_started_at=now, round=0, missing=[], physically_confirmed=False, created_by="t",
                          due_at=now, created_at=now, updated_at=now, completed_at=now)  # fmt: skip
        session.add(app)
        session.flush()
        record_event(session, app, TimelineEvent(application_id=app.id, step_id="arsip", action="job_done",
                                                 actor="system", role="SYSTEM", at=now, outcome="SELESAI"))  # fmt: skip
        session.flush()
        app_id = app.id
        if fail:
            raise RuntimeError("the transition fails after the flush")
    return app_id


def test_tasks_are_written_in_the_transition_s_own_transaction(database: Database) -> None:
    kept = _finish_in(database, fail=False)
    with pytest.raises(RuntimeError):
        _finish_in(database, fail=True)
    with database.unit_of_work(read_only=True) as session:
        rows = session.query(FollowUpTask.application_id, FollowUpTask.kind).all()
    assert [tuple(row) for row in rows] == [(kept, "KK_LAMA_DIKEMBALIKAN")]
