"""Authentication: none, wrong, UsernameToken text and digest, HTTP Basic, replay."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
import zeep
from siak_helpers import client_for, expect_fault, new_couple, running, sample, small_config
from zeep.wsse.username import UsernameToken

from mock_common.pytest_plugin import MockService


@pytest.fixture
def nik(mock_siak: MockService) -> str:
    return str(sample(mock_siak, 1)[0]["NIK"][0])


@pytest.mark.parametrize(("basic", "wsse"), [(False, "text"), (False, "digest"), (True, None), (True, "digest")])
def test_accepted_credentials(mock_siak: MockService, nik: str, basic: bool, wsse: str | None) -> None:
    with client_for(mock_siak, basic=basic, wsse=wsse) as client:
        assert nik == client.service.CariPenduduk(NIK=nik).PENDUDUK.NIK


def test_no_credentials(mock_siak: MockService, nik: str) -> None:
    with client_for(mock_siak, wsse=None) as client:
        info = expect_fault(lambda: client.service.CariPenduduk(NIK=nik), "TIDAK_BERWENANG")
    assert info.faultcode == "soap:Client"


@pytest.mark.parametrize(
    "token",
    [
        UsernameToken("siakgate", "salah"),
        UsernameToken("siakgate", "salah", use_digest=True),
        UsernameToken("penyusup", "siakgate-dev"),
        UsernameToken("siakgate", "siakgate-dev", use_digest=True, created=datetime.now(UTC) - timedelta(hours=1)),
    ],
    ids=["text-wrong", "digest-wrong", "unknown-user", "digest-stale"],
)
def test_wrong_token(mock_siak: MockService, nik: str, token: UsernameToken) -> None:
    with client_for(mock_siak, wsse=token) as client:
        expect_fault(lambda: client.service.CariPenduduk(NIK=nik), "TIDAK_BERWENANG")


def test_wrong_basic_is_refused_even_with_a_good_token(mock_siak: MockService, nik: str) -> None:
    session = requests.Session()
    session.auth = ("siakgate", "salah")
    try:
        client = zeep.Client(
            mock_siak.wsdl_url,
            transport=zeep.Transport(session=session),
            wsse=UsernameToken(mock_siak.username, mock_siak.password),
        )
        expect_fault(lambda: client.service.CariPenduduk(NIK=nik), "TIDAK_BERWENANG")
    finally:
        session.close()


def test_a_digest_nonce_cannot_be_replayed(mock_siak: MockService, nik: str) -> None:
    token = UsernameToken(
        mock_siak.username,
        mock_siak.password,
        use_digest=True,
        nonce="fixed-nonce-1234",
        created=datetime.now(UTC),
    )
    with client_for(mock_siak, wsse=token) as client:
        client.service.CariPenduduk(NIK=nik)
        expect_fault(lambda: client.service.CariPenduduk(NIK=nik), "TIDAK_BERWENANG")


def test_refused_write_leaves_nothing(mock_siak: MockService) -> None:
    from siak_helpers import new_request_id, stats

    before = stats(mock_siak)
    with client_for(mock_siak, wsse=UsernameToken("siakgate", "salah")) as client:
        expect_fault(
            lambda: client.service.EntriDataKeluarga(
                CLIENT_REQUEST_ID=new_request_id(), JENIS_PERMOHONAN="KK_BARU_MENIKAH", DATA_KELUARGA=new_couple()
            ),
            "TIDAK_BERWENANG",
        )
    assert stats(mock_siak) == before


@pytest.fixture
def two_offices(tmp_path: Path) -> Iterator[MockService]:
    config = small_config(tmp_path, clients={"kantor-a": "rahasia-a", "kantor-b": "rahasia-b"})
    with running(config) as service:
        yield service


def test_request_ids_are_scoped_per_client(two_offices: MockService) -> None:
    data = new_couple()
    answers = []
    for user, password in (("kantor-a", "rahasia-a"), ("kantor-b", "rahasia-b")):
        with client_for(two_offices, wsse=UsernameToken(user, password)) as client:
            answers.append(
                client.service.EntriDataKeluarga(
                    CLIENT_REQUEST_ID="sama-1",
                    JENIS_PERMOHONAN="KK_BARU_MENIKAH",
                    DATA_KELUARGA=data if not answers else new_couple(),
                )
            )
    assert answers[0].NO_PERMOHONAN != answers[1].NO_PERMOHONAN
