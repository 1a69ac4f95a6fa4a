"""The SLA report through the API and the CLI, on SQLite and PostgreSQL.

The gateway's app does not take a clock for the workflow (``runtime.open_gateway`` builds the Workflow with
the real one), so the applications and their timeline are seeded directly through the Database with known
times; the report's own "now" is the gateway's clock, pinned by the test.

December 2025 (WIB): Sat 20 and Sun 21 are a weekend, Thu 25 is Hari Raya Natal, 1 January a holiday.
The profile ``lumajang-bca`` promises 1 working day.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from desk_kit import Clock, DeskApi

from siakgate.cli import main
from siakgate.store.db import Database
from siakgate.store.models import Application, TimelineEvent
from siakgate.workflow.calendar import WIB

PROFILE = "lumajang-bca"
NOW = datetime(2025, 12, 31, 12, 0, tzinfo=WIB)


def wib(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WIB)


def add_app(
    db: Database,
    created: datetime,
    completed: datetime | None,
    *,
    profile: str = PROFILE,
    state: str | None = None,
    region: str = "3508012001",
    minutes: dict[str, list[float | None]] | None = None,
) -> str:
    """An application row (and measured timeline events ``step -> [actual minutes]``)."""
    with db.unit_of_work() as session:
        app = Application(
            profile_id=profile,
            case_type="HILANG",
            region_code=region,
            state=state or ("SELESAI" if completed else "MENUNGGU_VERIFIKASI"),
            step_started_at=created,
            round=0,
            missing=[],
            physically_confirmed=False,
            created_by="seed",
            due_at=created + timedelta(days=1),
            created_at=created,
            updated_at=completed or created,
            completed_at=completed,
        )
        session.add(app)
        session.flush()
        for step_id, values in (minutes or {}).items():
            for value in values:
                session.add(
                    TimelineEvent(
                        application_id=app.id,
                        step_id=step_id,
                        action="complete",
                        actor="seed",
                        role="PETUGAS_FO",
                        at=created,
                        started_at=created if value is not None else None,
                        standard_minutes=10.0 if value is not None else None,
                        actual_minutes=value,
                        outcome=app.state,
                    )
                )
        return app.id


def seed(db: Database) -> None:
    # Within: Wed 24 10:00 -> Fri 26 09:00 is 14 h + (Christmas) 0 h + 9 h = 23 h of working time.
    add_app(db, wib(24, 10), wib(26, 9), minutes={"periksa-berkas": [1.0, 4.0], "entri-data": [10.0]})
    # Within across the weekend: Fri 19 15:00 -> Mon 22 14:00 is 9 h + 14 h = 23 h.
    add_app(db, wib(19, 15), wib(22, 14), minutes={"periksa-berkas": [3.0, None]})
    # Late across the weekend: Fri 19 15:00 -> Mon 22 16:00 is 25 h.
    add_app(db, wib(19, 15), wib(22, 16), minutes={"periksa-berkas": [2.0]})
    # Late on ordinary days: Tue 23 08:00 -> Wed 24 09:00 is 25 h.
    add_app(db, wib(23, 8), wib(24, 9))
    # The first minutes of 19 December in WIB (still the 18th in UTC): in the period, and within.
    add_app(db, wib(19, 0, 30), wib(19, 8))
    # Open and overdue at NOW: Mon 29 10:00 was due Tue 30 10:00.
    add_app(db, wib(29, 10), None)
    # Open, not overdue: Wed 31 09:00 is due Fri 2 January 09:00 (1 January is a holiday).
    add_app(db, wib(31, 9), None, state="DIKEMBALIKAN")
    # Not in the report: the last minutes of 18 December WIB, January, another profile, another step's outlier.
    add_app(db, wib(18, 23, 30), wib(19, 8), minutes={"periksa-berkas": [100.0]})
    add_app(db, wib(5, 10, month=1, year=2026), None, minutes={"periksa-berkas": [100.0]})
    add_app(db, wib(22, 10), wib(22, 11), profile="loket-desa", minutes={"periksa-berkas": [100.0]})


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


def report(desk: DeskApi, headers: dict[str, str], **params: str) -> Any:
    query = {"profile": PROFILE, "from": "2025-12-19", "to": "2025-12-31", **params}
    return desk.client.get("/v1/reports/sla", params=query, headers=headers)


def test_the_report_counts_working_days_across_a_weekend_and_a_holiday(desk: DeskApi) -> None:
    seed(desk.db)
    response = report(desk, desk.token("KEPALA_DINAS"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["profile_id"] == PROFILE
    assert body["service_days"] == 1
    assert (body["start"], body["end"]) == ("2025-12-19", "2025-12-31")
    assert body["applications"] == 7
    assert body["finished"] == 5
    assert body["within"] == 3
    assert body["late"] == 2
    assert body["open"] == 2
    assert body["open_overdue"] == 1
    assert body["within_share"] == pytest.approx(0.6)
    assert body["median_working_days"] == pytest.approx(23 / 24)

    steps = {step["step_id"]: step for step in body["steps"]}
    assert [step["step_id"] for step in body["steps"]] == ["periksa-berkas", "entri-data"]  # the profile's order
    check = steps["periksa-berkas"]
    assert check["count"] == 4  # 1, 4, 3, 2; the unmeasured event and the excluded outliers do not count
    assert check["median_minutes"] == 2.5
    assert check["p90_minutes"] == 3.7
    assert check["standard_minutes"] == 10
    assert check["within_standard"] == 4
    entry = steps["entri-data"]
    assert (entry["count"], entry["median_minutes"], entry["p90_minutes"]) == (1, 10.0, 10.0)


def test_the_report_is_for_its_roles_and_its_region_and_refuses_bad_requests(desk: DeskApi) -> None:
    seed(desk.db)
    assert report(desk, desk.token("PETUGAS_FO")).json()["code"] == "AKSES_DITOLAK"
    other_region = report(desk, desk.token("KABID", region="3509")).json()
    assert other_region["applications"] == 0
    assert other_region["steps"] == []
    assert other_region["within_share"] is None
    own_region = report(desk, desk.token("KASI", region="3508")).json()
    assert own_region["applications"] == 7

    admin = desk.token("ADMIN")
    unknown = report(desk, admin, profile="tidak-ada")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "TIDAK_DITEMUKAN")
    reversed_period = report(desk, admin, **{"from": "2025-12-31", "to": "2025-12-01"})
    assert (reversed_period.status_code, reversed_period.json()["code"]) == (422, "PERMINTAAN_TIDAK_VALID")
    bad_date = report(desk, admin, to="31-12-2025")
    assert bad_date.status_code == 422
    assert desk.client.get("/v1/reports/sla", params={"profile": PROFILE}).status_code == 401


def test_the_cli_prints_the_table_and_the_json(
    desk: DeskApi, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed(desk.db)
    monkeypatch.setenv("SIAKGATE_DATABASE_URL", desk.settings.database_url)
    monkeypatch.chdir(desk.settings.state_dir.parent)  # no stray .env
    args = ["report", "--profile", PROFILE, "--from", "2025-12-19", "--to", "2025-12-31"]
    assert main(args) == 0
    table = capsys.readouterr().out
    assert "Laporan waktu layanan" in table
    assert "Selesai                   5" in table
    assert "tepat waktu             3   (60.0%)" in table
    assert "periksa-berkas" in table

    assert main([*args, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert (body["finished"], body["within"], body["late"]) == (5, 3, 2)

    assert main(["report", "--profile", "tidak-ada", "--from", "2025-12-19", "--to", "2025-12-31"]) == 2
    assert "tidak dikenal" in capsys.readouterr().err
