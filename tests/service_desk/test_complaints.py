"""Complaints through the API (seed 001): levels, escalation by action and by deadline, the follow-up.

The clock starts on Monday 2025-12-22 09:00 WIB; Thursday 25 December is a holiday (Natal), the weekend
of 27-28 December too, 1 January 2026 as well. Default deadlines: secretariat 1 working day, Secretary
or Kabid 3, Kepala Dinas 5.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from api_kit import lost_kk_request
from desk_kit import DeskApi

from mock_common.pytest_plugin import MockService

CONTACT = "+6281234567890"


def create(desk: DeskApi, headers: dict[str, str], **body: Any) -> httpx.Response:
    payload = {
        "channel": "TELEPON",
        "subject": "KK belum jadi",
        "description": "Sudah dua minggu KK belum dapat diambil.",
        "complainant_name": "Warga Uji",
        "complainant_contact": CONTACT,
        **body,
    }
    return desk.client.post("/v1/complaints", json=payload, headers=headers)


def act(desk: DeskApi, complaint_id: str, action: str, headers: dict[str, str], **body: Any) -> httpx.Response:
    return desk.client.post(f"/v1/complaints/{complaint_id}/{action}", json=body, headers=headers)


def test_a_complaint_is_forwarded_escalated_and_resolved_with_its_follow_up(
    desk: DeskApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secretariat = desk.token("SEKRETARIAT_PENGADUAN")
    kabid, kadis = desk.token("KABID"), desk.token("KEPALA_DINAS")
    created = create(desk, secretariat, channel="LAPOR")
    assert created.status_code == 201, created.text
    complaint = created.json()
    cid = complaint["id"]
    assert (complaint["level"], complaint["state"], complaint["channel"]) == ("SEKRETARIAT", "OPEN", "LAPOR")
    assert complaint["level_due_at"] == "2025-12-23T02:00:00Z"  # 1 working day later, 09:00 WIB
    assert complaint["complainant_contact"] == CONTACT  # stored and shown to the desk

    # The secretariat forwards; it does not settle, and a Kabid cannot act at its level.
    assert act(desk, cid, "resolve", secretariat, follow_up="Sudah dijelaskan ke warga.").status_code == 409
    assert act(desk, cid, "escalate", kabid, to="KEPALA_DINAS").status_code == 403
    no_field = act(desk, cid, "escalate", secretariat, to="KABID")
    assert (no_field.status_code, no_field.json()["code"]) == (422, "PERMINTAAN_TIDAK_VALID")
    unchanged = desk.client.get(f"/v1/complaints/{cid}", headers=secretariat).json()
    assert (unchanged["level"], unchanged["field"], len(unchanged["history"])) == ("SEKRETARIAT", None, 1)

    forwarded = act(desk, cid, "escalate", secretariat, to="KABID", field="PENCATATAN_SIPIL").json()
    assert (forwarded["level"], forwarded["field"]) == ("KABID", "PENCATATAN_SIPIL")
    assert forwarded["level_due_at"] == "2025-12-26T02:00:00Z"  # Tue, Wed, (Natal), Fri

    escalated = act(desk, cid, "escalate", kabid, note="Perlu keputusan pimpinan.").json()
    assert escalated["level"] == "KEPALA_DINAS"
    last = act(desk, cid, "escalate", kadis)
    assert (last.status_code, last.json()["code"]) == (409, "TINDAKAN_TIDAK_DIIZINKAN")

    for body in ({}, {"follow_up": None}, {"follow_up": "   ok   "}):
        refused = act(desk, cid, "resolve", kadis, **body)
        assert (refused.status_code, refused.json()["code"]) == (422, "TINDAK_LANJUT_WAJIB"), body
    assert desk.client.get(f"/v1/complaints/{cid}", headers=kadis).json()["state"] == "OPEN"

    follow_up = "KK dicetak ulang dan diserahkan; petugas diberi pembinaan."
    resolved = act(desk, cid, "resolve", kadis, follow_up=follow_up).json()
    assert (resolved["state"], resolved["follow_up"], resolved["resolved_by"]) == (
        "RESOLVED",
        follow_up,
        resolved["history"][-1]["actor"],
    )
    assert [(e["action"], e["to_level"]) for e in resolved["history"]] == [
        ("created", "SEKRETARIAT"),
        ("escalated", "KABID"),
        ("escalated", "KEPALA_DINAS"),
        ("resolved", None),
    ]
    assert act(desk, cid, "resolve", kadis, follow_up=follow_up).status_code == 409
    assert act(desk, cid, "escalate", kadis).status_code == 409

    assert "complaint created" in caplog.text  # the desk logs ...
    assert CONTACT not in caplog.text  # ... but never the complainant's contact, name or words
    assert "Warga Uji" not in caplog.text
    assert "dua minggu" not in caplog.text


def test_levels_escalate_by_themselves_when_their_deadline_passes(desk: DeskApi, mock_siak: MockService) -> None:
    assert desk.clock is not None
    front = desk.token("PETUGAS_FO", "OPERATOR_DESA")
    app = desk.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=front).json()
    about_app = create(desk, front, channel="LANGSUNG", application_id=app["id"]).json()
    assert about_app["field"] == "PENDAFTARAN_PENDUDUK"  # a KK application: Bidang Pendaftaran Penduduk
    assert about_app["region_code"] == app["region_code"]
    general = create(desk, desk.token("SEKRETARIAT_PENGADUAN"), channel="WHATSAPP").json()

    reader = desk.token("KEPALA_DINAS")
    desk.clock.advance(hours=24, minutes=1)  # Tue 23 09:01 WIB: the secretariat's day is over
    late = desk.client.get(f"/v1/complaints/{about_app['id']}", headers=reader).json()
    assert late["level"] == "KABID"  # its field is known
    assert late["history"][-1]["action"] == "escalated_deadline"
    assert late["history"][-1]["at"] == "2025-12-23T02:00:00Z"  # dated at the deadline, not at the read
    assert late["level_due_at"] == "2025-12-29T02:00:00Z"  # Wed 24, Fri 26, Mon 29
    general_now = desk.client.get(f"/v1/complaints/{general['id']}", headers=reader).json()
    assert general_now["level"] == "SEKRETARIS"  # no field: to the Secretary

    desk.clock.advance(days=15)  # 7 January 2026: past the Kabid's and the Kepala Dinas's deadlines
    listed = desk.client.get("/v1/complaints", params={"state": "OPEN"}, headers=reader).json()
    by_id = {c["id"]: c for c in listed}
    top = by_id[about_app["id"]]
    assert (top["level"], top["overdue"]) == ("KEPALA_DINAS", True)
    assert top["level_started_at"] == "2025-12-29T02:00:00Z"
    assert top["level_due_at"] == "2026-01-06T02:00:00Z"  # Tue 30, Wed 31, (1 Jan), Fri 2, Mon 5, Tue 6
    assert [e["action"] for e in top["history"]] == ["created", "escalated_deadline", "escalated_deadline"]
    assert by_id[general["id"]]["level"] == "KEPALA_DINAS"

    # Only those at the complaint's level act on it; the Kabid's time is over.
    assert act(desk, top["id"], "resolve", desk.token("KABID"), follow_up="Sudah ditangani bidang.").status_code == 403
    done = act(desk, top["id"], "resolve", reader, follow_up="KK diserahkan, pemohon dihubungi.").json()
    assert done["state"] == "RESOLVED"
    assert [
        c["id"] for c in desk.client.get("/v1/complaints", params={"state": "RESOLVED"}, headers=reader).json()
    ] == [top["id"]]
    by_app = desk.client.get("/v1/complaints", params={"application_id": app["id"]}, headers=reader).json()
    assert [c["id"] for c in by_app] == [about_app["id"]]


def test_complaints_respect_roles_regions_and_their_inputs(desk: DeskApi, mock_siak: MockService) -> None:
    front = desk.token("PETUGAS_FO", "OPERATOR_DESA")
    app = desk.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=front).json()
    complaint = create(desk, front, application_id=app["id"]).json()

    elsewhere = desk.token("KEPALA_DINAS", region="99")
    assert desk.client.get(f"/v1/complaints/{complaint['id']}", headers=elsewhere).status_code == 404
    assert desk.client.get("/v1/complaints", headers=elsewhere).json() == []
    assert create(desk, desk.token("PETUGAS_FO", region="99"), application_id=app["id"]).status_code == 404
    assert create(desk, desk.token("PETUGAS_FO", region="99")).status_code == 403  # a general one needs its region
    assert create(desk, desk.token("PETUGAS_FO", region="99"), region_code="9901").status_code == 201

    assert create(desk, desk.token("KASI")).status_code == 403
    assert desk.client.get("/v1/complaints", headers=desk.token("PETUGAS_CETAK")).status_code == 403
    assert create(desk, front, channel="EMAIL").status_code == 422
    assert create(desk, front, subject="").status_code == 422
    assert create(desk, front, application_id=app["id"], region_code="9901000000").status_code == 422
    assert desk.client.get("/v1/complaints/tidak-ada", headers=front).status_code == 404
    everyone = desk.client.get("/v1/complaints", headers=desk.token("SEKRETARIAT_PENGADUAN")).json()
    assert len(everyone) == 2  # the refused ones wrote nothing


def test_complaint_text_follows_the_input_policy(desk: DeskApi) -> None:
    front = desk.token("SEKRETARIAT_PENGADUAN")
    ok = create(desk, front, description="Baris pertama.\r\nBaris kedua: umur < 17.")
    assert ok.status_code == 201, ok.text
    assert ok.json()["description"] == "Baris pertama.\nBaris kedua: umur < 17."
    for field, bad in [
        ("subject", "KK\nbelum jadi"),
        ("description", "Sudah\u202e dua minggu"),
        ("description", "<script>alert(1)</script>"),
        ("complainant_name", "WARGA\x00UJI"),
        ("complainant_name", "WARGA <b>UJI</b>"),
    ]:
        refused = create(desk, front, **{field: bad})
        assert refused.status_code == 422, (field, refused.text)
        assert [(e["code"], e["path"]) for e in refused.json()["errors"]] == [("TEKS_TIDAK_VALID", field)]
        assert bad not in refused.text
