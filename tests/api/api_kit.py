"""Helpers of the API tests: settings for a gateway on the test mocks, an app handle with tokens."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import document_kit
import family_kit
import httpx

from mock_common.pytest_plugin import MockService
from mock_common.server import start_in_thread
from siakgate.api import create_app
from siakgate.api.tokens import add_token
from siakgate.clock import Clock
from siakgate.config import BsreSettings, Settings, SiakSettings
from siakgate.store.db import Database

NOW = Clock()
"""Token times: the tests' clock is the system's."""

ROOT = Path(__file__).resolve().parents[2]

ALL_ROLES = (
    "PEMOHON",
    "OPERATOR_WA",
    "PETUGAS_FO",
    "PETUGAS_LOKET",
    "OPERATOR_SIAK",
    "OPERATOR_DESA",
    "PETUGAS_BO",
    "KASI",
    "KABID",
    "KASI_YANMUM",
    "KEPALA_DINAS",
    "PETUGAS_CETAK",
    "SEKCAM",
    "CAMAT",
)
KEPALA_DINAS_PASSPHRASE = "kepala-dinas-uji-123"  # mock_bsre/signers.yaml (test fixtures)
DINAS_REGENCY = "3508"
"""Kab. Lumajang: the development gateway's jurisdiction (its Kepala Dinas signs only KKs of this regency)."""
SEKCAM_PASSPHRASE = "sekcam-uji-789"


def gateway_settings(
    database_url: str, state_dir: Path, siak: MockService, bsre: MockService, **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "database_url": database_url,
        "state_dir": state_dir,
        "siak": SiakSettings(url=siak.soap_url, username=siak.username, password=siak.password, timeout_seconds=10),
        "bsre": BsreSettings(url=bsre.url, username=bsre.username, password=bsre.password, timeout_seconds=20),
        "trust_roots": [ROOT / "certs" / "root-ca.crt"],
        "worker_interval": 0.05,
        "public_base_url": "http://testserver",
    }
    values.update(overrides)
    return Settings(**values)


@contextmanager
def serve(settings: Settings) -> Iterator[httpx.Client]:
    """A gateway app for ``settings`` served by uvicorn in a thread (its lifespan runs), and a client for it."""
    server = start_in_thread(create_app(settings))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client
    finally:
        server.stop()


@dataclass
class Api:
    """A running app and a way to make tokens for it."""

    client: httpx.Client
    settings: Settings
    db: Database

    def token(self, *roles: str, region: str = "", name: str | None = None) -> dict[str, str]:
        """Authorization headers for a new token with ``roles``."""
        name = name or f"t-{'-'.join(roles).lower()}-{region or 'all'}-{time.monotonic_ns()}"
        token = asyncio.run(add_token(self.db, name, roles, region, now=NOW()))
        return {"Authorization": f"Bearer {token}"}

    def wait_for(self, app_id: str, headers: dict[str, str], done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """Poll the application until ``done(view)`` (the background worker runs SIAK steps)."""
        deadline = time.monotonic() + 60
        while True:
            view = self.client.get(f"/v1/applications/{app_id}", headers=headers).json()
            if done(view):
                return view
            assert view["state"] != "GANGGUAN", view
            assert time.monotonic() < deadline, view
            time.sleep(0.05)


@contextmanager
def running_api(settings: Settings) -> Iterator[Api]:
    """A gateway served for ``settings`` (:func:`serve`) with its own database handle, closed afterwards."""
    db = Database.create(settings.database_url)
    try:
        with serve(settings) as client:
            yield Api(client, settings, db)
    finally:
        db.dispose()


def siak_sample(siak: MockService, n: int = 1, region: str = DINAS_REGENCY) -> list[dict[str, Any]]:
    """Families of mock SIAK whose No. KK starts with ``region`` (by default the gateway's own regency)."""
    params: dict[str, str | int] = {"n": n, "region": region}
    families: list[dict[str, Any]] = httpx.get(f"{siak.url}/_admin/sample", params=params).json()["families"]
    return families


siak_stats = family_kit.mock_siak_stats


MINI_PDF = document_kit.scan_pdf()
"""A small real scan PDF: uploads are parsed, so a byte string that only starts with ``%PDF-`` is refused."""


def lost_kk_request(siak: MockService, profile_id: str = "loket-desa", region: str = DINAS_REGENCY) -> dict[str, Any]:
    """A lost-KK application (no data entry) for an existing family of mock SIAK in ``region``."""
    no_kk = siak_sample(siak, 1, region)[0]["NO_KK"]
    return {"profile_id": profile_id, "case_type": "HILANG", "region_code": no_kk[:6] + "2001", "no_kk": no_kk}


def drive(
    client: httpx.Client,
    headers: dict[str, str],
    app_id: str,
    *,
    stop: Callable[[dict[str, Any]], bool] = lambda view: False,
    passphrase: str = KEPALA_DINAS_PASSPHRASE,
    timeout: float = 120,
) -> dict[str, Any]:
    """Do what each waiting step asks, as the calling systems would, until SELESAI or ``stop(view)``."""
    base = f"/v1/applications/{app_id}"
    deadline = time.monotonic() + timeout
    while True:
        assert time.monotonic() < deadline, "the application did not finish in time"
        response = client.get(base, headers=headers)
        assert response.status_code == 200, response.text
        view: dict[str, Any] = response.json()
        state = view["state"]
        if state == "SELESAI" or stop(view):
            return view
        if state == "DIPROSES_SIAK":
            time.sleep(0.05)
            continue
        if state == "MENUNGGU_KELENGKAPAN":
            for code in view["missing_requirements"]:
                upload = client.post(
                    f"{base}/documents",
                    data={"requirement": code},
                    files={"file": (f"{code}.pdf", MINI_PDF, "application/pdf")},
                    headers=headers,
                )
                assert upload.status_code == 201, upload.text
            action = "complete"
        elif state == "MENUNGGU_PENGANTAR":
            collection = client.post("/v1/collections", json={"application_ids": [app_id]}, headers=headers)
            assert collection.status_code == 201, collection.text
            url = f"/v1/collections/{collection.json()['id']}"
            signed = client.post(f"{url}/sign", json={"passphrase": SEKCAM_PASSPHRASE}, headers=headers)
            assert signed.status_code == 200, signed.text
            submitted = client.post(f"{url}/submit", headers=headers)
            assert submitted.status_code == 200, submitted.text
            letter = client.get(f"{url}/cover-letter", headers=headers)
            assert letter.content.startswith(b"%PDF-")
            assert letter.headers["content-security-policy"] == "sandbox"
            assert letter.headers["content-disposition"].startswith("attachment;")
            continue
        elif state == "MENUNGGU_TTE":
            batch = client.post("/v1/signing-batches", json={"application_ids": [app_id]}, headers=headers)
            assert batch.status_code == 201, batch.text
            signed = client.post(
                f"/v1/signing-batches/{batch.json()['id']}/sign", json={"passphrase": passphrase}, headers=headers
            )
            assert signed.status_code == 200, signed.text
            assert [item["state"] for item in signed.json()["items"]] == ["SIGNED"], signed.text
            continue
        else:
            actions = {
                "MENUNGGU_KONFIRMASI_PEMOHON": "confirm",
                "MENUNGGU_VERIFIKASI": "approve",
                "MENUNGGU_CETAK": "printed",
                "MENUNGGU_PENYERAHAN": "delivered",
            }
            assert state in actions, view
            action = actions[state]
        done = client.post(f"{base}/actions/{action}", json={}, headers=headers)
        assert done.status_code == 200, done.text
