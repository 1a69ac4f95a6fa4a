"""Helpers of the workstation tests: a gateway on the test mocks with a pinned web clock, officers' accounts,
signed-in browsers (httpx clients with their own cookies), and applications driven to the officers' queues."""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_kit import ALL_ROLES, KEPALA_DINAS_PASSPHRASE, drive, lost_kk_request

from mock_common.pytest_plugin import MockService
from mock_common.server import start_in_thread
from siakgate.api import create_app
from siakgate.api.tokens import add_token
from siakgate.clock import as_clock
from siakgate.config import Settings
from siakgate.store.db import Database
from siakgate.web.accounts import add_user
from siakgate.web.config import WebConfig

__all__ = ["KEPALA_DINAS_PASSPHRASE", "PASSWORD", "Browser", "Clock", "Web", "serve_web"]

PASSWORD = "kata-sandi-uji-2026"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """The workstation's clock, moved by the tests (sessions, lock-out); starts at the real time."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Browser:
    """One officer's browser: its own cookie jar; every response it saw is kept (to search for secrets)."""

    def __init__(self, base_url: str, seen: list[httpx.Response]) -> None:
        self.seen = seen
        self.client = httpx.Client(
            base_url=base_url, timeout=60, follow_redirects=False, event_hooks={"response": [self._keep]}
        )

    def _keep(self, response: httpx.Response) -> None:
        response.read()
        self.seen.append(response)

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.client.post(url, **kwargs)

    def csrf(self, page: str = "/ws/riwayat") -> str:
        found = _CSRF.search(self.get(page).text)
        assert found is not None, "no CSRF token on the page"
        return found.group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> httpx.Response:
        page = self.get("/ws/masuk")
        found = _CSRF.search(page.text)
        assert found is not None, page.text
        return self.post("/ws/masuk", data={"username": username, "password": password, "csrf_token": found.group(1)})

    def form(self, url: str, data: dict[str, Any] | None = None, *, page: str = "/ws/riwayat") -> httpx.Response:
        """POST a form as the page would: with the session's CSRF token."""
        return self.post(url, data={**(data or {}), "csrf_token": self.csrf(page)})


@dataclass
class Web:
    """A running gateway with the workstation, its database, a pinned web clock and an admin API token."""

    url: str
    settings: Settings
    db: Database
    clock: Clock
    api: httpx.Client
    admin: dict[str, str]
    seen: list[httpx.Response] = field(default_factory=list)
    browsers: list[Browser] = field(default_factory=list)

    def user(self, username: str, *roles: str, region: str = "", name: str = "") -> str:
        asyncio.run(add_user(self.db, username, PASSWORD, roles, region_prefix=region, full_name=name))
        return username

    def browser(self, username: str | None = None) -> Browser:
        browser = Browser(self.url, self.seen)
        self.browsers.append(browser)
        if username is not None:
            response = browser.sign_in(username)
            assert response.status_code == 303, response.text
        return browser

    def application(self, siak: MockService, state: str, profile_id: str = "bantul-wa-cetak-mandiri") -> str:
        """A new application driven (over the REST API, as a calling system) until it waits in ``state``."""
        created = self.api.post("/v1/applications", json=lost_kk_request(siak, profile_id), headers=self.admin)
        assert created.status_code == 201, created.text
        app_id: str = created.json()["id"]
        drive(self.api, self.admin, app_id, stop=lambda view: view["state"] == state)
        return app_id

    def view(self, app_id: str) -> dict[str, Any]:
        response = self.api.get(f"/v1/applications/{app_id}", headers=self.admin)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def wait_state(self, app_id: str, *states: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            view = self.view(app_id)
            if view["state"] in states:
                return view
            assert time.monotonic() < deadline, view
            time.sleep(0.05)


@contextmanager
def serve_web(settings: Settings, config: WebConfig | None = None) -> Iterator[Web]:
    clock = Clock()
    app = create_app(settings, clock=as_clock(clock))
    app.state.web_config = config or WebConfig(clock=clock)
    db = Database.create(settings.database_url)
    server = start_in_thread(app)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as api:
            token = asyncio.run(add_token(db, "admin", [*ALL_ROLES, "ADMIN"], now=clock()))
            web = Web(server.url, settings, db, clock, api, {"Authorization": f"Bearer {token}"})
            try:
                yield web
            finally:
                for browser in web.browsers:
                    browser.close()
    finally:
        server.stop()
        db.dispose()
