"""SOAP faults become the right siakgate errors (class, code, remote code), and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from siak_client_kit import FAST, Counter, entered, new_couple, request_id, sample, stats

from mock_common.pytest_plugin import MockService
from siakgate.domain import CaseType
from siakgate.errors import (
    MalformedResponseError,
    ServiceUnavailableError,
    SiakAuthError,
    SiakDuplicateError,
    SiakError,
    SiakgateError,
    SiakInvalidDataError,
    SiakNotFoundError,
    SiakStateError,
)
from siakgate.siak import RetryPolicy, SiakClient

pytestmark = pytest.mark.anyio

UNKNOWN_NIK = "3204151403959999"
UNKNOWN_NO_KK = "3204152211269999"
UNKNOWN_REQUEST = "KK20990101999999"


@pytest.mark.parametrize(
    ("call", "kode"),
    [
        (lambda s: s.lookup_person(UNKNOWN_NIK), "NIK_TIDAK_DITEMUKAN"),
        (lambda s: s.check_person(UNKNOWN_NIK, full_name="SIAPA SAJA"), "NIK_TIDAK_DITEMUKAN"),
        (lambda s: s.get_family(UNKNOWN_NO_KK), "NO_KK_TIDAK_DITEMUKAN"),
        (lambda s: s.get_draft(UNKNOWN_REQUEST), "PERMOHONAN_TIDAK_DITEMUKAN"),
        (lambda s: s.request_certification(UNKNOWN_REQUEST), "PERMOHONAN_TIDAK_DITEMUKAN"),
        (lambda s: s.mark_printed(UNKNOWN_REQUEST), "PERMOHONAN_TIDAK_DITEMUKAN"),
        (lambda s: s.enter_family(request_id(), CaseType.HILANG, None, no_kk=UNKNOWN_NO_KK), "NO_KK_TIDAK_DITEMUKAN"),
    ],
)
async def test_not_found(siak: SiakClient, mock_siak: MockService, counter: Counter, call: object, kode: str) -> None:
    before = stats(mock_siak)
    with pytest.raises(SiakNotFoundError) as excinfo:
        await call(siak)  # type: ignore[operator]
    assert (excinfo.value.code, excinfo.value.remote_code) == (kode, kode)
    assert "tidak ditemukan" in excinfo.value.message
    assert counter.posts == 1  # not retried
    assert stats(mock_siak) == before


async def test_invalid_data_lists_siak_issues(siak: SiakClient, mock_siak: MockService) -> None:
    no_kk = sample(mock_siak)[0]["NO_KK"]
    before = stats(mock_siak)
    with pytest.raises(SiakInvalidDataError) as excinfo:
        await siak.enter_family(request_id(), CaseType.HILANG, new_couple(), no_kk=no_kk)
    error = excinfo.value
    assert (error.code, error.remote_code) == ("SIAK_DATA_TIDAK_VALID", "DATA_TIDAK_VALID")
    assert [issue.path for issue in error.issues] == ["DATA_KELUARGA"]
    assert "tidak boleh diisi" in error.issues[0].message
    assert stats(mock_siak) == before


async def test_schema_violation_is_invalid_data(siak: SiakClient, counter: Counter) -> None:
    with pytest.raises(SiakInvalidDataError) as excinfo:
        await siak.lookup_person("12345")
    assert excinfo.value.issues  # SIAK names the element that broke the schema
    assert counter.posts == 1


async def test_family_rules_are_checked_by_siak(siak: SiakClient, mock_siak: MockService) -> None:
    family = new_couple()
    wrong = family.model_copy(update={"members": (family.members[0], family.members[0])})  # the head twice
    before = stats(mock_siak)
    with pytest.raises(SiakInvalidDataError) as excinfo:
        await siak.enter_family(request_id(), CaseType.KK_BARU_MENIKAH, wrong)
    assert {issue.path for issue in excinfo.value.issues} >= {"NIK", "STAT_HBKEL"}
    assert stats(mock_siak) == before


async def test_duplicate_request_id_with_other_data(siak: SiakClient, mock_siak: MockService) -> None:
    crid = request_id()
    await siak.enter_family(crid, CaseType.KK_BARU_MENIKAH, new_couple())
    before = stats(mock_siak)
    with pytest.raises(SiakDuplicateError) as excinfo:
        await siak.enter_family(crid, CaseType.KK_BARU_MENIKAH, new_couple())
    assert excinfo.value.remote_code == "DUPLIKAT"
    assert "CLIENT_REQUEST_ID" in excinfo.value.message
    assert stats(mock_siak) == before


async def test_state_error_is_not_retried(siak: SiakClient, mock_siak: MockService, counter: Counter) -> None:
    entry = await entered(siak)
    await siak.request_certification(entry.no_permohonan)
    posts = counter.posts
    with pytest.raises(SiakStateError) as excinfo:
        await siak.request_certification(entry.no_permohonan)
    assert excinfo.value.remote_code == "STATUS_TIDAK_SESUAI"
    assert "DIAJUKAN" in excinfo.value.message  # SIAK's PESAN is kept
    assert counter.posts == posts + 1


@pytest.mark.parametrize(
    ("wsse", "use_digest", "http_basic"),
    [(True, False, False), (True, True, False), (False, False, True), (True, True, True)],
)
async def test_authentication_modes(
    mock_siak: MockService, http: httpx.AsyncClient, wsse: bool, use_digest: bool, http_basic: bool
) -> None:
    siak = SiakClient(
        mock_siak.soap_url,
        username=mock_siak.username,
        password=mock_siak.password,
        http=http,
        retry=FAST,
        wsse=wsse,
        use_digest=use_digest,
        http_basic=http_basic,
    )
    nik = sample(mock_siak)[0]["NIK"][0]
    assert (await siak.lookup_person(nik)).person.nik == nik


@pytest.mark.parametrize(("use_digest", "http_basic"), [(False, False), (True, False), (False, True)])
async def test_wrong_password(
    mock_siak: MockService, http: httpx.AsyncClient, counter: Counter, use_digest: bool, http_basic: bool
) -> None:
    siak = SiakClient(
        mock_siak.soap_url,
        username=mock_siak.username,
        password="salah",
        http=http,
        retry=FAST,
        use_digest=use_digest,
        wsse=not http_basic,
        http_basic=http_basic,
    )
    with pytest.raises(SiakAuthError) as excinfo:
        await siak.lookup_person(sample(mock_siak)[0]["NIK"][0])
    assert excinfo.value.remote_code == "TIDAK_BERWENANG"
    assert counter.posts == 1


def test_no_authentication_is_refused_up_front(mock_siak: MockService) -> None:
    with pytest.raises(ValueError, match="WS-Security"):
        SiakClient(mock_siak.soap_url, username="u", password="p", http=httpx.AsyncClient(), wsse=False)


# -- answers the mock never gives, through httpx.MockTransport -----------------------------------------

ENDPOINT = "http://siak.test/siak"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def fault_body(detail: str, faultcode: str = "soap:Client", faultstring: str = "Ditolak") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP}" xmlns:siak="urn:siakgate:siak:v1">'
        f"<soap:Body><soap:Fault><faultcode>{faultcode}</faultcode><faultstring>{faultstring}</faultstring>"
        f"<detail>{detail}</detail></soap:Fault></soap:Body></soap:Envelope>"
    ).encode()


def canned(status: int, body: bytes, counter: Counter | None = None) -> SiakClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": "text/xml; charset=utf-8"})

    hooks: dict[str, list[Callable[..., Any]]] = {"request": [counter]} if counter else {}
    http = httpx.AsyncClient(transport=httpx.MockTransport(answer), event_hooks=hooks)
    return SiakClient(ENDPOINT, username="u", password="p", http=http, retry=FAST)


async def test_unknown_kode_is_a_plain_siak_error() -> None:
    body = fault_body(
        "<siak:SiakFault><siak:KODE>KUOTA_HABIS</siak:KODE>"
        "<siak:PESAN>Kuota harian habis.</siak:PESAN></siak:SiakFault>"
    )
    with pytest.raises(SiakError) as excinfo:
        await canned(500, body).lookup_person(UNKNOWN_NIK)
    error = excinfo.value
    assert type(error) is SiakError
    assert (error.code, error.remote_code, error.message) == ("SIAK_MENOLAK", "KUOTA_HABIS", "Kuota harian habis.")


async def test_fault_without_siak_detail() -> None:
    with pytest.raises(SiakError) as excinfo:
        await canned(500, fault_body("", faultcode="soap:Server", faultstring="NullPointer")).lookup_person(UNKNOWN_NIK)
    assert type(excinfo.value) is SiakError
    assert excinfo.value.remote_code == "soap:Server"


async def test_layanan_tidak_tersedia_is_transient_and_retried() -> None:
    counter = Counter()
    body = fault_body(
        "<siak:SiakFault><siak:KODE>LAYANAN_TIDAK_TERSEDIA</siak:KODE><siak:PESAN>Sibuk.</siak:PESAN></siak:SiakFault>",
        faultcode="soap:Server",
    )
    with pytest.raises(ServiceUnavailableError) as excinfo:
        await canned(500, body, counter).lookup_person(UNKNOWN_NIK)
    assert excinfo.value.message == "Sibuk."
    assert counter.posts == FAST.attempts


@pytest.mark.parametrize(("status", "error"), [(401, SiakAuthError), (403, SiakAuthError), (404, SiakError)])
async def test_http_errors_without_soap(status: int, error: type[SiakgateError]) -> None:
    counter = Counter()
    with pytest.raises(error) as excinfo:
        await canned(status, b"", counter).lookup_person(UNKNOWN_NIK)
    assert getattr(excinfo.value, "remote_code", None) == f"HTTP_{status}"
    assert counter.posts == 1


async def test_answer_missing_elements_is_malformed() -> None:
    body = (
        f'<soap:Envelope xmlns:soap="{SOAP}"><soap:Body><siak:CariPendudukResponse xmlns:siak="urn:siakgate:siak:v1">'
        "<siak:NO_KK>3204152211260001</siak:NO_KK></siak:CariPendudukResponse></soap:Body></soap:Envelope>"
    ).encode()
    with pytest.raises(MalformedResponseError):
        await canned(200, body).lookup_person(UNKNOWN_NIK)


def test_policy_is_validated() -> None:
    for bad in ({"attempts": 0}, {"initial_wait": -1}, {"initial_wait": 2, "max_wait": 1}, {"deadline": 0}):
        with pytest.raises(ValueError):
            RetryPolicy(**bad)
