"""The archive's verify and restore act on every region at once (issue 11, item 5b): a national ADMIN
(a token with no region) runs them, a regional ADMIN gets 403 ``KHUSUS_ADMIN_NASIONAL``; on SQLite and
PostgreSQL."""

from __future__ import annotations

from api_kit import ALL_ROLES, Api


def test_only_a_national_admin_verifies_and_restores(api: Api, admin: dict[str, str]) -> None:
    for region in ("3508", "35", "3508012001"):
        regional = api.token(*ALL_ROLES, "ADMIN", region=region, name=f"admin-{region}")
        for method, path in (("GET", "/v1/archive/verify"), ("POST", "/v1/archive/restore")):
            refused = api.client.request(method, path, headers=regional)
            assert (refused.status_code, refused.json()["code"]) == (403, "KHUSUS_ADMIN_NASIONAL"), (region, path)
            assert "ADMIN nasional" in refused.json()["detail"]

    verified = api.client.get("/v1/archive/verify", headers=admin)
    assert verified.status_code == 200, verified.text
    assert verified.json()["intact"] is True
    restored = api.client.post("/v1/archive/restore", headers=admin)
    assert restored.status_code == 200, restored.text

    # Without ADMIN the refusal is the role's, whatever the region.
    clerk = api.client.get("/v1/archive/verify", headers=api.token("PETUGAS_LOKET"))
    assert (clerk.status_code, clerk.json()["code"]) == (403, "AKSES_DITOLAK")
