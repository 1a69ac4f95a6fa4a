"""The fault injector both mocks share: each kind of fault, the admin endpoint, and bad settings."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mock_common.faults import FaultConfig, FaultInjector, add_cli_options, config_from_args
from mock_common.server import RunningServer, start_in_thread


async def hello(_request: object) -> Response:
    return PlainTextResponse("hello")


async def healthz(_request: object) -> Response:
    return JSONResponse({"status": "ok"})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[RunningServer, FaultInjector]]:
    app = Starlette(
        routes=[
            Route("/hello", hello),
            Route("/pki/ocsp", hello),
            Route("/pki/crl/root.crl", hello),
            Route("/healthz", healthz),
        ]
    )
    injector = FaultInjector(
        app,
        FaultConfig(),
        fault_response=lambda: JSONResponse({"error": "protocol fault"}, status_code=400),
        malformed_body=b'{"error": "trunc',
        malformed_media_type="application/json",
    )
    server = start_in_thread(injector)
    yield server, injector
    server.stop()


@pytest.fixture
def client(served: tuple[RunningServer, FaultInjector]) -> Iterator[httpx.Client]:
    server, injector = served
    with httpx.Client(base_url=server.url, timeout=5) as c:
        yield c
    injector.configure(FaultConfig())


def test_no_faults_by_default(client: httpx.Client) -> None:
    assert client.get("/hello").text == "hello"


def test_script_applies_in_order_then_recovers(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"script": ["http_5xx", "fault", "malformed", "ok"]})
    assert client.get("/hello").status_code == 503
    fault = client.get("/hello")
    assert fault.status_code == 400
    assert fault.json() == {"error": "protocol fault"}
    with pytest.raises(json.JSONDecodeError):
        client.get("/hello").json()
    assert client.get("/hello").text == "hello"
    assert client.get("/hello").text == "hello"


def test_drop_closes_the_connection(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"script": ["drop"]})
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/hello")
    assert client.get("/hello").text == "hello"


def test_rates_are_reproducible_with_a_seed(client: httpx.Client) -> None:
    def statuses() -> list[int]:
        client.put("/_admin/faults", json={"http_5xx_rate": 0.5, "seed": 7})
        return [client.get("/hello").status_code for _ in range(20)]

    first = statuses()
    assert first == statuses()
    assert 503 in first
    assert 200 in first


def test_health_and_admin_are_never_faulted(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"http_5xx_rate": 1.0})
    assert client.get("/healthz").status_code == 200
    assert client.get("/_admin/faults").json()["http_5xx_rate"] == 1.0
    assert client.get("/hello").status_code == 503


def test_latency_is_applied(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"latency_ms": 150})
    response = client.get("/hello")
    assert response.text == "hello"
    assert response.elapsed.total_seconds() >= 0.15


@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"fault_rate": 1.5}, "between 0 and 1"),
        ({"fault_rate": 0.6, "drop_rate": 0.6}, "at most 1"),
        ({"latency_ms": -1}, "latency_ms"),
        ({"script": ["explode"]}, "unknown fault kinds"),
        ({"bogus": 1}, "unknown fault settings"),
        ({"http_status": 404}, "5xx"),
        ({"paths": ["pki/ocsp"]}, "path prefix"),
        ({"paths": "/pki"}, "path prefix"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_settings_are_refused_and_keep_the_old_ones(client: httpx.Client, settings: object, fragment: str) -> None:
    client.put("/_admin/faults", json={"latency_ms": 1})
    response = client.put("/_admin/faults", json=settings)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert client.get("/_admin/faults").json()["latency_ms"] == 1


def test_drop_after_handles_the_request_but_loses_the_answer() -> None:
    handled: list[str] = []

    async def change(_request: object) -> Response:
        handled.append("changed")
        return PlainTextResponse("changed")

    app = Starlette(routes=[Route("/change", change, methods=["POST"])])
    injector = FaultInjector(
        app,
        FaultConfig(script=["drop_after"]),
        fault_response=lambda: JSONResponse({}, status_code=400),
        malformed_body=b"{",
        malformed_media_type="application/json",
    )
    server = start_in_thread(injector)
    try:
        with httpx.Client(base_url=server.url, timeout=5) as c:
            with pytest.raises(httpx.RemoteProtocolError):
                c.post("/change")
            assert handled == ["changed"]  # the change happened although its answer was lost
            assert c.post("/change").text == "changed"
    finally:
        server.stop()


def test_paths_scope_the_faults_to_those_prefixes(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"http_5xx_rate": 1.0, "paths": ["/pki/ocsp", "/pki/crl/"]})
    assert client.get("/pki/ocsp").status_code == 503
    assert client.get("/pki/crl/root.crl").status_code == 503
    assert client.get("/hello").text == "hello"  # outside the prefixes: answered as if no fault were set
    assert client.get("/_admin/faults").json()["paths"] == ["/pki/ocsp", "/pki/crl/"]


def test_a_scoped_script_is_spent_only_by_the_paths_it_targets(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"script": ["http_5xx", "ok", "http_5xx"], "paths": ["/pki/"]})
    assert client.get("/hello").status_code == 200
    assert client.get("/hello").status_code == 200
    assert [client.get("/pki/ocsp").status_code for _ in range(4)] == [503, 200, 503, 200]


def test_scoped_latency_slows_only_those_paths(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"latency_ms": 300, "paths": ["/pki/ocsp"]})
    assert client.get("/hello").elapsed.total_seconds() < 0.3
    assert client.get("/pki/ocsp").elapsed.total_seconds() >= 0.3


def test_no_paths_means_every_path(client: httpx.Client) -> None:
    client.put("/_admin/faults", json={"http_5xx_rate": 1.0})
    assert client.get("/hello").status_code == 503
    assert client.get("/pki/ocsp").status_code == 503
    assert FaultConfig().paths == []


def test_paths_from_the_command_line() -> None:
    parser = argparse.ArgumentParser()
    add_cli_options(parser)
    args = parser.parse_args(["--latency-ms", "2000", "--fault-path", "/pki/ocsp", "--fault-path", "/pki/tsa"])
    assert config_from_args(args).paths == ["/pki/ocsp", "/pki/tsa"]
    assert config_from_args(parser.parse_args([])).paths == []
