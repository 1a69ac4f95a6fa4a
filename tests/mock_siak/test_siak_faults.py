"""Fault injection as the gateway's zeep client sees it."""

from __future__ import annotations

import time

import pytest
import requests
import zeep
from siak_helpers import expect_fault, sample

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService


@pytest.fixture
def nik(mock_siak: MockService) -> str:
    return str(sample(mock_siak, 1)[0]["NIK"][0])


def test_fault_is_a_soap_fault_layanan_tidak_tersedia(
    siak: zeep.Client, mock_siak_faults: FaultInjector, nik: str
) -> None:
    mock_siak_faults.configure(FaultConfig(script=["fault"]))
    info = expect_fault(lambda: siak.service.CariPenduduk(NIK=nik), "LAYANAN_TIDAK_TERSEDIA")
    assert info.faultcode == "soap:Server"
    assert nik == siak.service.CariPenduduk(NIK=nik).PENDUDUK.NIK  # the script is used up


def test_http_5xx(siak: zeep.Client, mock_siak_faults: FaultInjector, nik: str) -> None:
    mock_siak_faults.configure(FaultConfig(script=["http_5xx"]))
    with pytest.raises(zeep.exceptions.TransportError) as excinfo:
        siak.service.CariPenduduk(NIK=nik)
    assert excinfo.value.status_code == 503


def test_drop(siak: zeep.Client, mock_siak_faults: FaultInjector, nik: str) -> None:
    mock_siak_faults.configure(FaultConfig(script=["drop"]))
    with pytest.raises(requests.exceptions.RequestException):
        siak.service.CariPenduduk(NIK=nik)


def test_malformed(siak: zeep.Client, mock_siak_faults: FaultInjector, nik: str) -> None:
    mock_siak_faults.configure(FaultConfig(script=["malformed"]))
    with pytest.raises(zeep.exceptions.TransportError, match="invalid XML"):
        siak.service.CariPenduduk(NIK=nik)


def test_latency(siak: zeep.Client, mock_siak_faults: FaultInjector, nik: str) -> None:
    mock_siak_faults.configure(FaultConfig(latency_ms=300))
    started = time.monotonic()
    siak.service.CariPenduduk(NIK=nik)
    assert time.monotonic() - started >= 0.3


def test_health_is_never_faulted(mock_siak: MockService, mock_siak_faults: FaultInjector) -> None:
    mock_siak_faults.configure(FaultConfig(fault_rate=1.0))
    with requests.get(f"{mock_siak.url}/healthz", timeout=10) as response:
        assert response.json()["status"] == "ok"
