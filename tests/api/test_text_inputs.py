"""The free-text policy at the API: a bad name is a 422 naming the field, never quoting it, storing nothing."""

from __future__ import annotations

import itertools
from typing import Any

import family_kit
import pytest
from api_kit import Api, lost_kk_request
from sqlalchemy import func, select

from mock_common.pytest_plugin import MockService
from siakgate.store.models import Application, Job

_serials = itertools.count(8101)
NIK_KEY = "3508121205850002"

BAD = {
    "nul": "RAHMAT\x00TEKSUJI",
    "control": "RAHMAT\x1bTEKSUJI",
    "c1": "RAHMAT\x85TEKSUJI",
    "newline": "RAHMAT\nTEKSUJI",
    "bidi override": "RAHMAT\u202eIJUSKET",
    "bidi isolate": "RAHMAT\u2066TEKSUJI",
    "bidi mark": "RAHMAT\u200fTEKSUJI",
    "zero width": "RAH\u200bMAT TEKSUJI",
    "bom": "\ufeffRAHMAT TEKSUJI",
    "html": "RAHMAT <script>TEKSUJI",
    "digits": "RAHMAT TEKSUJI 2",
}


def stored(api: Api) -> tuple[int, int]:
    with api.db.unit_of_work(read_only=True) as session:
        return (
            session.scalar(select(func.count()).select_from(Application)) or 0,
            session.scalar(select(func.count()).select_from(Job)) or 0,
        )


def new_family_request(**member_changes: Any) -> dict[str, Any]:
    family = family_kit.new_couple("RAHMAT TEKSUJI", "DEWI TEKSUJI", _serials).model_dump(mode="json")
    family["members"][0].update(member_changes)
    return {
        "profile_id": "lumajang-bca",
        "case_type": "KK_BARU_MENIKAH",
        "region_code": "3204152006",
        "family": family,
    }


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("field", ["full_name", "father_name"])
def test_a_bad_name_is_refused_naming_the_field_without_quoting_it(
    api: Api, admin: dict[str, str], kind: str, field: str
) -> None:
    before = stored(api)
    bad = BAD[kind]
    response = api.client.post("/v1/applications", json=new_family_request(**{field: bad}), headers=admin)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert {(e["code"], e["path"]) for e in problem["errors"]} == {("TEKS_TIDAK_VALID", f"members[0].{field}")}
    assert "TEKSUJI" not in response.text
    assert "IJUSKET" not in response.text
    assert stored(api) == before


def test_a_bad_reason_is_refused_and_the_action_not_taken(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    created = api.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=admin)
    assert created.status_code == 201, created.text
    app = created.json()
    url = f"/v1/applications/{app['id']}/actions/reject"
    response = api.client.post(url, json={"reason": "Data\u202e salah RAHASIA"}, headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"path": "reason", "code": "TEKS_TIDAK_VALID", "message": "memuat karakter yang tidak diizinkan"}
    ]
    assert "RAHASIA" not in response.text
    again = api.client.get(f"/v1/applications/{app['id']}", headers=admin).json()
    assert (again["state"], again["version"]) == (app["state"], app["version"])


def test_an_unknown_key_that_looks_like_a_nik_is_not_echoed(
    api: Api, admin: dict[str, str], mock_siak: MockService
) -> None:
    before = stored(api)
    top = api.client.post("/v1/applications", json={**lost_kk_request(mock_siak), NIK_KEY: 1}, headers=admin)
    assert top.status_code == 422
    assert [(e["code"], e["path"]) for e in top.json()["errors"]] == [("EXTRA_FORBIDDEN", "body")]
    nested = new_family_request()
    nested["family"][NIK_KEY] = "x"
    nested["family"]["members"][1][NIK_KEY] = "x"
    inner = api.client.post("/v1/applications", json=nested, headers=admin)
    assert inner.status_code == 422
    assert {(e["code"], e["path"]) for e in inner.json()["errors"]} == {
        ("ELEMEN_TIDAK_DIKENAL", "keluarga"),
        ("ELEMEN_TIDAK_DIKENAL", "members[1]"),
    }
    for response in (top, inner):
        assert NIK_KEY not in response.text
    assert stored(api) == before
