"""What the browser tests share besides fixtures: the gateway they drive, prepared through the REST API,
Chromium's launch flags and screen sizes, and numbered screenshots.

The gateway's ``public_base_url`` is its own address, so the URL a signed KK's QR code holds is one the
browser can open.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
import sys
from collections.abc import Callable, Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from playwright.sync_api import Page, ViewportSize
from sqlalchemy import select

from mock_common.pytest_plugin import MockService
from mock_common.server import start_in_thread
from siakgate.api import create_app
from siakgate.api.tokens import add_token
from siakgate.clock import Clock
from siakgate.config import Settings
from siakgate.store.db import Database
from siakgate.store.models import Application
from siakgate.web.accounts import add_user

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_kit import ALL_ROLES, DINAS_REGENCY, KEPALA_DINAS_PASSPHRASE, Api, drive, gateway_settings

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    # What this machine's closed network needs: no background connections (they are refused, many at a
    # time), no QUIC, no component updates or sync. Playwright gives each launch a fresh --user-data-dir.
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = ViewportSize(width=1366, height=900)
TABLET = ViewportSize(width=820, height=1180)  # an iPad Air held upright
PHONE = ViewportSize(width=390, height=844)

VERIFY_PROFILE = "bantul-wa-cetak-mandiri"
"""A profile whose draft verification (its ``verify`` step) is the Kasi's; lost KKs need no data entry."""

_family_index = itertools.count()
T = TypeVar("T")


def run_async(function: Callable[..., Coroutine[Any, Any, T]], *args: Any, **kwargs: Any) -> T:
    """Run a coroutine function to completion from sync code. Playwright's sync API keeps an event loop
    running in the test's thread, where ``asyncio.run`` is refused, so this runs it in a thread of its own."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(function(*args, **kwargs))).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Gateway:
    """A running gateway: its URL for the browser, the REST API to prepare applications, its database."""

    url: str
    api: Api
    admin: dict[str, str]
    siak: MockService
    families: dict[str, dict[str, Any]] = field(default_factory=dict)
    kepala_dinas_passphrase: str = KEPALA_DINAS_PASSPHRASE

    @property
    def settings(self) -> Settings:
        return self.api.settings

    @property
    def db(self) -> Database:
        return self.api.db

    def add_user(self, username: str, roles: Iterable[str], password: str, *, name: str = "") -> None:
        """An officer's account, as ``siakgate users add`` makes it."""
        run_async(add_user, self.db, username, password, roles, full_name=name)

    def application(self, app_id: str) -> dict[str, Any]:
        response = self.api.client.get(f"/v1/applications/{app_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        view: dict[str, Any] = response.json()
        return view

    def family_of(self, app_id: str) -> dict[str, Any]:
        """The mock SIAK family (``NO_KK`` and its ``NIK`` list) an application is about."""
        return self.families[app_id]

    def prepare(self, n: int, state: str) -> list[str]:
        """``n`` lost-KK applications (each for another family) driven through the API until they wait in
        ``state``, as the calling systems and the officers before the browser's step would."""
        params: dict[str, str | int] = {"n": 100, "region": DINAS_REGENCY}  # the gateway signs its own regency's KKs
        sample = httpx.get(f"{self.siak.url}/_admin/sample", params=params, timeout=10).json()["families"]
        ids = []
        for _ in range(n):
            family = sample[next(_family_index) % len(sample)]
            no_kk = family["NO_KK"]
            body = {"profile_id": VERIFY_PROFILE, "case_type": "HILANG", "region_code": no_kk[:6] + "2001"}
            created = self.api.client.post("/v1/applications", json={**body, "no_kk": no_kk}, headers=self.admin)
            assert created.status_code == 201, created.text
            ids.append(created.json()["id"])
            self.families[ids[-1]] = family
        for app_id in ids:
            view = drive(self.api.client, self.admin, app_id, stop=lambda v: v["state"] == state)
            assert view["state"] == state, view
        return ids

    def verify_ref(self, app_id: str) -> str:
        """The reference the signed KK's QR code carries (from the store: no API returns it)."""
        with self.db.unit_of_work(read_only=True) as session:
            ref = session.scalars(select(Application.verify_ref).where(Application.id == app_id)).one()
        assert ref, f"application {app_id} has no verify reference"
        return str(ref)


@contextmanager
def running_gateway(database_url: str, state_dir: Path, siak: MockService, bsre: MockService) -> Iterator[Gateway]:
    """A gateway on ``database_url`` served by uvicorn in a thread; its lifespan (and worker) runs."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = gateway_settings(database_url, state_dir, siak, bsre, public_base_url=url)
    server = start_in_thread(create_app(settings), port=port)
    db = Database.create(database_url)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            admin = run_async(add_token, db, "admin", [*ALL_ROLES, "ADMIN"], "", now=Clock().now())
            yield Gateway(server.url, Api(client, settings, db), {"Authorization": f"Bearer {admin}"}, siak)
    finally:
        server.stop()
        db.dispose()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:90]


@dataclass
class Screenshots:
    """Numbered screenshots of one test: ``test-artifacts/screenshots/<test>-<nn>-<step>.png``."""

    test_name: str
    taken: list[Path] = field(default_factory=list)

    def __call__(self, page: Page, step: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{self.test_name}-{len(self.taken) + 1:02d}-{slug(step)}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        return path


LAPTOP_768 = ViewportSize(width=1366, height=768)
"""The most common office laptop screen: what the Kepala Dinas sees without scrolling."""
