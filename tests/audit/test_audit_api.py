"""Through the API, on SQLite and PostgreSQL: a whole application leaves an audit trail of its state
changes, its signature and every read of its personal data, with no personal data in it; tampering is
found by ``GET /v1/audit/verify`` and by ``siakgate audit verify``."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from api_kit import Api, drive, lost_kk_request
from audit_kit import raw

from mock_common.pytest_plugin import MockService
from siakgate.cli import main as siakgate

NAME = "SITI AMINAH"
NIK = "3508014512900003"


def entries(api: Api, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/v1/audit", params={"limit": 1000, **params}, headers=headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def run_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, api: Api, *argv: str) -> int:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SIAKGATE_DATABASE_URL", api.settings.database_url)
    monkeypatch.setenv("SIAKGATE_STATE_DIR", str(api.settings.state_dir))
    return siakgate(list(argv))


def test_a_flow_is_audited_without_personal_data_and_tampering_is_found(
    api: Api,
    admin: dict[str, str],
    mock_siak: MockService,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = api.client
    request = lost_kk_request(mock_siak)
    created = client.post("/v1/applications", json=request, headers=admin)
    assert created.status_code == 201, created.text
    app = created.json()
    app_id = app["id"]
    # A rejection whose free-text reason quotes a name and a NIK: the timeline keeps it, the audit must not.
    drive(client, admin, app_id, stop=lambda view: view["state"] == "MENUNGGU_VERIFIKASI")
    reason = f"Atas nama {NAME} NIK {NIK}: data tidak sesuai"
    rejected = client.post(f"/v1/applications/{app_id}/actions/reject", json={"reason": reason}, headers=admin)
    assert rejected.status_code == 200, rejected.text
    api.wait_for(app_id, admin, lambda view: view["state"] == "DITOLAK")
    resubmitted = client.post(f"/v1/applications/{app_id}/actions/resubmit", json={}, headers=admin)
    assert resubmitted.status_code == 200, resubmitted.text
    final = drive(client, admin, app_id)
    assert final["state"] == "SELESAI"
    signed = client.get(f"/v1/applications/{app_id}/documents/SIGNED_KK", headers=admin)
    assert signed.status_code == 200
    timeline = client.get(f"/v1/applications/{app_id}/timeline", headers=admin).json()
    assert any(NAME in (entry["note"] or "") for entry in timeline)  # the test can fail: it is there to leak

    trail = entries(api, admin, subject=app_id)
    actions = {row["action"] for row in trail}
    assert {"STATE_CHANGED", "KK_SIGNED", "PERSONAL_DATA_READ", "DOCUMENT_STORED"} <= actions
    changes = [row for row in trail if row["action"] == "STATE_CHANGED"]
    assert len(changes) == len(timeline)  # every state change, none twice
    assert [row["details"]["event"] for row in changes] == [entry["action"] for entry in timeline]
    assert {row["actor"] for row in changes} == {"admin", "system"}  # the calling system and the worker
    [signature] = [row for row in trail if row["action"] == "KK_SIGNED"]
    signed_doc = next(doc for doc in final["documents"] if doc["kind"] == "SIGNED_KK")
    assert signature["details"]["sha256"] == signed_doc["sha256"]
    assert signature["details"]["batch_id"]
    assert signature["calling_system"] == "admin"
    reads = [row for row in trail if row["action"] == "PERSONAL_DATA_READ"]
    assert {"what": "DOCUMENT", "kind": "SIGNED_KK"} in [row["details"] for row in reads]
    assert any(row["details"] == {"what": "APPLICATION_DETAIL"} for row in reads)
    assert all(row["calling_system"] == "admin" and row["subject_id"] == app_id for row in reads)
    # Seqs ascend and timestamps are UTC.
    assert [row["seq"] for row in trail] == sorted(row["seq"] for row in trail)

    everything = json.dumps(entries(api, admin))
    assert NAME.split()[0] not in everything
    assert NIK not in everything
    assert request["no_kk"] not in everything
    # No 16-digit number (a NIK or a No. KK) outside the hashes (which are hex and may hold digit runs).
    without_hashes = re.sub(r"\b[0-9a-f]{64}\b", "", everything)
    assert re.search(r"\d{16}", without_hashes) is None

    # Only ADMIN reads the trail.
    clerk = api.token("PETUGAS_LOKET")
    assert client.get("/v1/audit/verify", headers=clerk).status_code == 403
    assert client.get("/v1/audit", headers=clerk).status_code == 403

    intact = client.get("/v1/audit/verify", headers=admin).json()
    assert intact["intact"] is True, intact
    assert intact["broken_seq"] is None
    assert run_cli(monkeypatch, tmp_path, api, "audit", "verify") == 0
    assert "Log audit utuh" in capsys.readouterr().out

    target = signature["seq"]
    raw(api.db, "UPDATE audit_entries SET details = :d WHERE seq = :s", d='{"sha256": "0"}', s=target)
    broken = client.get("/v1/audit/verify", headers=admin).json()
    assert (broken["intact"], broken["broken_seq"], broken["problem"]) == (False, target, "ENTRI_DIUBAH")
    assert run_cli(monkeypatch, tmp_path, api, "audit", "verify") == 1
    assert f"seq {target}" in capsys.readouterr().out
    assert run_cli(monkeypatch, tmp_path, api, "audit", "verify", "--json") == 1
    assert json.loads(capsys.readouterr().out)["broken_seq"] == target


def test_a_removed_entry_is_reported_by_the_cli_and_the_api(
    api: Api,
    admin: dict[str, str],
    mock_siak: MockService,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    created = api.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=admin)
    assert created.status_code == 201
    for _ in range(3):
        assert api.client.get(f"/v1/applications/{created.json()['id']}", headers=admin).status_code == 200
    rows = entries(api, admin)
    assert len(rows) >= 4
    victim = rows[1]["seq"]
    raw(api.db, "DELETE FROM audit_entries WHERE seq = :s", s=victim)
    report = api.client.get("/v1/audit/verify", headers=admin).json()
    assert (report["broken_seq"], report["problem"]) == (victim, "ENTRI_HILANG")
    assert run_cli(monkeypatch, tmp_path, api, "audit", "verify") == 1
    assert f"entri seq {victim} hilang" in capsys.readouterr().out
