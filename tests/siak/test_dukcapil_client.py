"""The gateway's Dukcapil REST/JSON client: against mock SIAK over real HTTP on 127.0.0.1, and, for shapes the
mock does not answer (``RESPONSE_CODE``, field spellings of labels, broken bodies), against ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from siak_client_kit import FAST, Counter, sample

from mock_common.faults import FaultConfig, FaultInjector
from mock_common.pytest_plugin import MockService, serving
from mock_siak.app import create_app
from mock_siak.config import SiakMockConfig
from siakgate.config import DukcapilSettings, Settings
from siakgate.domain import Agama, JenisKelamin, StatusPerkawinan
from siakgate.errors import (
    InvalidNikError,
    MalformedResponseError,
    ServiceTimeoutError,
    ServiceUnavailableError,
    SiakAuthError,
    SiakError,
    SiakNotFoundError,
)
from siakgate.siak import DukcapilClient, DukcapilResident, RetryPolicy

pytestmark = pytest.mark.anyio

UNKNOWN_NIK = "3204151403959999"


@pytest.fixture(scope="module")
def resident(mock_siak: MockService) -> dict[str, Any]:
    """A resident as mock SIAK stores them (codes and dates), with the family's address."""
    assert mock_siak.faults is not None, "needs the in-process mock SIAK (its store)"
    store = mock_siak.faults.app.state.service.store  # type: ignore[attr-defined]
    nik = sample(mock_siak)[0]["NIK"][0]
    with store.tx() as tx:
        no_kk, member = tx.person(nik)
        header = tx.family(no_kk)
    return {**member, **{k: v for k, v in header.items() if k != "ANGGOTA"}, "NO_KK": no_kk}


def _client(url: str, http: httpx.AsyncClient, **changes: Any) -> DukcapilClient:
    options: dict[str, Any] = {
        "consumer": "siakgate",
        "user_id": "siakgate",
        "password": "siakgate-dev",
        "ip_user": "127.0.0.1",
        "http": http,
        "retry": FAST,
    }
    return DukcapilClient(url, **{**options, **changes})


@pytest.fixture
def dukcapil(mock_siak: MockService, http: httpx.AsyncClient) -> DukcapilClient:
    return DukcapilClient.from_settings(DukcapilSettings(url=mock_siak.url), http=http, retry=FAST)


# -- against mock SIAK ------------------------------------------------------------------------------------


async def test_lookup_nik_maps_labels_to_siak_codes(dukcapil: DukcapilClient, resident: dict[str, Any]) -> None:
    found = await dukcapil.lookup_nik(resident["NIK"])

    assert isinstance(found, DukcapilResident)
    assert found.nik == resident["NIK"]
    assert found.no_kk == resident["NO_KK"]
    assert found.full_name == resident["NAMA_LGKP"]
    assert found.birth_date == resident["TGL_LHR"]
    assert found.sex is JenisKelamin.from_code(resident["JENIS_KLMIN"])
    assert found.religion is Agama.from_code(resident["AGAMA"])
    assert found.marital_status is StatusPerkawinan.from_code(resident["STATUS_KAWIN"])
    assert found.occupation is not None
    assert found.occupation.value == resident["JENIS_PKRJN"]
    assert found.regency == resident["KAB_NAME"]
    assert found.elements["JENIS_KLMIN"] in ("LAKI-LAKI", "PEREMPUAN")


async def test_results_and_client_keep_personal_data_and_password_out_of_repr(
    dukcapil: DukcapilClient, resident: dict[str, Any]
) -> None:
    found = await dukcapil.lookup_nik(resident["NIK"])

    for text in (repr(found), repr(dukcapil)):
        assert resident["NIK"] not in text
        assert resident["NAMA_LGKP"] not in text
        assert "siakgate-dev" not in text


async def test_verify_elements_true_values_match(dukcapil: DukcapilClient, resident: dict[str, Any]) -> None:
    result = await dukcapil.verify_elements(
        resident["NIK"],
        {
            "NAMA_LGKP": resident["NAMA_LGKP"],
            "TGL_LHR": resident["TGL_LHR"],
            "JENIS_KLMIN": JenisKelamin.from_code(resident["JENIS_KLMIN"]),
            "KAB_NAME": resident["KAB_NAME"],
        },
        threshold=95,
    )

    assert result.all_matched
    assert result.threshold == 95
    assert set(result.elements) == {"NIK", "NAMA_LGKP", "TGL_LHR", "JENIS_KLMIN", "KAB_NAME"}
    assert result.elements["NAMA_LGKP"].score == 100
    assert result.elements["TGL_LHR"].score is None  # exact elements carry no score
    assert result.elements["NAMA_LGKP"].answer == "Sesuai (100)"


