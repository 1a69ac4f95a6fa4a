"""Intake checks the applicant's NIK with Dukcapil (mock SIAK's REST face) when the deployment enables it:
a known applicant is accepted; an unknown NIK, a name Dukcapil does not recognise and an unreachable service are
refused with a stable code and nothing written. Disabled (the default), intake does not ask."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import family_kit
import httpx
import pytest
from api_kit import ALL_ROLES, Api, gateway_settings, running_api
from sqlalchemy import func, select

from mock_common.pytest_plugin import MockService
from siakgate.config import DukcapilSettings, Settings
from siakgate.demo import SiakFamilies
from siakgate.domain import JenisKelamin, KartuKeluarga, Pekerjaan, StatusHubungan
from siakgate.store.db import Database
from siakgate.store.models import Application, IdempotencyRecord

PROFILE = "bantul-wa-cetak-mandiri"
_serials = itertools.count(9701)  # fresh NIKs Dukcapil has never seen (other suites count elsewhere)

CLOSED_PORT_URL = "http://127.0.0.1:9"
"""Nothing listens there (the tests run in a private network namespace): connection refused."""


@pytest.fixture
def api_settings(database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService) -> Settings:
    """The API tests' gateway, with Dukcapil's intake check switched on against mock SIAK's REST face."""
    return gateway_settings(
        database_url,
        tmp_path / "state",
        mock_siak,
        mock_bsre_aia,
        dukcapil=DukcapilSettings(enabled=True, url=mock_siak.url),
    )


def stored(db: Database) -> tuple[int, int]:
    with db.unit_of_work(read_only=True) as session:
        return (
            session.scalar(select(func.count()).select_from(Application)) or 0,
            session.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0,
        )


def existing_family(siak: MockService) -> KartuKeluarga:
    """A family mock SIAK (and so its Dukcapil face) knows, read as the demo reads them."""

    async def fetch() -> list[KartuKeluarga]:
        async with httpx.AsyncClient(timeout=30) as http:
            source = SiakFamilies(siak.url, http, username=siak.username, password=siak.password)
            return await source.existing(1)

    return asyncio.run(fetch())[0]


def change_request(family: KartuKeluarga, **head_changes: Any) -> dict[str, Any]:
    """A PERUBAHAN_DATA application for ``family``: a new occupation for its head, and ``head_changes``."""
    index = head_index(family)
    head = family.members[index]
    job = Pekerjaan.WIRASWASTA if head.occupation is not Pekerjaan.WIRASWASTA else Pekerjaan.PETANI_PEKEBUN
    changed_head = head.model_copy(update={"occupation": job, **head_changes})
    members = (*family.members[:index], changed_head, *family.members[index + 1 :])
    changed = family.model_copy(update={"members": members, "head_name": changed_head.full_name})
    region = family.province_code + family.regency_code + family.district_code + family.village_code
    return {
        "profile_id": PROFILE,
        "case_type": "PERUBAHAN_DATA",
        "region_code": region,
        "no_kk": family.no_kk,
        "family": changed.model_dump(mode="json"),
    }


def head_index(family: KartuKeluarga) -> int:
    return next(i for i, m in enumerate(family.members) if m.relationship is StatusHubungan.KEPALA_KELUARGA)


def post(api: Api, headers: dict[str, str], body: dict[str, Any], key: str) -> httpx.Response:
    return api.client.post("/v1/applications", json=body, headers={**headers, "Idempotency-Key": key})


def test_a_known_applicant_is_accepted(api: Api, admin: dict[str, str], mock_siak: MockService) -> None:
    before = stored(api.db)
    answer = post(api, admin, change_request(existing_family(mock_siak)), "dukcapil-known")
    assert answer.status_code == 201, answer.text
    assert stored(api.db) == (before[0] + 1, before[1] + 1)


def test_an_unknown_nik_is_refused_and_nothing_written(api: Api, admin: dict[str, str], mock_siak: MockService) -> None:
    family = existing_family(mock_siak)
    head = family.members[head_index(family)]
    unknown = family_kit.fresh_nik(head.birth_date, head.sex is JenisKelamin.PEREMPUAN, _serials)
    before = stored(api.db)
    answer = post(api, admin, change_request(family, nik=unknown), "dukcapil-unknown")
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "NIK_TIDAK_DITEMUKAN"
    path = f"members[{head_index(family)}].nik"
    assert [(e["code"], e["path"]) for e in problem["errors"]] == [("NIK_TIDAK_DITEMUKAN", path)]
    assert "Dukcapil" in problem["detail"]
    assert unknown not in answer.text  # never quoted back
    assert stored(api.db) == before


def test_a_name_dukcapil_does_not_recognise_is_refused_and_nothing_written(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    family = existing_family(mock_siak)
    before = stored(api.db)
    answer = post(api, admin, change_request(family, full_name="BAMBANG QUWEZIRTO"), "dukcapil-name")
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "DATA_TIDAK_SESUAI"
    path = f"members[{head_index(family)}].full_name"
    assert [(e["code"], e["path"]) for e in problem["errors"]] == [("DATA_TIDAK_SESUAI", path)]
    assert "nama lengkap" in problem["detail"]
    assert "QUWEZIRTO" not in answer.text
    assert family.members[head_index(family)].nik not in answer.text
    assert stored(api.db) == before


@pytest.fixture
def api_without_dukcapil(api_settings: Settings) -> Iterator[Api]:
    """The same gateway with Dukcapil unreachable: nothing listens at its address."""
    settings = api_settings.model_copy(update={"dukcapil": DukcapilSettings(enabled=True, url=CLOSED_PORT_URL)})
    with running_api(settings) as api:
        yield api


def test_dukcapil_unavailable_answers_503_with_retry_after_and_nothing_written(
    api_without_dukcapil: Api, mock_siak: MockService
) -> None:
    api = api_without_dukcapil
    headers = api.token(*ALL_ROLES, "ADMIN", name="admin-dukcapil-down")
    before = stored(api.db)
    answer = post(api, headers, change_request(existing_family(mock_siak)), "dukcapil-down")
    assert answer.status_code == 503, answer.text
    assert answer.headers["retry-after"].isdigit()
    assert answer.json()["code"] == "LAYANAN_TIDAK_TERSEDIA"
    assert stored(api.db) == before


def test_disabled_by_default_intake_does_not_ask_dukcapil(
    database_url: str, tmp_path: Path, mock_siak: MockService, mock_bsre_aia: MockService
) -> None:
    settings = gateway_settings(database_url, tmp_path / "state", mock_siak, mock_bsre_aia)
    assert settings.dukcapil.enabled is False
    with running_api(settings) as api:
        headers = api.token(*ALL_ROLES, "ADMIN", name="admin-dukcapil-off")
        family = existing_family(mock_siak)
        head = family.members[head_index(family)]
        unknown = family_kit.fresh_nik(head.birth_date, head.sex is JenisKelamin.PEREMPUAN, _serials)
        answer = post(api, headers, change_request(family, nik=unknown), "dukcapil-off")  # Dukcapil knows none
        assert answer.status_code == 201, answer.text
