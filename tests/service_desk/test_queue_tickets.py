"""Queue tickets through the API (seed 001): per counter and WIB day, concurrent requests, links."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from api_kit import lost_kk_request
from desk_kit import DeskApi

from mock_common.pytest_plugin import MockService


def take(client: httpx.Client, headers: dict[str, str], counter: str = "A", **extra: str) -> httpx.Response:
    return client.post("/v1/queue-tickets", json={"counter": counter, **extra}, headers=headers)


def test_numbers_run_per_counter_and_restart_the_next_wib_day(desk: DeskApi) -> None:
    fo = desk.token("PETUGAS_FO")
    labels = [take(desk.client, fo).json()["label"] for _ in range(3)]
    assert labels == ["A-001", "A-002", "A-003"]
    assert take(desk.client, fo, "B").json()["label"] == "B-001"  # another counter, its own numbers
    today = desk.client.get("/v1/queue-tickets", params={"counter": "A"}, headers=fo).json()
    assert [t["number"] for t in today] == [1, 2, 3]
    assert {t["day"] for t in today} == {"2025-12-22"}

    assert desk.clock is not None
    desk.clock.advance(hours=14, minutes=59)  # 23:59 WIB on the 22nd (16:59 UTC): still the same day
    assert take(desk.client, fo).json()["label"] == "A-004"
    desk.clock.advance(minutes=2)  # 00:01 WIB on the 23rd, while UTC is still the 22nd
    next_day = take(desk.client, fo).json()
    assert (next_day["label"], next_day["day"]) == ("A-001", "2025-12-23")
    earlier = desk.client.get("/v1/queue-tickets", params={"counter": "A", "day": "2025-12-22"}, headers=fo).json()
    assert [t["label"] for t in earlier] == ["A-001", "A-002", "A-003", "A-004"]


def test_concurrent_requests_never_share_a_number(desk: DeskApi) -> None:
    fo = desk.token("PETUGAS_LOKET")
    base_url = str(desk.client.base_url)

    def take_three(_: int) -> list[int]:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            numbers = []
            for _ in range(3):
                response = take(client, fo, "C")
                assert response.status_code == 201, response.text
                numbers.append(response.json()["number"])
            return numbers

    with ThreadPoolExecutor(max_workers=12) as pool:
        taken = [n for numbers in pool.map(take_three, range(12)) for n in numbers]
    assert sorted(taken) == list(range(1, 37))
    listed = desk.client.get("/v1/queue-tickets", params={"counter": "C"}, headers=fo).json()
    assert [t["number"] for t in listed] == list(range(1, 37))


def test_a_ticket_is_linked_to_its_application(desk: DeskApi, mock_siak: MockService) -> None:
    fo = desk.token("PETUGAS_FO", "OPERATOR_DESA")
    app_id = desk.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=fo).json()["id"]
    other = desk.client.post("/v1/applications", json=lost_kk_request(mock_siak), headers=fo).json()["id"]

    linked_at_once = take(desk.client, fo, application_id=app_id).json()
    assert linked_at_once["application_id"] == app_id

    ticket = take(desk.client, fo).json()
    assert ticket["application_id"] is None
    link = desk.client.post(f"/v1/queue-tickets/{ticket['id']}/link", json={"application_id": app_id}, headers=fo)
    assert link.status_code == 200, link.text
    assert link.json()["application_id"] == app_id
    again = desk.client.post(f"/v1/queue-tickets/{ticket['id']}/link", json={"application_id": app_id}, headers=fo)
    assert again.status_code == 200
    moved = desk.client.post(f"/v1/queue-tickets/{ticket['id']}/link", json={"application_id": other}, headers=fo)
    assert (moved.status_code, moved.json()["code"]) == (409, "TINDAKAN_TIDAK_DIIZINKAN")

    unknown_app = take(desk.client, fo, application_id="01JUNKNOWNAPPLICATION00000")
    assert (unknown_app.status_code, unknown_app.json()["code"]) == (404, "TIDAK_DITEMUKAN")
    unknown_ticket = desk.client.post("/v1/queue-tickets/nope/link", json={"application_id": app_id}, headers=fo)
    assert unknown_ticket.status_code == 404
    # A token of another region does not see the application.
    elsewhere = desk.token("PETUGAS_FO", region="3171")
    assert take(desk.client, elsewhere, application_id=app_id).status_code == 404
    # None of the refusals used up a number.
    listed = desk.client.get("/v1/queue-tickets", params={"counter": "A"}, headers=fo).json()
    assert [t["label"] for t in listed] == ["A-001", "A-002"]


def test_bad_counters_and_wrong_roles_are_refused(desk: DeskApi) -> None:
    fo = desk.token("PETUGAS_FO")
    for counter in ("a", "", "A-1", "TOOLONGCODE"):
        response = take(desk.client, fo, counter)
        assert (response.status_code, response.json()["code"]) == (422, "PERMINTAAN_TIDAK_VALID"), counter
    forbidden = take(desk.client, desk.token("KASI"))
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "AKSES_DITOLAK")
    assert desk.client.get("/v1/queue-tickets", params={"counter": "A"}, headers=fo).json() == []
    assert take(desk.client, {}).status_code == 401
