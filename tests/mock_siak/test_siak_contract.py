"""The contract files: the XSD's code lists equal codes.json, and zeep loads the WSDL from disk and from the mock."""

from __future__ import annotations

import json
from importlib import resources

import requests
import zeep
from lxml import etree
from siak_helpers import client_for

from mock_common.pytest_plugin import MockService

XS = "http://www.w3.org/2001/XMLSchema"
CONTRACTS = resources.files("siakgate.contracts")
OPERATIONS = {
    "CariPenduduk",
    "CekDataPenduduk",
    "CariKeluarga",
    "EntriDataKeluarga",
    "AmbilDraftKK",
    "AjukanSertifikasi",
    "SimpanVerifikasi",
    "UnggahKKTertandatangan",
    "DaftarCetakKK",
    "TandaiTercetak",
}
CODE_TYPES = {
    "JENIS_KLMIN": "JenisKlminType",
    "AGAMA": "AgamaType",
    "PDDK_AKH": "PddkAkhType",
    "JENIS_PKRJN": "JenisPkrjnType",
    "GOL_DARAH": "GolDarahType",
    "STATUS_KAWIN": "StatusKawinType",
    "STAT_HBKEL": "StatHbkelType",
    "KEWARGANEGARAAN": "KewarganegaraanType",
    "JENIS_PERMOHONAN": "JenisPermohonanType",
}


def _enumerations() -> dict[str, dict[str, str]]:
    doc = etree.fromstring(CONTRACTS.joinpath("siak.xsd").read_bytes())
    found: dict[str, dict[str, str]] = {}
    for simple in doc.iterfind(f"{{{XS}}}simpleType"):
        found[simple.get("name", "")] = {
            e.get("value", ""): e.findtext(f"{{{XS}}}annotation/{{{XS}}}documentation") or ""
            for e in simple.iterfind(f"{{{XS}}}restriction/{{{XS}}}enumeration")
        }
    return found


def test_xsd_code_lists_equal_codes_json() -> None:
    codes = json.loads(CONTRACTS.joinpath("codes.json").read_text())
    lists = {k: v for k, v in codes.items() if not k.startswith("_")}
    enumerations = _enumerations()
    assert set(lists) == set(CODE_TYPES)
    for key, type_name in CODE_TYPES.items():
        assert enumerations[type_name] == lists[key], key


def test_every_member_code_element_uses_its_code_type() -> None:
    doc = etree.fromstring(CONTRACTS.joinpath("siak.xsd").read_bytes())
    member = doc.find(f"{{{XS}}}complexType[@name='AnggotaType']")
    assert member is not None
    types = {e.get("name"): e.get("type") for e in member.iter(f"{{{XS}}}element")}
    for key, type_name in CODE_TYPES.items():
        if key != "JENIS_PERMOHONAN":
            assert types[key] == f"siak:{type_name}"
    assert types["NIK"] == "siak:NikType"


def test_zeep_loads_the_packaged_wsdl() -> None:
    with resources.as_file(CONTRACTS.joinpath("siak.wsdl")) as path:
        client = zeep.Client(str(path))
    operations = set(client.service._binding._operations)
    assert operations == OPERATIONS
    fault = client.get_element("{urn:siakgate:siak:v1}SiakFault")
    assert [name for name, _ in fault.type.elements] == ["KODE", "PESAN", "MASALAH"]


def test_zeep_loads_the_served_wsdl_with_its_own_address(mock_siak: MockService) -> None:
    with client_for(mock_siak) as client:
        assert set(client.service._binding._operations) == OPERATIONS
        assert client.service._binding_options["address"] == mock_siak.soap_url


def test_served_wsdl_points_at_the_served_xsd(mock_siak: MockService) -> None:
    with requests.get(mock_siak.wsdl_url, timeout=10) as response:
        doc = etree.fromstring(response.content)
    (imp,) = doc.iter(f"{{{XS}}}import")
    location = imp.get("schemaLocation")
    assert location == f"{mock_siak.url}/siak?xsd=siak.xsd"
    with requests.get(location, timeout=10) as response:
        assert response.status_code == 200
        assert response.content == CONTRACTS.joinpath("siak.xsd").read_bytes()


def test_packaged_wsdl_works_against_the_mock(mock_siak: MockService) -> None:
    with (
        resources.as_file(CONTRACTS.joinpath("siak.wsdl")) as path,
        client_for(mock_siak, source=str(path)) as client,
    ):
        with requests.get(f"{mock_siak.url}/_admin/sample?n=1", timeout=10) as response:
            nik = response.json()["families"][0]["NIK"][0]
        assert nik == client.service.CariPenduduk(NIK=nik).PENDUDUK.NIK


def test_healthz(mock_siak: MockService) -> None:
    with requests.get(f"{mock_siak.url}/healthz", timeout=10) as response:
        body = response.json()
    assert body["service"] == "mock_siak"
    assert body["status"] == "ok"
    assert body["families"] >= 3000 - 50  # a few families may have been merged away by other tests