async def test_verify_elements_threshold_above_and_below_the_score(
    dukcapil: DukcapilClient, resident: dict[str, Any]
) -> None:
    name = resident["NAMA_LGKP"]
    typo = name[:-1] + ("A" if name[-1] != "A" else "E")

    lenient = await dukcapil.verify_elements(resident["NIK"], {"NAMA_LGKP": typo}, threshold=50)
    score = lenient.elements["NAMA_LGKP"].score
    assert score is not None
    assert 50 <= score < 100
    assert lenient.matched("NAMA_LGKP")

    strict = await dukcapil.verify_elements(resident["NIK"], {"NAMA_LGKP": typo}, threshold=score + 1)
    assert not strict.matched("NAMA_LGKP")
    assert strict.elements["NAMA_LGKP"].score == score
    assert strict.matched("NIK")
    assert not strict.all_matched


async def test_unknown_nik_is_siak_not_found(dukcapil: DukcapilClient) -> None:
    with pytest.raises(SiakNotFoundError) as lookup:
        await dukcapil.lookup_nik(UNKNOWN_NIK)
    with pytest.raises(SiakNotFoundError) as verify:
        await dukcapil.verify_elements(UNKNOWN_NIK, {"NAMA_LGKP": "SIAPA SAJA"})

    for caught in (lookup.value, verify.value):
        assert caught.code == "NIK_TIDAK_DITEMUKAN"
        assert caught.remote_code == "Data Tidak Ditemukan"
        assert "tidak ditemukan" in caught.message


@pytest.mark.parametrize(
    "changes",
    [{"password": "salah"}, {"user_id": "orang-lain"}, {"consumer": "bukan-kami"}, {"ip_user": ""}],
    ids=["password", "user_id", "consumer", "ip_user"],
)
async def test_refused_credentials_are_siak_auth_errors(
    mock_siak: MockService, http: httpx.AsyncClient, counter: Counter, resident: dict[str, Any], changes: dict[str, str]
) -> None:
    client = _client(mock_siak.url, http, **changes)

    with pytest.raises(SiakAuthError) as caught:
        await client.lookup_nik(resident["NIK"])

    assert caught.value.code == "DUKCAPIL_AKSES_DITOLAK"
    assert "periksa consumer, user_id, password dan ip_user" in caught.value.message
    assert counter.posts == 1  # a refusal is an answer: never retried


async def test_service_down_is_service_unavailable_after_retries(
    dukcapil: DukcapilClient, counter: Counter, mock_siak_faults: FaultInjector, resident: dict[str, Any]
) -> None:
    mock_siak_faults.configure(FaultConfig(script=["http_5xx"] * FAST.attempts))

    with pytest.raises(ServiceUnavailableError) as caught:
        await dukcapil.lookup_nik(resident["NIK"])

    assert caught.value.code == "LAYANAN_TIDAK_TERSEDIA"
    assert "HTTP 503" in caught.value.message
    assert counter.posts == FAST.attempts


async def test_a_transient_failure_is_retried_and_then_answers(
    dukcapil: DukcapilClient, counter: Counter, mock_siak_faults: FaultInjector, resident: dict[str, Any]
) -> None:
    mock_siak_faults.configure(FaultConfig(script=["drop"]))

    found = await dukcapil.lookup_nik(resident["NIK"])

    assert found.nik == resident["NIK"]
    assert counter.posts == 2


async def test_connection_refused_is_service_unavailable(http: httpx.AsyncClient) -> None:
    client = _client("http://127.0.0.1:9", http)

    with pytest.raises(ServiceUnavailableError):
        await client.lookup_nik(UNKNOWN_NIK)


async def test_spent_quota_is_reported_and_not_retried(
    tmp_path: Path, http: httpx.AsyncClient, counter: Counter
) -> None:
    config = SiakMockConfig(state_dir=tmp_path, families=3, seed=5, dukcapil_daily_quota=1)
    with serving(create_app(config), config.clients) as service:
        client = _client(service.url, http)
        with pytest.raises(SiakNotFoundError):
            await client.lookup_nik(UNKNOWN_NIK)
        with pytest.raises(ServiceUnavailableError) as caught:
            await client.lookup_nik(UNKNOWN_NIK)

    assert caught.value.code == "DUKCAPIL_KUOTA_HABIS"
    assert "Kuota" in caught.value.message
    assert counter.posts == 2


