"""The bundled contract is loaded once, from the package only; answers with DTDs or entities are refused."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
import zeep.exceptions

from siakgate.errors import MalformedResponseError
from siakgate.siak import RetryPolicy, SiakClient
from siakgate.siak._transport import ZEEP_SETTINGS, PackageLoader, bundled_wsdl

pytestmark = pytest.mark.anyio

ENDPOINT = "http://siak.test/siak"
NIK = "3204151403950001"
ANSWER = (
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<siak:AjukanSertifikasiResponse xmlns:siak="urn:siakgate:siak:v1">'
    "<siak:NO_PERMOHONAN>KK20260101000001</siak:NO_PERMOHONAN><siak:STATUS>{status}</siak:STATUS>"
    "</siak:AjukanSertifikasiResponse></soap:Body></soap:Envelope>"
)


def client_answering(body: bytes, seen: list[httpx.Request] | None = None, **kwargs: object) -> SiakClient:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, content=body, headers={"content-type": "text/xml"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), **kwargs)  # type: ignore[arg-type]
    return SiakClient(ENDPOINT, username="u", password="p", http=http, retry=RetryPolicy(attempts=1))


def test_the_wsdl_is_parsed_once_and_shared() -> None:
    first = bundled_wsdl()
    clients = [SiakClient(ENDPOINT, username="u", password="p", http=httpx.AsyncClient(), retry=None) for _ in range(3)]
    assert bundled_wsdl() is first
    assert all(client._zeep.wsdl is first for client in clients)
    assert bundled_wsdl.cache_info().currsize == 1


def test_hardened_settings() -> None:
    assert (ZEEP_SETTINGS.strict, ZEEP_SETTINGS.forbid_dtd, ZEEP_SETTINGS.forbid_entities) == (True, True, True)
    assert (ZEEP_SETTINGS.forbid_external, ZEEP_SETTINGS.xml_huge_tree) == (True, False)
    client = SiakClient(ENDPOINT, username="u", password="p", http=httpx.AsyncClient())
    assert client._zeep.settings is ZEEP_SETTINGS


def test_the_loader_reads_only_the_contract_package(tmp_path: Path) -> None:
    wsdl = bundled_wsdl()
    loader = wsdl.transport
    assert isinstance(loader, PackageLoader)
    for outside in ("http://127.0.0.1:8081/siak?xsd=siak.xsd", "/etc/passwd", str(tmp_path / "siak.xsd")):
        with pytest.raises(ValueError, match=r"siakgate\.contracts"):
            loader.load(outside)


async def test_the_endpoint_overrides_the_wsdl_address() -> None:
    seen: list[httpx.Request] = []
    change = await client_answering(ANSWER.format(status="DIAJUKAN").encode(), seen).request_certification(
        "KK20260101000001"
    )
    assert change.status == "DIAJUKAN"
    assert [str(r.url) for r in seen] == [ENDPOINT]
    assert seen[0].headers["SOAPAction"] == '"urn:siakgate:siak:v1#AjukanSertifikasi"'


async def test_the_injected_clients_headers_are_left_alone() -> None:
    seen: list[httpx.Request] = []
    client = client_answering(ANSWER.format(status="DIAJUKAN").encode(), seen, headers={"X-Dinas": "3508"})
    await client.request_certification("KK20260101000001")
    assert seen[0].headers["X-Dinas"] == "3508"  # zeep's own AsyncTransport would have replaced the headers


DTD_ANSWERS = {
    "internal entity": '<!DOCTYPE x [<!ENTITY status "DIAJUKAN">]>' + ANSWER.format(status="&status;"),
    "external entity": '<!DOCTYPE x [<!ENTITY status SYSTEM "file:///etc/hostname">]>'
    + ANSWER.format(status="&status;"),
    "external dtd": '<!DOCTYPE x SYSTEM "http://127.0.0.1:1/evil.dtd">' + ANSWER.format(status="DIAJUKAN"),
}


@pytest.mark.parametrize("body", DTD_ANSWERS.values(), ids=DTD_ANSWERS.keys())
async def test_an_answer_with_a_dtd_is_refused(body: str) -> None:
    with pytest.raises(MalformedResponseError) as excinfo:
        await client_answering(body.encode()).request_certification("KK20260101000001")
    assert isinstance(excinfo.value.__cause__, zeep.exceptions.DTDForbidden)


async def test_envelopes_are_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = ANSWER.format(status="DIAJUKAN").replace("KK20260101000001", "KK20269999999999")
    await client_answering(body.encode()).request_certification("KK20260101000001")
    assert "KK20269999999999" not in caplog.text  # only in the answer body
    assert "Envelope" not in caplog.text
    assert "AjukanSertifikasi" in caplog.text
