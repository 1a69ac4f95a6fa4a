"""Health, readiness, metrics, OpenAPI, request ids and problem shapes of unknown routes."""

from __future__ import annotations

import socket
from pathlib import Path

from api_kit import Api, gateway_settings, serve

from mock_common.pytest_plugin import MockService
from siakgate.config import SiakSettings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthz_and_readyz(api: Api) -> None:
    assert api.client.get("/healthz").json() == {"status": "ok", "service": "siakgate"}
    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": True, "siak": True, "bsre": True},
        "failed": [],
    }


def test_readyz_names_siak_when_it_is_down(
    database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService
) -> None:
    settings = gateway_settings(database_url, tmp_path, mock_siak, mock_bsre_aia)
    settings.siak = SiakSettings(url=f"http://127.0.0.1:{closed_port()}/siak", timeout_seconds=2)
    with serve(settings) as client:
        ready = client.get("/readyz")
        assert client.get("/healthz").status_code == 200  # the process itself is fine
    assert ready.status_code == 503
    assert ready.json()["failed"] == ["siak"]
    assert ready.json()["checks"] == {"database": True, "siak": False, "bsre": True}


def test_metrics_count_requests_by_route_template_and_upstream_calls(api: Api) -> None:
    api.client.get("/v1/applications/01ABCDEF/timeline")  # 401: still a request, labelled by its template
    api.client.get("/readyz")
    text = api.client.get("/metrics").text
    assert (
        'siakgate_http_requests_total{method="GET",route="/v1/applications/{application_id}/timeline",status="401"} 1.0'
        in text
    )
    assert 'siakgate_http_requests_total{method="GET",route="/readyz",status="200"} 1.0' in text
    assert "01ABCDEF" not in text
    assert 'siakgate_upstream_request_duration_seconds_count{operation="wsdl",service="siak"}' in text
    assert 'siakgate_upstream_request_duration_seconds_count{operation="/healthz",service="bsre"}' in text
    for name in ("siakgate_signatures_total", "siakgate_workflow_step_duration_seconds", "siakgate_worker_jobs"):
        assert f"# TYPE {name.removesuffix('_total')}" in text


def test_openapi_lists_the_v1_api_with_tags(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/v1/applications",
        "/v1/applications/{application_id}",
        "/v1/applications/{application_id}/timeline",
        "/v1/applications/{application_id}/documents",
        "/v1/applications/{application_id}/documents/{kind}",
        "/v1/applications/{application_id}/actions/{action}",
        "/v1/signing-batches",
        "/v1/signing-batches/{batch_id}/sign",
        "/v1/signing-batches/{batch_id}/otp",
        "/v1/print-list",
        "/v1/verify/{ref}",
        "/v1/verify",
        "/healthz",
        "/readyz",
        "/metrics",
    ):
        assert path in paths, path
    assert {tag["name"] for tag in spec["tags"]} >= {"applications", "signing", "verification", "observability"}
    assert "Problem" in spec["components"]["schemas"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_unknown_route_is_a_problem_with_the_request_id(api: Api) -> None:
    response = api.client.get("/v1/tidak-ada", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json() == {
        "type": "https://siakgate.dev/problems/alamat-tidak-ditemukan",
        "title": "Tidak ditemukan",
        "status": 404,
        "detail": "Alamat tidak ditemukan.",
        "code": "ALAMAT_TIDAK_DITEMUKAN",
        "instance": "/v1/tidak-ada",
        "request_id": "abc-123",
    }


def test_a_request_id_is_generated_when_none_or_a_bad_one_is_given(api: Api) -> None:
    first = api.client.get("/healthz").headers["x-request-id"]
    second = api.client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"}).headers["x-request-id"]
    assert len(first) == 32
    assert len(second) == 32
    assert first != second
