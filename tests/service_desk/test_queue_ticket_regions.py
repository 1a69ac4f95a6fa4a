"""Queue tickets carry a region (issue 11, item 5a), on SQLite and PostgreSQL: numbered, listed and linked
per region; another region's ticket or application is 404, a region outside the token's is 403."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import httpx
import pytest
from api_kit import lost_kk_request
from desk_kit import DeskApi
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from mock_common.pytest_plugin import MockService
from siakgate.store.db import Database


def take(client: httpx.Client, headers: dict[str, str], counter: str = "A", **extra: str) -> httpx.Response:
    return client.post("/v1/queue-tickets", json={"counter": counter, **extra}, headers=headers)


def listed(desk: DeskApi, headers: dict[str, str], counter: str = "A") -> list[tuple[str, str]]:
    response = desk.client.get("/v1/queue-tickets", params={"counter": counter}, headers=headers)
    assert response.status_code == 200, response.text
    return [(t["region_code"], t["label"]) for t in response.json()]


def link(desk: DeskApi, headers: dict[str, str], ticket_id: str, application_id: str) -> httpx.Response:
    return desk.client.post(
        f"/v1/queue-tickets/{ticket_id}/link", json={"application_id": application_id}, headers=headers
    )


def test_tickets_are_numbered_and_listed_per_region(desk: DeskApi) -> None:
    malang, bantul, national = (
        desk.token("PETUGAS_FO", region="3508"),
        desk.token("PETUGAS_FO", region="3402"),
        desk.token("PETUGAS_FO"),
    )
    first = take(desk.client, malang).json()
    assert (first["region_code"], first["label"]) == ("3508", "A-001")
    assert take(desk.client, malang).json()["label"] == "A-002"
    other = take(desk.client, bantul).json()
    assert (other["region_code"], other["label"]) == ("3402", "A-001")  # its own numbers
    old = take(desk.client, national).json()  # no region: national, like tickets from before regions
    assert (old["region_code"], old["label"]) == ("", "A-001")
    kecamatan = take(desk.client, malang, region_code="350801").json()
    assert (kecamatan["region_code"], kecamatan["label"]) == ("350801", "A-001")

    assert listed(desk, bantul) == [("3402", "A-001")]
    assert listed(desk, malang) == [("3508", "A-001"), ("3508", "A-002"), ("350801", "A-001")]
    assert listed(desk, desk.token("PETUGAS_LOKET", region="350801")) == [("350801", "A-001")]
    assert listed(desk, national) == [
        ("", "A-001"),
        ("3402", "A-001"),
        ("3508", "A-001"),
        ("3508", "A-002"),
        ("350801", "A-001"),
    ]

    outside = take(desk.client, bantul, region_code="3508")
    assert (outside.status_code, outside.json()["code"]) == (403, "AKSES_DITOLAK")
    wider = take(desk.client, malang, region_code="35")  # a region wider than the token's
    assert (wider.status_code, wider.json()["code"]) == (403, "AKSES_DITOLAK")
    malformed = take(desk.client, malang, region_code="3508012")
    assert (malformed.status_code, malformed.json()["code"]) == (422, "PERMINTAAN_TIDAK_VALID")
    assert listed(desk, bantul) == [("3402", "A-001")]  # none of the refusals used up a number


def test_a_ticket_is_linked_only_within_its_region(desk: DeskApi, mock_siak: MockService) -> None:
    malang = desk.token("PETUGAS_FO", "OPERATOR_DESA", region="3508")
    bantul = desk.token("PETUGAS_FO", region="3402")
    national = desk.token("PETUGAS_FO")
    created = desk.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=malang)
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    assert created.json()["region_code"].startswith("3508")

    malang_ticket = take(desk.client, malang).json()
    bantul_ticket = take(desk.client, bantul).json()
    national_ticket = take(desk.client, national).json()

    # Another region's ticket, or an application the token does not see: 404, as elsewhere.
    for headers, ticket in ((bantul, malang_ticket), (malang, bantul_ticket), (malang, national_ticket)):
        refused = link(desk, headers, ticket["id"], app_id)
        assert (refused.status_code, refused.json()["code"]) == (404, "TIDAK_DITEMUKAN"), ticket
    at_once = take(desk.client, bantul, application_id=app_id)
    assert (at_once.status_code, at_once.json()["code"]) == (404, "TIDAK_DITEMUKAN")
    # A national token sees both, but a 3402 ticket is not linked to a 3508 application.
    across = link(desk, national, bantul_ticket["id"], app_id)
    assert (across.status_code, across.json()["code"]) == (404, "TIDAK_DITEMUKAN")
    across_at_once = take(desk.client, national, region_code="3402", application_id=app_id)
    assert across_at_once.status_code == 404
    assert listed(desk, bantul) == [("3402", "A-001")]

    # Same region: linked.
    linked = link(desk, malang, malang_ticket["id"], app_id)
    assert linked.status_code == 200, linked.text
    assert (linked.json()["application_id"], linked.json()["region_code"]) == (app_id, "3508")
    with_app = take(desk.client, malang, application_id=app_id)
    assert with_app.status_code == 201, with_app.text
    assert (with_app.json()["region_code"], with_app.json()["label"]) == ("3508", "A-002")
    # A national ticket may go with any application (a national token sees every region).
    assert link(desk, national, national_ticket["id"], app_id).status_code == 200


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_migration_makes_existing_tickets_national(kind: str, make_database_url: Callable[..., str]) -> None:
    db = Database.create(make_database_url(kind))
    try:
        db.migrate("7c3d2e9a4f10")
        with db.engine.begin() as connection:
            for ticket_id, number in (("T1", 1), ("T2", 2)):
                connection.execute(
                    text(
                        "INSERT INTO desk_queue_tickets (id, counter, day, number, label, created_by, created_at)"
                        " VALUES (:id, 'A', :day, :number, :label, 'loket', :at)"
                    ),
                    {
                        "id": ticket_id,
                        "day": date(2025, 12, 22),
                        "number": number,
                        "label": f"A-{number:03d}",
                        "at": datetime(2025, 12, 22, 2, 0),
                    },
                )
        db.migrate()
        with db.engine.begin() as connection:
            rows = connection.execute(text("SELECT id, region_code FROM desk_queue_tickets ORDER BY id")).all()
            assert [tuple(row) for row in rows] == [("T1", ""), ("T2", "")]
            # The same number in another region is allowed now; twice in one region is not.
            insert = text(
                "INSERT INTO desk_queue_tickets (id, region_code, counter, day, number, label, created_by, created_at)"
                " VALUES (:id, :region, 'A', :day, 1, 'A-001', 'loket', :at)"
            )
            values = {"day": date(2025, 12, 22), "at": datetime(2025, 12, 22, 2, 0)}
            connection.execute(insert, {"id": "T3", "region": "3402", **values})
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(insert, {"id": "T4", "region": "3402", **values})
    finally:
        db.dispose()