@pytest.mark.parametrize("nik", ["35080112059", "3508O11205900001", "9908011205900001", ""])
async def test_a_malformed_nik_never_leaves_the_gateway(dukcapil: DukcapilClient, counter: Counter, nik: str) -> None:
    with pytest.raises(InvalidNikError) as caught:
        await dukcapil.lookup_nik(nik)
    with pytest.raises(InvalidNikError):
        await dukcapil.verify_elements(nik, {"NAMA_LGKP": "SIAPA SAJA"})

    assert caught.value.code == "NIK_TIDAK_VALID"
    assert counter.posts == 0


@pytest.mark.parametrize("threshold", [-1, 101, True, 90.5])
async def test_a_threshold_outside_0_to_100_is_refused(
    dukcapil: DukcapilClient, counter: Counter, resident: dict[str, Any], threshold: Any
) -> None:
    with pytest.raises(ValueError, match="threshold"):
        await dukcapil.verify_elements(resident["NIK"], {"NAMA_LGKP": "X"}, threshold=threshold)
    assert counter.posts == 0


async def test_an_element_dukcapil_cannot_verify_is_refused(dukcapil: DukcapilClient, resident: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="NAMA_PANGGILAN"):
        await dukcapil.verify_elements(resident["NIK"], {"NAMA_PANGGILAN": "Budi"})


