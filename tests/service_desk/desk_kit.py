"""Helpers of the service-desk and report tests: a gateway app with a pinned clock, served in a thread."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from api_kit import Api

from mock_common.server import start_in_thread
from siakgate.api import create_app
from siakgate.clock import as_clock
from siakgate.config import Settings
from siakgate.store.db import Database

__all__ = ["Clock", "serve_with_clock"]


class Clock:
    """A settable clock: the gateway's one clock reads it (``create_app(settings, clock=...)``)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class DeskApi(Api):
    clock: Clock | None = None


@contextmanager
def serve_with_clock(settings: Settings, clock: Clock | None) -> Iterator[DeskApi]:
    """The gateway app (lifespan and all) on ``clock``, and a client for it."""
    app = create_app(settings, clock=as_clock(clock) if clock is not None else None)
    db = Database.create(settings.database_url)
    server = start_in_thread(app)
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield DeskApi(client, settings, db, clock)
    finally:
        server.stop()
        db.dispose()
