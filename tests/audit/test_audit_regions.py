"""A regional ADMIN reads only its region's audit trail (issue 11, item 5b), on SQLite and PostgreSQL:
entries about applications of its region; entries about other subjects and the chain check are national."""

from __future__ import annotations

from typing import Any

from api_kit import ALL_ROLES, Api, lost_kk_request
from audit_kit import append_entries

from mock_common.pytest_plugin import MockService


def entries(api: Api, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/v1/audit", params={"limit": 1000, **params}, headers=headers)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_a_regional_admin_sees_only_its_region_s_entries(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    created = {}
    for region in ("3508", "3402"):
        response = api.client.post("/v1/applications", json=lost_kk_request(mock_siak, region=region), headers=admin)
        assert response.status_code == 201, response.text
        created[region] = response.json()["id"]
        assert api.client.get(f"/v1/applications/{created[region]}", headers=admin).status_code == 200
    append_entries(api.db, 2)  # entries about applications that do not exist (no region): national only

    everything = entries(api, admin)
    subjects = {row["subject_id"] for row in everything}
    assert {created["3508"], created["3402"], "APP0001", "APP0002"} <= subjects

    malang = api.token(*ALL_ROLES, "ADMIN", region="3508", name="admin-3508")
    bantul = api.token("ADMIN", region="34", name="admin-34")  # a province: every regency in it
    for headers, region in ((malang, "3508"), (bantul, "3402")):
        mine = entries(api, headers)
        assert mine, region
        assert {row["subject_id"] for row in mine} == {created[region]}
        assert {row["subject_type"] for row in mine} == {"application"}
        assert mine == [row for row in everything if row["subject_id"] == created[region]]
    # Another region's application: as if it had no entries (never a hint that the id is real).
    assert entries(api, malang, subject=created["3402"]) == []
    assert entries(api, bantul, subject=created["3508"], subject_type="application") == []
    assert entries(api, malang, subject="APP0001") == []
    # Paging stays within the region.
    first, *rest = entries(api, malang)
    assert entries(api, malang, after_seq=first["seq"]) == rest
    assert entries(api, malang, limit=1) == [first]

    # The chain check walks every region's entries: national ADMIN only.
    refused = api.client.get("/v1/audit/verify", headers=malang)
    assert (refused.status_code, refused.json()["code"]) == (403, "KHUSUS_ADMIN_NASIONAL")
    assert api.client.get("/v1/audit/verify", headers=admin).json()["intact"] is True
    # Non-ADMIN roles, regional or not, still get the role refusal.
    clerk = api.client.get("/v1/audit", headers=api.token("PETUGAS_LOKET", region="3508"))
    assert (clerk.status_code, clerk.json()["code"]) == (403, "AKSES_DITOLAK")