async def test_logs_carry_the_masked_nik_only(
    dukcapil: DukcapilClient, resident: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await dukcapil.lookup_nik(resident["NIK"])
    await dukcapil.verify_elements(resident["NIK"], {"NAMA_LGKP": resident["NAMA_LGKP"]})

    lines = [r.getMessage() for r in caplog.records if r.name == "siakgate.siak.dukcapil"]
    assert len(lines) == 2
    assert all("outcome=OK" in line for line in lines)
    assert resident["NIK"][:4] in lines[0]
    assert resident["NIK"] not in caplog.text
    assert resident["NAMA_LGKP"] not in caplog.text
    assert "siakgate-dev" not in caplog.text


# -- shapes the mock does not answer ----------------------------------------------------------------------


@pytest.fixture
async def answering() -> AsyncIterator[Callable[..., DukcapilClient]]:
    """A client whose every call gets ``answer`` (a JSON-able value, or bytes as they are)."""
    clients: list[httpx.AsyncClient] = []

    def make(answer: Any, status: int = 200) -> DukcapilClient:
        def handler(request: httpx.Request) -> httpx.Response:
            body = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
            return httpx.Response(status, content=body, headers={"content-type": "application/json"})

        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        clients.append(http)
        return _client("http://dukcapil.test", http)

    yield make
    for http in clients:
        await http.aclose()


def _content(*items: dict[str, Any]) -> dict[str, Any]:
    return {"content": list(items), "lastPage": True, "numberOfElements": len(items)}


async def test_response_code_shape_is_read_too(answering: Callable[..., DukcapilClient]) -> None:
    client = answering(_content({"RESPONSE_CODE": "13", "RESPONSE": "Data Tidak Ditemukan"}))

    with pytest.raises(SiakNotFoundError) as caught:
        await client.verify_elements(UNKNOWN_NIK, {"NAMA_LGKP": "X"})

    assert caught.value.code == "NIK_TIDAK_DITEMUKAN"
    assert caught.value.remote_code == "13"


async def test_an_unknown_respon_keeps_its_text(answering: Callable[..., DukcapilClient]) -> None:
    client = answering(_content({"RESPON": "Layanan Sedang Dalam Pemeliharaan"}))

    with pytest.raises(SiakError) as caught:
        await client.lookup_nik(UNKNOWN_NIK)

    assert caught.value.code == "DUKCAPIL_MENOLAK"
    assert caught.value.remote_code == "Layanan Sedang Dalam Pemeliharaan"


async def test_field_spellings_of_labels_map_to_siak_codes(answering: Callable[..., DukcapilClient]) -> None:
    client = answering(
        _content(
            {
                "NIK": UNKNOWN_NIK,
                "NAMA_LGKP": "BUDI",
                "JENIS_KLMIN": "Laki-Laki",
                "AGAMA": "KATOLIK",
                "STATUS_KAWIN": "KAWIN TERCATAT",
                "TGL_LHR": "14-03-1995",
                "GOL_DARAH": "TIDAK TAHU",
                "STAT_HBKEL": "KEPALA KELUARGA",
                "JENIS_PKRJN": "PROFESI YANG BELUM ADA",
            }
        )
    )

    found = await client.lookup_nik(UNKNOWN_NIK)

    assert found.sex is JenisKelamin.LAKI_LAKI
    assert found.religion is Agama.KATHOLIK
    assert found.marital_status is StatusPerkawinan.KAWIN
    assert found.birth_date == date(1995, 3, 14)
    assert found.blood_type is not None
    assert found.family_relation is not None
    assert found.occupation is None  # unknown label: no guess, the text stays in elements
    assert found.elements["JENIS_PKRJN"] == "PROFESI YANG BELUM ADA"


@pytest.mark.parametrize(
    "answer",
    [b"<html>proxy error</html>", {"content": []}, {"data": {}}, _content({"NAMA_LGKP": "TANPA NIK"})],
    ids=["not-json", "empty-content", "no-content", "no-nik"],
)
async def test_a_body_that_is_not_the_shape_is_malformed(answering: Callable[..., DukcapilClient], answer: Any) -> None:
    with pytest.raises(MalformedResponseError):
        await answering(answer).lookup_nik(UNKNOWN_NIK)


async def test_an_unreadable_verdict_is_malformed(answering: Callable[..., DukcapilClient]) -> None:
    client = answering(_content({"NIK": "Sesuai", "NAMA_LGKP": "Mungkin (50)"}))

    with pytest.raises(MalformedResponseError, match="NAMA_LGKP"):
        await client.verify_elements(UNKNOWN_NIK, {"NAMA_LGKP": "X"})


@pytest.mark.parametrize(("status", "error"), [(401, SiakAuthError), (404, SiakError), (502, ServiceUnavailableError)])
async def test_http_statuses_become_clear_errors(
    answering: Callable[..., DukcapilClient], status: int, error: type[Exception]
) -> None:
    with pytest.raises(error):
        await answering(b"", status).lookup_nik(UNKNOWN_NIK)


async def test_a_timeout_is_service_timeout(http: httpx.AsyncClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as slow:
        client = _client("http://dukcapil.test", slow, retry=RetryPolicy(attempts=2, initial_wait=0, max_wait=0))
        with pytest.raises(ServiceTimeoutError):
            await client.lookup_nik(UNKNOWN_NIK)


# -- settings ---------------------------------------------------------------------------------------------


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIAKGATE_DUKCAPIL__URL", "https://ws.dukcapil.example:8000/")
    monkeypatch.setenv("SIAKGATE_DUKCAPIL__CONSUMER", "12-05/diskominfo_1205")
    monkeypatch.setenv("SIAKGATE_DUKCAPIL__PASSWORD", "rahasia-dukcapil")
    monkeypatch.setenv("SIAKGATE_DUKCAPIL__THRESHOLD", "80")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]

    client = DukcapilClient.from_settings(settings.dukcapil, http=httpx.AsyncClient())

    assert client.url == "https://ws.dukcapil.example:8000"
    assert client.consumer == "12-05/diskominfo_1205"
    assert client.threshold == 80
    assert "rahasia-dukcapil" not in repr(client)
    assert "rahasia-dukcapil" not in repr(settings.dukcapil)


@pytest.mark.parametrize(("enabled", "refused"), [("true", True), ("false", False)])
def test_production_refuses_an_enabled_service_with_a_placeholder_password(
    monkeypatch: pytest.MonkeyPatch, enabled: str, refused: bool
) -> None:
    monkeypatch.setenv("SIAKGATE_ENVIRONMENT", "production")
    monkeypatch.setenv("SIAKGATE_DUKCAPIL__ENABLED", enabled)
    with pytest.raises(ValidationError) as caught:  # production also wants the other secrets: refused anyway
        Settings(_env_file=None)  # type: ignore[call-arg]

    assert ("dukcapil.password is a development placeholder" in str(caught.value)) is refused


@pytest.mark.parametrize("threshold", ["-1", "101"])
def test_settings_refuse_a_threshold_outside_0_to_100(monkeypatch: pytest.MonkeyPatch, threshold: str) -> None:
    monkeypatch.setenv("SIAKGATE_DUKCAPIL__THRESHOLD", threshold)
    with pytest.raises(ValidationError, match="threshold"):
        Settings(_env_file=None)  # type: ignore[call-arg]
