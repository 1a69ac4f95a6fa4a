"""Bad input gets a 4xx problem and changes nothing; Idempotency-Key returns the first answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from api_kit import Api, lost_kk_request
from sqlalchemy import func, select

from mock_common.pytest_plugin import MockService
from siakgate.store.models import Application, ApplicationDocument, IdempotencyRecord, Job


def counts(api: Api) -> tuple[int, ...]:
    with api.db.unit_of_work(read_only=True) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Application, ApplicationDocument, Job, IdempotencyRecord)
        )


def stored_files(api: Api) -> list[Path]:
    root = api.settings.document_root
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("change", "status", "code", "path"),
    [
        ({"region_code": "35"}, 422, "PERMINTAAN_TIDAK_VALID", "region_code"),
        ({"case_type": "KK_AJAIB"}, 422, "PERMINTAAN_TIDAK_VALID", "case_type"),
        ({"no_kk": "12"}, 422, "PERMINTAAN_TIDAK_VALID", "no_kk"),
        ({"unexpected": 1}, 422, "PERMINTAAN_TIDAK_VALID", "body"),  # an unknown key is never echoed
        ({"no_kk": None}, 422, "DATA_TIDAK_VALID", "no_kk"),
        ({"profile_id": "tidak-ada"}, 422, "DATA_TIDAK_VALID", "profile_id"),
    ],
)
def test_a_bad_create_is_a_problem_and_writes_nothing(
    api: Api, admin: dict[str, str], mock_siak: MockService, change: dict[str, Any], status: int, code: str, path: str
) -> None:
    before = counts(api)
    body = {**lost_kk_request(mock_siak), **change}
    response = api.client.post("/v1/applications", json=body, headers={**admin, "Idempotency-Key": "k-bad"})
    assert response.status_code == status, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["code"] == code
    assert problem["instance"] == "/v1/applications"
    if path is not None:
        assert path in [error["path"] for error in problem["errors"]]
    assert counts(api) == before


def test_idempotency_key_same_body_same_answer_other_body_refused(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    body = lost_kk_request(mock_siak)
    headers = {**admin, "Idempotency-Key": "pemohon-0812-1"}
    first = api.client.post("/v1/applications", json=body, headers=headers)
    assert first.status_code == 201, first.text
    after_first = counts(api)
    again = api.client.post("/v1/applications", json=dict(reversed(body.items())), headers=headers)
    assert again.status_code in (200, 201)
    assert again.json()["id"] == first.json()["id"]
    other = api.client.post(
        "/v1/applications", json={**body, "region_code": body["region_code"][:6] + "2002"}, headers=headers
    )
    assert other.status_code == 422
    assert other.json()["code"] == "IDEMPOTENCY_KEY_BENTROK"
    assert counts(api) == after_first
    without_key = api.client.post("/v1/applications", json=body, headers=admin)
    assert without_key.json()["id"] != first.json()["id"]


def test_refused_uploads_store_nothing(api: Api, admin: dict[str, str], mock_siak: MockService) -> None:
    created = api.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=admin).json()
    url = f"/v1/applications/{created['id']}/documents"
    requirement = created["missing_requirements"][0]
    before, files = counts(api), stored_files(api)
    too_big = b"%PDF-1.4\n" + b"0" * api.settings.max_upload_bytes
    cases = [
        (too_big, "application/pdf", "DOKUMEN_TERLALU_BESAR"),
        (b"MZ\x90\x00 not a document", "application/pdf", None),
        (b"just text", "text/plain", None),
    ]
    for data, media_type, code in cases:
        response = api.client.post(
            url, data={"requirement": requirement}, files={"file": ("x", data, media_type)}, headers=admin
        )
        assert response.status_code == 422, response.text
        assert "DOKUMEN" in response.json()["code"]
        if code is not None:
            assert response.json()["code"] == code
    unknown = api.client.post(
        url,
        data={"requirement": "IJAZAH_SD"},
        files={"file": ("x.pdf", b"%PDF-1.4\n", "application/pdf")},
        headers=admin,
    )
    assert unknown.status_code in (404, 422), unknown.text
    missing_file = api.client.post(url, data={"requirement": requirement}, headers=admin)
    assert missing_file.status_code == 422
    assert missing_file.json()["errors"][0]["path"] == "file"
    assert counts(api) == before
    assert stored_files(api) == files
    view = api.client.get(f"/v1/applications/{created['id']}", headers=admin).json()
    assert view["documents"] == []


def test_role_and_region_are_enforced(api: Api, admin: dict[str, str], mock_siak: MockService) -> None:
    body = lost_kk_request(mock_siak)
    signer = api.token("KEPALA_DINAS")
    refused = api.client.post("/v1/applications", json=body, headers=signer)
    assert refused.status_code == 403
    assert refused.json()["code"] == "AKSES_DITOLAK"
    created = api.client.post("/v1/applications", json=body, headers=admin).json()
    elsewhere = api.token("OPERATOR_DESA", "PETUGAS_FO", region="3508200001")
    hidden = api.client.get(f"/v1/applications/{created['id']}", headers=elsewhere)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "TIDAK_DITEMUKAN"
    assert api.client.get("/v1/applications", headers=elsewhere).json() == []
    before = counts(api)
    action = api.client.post(f"/v1/applications/{created['id']}/actions/complete", json={}, headers=elsewhere)
    assert action.status_code == 404
    wrong_state = api.client.post(f"/v1/applications/{created['id']}/actions/approve", json={}, headers=admin)
    assert wrong_state.status_code == 409
    assert wrong_state.json()["code"] == "TINDAKAN_TIDAK_DIIZINKAN"
    assert counts(api) == before
