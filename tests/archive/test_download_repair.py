"""A signed KK whose stored file went bad is downloaded from a good archive copy, and the stored file repaired;
a copy whose bytes do not hash to the recorded SHA-256 is never served; with no good copy anywhere the download
stays 500 DOKUMEN_RUSAK and nothing is written."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from api_kit import Api, drive, lost_kk_request

from mock_common.pytest_plugin import MockService

LOCATIONS = ("server", "harddisk", "flashdisk")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed_kk(api: Api, headers: dict[str, str], siak: MockService) -> tuple[str, str]:
    """A finished application whose archive records are all replicated: its id and the signed KK's SHA-256."""
    created = api.client.post("/v1/applications", json=lost_kk_request(siak), headers=headers)
    assert created.status_code == 201, created.text
    final = drive(api.client, headers, created.json()["id"])
    assert final["state"] == "SELESAI"
    archived = [doc for doc in final["documents"] if doc["kind"] not in {"DRAFT_KK", "COVER_LETTER"}]
    deadline = time.monotonic() + 30
    while True:
        report = api.client.get("/v1/archive/verify", headers=headers).json()
        if report["records"] >= len(archived) and report["pending"] == 0:
            break
        assert time.monotonic() < deadline, report
        time.sleep(0.1)
    signed = next(doc["sha256"] for doc in archived if doc["kind"] == "SIGNED_KK")
    return str(final["id"]), str(signed)


def primary_of(api: Api, digest: str) -> Path:
    return api.settings.document_root / digest[:2] / digest[2:4] / digest


def copy_in(api: Api, location: str, app_id: str, digest: str) -> Path:
    return api.settings.state_dir / "siakgate" / "archive" / location / app_id / f"SIGNED_KK-{digest}.pdf"


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def delete(path: Path) -> None:
    path.unlink()


def download(api: Api, headers: dict[str, str], app_id: str) -> Any:
    return api.client.get(f"/v1/applications/{app_id}/documents/SIGNED_KK", headers=headers)


def restored_entries(api: Api, headers: dict[str, str], app_id: str) -> list[dict[str, Any]]:
    answer = api.client.get("/v1/audit", params={"action": "ARCHIVE_RESTORED"}, headers=headers)
    assert answer.status_code == 200, answer.text
    return [entry for entry in answer.json() if entry["subject_id"] == app_id]


@pytest.mark.parametrize("damage", [truncate, flip_a_byte, delete], ids=["truncated", "byte-flipped", "deleted"])
def test_a_corrupt_signed_kk_is_served_from_a_good_copy_and_repaired(
    api: Api,
    admin: dict[str, str],
    mock_siak: MockService,
    damage: Callable[[Path], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app_id, digest = signed_kk(api, admin, mock_siak)
    primary = primary_of(api, digest)
    good = primary.read_bytes()
    damage(primary)
    assert not primary.exists() or sha(primary.read_bytes()) != digest
    # The first location's copy is bad too: it must be skipped, not served.
    flip_a_byte(copy_in(api, "server", app_id, digest))

    answer = download(api, admin, app_id)

    assert answer.status_code == 200, answer.text
    assert sha(answer.content) == digest  # the hash recorded at signing
    assert answer.content == good
    assert primary.read_bytes() == good  # repaired on disk
    assert not list(primary.parent.glob(".tmp-*"))  # written through a temporary file, none left behind
    assert sha(copy_in(api, "server", app_id, digest).read_bytes()) != digest  # a download repairs the store only
    [entry] = restored_entries(api, admin, app_id)
    assert entry["details"]["location"] == "dokumen"
    assert entry["details"]["source"] == "harddisk"
    assert entry["details"]["kind"] == "SIGNED_KK"
    assert entry["details"]["was"] == ("HILANG" if damage is delete else "RUSAK")
    lines = [r.getMessage() for r in caplog.records if "dipulihkan dari lokasi harddisk" in r.getMessage()]
    assert len(lines) == 1
    assert app_id in lines[0]

    again = download(api, admin, app_id)  # now straight from the repaired store: no second repair
    assert again.status_code == 200
    assert again.content == good
    assert len(restored_entries(api, admin, app_id)) == 1


def test_with_no_good_copy_the_download_stays_dokumen_rusak_and_nothing_is_written(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    app_id, digest = signed_kk(api, admin, mock_siak)
    primary = primary_of(api, digest)
    flip_a_byte(primary)
    bad_primary = primary.read_bytes()
    # Every archive copy has other bytes: one flipped, one truncated, one a well-formed but different PDF.
    flip_a_byte(copy_in(api, "server", app_id, digest))
    truncate(copy_in(api, "harddisk", app_id, digest))
    copy_in(api, "flashdisk", app_id, digest).write_bytes(b"%PDF-1.7\n% a different document\n%%EOF\n")
    copies = {location: copy_in(api, location, app_id, digest).read_bytes() for location in LOCATIONS}

    answer = download(api, admin, app_id)

    assert answer.status_code == 500, answer.text
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "DOKUMEN_RUSAK"
    assert "tidak ada salinan arsip yang baik" in problem["detail"]  # the admin is told what to do
    assert primary.read_bytes() == bad_primary  # nothing was served or written from a bad copy
    assert not list(primary.parent.glob(".tmp-*"))
    assert {location: copy_in(api, location, app_id, digest).read_bytes() for location in LOCATIONS} == copies
    assert restored_entries(api, admin, app_id) == []

    primary.unlink()  # gone, and still no good copy: the document is reported missing, nothing made up
    gone = download(api, admin, app_id)
    assert gone.status_code == 404, gone.text
    assert gone.json()["code"] == "DOKUMEN_TIDAK_DITEMUKAN"
    assert not primary.exists()
