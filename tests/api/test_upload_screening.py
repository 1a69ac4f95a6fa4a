"""Requirement uploads through the API: hostile PDFs and broken images are refused (422, nothing stored);
a plain scan is stored and served back sandboxed, not sniffed, as an attachment."""

from __future__ import annotations

from pathlib import Path

from api_kit import Api, lost_kk_request
from document_kit import HOSTILE_PDFS, jpeg, scan_pdf
from sqlalchemy import func, select

from mock_common.pytest_plugin import MockService
from siakgate.store.models import ApplicationDocument


def document_rows(api: Api) -> int:
    with api.db.unit_of_work(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(ApplicationDocument)) or 0


def stored_files(api: Api) -> list[Path]:
    root = api.settings.document_root
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_hostile_uploads_are_refused_and_plain_scans_served_safely(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    created = api.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=admin).json()
    url = f"/v1/applications/{created['id']}/documents"
    requirement = created["missing_requirements"][0]

    def upload(name: str, data: bytes, media_type: str) -> tuple[int, str]:
        response = api.client.post(
            url, data={"requirement": requirement}, files={"file": (name, data, media_type)}, headers=admin
        )
        return response.status_code, response.json().get("code", "")

    refusals = {name: (build(), "application/pdf", code) for name, (build, code) in HOSTILE_PDFS.items()}
    refusals["png-that-does-not-decode"] = (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", "GAMBAR_TIDAK_VALID")
    for name, (data, media_type, code) in refusals.items():
        assert upload(f"{name}.bin", data, media_type) == (422, code), name
    assert document_rows(api) == 0
    assert stored_files(api) == []

    assert upload("kk-lama.pdf", scan_pdf(), "application/pdf")[0] == 201
    assert upload("kk-lama.jpg", jpeg(), "image/jpeg")[0] == 201
    assert document_rows(api) == 2
    assert len(stored_files(api)) == 2

    served = api.client.get(f"{url}/{requirement}", headers=admin)
    assert served.status_code == 200
    assert served.content == jpeg()  # the latest upload of the requirement
    assert served.headers["content-security-policy"] == "sandbox"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-disposition"] == f'attachment; filename="{requirement.lower()}-{created["id"]}.jpg"'
