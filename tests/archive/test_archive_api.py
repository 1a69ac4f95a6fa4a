"""Through the API and the CLI, on SQLite and PostgreSQL: a signed KK and its requirement files are
replicated to every location; a deleted and a corrupted copy are found and repaired from a good copy;
a record with no good copy left is refused."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest
from api_kit import Api, drive, lost_kk_request

from mock_common.pytest_plugin import MockService
from siakgate.cli import main as siakgate

LOCATIONS = ("server", "harddisk", "flashdisk")


def archive_verify(api: Api, headers: dict[str, str]) -> dict[str, Any]:
    response = api.client.get("/v1/archive/verify", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def run_cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api: Api, *argv: str) -> int:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("SIAKGATE_DATABASE_URL", api.settings.database_url)
    monkeypatch.setenv("SIAKGATE_STATE_DIR", str(api.settings.state_dir))
    return siakgate(list(argv))


def signed_application(api: Api, headers: dict[str, str], siak: MockService) -> dict[str, Any]:
    created = api.client.post("/v1/applications", json=lost_kk_request(siak), headers=headers)
    assert created.status_code == 201, created.text
    final = drive(api.client, headers, created.json()["id"])
    assert final["state"] == "SELESAI"
    return final


def replicated(api: Api, headers: dict[str, str], records: int) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        report = archive_verify(api, headers)
        if report["records"] >= records and report["pending"] == 0:
            return report
        assert time.monotonic() < deadline, report
        time.sleep(0.1)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_replicate_verify_restore_and_refuse(
    api: Api,
    admin: dict[str, str],
    mock_siak: MockService,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    final = signed_application(api, admin, mock_siak)
    app_id = final["id"]
    archived = [doc for doc in final["documents"] if doc["kind"] not in {"DRAFT_KK", "COVER_LETTER"}]
    assert {"SIGNED_KK"} < {doc["kind"] for doc in archived}  # the signed KK and at least one requirement

    report = replicated(api, admin, len(archived))
    assert report["intact"] is True, report
    assert report["locations"] == ["dokumen", *LOCATIONS]
    root = api.settings.state_dir / "siakgate" / "archive"
    signed = next(doc for doc in archived if doc["kind"] == "SIGNED_KK")
    requirement = next(doc for doc in archived if doc["kind"] != "SIGNED_KK")
    for location in LOCATIONS:
        files = sorted((root / location / app_id).iterdir())
        assert len(files) == len(archived)
        assert {sha(f) for f in files} == {doc["sha256"] for doc in archived}
        assert not [f for f in files if f.name.startswith(".tmp-")]
    assert run_cli(monkeypatch, tmp_path, api, "archive", "verify") == 0
    assert "Arsip utuh" in capsys.readouterr().out

    # Only ADMIN.
    clerk = api.token("PETUGAS_LOKET")
    assert api.client.get("/v1/archive/verify", headers=clerk).status_code == 403
    assert api.client.post("/v1/archive/restore", headers=clerk).status_code == 403

    # A copy deleted from the flash disk, another corrupted on the hard disk.
    deleted = root / "flashdisk" / app_id / f"SIGNED_KK-{signed['sha256']}.pdf"
    corrupted = root / "harddisk" / app_id / f"{requirement['kind']}-{requirement['sha256']}.pdf"
    deleted.unlink()
    corrupted.write_bytes(b"%PDF-1.4 bukan isi yang sebenarnya")
    report = archive_verify(api, admin)
    assert report["intact"] is False
    found = {(p["location"], p["kind"], p["state"]) for p in report["problems"]}
    assert found == {("flashdisk", "SIGNED_KK", "HILANG"), ("harddisk", requirement["kind"], "RUSAK")}
    assert run_cli(monkeypatch, tmp_path, api, "archive", "verify") == 1
    out = capsys.readouterr().out
    assert "Salinan HILANG di lokasi flashdisk" in out
    assert "Salinan RUSAK di lokasi harddisk" in out

    assert run_cli(monkeypatch, tmp_path, api, "archive", "restore") == 0
    out = capsys.readouterr().out
    assert "dipulihkan dari" in out
    assert sha(deleted) == signed["sha256"]
    assert sha(corrupted) == requirement["sha256"]
    assert archive_verify(api, admin)["intact"] is True
    assert run_cli(monkeypatch, tmp_path, api, "archive", "verify") == 0
    capsys.readouterr()
    # Each repair is in the audit trail.
    restored = api.client.get("/v1/audit", params={"action": "ARCHIVE_RESTORED"}, headers=admin).json()
    assert {entry["details"]["location"] for entry in restored} == {"flashdisk", "harddisk"}

    # Every copy of the signed KK bad, the document store's too: nothing to restore from, refused.
    primary = api.settings.document_root / signed["sha256"][:2] / signed["sha256"][2:4] / signed["sha256"]
    bad = b"%PDF-1.4 rusak"
    for path in [primary, *(root / loc / app_id / f"SIGNED_KK-{signed['sha256']}.pdf" for loc in LOCATIONS)]:
        path.write_bytes(bad)
    (root / "server" / app_id / f"SIGNED_KK-{signed['sha256']}.pdf").unlink()
    answer = api.client.post("/v1/archive/restore", headers=admin)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["intact"] is False
    assert {(u["location"], u["state"]) for u in body["unrepairable"]} == {
        ("dokumen", "RUSAK"),
        ("server", "HILANG"),
        ("harddisk", "RUSAK"),
        ("flashdisk", "RUSAK"),
    }
    assert any("Tidak ada salinan baik" in line for line in body["messages"])
    assert run_cli(monkeypatch, tmp_path, api, "archive", "restore", "--json") == 1
    assert json.loads(capsys.readouterr().out)["unrepairable"]
    # Nothing was made up or half-written: the bad bytes stay as they were, no copy appeared.
    assert primary.read_bytes() == bad
    assert not (root / "server" / app_id / f"SIGNED_KK-{signed['sha256']}.pdf").exists()
    assert not list((root / "server" / app_id).glob(".tmp-*"))
    # The requirement file (still good everywhere) is not reported.
    assert all(u["kind"] == "SIGNED_KK" for u in body["unrepairable"])
