"""Helpers for the mock SIAK tests: running mocks, zeep clients, fault decoding, fresh NIKs and families."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests
import zeep
import zeep.helpers
from zeep.wsse.username import UsernameToken

from mock_common.pytest_plugin import MockService, serving
from mock_siak.app import create_app
from mock_siak.config import SiakMockConfig

NS = "urn:siakgate:siak:v1"


@contextmanager
def running(config: SiakMockConfig) -> Iterator[MockService]:
    """Serve a mock SIAK built from ``config`` on a free loopback port for the block."""
    with serving(create_app(config), config.clients) as service:
        yield service


@contextmanager
def client_for(
    service: MockService, *, basic: bool = False, wsse: Any = "text", source: str | None = None
) -> Iterator[zeep.Client]:
    """A zeep client for ``service``: UsernameToken ("text"/"digest"/None) and/or HTTP Basic."""
    session = requests.Session()
    if basic:
        session.auth = (service.username, service.password)
    token = None
    if wsse == "text":
        token = UsernameToken(service.username, service.password)
    elif wsse == "digest":
        token = UsernameToken(service.username, service.password, use_digest=True)
    elif wsse is not None:
        token = wsse
    try:
        client = zeep.Client(
            source or service.wsdl_url,
            transport=zeep.Transport(session=session, timeout=10, operation_timeout=10),
            wsse=token,
        )
        if source is not None:
            client.service._binding_options["address"] = service.soap_url
        yield client
    finally:
        session.close()


@dataclass
class FaultInfo:
    faultcode: str
    kode: str
    pesan: str
    masalah: list[tuple[str | None, str]]


def fault_info(exc: zeep.exceptions.Fault) -> FaultInfo:
    detail = exc.detail
    assert detail is not None, "a SIAK fault always carries a detail"
    fault = detail.find(f"{{{NS}}}SiakFault")
    assert fault is not None
    masalah = [
        (m.findtext(f"{{{NS}}}ELEMEN"), m.findtext(f"{{{NS}}}PESAN") or "") for m in fault.iterfind(f"{{{NS}}}MASALAH")
    ]
    return FaultInfo(
        exc.code or "",
        fault.findtext(f"{{{NS}}}KODE") or "",
        fault.findtext(f"{{{NS}}}PESAN") or "",
        masalah,
    )


def expect_fault(call: Callable[[], Any], kode: str) -> FaultInfo:
    with pytest.raises(zeep.exceptions.Fault) as excinfo:
        call()
    info = fault_info(excinfo.value)
    assert info.kode == kode, info
    return info


def stats(service: MockService) -> dict[str, int]:
    with requests.get(f"{service.url}/_admin/stats", timeout=10) as response:
        response.raise_for_status()
        data: dict[str, int] = response.json()
        return data


def sample(service: MockService, n: int = 5) -> list[dict[str, Any]]:
    with requests.get(f"{service.url}/_admin/sample", params={"n": n}, timeout=10) as response:
        response.raise_for_status()
        families: list[dict[str, Any]] = response.json()["families"]
        return families


_serials = itertools.count(9001)


def fresh_nik(born: date, female: bool, area: str = "320415") -> str:
    """A NIK no generated resident has (serials from 9001 up; the generator counts from 0001)."""
    day = born.day + 40 if female else born.day
    return f"{area}{day:02d}{born:%m%y}{next(_serials):04d}"


def member(
    born: date,
    *,
    female: bool = False,
    hubungan: int = 1,
    kawin: int = 1,
    nik: str | None = None,
    nama: str = "WARGA UJI",
) -> dict[str, Any]:
    return {
        "NIK": nik or fresh_nik(born, female),
        "NAMA_LGKP": nama,
        "JENIS_KLMIN": 2 if female else 1,
        "TMPT_LHR": "BANDUNG",
        "TGL_LHR": born,
        "AGAMA": 1,
        "PDDK_AKH": 5,
        "JENIS_PKRJN": 88,
        "GOL_DARAH": 13,
        "STATUS_KAWIN": kawin,
        "TGL_KWN": date(2024, 5, 1) if kawin == 2 else None,
        "STAT_HBKEL": hubungan,
        "KEWARGANEGARAAN": 1,
        "NAMA_LGKP_AYAH": "AYAH UJI",
        "NAMA_LGKP_IBU": "IBU UJI",
    }


ADDRESS = {
    "ALAMAT": "JL. MERDEKA NO. 1",
    "NO_RT": "001",
    "NO_RW": "002",
    "KODE_POS": "40378",
    "NO_PROP": "32",
    "PROP_NAME": "JAWA BARAT",
    "NO_KAB": "04",
    "KAB_NAME": "BANDUNG",
    "NO_KEC": "15",
    "KEC_NAME": "PANGALENGAN",
    "NO_KEL": "2006",
    "KEL_NAME": "MARGAMUKTI",
}


def new_couple() -> dict[str, Any]:
    """DATA_KELUARGA of a newly married couple with fresh NIKs."""
    return {
        **ADDRESS,
        "ANGGOTA": [
            member(date(1995, 3, 14), kawin=2, nama="SUAMI UJI"),
            member(date(1997, 8, 2), female=True, hubungan=3, kawin=2, nama="ISTRI UJI"),
        ],
    }


_ids = itertools.count(1)


def new_request_id(prefix: str = "t") -> str:
    return f"{prefix}-{datetime.now(UTC):%H%M%S%f}-{next(_ids)}"


def as_data(keluarga: Any) -> dict[str, Any]:
    """Turn a zeep KELUARGA into DATA_KELUARGA (drop NO_KK, NAMA_KEP, TGL_KELUAR)."""
    data = zeep.helpers.serialize_object(keluarga, dict)
    for key in ("NO_KK", "NAMA_KEP", "TGL_KELUARGA", "TGL_KELUAR"):
        data.pop(key, None)
    data["ANGGOTA"] = [dict(m) for m in data["ANGGOTA"]]
    return data


def small_config(state_dir: Any, **kwargs: Any) -> SiakMockConfig:
    return SiakMockConfig(state_dir=state_dir, families=kwargs.pop("families", 12), **kwargs)
