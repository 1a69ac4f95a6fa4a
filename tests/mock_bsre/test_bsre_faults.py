"""Fault injection on mock BSrE, and the admin endpoints that are never faulted."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from bsre_testkit import KEPALA

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService


def status(mock_bsre: MockService) -> httpx.Response:
    return httpx.get(f"{mock_bsre.url}/api/user/status/{KEPALA['nik']}", auth=mock_bsre.auth)


def test_http_5xx_then_ok(mock_bsre: MockService, mock_bsre_faults: FaultInjector) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["http_5xx"]))
    assert status(mock_bsre).status_code == 503
    assert status(mock_bsre).json()["status"] == "ISSUE"


def test_drop(mock_bsre: MockService, mock_bsre_faults: FaultInjector) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["drop"]))
    with pytest.raises(httpx.RemoteProtocolError):
        status(mock_bsre)


def test_malformed(mock_bsre: MockService, mock_bsre_faults: FaultInjector) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["malformed"]))
    r = status(mock_bsre)
    with pytest.raises(json.JSONDecodeError):
        r.json()


def test_fault_is_bsre_error_body(mock_bsre: MockService, mock_bsre_faults: FaultInjector) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["fault"]))
    r = status(mock_bsre)
    assert r.status_code == 500
    assert r.json()["error"].startswith("Proses signing gagal : ")


def test_latency(mock_bsre: MockService, mock_bsre_faults: FaultInjector) -> None:
    mock_bsre_faults.configure(FaultConfig(latency_ms=300))
    started = time.monotonic()
    assert status(mock_bsre).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_admin_and_health_are_not_faulted(mock_bsre: MockService, mock_bsre_faults: FaultInjector) -> None:
    mock_bsre_faults.configure(FaultConfig(script=["http_5xx", "http_5xx", "http_5xx"]))
    assert httpx.get(f"{mock_bsre.url}/healthz").status_code == 200
    assert httpx.get(f"{mock_bsre.url}/_admin/outbox").status_code == 200
    assert httpx.get(f"{mock_bsre.url}/_admin/clients").json()["clients"][0]["enabled"] is True
    assert status(mock_bsre).status_code == 503  # the script was not used up by the admin calls


def test_unknown_client_cannot_be_toggled(mock_bsre: MockService) -> None:
    assert httpx.post(f"{mock_bsre.url}/_admin/clients/ghost/disable").status_code == 404
