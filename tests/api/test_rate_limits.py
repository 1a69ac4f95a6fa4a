"""Public verification is rate-limited per client address (siakgate.api.ratelimit): 429 with Retry-After.

Addresses come from ``X-Forwarded-For``, the gateway trusting the loopback proxy (``trusted_proxies``); the
gateway's clock is fixed, and moved to refill the buckets.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from api_kit import MINI_PDF, gateway_settings

from mock_common.pytest_plugin import MockService
from mock_common.server import start_in_thread
from siakgate.api import create_app
from siakgate.clock import Clock
from siakgate.config import RateLimitSettings


@pytest.fixture
def limited(
    database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService
) -> Iterator[tuple[httpx.Client, Clock]]:
    settings = gateway_settings(
        database_url,
        tmp_path / "state",
        mock_siak,
        mock_bsre_aia,
        trusted_proxies=["127.0.0.0/8", "::1"],
        rate_limit=RateLimitSettings(verify_per_minute=3, verify_lookup_per_minute=6),
    )
    clock = Clock.fixed(datetime(2026, 12, 3, 3, 0, tzinfo=UTC))
    server = start_in_thread(create_app(settings, clock=clock))
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            yield client, clock
    finally:
        server.stop()


def _upload(client: httpx.Client, address: str) -> httpx.Response:
    files = {"file": ("kk.pdf", b"bukan pdf", "application/pdf")}
    return client.post("/v1/verify", files=files, headers={"X-Forwarded-For": address})


def test_uploads_over_the_limit_get_429_per_address_until_the_bucket_refills(
    limited: tuple[httpx.Client, Clock],
) -> None:
    client, clock = limited
    for _ in range(3):
        assert _upload(client, "203.0.113.7").status_code == 422  # counted, then refused as not a PDF
    over = _upload(client, "203.0.113.7")
    assert over.status_code == 429
    assert over.headers["content-type"].startswith("application/problem+json")
    assert over.headers["Retry-After"] == "20"  # one token every 60/3 seconds
    body = over.json()
    assert body["code"] == "TERLALU_BANYAK_PERMINTAAN"
    assert body["status"] == 429
    assert "Terlalu banyak permintaan" in body["detail"]
    assert _upload(client, "198.51.100.9").status_code == 422  # another address: its own bucket
    clock.advance(seconds=19)
    assert _upload(client, "203.0.113.7").status_code == 429
    clock.advance(seconds=1)
    assert _upload(client, "203.0.113.7").status_code == 422
    assert _upload(client, "203.0.113.7").status_code == 429


def test_lookups_have_their_own_larger_limit(limited: tuple[httpx.Client, Clock]) -> None:
    client, clock = limited
    headers = {"X-Forwarded-For": "203.0.113.8"}
    for _ in range(6):
        assert client.get("/v1/verify/tidak-ada", headers=headers).status_code == 404
    over = client.get("/v1/verify/tidak-ada", headers=headers)
    assert over.status_code == 429
    assert over.headers["Retry-After"] == "10"
    assert over.json()["code"] == "TERLALU_BANYAK_PERMINTAAN"
    assert _upload(client, "203.0.113.8").status_code == 422  # the upload bucket is another one
    assert client.get("/v1/verify/tidak-ada", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 404
    clock.advance(minutes=1)
    for _ in range(6):
        assert client.get("/v1/verify/tidak-ada", headers=headers).status_code == 404


def test_a_pdf_upload_within_the_limit_is_verified(limited: tuple[httpx.Client, Clock]) -> None:
    client, _ = limited
    files = {"file": ("kk.pdf", MINI_PDF, "application/pdf")}
    assert client.post("/v1/verify", files=files, headers={"X-Forwarded-For": "192.0.2.1"}).status_code != 429
