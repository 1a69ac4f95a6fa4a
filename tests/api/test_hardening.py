"""Issue 11: bounded parameters, the request-body limit, security headers, the QR route's 404 and the
protection of /metrics and /readyz."""

from __future__ import annotations

import asyncio
import socket
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from api_kit import Api, gateway_settings, serve

from mock_common.pytest_plugin import MockService
from siakgate.api import create_app
from siakgate.api.headers import API_CSP
from siakgate.config import Settings
from siakgate.store.db import Database

HUGE = 2**63
MIB = 1024 * 1024

INT_PARAMS = [
    ("GET", "/v1/applications?offset={}"),
    ("GET", "/v1/applications?limit={}"),
    ("GET", "/v1/complaints?offset={}"),
    ("GET", "/v1/complaints?limit={}"),
    ("GET", "/v1/follow-ups?offset={}"),
    ("GET", "/v1/follow-ups?limit={}"),
    ("GET", "/v1/audit?after_seq={}"),
    ("GET", "/v1/audit?limit={}"),
    ("POST", "/v1/follow-ups/{}/complete"),
]
DAY_PARAMS = [
    "/v1/print-list?day={}",
    "/v1/queue-tickets?counter=A&day={}",
    "/v1/reports/sla?profile=loket-desa&from={}&to=2026-01-31",
    "/v1/reports/sla?profile=loket-desa&from=2026-01-01&to={}",
]


def test_integers_past_their_bounds_are_a_422_problem_not_a_500(api: Api, admin: dict[str, str]) -> None:
    for method, template in INT_PARAMS:
        for value in (HUGE, -1, 2**31):
            response = api.client.request(method, template.format(value), headers=admin, json={})
            assert response.status_code == 422, (template, value, response.text)
            assert response.json()["code"] == "PERMINTAAN_TIDAK_VALID"
            assert str(value) not in response.json()["detail"]  # the value is never echoed


def test_a_day_is_an_iso_date_within_bounds(api: Api, admin: dict[str, str]) -> None:
    for template in DAY_PARAMS:
        for value in ("0", "1700000000", "2026-02-30", "1999-12-31", "2100-01-01", "26-01-01"):
            response = api.client.get(template.format(value), headers=admin)
            assert response.status_code == 422, (template, value, response.text)
            assert response.json()["code"] == "PERMINTAAN_TIDAK_VALID"
    assert api.client.get("/v1/print-list?day=2026-01-15", headers=admin).status_code == 200


def test_a_declared_oversize_json_body_is_refused_before_it_is_read(api: Api) -> None:
    """15 MB of JSON without a token: 413 on the headers alone (the socket sends none of the body)."""
    url = urlsplit(str(api.client.base_url))
    assert url.hostname is not None
    assert url.port is not None
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(
            b"POST /v1/applications HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\n"
            b"Content-Length: 15728640\r\n\r\n{"
        )
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"application/problem+json" in head.lower()
    assert b"PERMINTAAN_TERLALU_BESAR" in body


