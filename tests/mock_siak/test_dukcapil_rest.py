"""Mock SIAK's Dukcapil REST/JSON face (``/dukcapil/get_json/<consumer>/...``), served in process on loopback.

The shapes asserted here are the ones public client code reads (see :mod:`mock_siak.dukcapil_rest`): errors as
HTTP 200 with ``content[0].RESPON``, labels instead of codes, ``"Sesuai (NN)"`` per element.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from mock_common.pytest_plugin import serving
from mock_siak import contract
from mock_siak.app import create_app
from mock_siak.config import WIB, DukcapilAccount, SiakMockConfig
from mock_siak.dukcapil_rest import similarity

NIK_URL = "/dukcapil/get_json/siakgate/CALL_NIK"
VERIFY_URL = "/dukcapil/get_json/siakgate/CALL_VERIFY_BY_ELEMEN"
CREDS = {"user_id": "siakgate", "password": "siakgate-dev", "ip_user": "10.0.0.7"}
VERIFY_CREDS = {"USER_ID": "siakgate", "PASSWORD": "siakgate-dev", "IP_USER": "10.0.0.7"}
UNKNOWN_NIK = "3508010101010001"


def _config(state_dir: Path, **changes: Any) -> SiakMockConfig:
    return SiakMockConfig(
        state_dir=state_dir,
        families=12,
        seed=7,
        clock=lambda: datetime(2026, 12, 3, 10, 0, tzinfo=WIB),
        dukcapil_accounts={
            "siakgate": DukcapilAccount("siakgate", "siakgate-dev"),
            "12-05/diskominfo_1205": DukcapilAccount("kominfo", "k0minf0", ip_users=("192.168.99.4",)),
        },
        **changes,
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return create_app(_config(tmp_path_factory.mktemp("dukcapil")))


@contextmanager
def _client_of(app: Any, config_clients: dict[str, str]) -> Iterator[httpx.Client]:
    with serving(app, config_clients) as service, httpx.Client(base_url=service.url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[httpx.Client]:
    with _client_of(app, {"siakgate": "siakgate-dev"}) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def resident(app: Any) -> dict[str, Any]:
    """The first member of the first family, straight from the store (codes and dates, not labels)."""
    store = app.app.state.service.store
    family = store.sample(1)[0]
    with store.tx() as tx:
        no_kk, member = tx.person(family["NIK"][0])
        header = tx.family(no_kk)
    return {**member, **{k: v for k, v in header.items() if k != "ANGGOTA"}}


def _content(response: Any) -> dict[str, Any]:
    assert response.status_code == 200
    body = response.json()
    assert body["lastPage"] is True
    assert body["firstPage"] is True
    assert body["numberOfElements"] == len(body["content"]) == 1
    content: dict[str, Any] = body["content"][0]
    return content


def _label(element: str, code: int) -> str:
    return contract.codes()[element][str(code)].upper()


# -- CALL_NIK -----------------------------------------------------------------------------------------


def test_lookup_answers_the_residents_elements_with_labels(client: httpx.Client, resident: dict[str, Any]) -> None:
    content = _content(client.post(NIK_URL, json={"nik": resident["NIK"], **CREDS}))

    assert "RESPON" not in content
    assert content["NIK"] == resident["NIK"]
    assert content["NO_KK"] == resident["NO_KK"]
    assert content["NAMA_LGKP"] == resident["NAMA_LGKP"]
    assert content["TGL_LHR"] == resident["TGL_LHR"].isoformat()
    assert content["JENIS_KLMIN"] in ("LAKI-LAKI", "PEREMPUAN")
    for element in ("JENIS_KLMIN", "AGAMA", "STATUS_KAWIN", "JENIS_PKRJN", "PDDK_AKH", "STAT_HBKEL"):
        assert content[element] == _label(element, resident[element])
    assert content["KAB_NAME"] == resident["KAB_NAME"]
    assert content["NO_RT"] == resident["NO_RT"]
    assert content["EKTP_STATUS"] in ("SUDAH REKAM", "BELUM REKAM")


def test_labels_are_upper_case_words_not_codes(client: httpx.Client, resident: dict[str, Any]) -> None:
    content = _content(client.post(NIK_URL, json={"nik": resident["NIK"], **CREDS}))

    assert content["AGAMA"] in {label.upper() for label in contract.codes()["AGAMA"].values()}
    assert content["STATUS_KAWIN"] in {"BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"}
    assert not str(content["AGAMA"]).isdigit()


def test_lookup_accepts_other_key_spellings_and_a_two_segment_consumer(
    client: httpx.Client, resident: dict[str, Any]
) -> None:
    # SIMRS-Khanza sends IP_USER in capitals; a PHP client posts to .../12-05/diskominfo_1205/call_nik.
    body = {"NIK": resident["NIK"], "user_id": "kominfo", "password": "k0minf0", "IP_USER": "192.168.99.4"}
    content = _content(client.post("/dukcapil/get_json/12-05/diskominfo_1205/call_nik", json=body))

    assert content["NIK"] == resident["NIK"]


def test_unknown_nik_is_data_tidak_ditemukan(client: httpx.Client) -> None:
    content = _content(client.post(NIK_URL, json={"nik": UNKNOWN_NIK, **CREDS}))

    assert content == {"RESPON": "Data Tidak Ditemukan"}


@pytest.mark.parametrize("nik", ["35080112059", "35O8011205900001", "", 3508011205900001.5, None])
def test_malformed_nik_is_data_tidak_ditemukan(client: httpx.Client, nik: Any) -> None:
    content = _content(client.post(NIK_URL, json={"nik": nik, **CREDS}))

    assert content == {"RESPON": "Data Tidak Ditemukan"}


@pytest.mark.parametrize(
    ("changes", "respon"),
    [
        ({"password": "salah"}, "Login Gagal"),
        ({"user_id": "orang-lain"}, "Login Gagal"),
        ({"password": ""}, "User, password dan IP tidak boleh kosong"),
        ({"ip_user": ""}, "User, password dan IP tidak boleh kosong"),
    ],
)
def test_bad_credentials_are_refused_in_respon(
    client: httpx.Client, resident: dict[str, Any], changes: dict[str, str], respon: str
) -> None:
    content = _content(client.post(NIK_URL, json={"nik": resident["NIK"], **CREDS, **changes}))

    assert content == {"RESPON": respon}


def test_unknown_consumer_is_login_gagal(client: httpx.Client, resident: dict[str, Any]) -> None:
    content = _content(client.post("/dukcapil/get_json/lain/CALL_NIK", json={"nik": resident["NIK"], **CREDS}))

    assert content == {"RESPON": "Login Gagal"}


def test_an_ip_outside_the_accounts_list_is_refused(client: httpx.Client, resident: dict[str, Any]) -> None:
    body = {"nik": resident["NIK"], "user_id": "kominfo", "password": "k0minf0", "ip_user": "10.9.9.9"}
    content = _content(client.post("/dukcapil/get_json/12-05/diskominfo_1205/CALL_NIK", json=body))

    assert content == {"RESPON": "IP Address Tidak Sesuai"}


@pytest.mark.parametrize("raw", [b"bukan json", b"[1, 2]", b""])
def test_a_body_that_is_not_a_json_object_is_refused(client: httpx.Client, raw: bytes) -> None:
    content = _content(client.post(NIK_URL, content=raw, headers={"content-type": "application/json"}))

    assert content == {"RESPON": "Parameter Tidak Lengkap / Tidak Valid"}


def test_an_unknown_service_is_404(client: httpx.Client, resident: dict[str, Any]) -> None:
    response = client.post("/dukcapil/get_json/siakgate/CALL_SEMUA", json={"nik": resident["NIK"], **CREDS})

    assert response.status_code == 404


def test_daily_quota_is_answered_in_respon(tmp_path: Path) -> None:
    with _client_of(create_app(_config(tmp_path, dukcapil_daily_quota=2)), {"siakgate": "siakgate-dev"}) as client:
        answers = [_content(client.post(NIK_URL, json={"nik": UNKNOWN_NIK, **CREDS})) for _ in range(3)]

    assert answers[:2] == [{"RESPON": "Data Tidak Ditemukan"}] * 2
    assert answers[2] == {"RESPON": "Kuota Akses Hari ini telah Habis"}


def test_no_nik_or_name_in_the_logs(
    client: httpx.Client, resident: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    client.post(NIK_URL, json={"nik": resident["NIK"], **CREDS})
    client.post(VERIFY_URL, json={**VERIFY_CREDS, "TRESHOLD": "90", "NIK": resident["NIK"], "NAMA_LGKP": "X"})

    assert "outcome=OK" in caplog.text
    assert resident["NIK"] not in caplog.text
    assert resident["NAMA_LGKP"] not in caplog.text
    assert "siakgate-dev" not in caplog.text


# -- CALL_VERIFY_BY_ELEMEN ------------------------------------------------------------------------------


def test_verify_the_true_values_is_sesuai_100(client: httpx.Client, resident: dict[str, Any]) -> None:
    birth: date = resident["TGL_LHR"]
    body = {
        **VERIFY_CREDS,
        "TRESHOLD": "90",
        "NIK": resident["NIK"],
        "NAMA_LGKP": resident["NAMA_LGKP"].lower(),
        "TMPT_LHR": resident["TMPT_LHR"],
        "TGL_LHR": birth.strftime("%d-%m-%Y"),  # the order ricomarten/api-dukcapil sends
        "JENIS_KLMIN": "Laki-laki" if resident["JENIS_KLMIN"] == 1 else "Perempuan",
        "KAB_NAME": resident["KAB_NAME"],
        "NO_RT": str(int(resident["NO_RT"])),
        "NO_RW": " ",  # blank: not compared, not answered
    }
    content = _content(client.post(VERIFY_URL, json=body))

    assert content == {
        "NIK": "Sesuai",
        "NO_RT": "Sesuai",
        "TGL_LHR": "Sesuai",
        "JENIS_KLMIN": "Sesuai",
        "NAMA_LGKP": "Sesuai (100)",
        "TMPT_LHR": "Sesuai (100)",
        "KAB_NAME": "Sesuai",
    }


def test_verify_threshold_above_and_below_the_score(client: httpx.Client, resident: dict[str, Any]) -> None:
    name = resident["NAMA_LGKP"]
    typo = name[:-1] + ("A" if name[-1] != "A" else "E")
    score = similarity(typo, name)
    assert 0 < score < 100

    def ask(threshold: int) -> str:
        body = {**VERIFY_CREDS, "TRESHOLD": str(threshold), "NIK": resident["NIK"], "NAMA_LGKP": typo}
        answer: str = _content(client.post(VERIFY_URL, json=body))["NAMA_LGKP"]
        return answer

    assert ask(score) == f"Sesuai ({score})"
    assert ask(score + 1) == f"Tidak Sesuai ({score})"


def test_verify_wrong_exact_elements_are_tidak_sesuai(client: httpx.Client, resident: dict[str, Any]) -> None:
    body = {
        **VERIFY_CREDS,
        "THRESHOLD": 80,  # the correct spelling and a number are accepted too
        "NIK": resident["NIK"],
        "TGL_LHR": "1901-01-01",
        "AGAMA": "TIDAK ADA",
        "NAMA_LGKP_IBU": "ZZZZ QQQQ",
    }
    content = _content(client.post(VERIFY_URL, json=body))

    assert content["TGL_LHR"] == "Tidak Sesuai"
    assert content["AGAMA"] == "Tidak Sesuai"
    assert content["NAMA_LGKP_IBU"].startswith("Tidak Sesuai (")


def test_verify_unknown_nik_is_data_tidak_ditemukan(client: httpx.Client) -> None:
    content = _content(client.post(VERIFY_URL, json={**VERIFY_CREDS, "TRESHOLD": "90", "NIK": UNKNOWN_NIK}))

    assert content == {"RESPON": "Data Tidak Ditemukan"}


@pytest.mark.parametrize("threshold", [None, "", "seratus", "101", "-1", True])
def test_verify_without_a_usable_threshold_is_refused(
    client: httpx.Client, resident: dict[str, Any], threshold: Any
) -> None:
    body = {**VERIFY_CREDS, "NIK": resident["NIK"], "NAMA_LGKP": resident["NAMA_LGKP"]}
    if threshold is not None:
        body["TRESHOLD"] = threshold
    content = _content(client.post(VERIFY_URL, json=body))

    assert content == {"RESPON": "Parameter Tidak Lengkap / Tidak Valid"}


def test_verify_bad_credentials_are_login_gagal(client: httpx.Client, resident: dict[str, Any]) -> None:
    body = {**VERIFY_CREDS, "PASSWORD": "salah", "TRESHOLD": "90", "NIK": resident["NIK"]}

    assert _content(client.post(VERIFY_URL, json=body)) == {"RESPON": "Login Gagal"}


def test_similarity_is_difflibs_ratio_on_upper_cased_text() -> None:
    assert similarity("budi  santoso", "BUDI SANTOSO") == 100
    assert similarity("ABCD", "WXYZ") == 0
    assert similarity("SITI AMINAH", "SITI AMINA") == 95