def in_process(settings: Settings) -> httpx.AsyncClient:
    """The app without its lifespan: enough for what the middleware answers before any route runs."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://gateway")


async def _chunks(total: int, size: int = 64 * 1024, first: bytes = b"") -> AsyncIterator[bytes]:
    """``total`` bytes (after ``first``) sent chunked: no Content-Length."""
    yield first
    sent = 0
    while sent < total:
        yield b" " * size
        sent += size


def test_oversize_bodies_cost_no_memory_and_get_413(api_settings: Settings) -> None:
    async def scenario() -> list[httpx.Response]:
        body = b"[" + b"0," * (15 * MIB // 2) + b"0]"
        async with in_process(api_settings) as client:
            tracemalloc.start()
            try:
                declared = await client.post(
                    "/v1/applications", content=body, headers={"Content-Type": "application/json"}
                )
                chunked = await client.post(
                    "/v1/applications", content=_chunks(15 * MIB), headers={"Content-Type": "application/json"}
                )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
        assert peak < 4 * MIB, f"peak {peak} bytes for a 15 MB body"
        return [declared, chunked]

    for response in asyncio.run(scenario()):
        assert response.status_code == 413, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "PERMINTAAN_TERLALU_BESAR"
        assert "1 MiB" in response.json()["detail"]
        assert response.headers["x-request-id"]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_a_multipart_body_past_the_request_limit_is_413(api_settings: Settings) -> None:
    settings = api_settings.model_copy(update={"max_request_bytes": 256 * 1024})

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        pdf = b"%PDF-1.7\n" + b"0" * (512 * 1024)
        async with in_process(settings) as client:
            declared = await client.post("/v1/verify", files={"file": ("kk.pdf", pdf, "application/pdf")})
            part = b'--x\r\nContent-Disposition: form-data; name="file"; filename="kk.pdf"\r\n\r\n%PDF-1.7\n'
            content = _chunks(512 * 1024, first=part)
            multipart = {"Content-Type": "multipart/form-data; boundary=x"}
            request = client.build_request("POST", "/v1/verify", content=content, headers=multipart)
            chunked = await client.send(request)
        return declared, chunked

    for response in asyncio.run(scenario()):
        assert response.status_code == 413, response.text
        assert "0.25 MiB" in response.json()["detail"]


def test_security_headers_on_json_html_and_error_answers(api: Api) -> None:
    answers = {
        "json": api.client.get("/healthz"),
        "problem": api.client.get("/v1/tidak-ada"),
        "unauthenticated": api.client.get("/v1/applications"),
        "verify page": api.client.get("/v1/verify/TIDAK-ADA", headers={"Accept": "text/html"}),
        "docs": api.client.get("/docs"),
        "workstation": api.client.get("/ws/masuk"),
    }
    for name, response in answers.items():
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] in ("no-referrer", "same-origin"), name
        assert "content-security-policy" in response.headers, name
    for name in ("json", "problem", "unauthenticated"):
        assert answers[name].headers["content-security-policy"] == API_CSP
        assert answers[name].headers["x-frame-options"] == "DENY"
    page_csp = answers["verify page"].headers["content-security-policy"]
    assert "script-src 'self'" in page_csp
    assert "style-src 'self'" in page_csp
    assert "'unsafe-inline'" not in page_csp
    assert "https://" not in answers["docs"].headers["content-security-policy"]  # Swagger UI is the gateway's own
    # The workstation keeps its own policy and frames its own documents (the draft KK's iframe).
    assert "frame-src 'self'" in answers["workstation"].headers["content-security-policy"]
    assert answers["workstation"].headers["x-frame-options"] == "SAMEORIGIN"


def test_an_unknown_verification_reference_is_404(api: Api) -> None:
    response = api.client.get("/v1/verify/UNKNOWN")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "TIDAK_DITEMUKAN"
    page = api.client.get("/v1/verify/UNKNOWN", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "Dokumen tidak ditemukan" in page.text


def test_the_database_file_is_private(api: Api) -> None:
    database = Path(api.settings.database_url.removeprefix("sqlite:///"))
    if not api.settings.database_url.startswith("sqlite"):
        pytest.skip("a file mode is a SQLite matter")
    assert database.stat().st_mode & 0o777 == 0o600


@pytest.fixture
def guarded(
    database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService
) -> tuple[httpx.Client, Settings]:
    settings = gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia, metrics_token="metrik-uji")
    db = Database.create(settings.database_url)
    try:
        with serve(settings) as client:
            yield client, settings
    finally:
        db.dispose()


def test_metrics_and_readiness_detail_need_the_metrics_token(guarded: tuple[httpx.Client, Settings]) -> None:
    client, _ = guarded
    token = {"Authorization": "Bearer metrik-uji"}
    wrong = {"Authorization": "Bearer salah"}

    refused = client.get("/metrics")
    assert refused.status_code == 401
    assert refused.json()["code"] == "TOKEN_METRIK_TIDAK_VALID"
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers=wrong).status_code == 401
    assert "siakgate_http_requests_total" in client.get("/metrics", headers=token).text

    summary = client.get("/readyz")
    assert summary.status_code == 200
    assert summary.json() == {"status": "ready"}
    assert client.get("/readyz", headers=wrong).status_code == 401
    detail = client.get("/readyz", headers=token).json()
    assert detail["checks"] == {"database": True, "siak": True, "bsre": True}
    assert client.get("/healthz").status_code == 200  # liveness stays open


def test_without_a_metrics_token_both_are_open(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 200
    assert "checks" in api.client.get("/readyz").json()
