"""Working days in WIB: weekends, Indonesia's 2026 national holidays, optional cuti bersama."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siakgate.workflow.calendar import WIB, WorkingCalendar

CAL = WorkingCalendar()


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)  # type: ignore[misc]


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 1),  # Tahun Baru Masehi
        date(2026, 3, 19),  # Hari Suci Nyepi
        date(2026, 5, 1),  # Hari Buruh
        date(2026, 6, 1),  # Hari Lahir Pancasila
        date(2026, 8, 17),  # Hari Kemerdekaan (a Monday)
        date(2026, 12, 25),  # Hari Raya Natal
    ],
)
def test_2026_national_holidays_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5
    assert not CAL.is_working_day(day)
    assert CAL.holiday_name(day)


def test_weekends_are_not_working_days_and_ordinary_weekdays_are() -> None:
    assert not CAL.is_working_day(date(2026, 8, 15))  # Saturday
    assert not CAL.is_working_day(date(2026, 8, 16))  # Sunday
    assert CAL.is_working_day(date(2026, 8, 14))  # Friday
    assert CAL.is_working_day(date(2026, 8, 18))  # Tuesday
    assert CAL.holiday_name(date(2026, 8, 18)) is None


def test_independence_day_has_its_indonesian_name() -> None:
    assert CAL.holiday_name(date(2026, 8, 17)) == "Hari Kemerdekaan Republik Indonesia"


def test_a_datetime_is_judged_by_its_date_in_wib() -> None:
    # 17 Aug 18:00 UTC is 18 Aug 01:00 WIB: a Tuesday, a working day, although the UTC date is a holiday
    assert CAL.is_working_day(datetime(2026, 8, 17, 18, 0, tzinfo=UTC))
    # 16 Aug 20:00 UTC is 17 Aug 03:00 WIB: Independence Day
    assert not CAL.is_working_day(datetime(2026, 8, 17, 2, 0, tzinfo=UTC))


def test_one_working_day_over_a_weekend_and_independence_day() -> None:
    assert CAL.add_working_days(wib(2026, 8, 14, 10, 0), 1) == wib(2026, 8, 18, 10, 0)
    assert CAL.add_working_days(wib(2026, 8, 13, 10, 0), 2) == wib(2026, 8, 18, 10, 0)
    assert CAL.add_working_days(wib(2026, 8, 10, 9, 30), 1) == wib(2026, 8, 11, 9, 30)


def test_a_start_on_a_closed_day_counts_from_the_next_working_day() -> None:
    # Saturday: the clock starts on Monday 00:00 and one working day ends with Monday
    assert CAL.add_working_days(wib(2026, 8, 8, 10, 0), 1) == wib(2026, 8, 11, 0, 0)
    # Independence Day (Monday): due at the end of Tuesday
    assert CAL.add_working_days(wib(2026, 8, 17, 10, 0), 1) == wib(2026, 8, 19, 0, 0)


def test_eid_week_with_and_without_cuti_bersama() -> None:
    start = wib(2026, 3, 18, 10, 0)  # Wednesday before Nyepi (Thu) and Idul Fitri (Sat-Sun)
    assert CAL.add_working_days(start, 1) == wib(2026, 3, 20, 10, 0)
    closed = WorkingCalendar(include_cuti_bersama=True)
    assert not closed.is_working_day(date(2026, 3, 18))
    assert not closed.is_working_day(date(2026, 3, 20))
    assert not closed.is_working_day(date(2026, 3, 23))
    # Tuesday 10:00: then 18 (cuti), 19 (Nyepi), 20 (cuti), the Eid weekend, 23-24 (cuti) are closed
    assert closed.add_working_days(wib(2026, 3, 17, 10, 0), 1) == wib(2026, 3, 25, 10, 0)
    assert CAL.add_working_days(wib(2026, 3, 17, 10, 0), 1) == wib(2026, 3, 18, 10, 0)


def test_extra_local_holidays() -> None:
    cal = WorkingCalendar(extra_holidays=[date(2026, 8, 18)])
    assert not cal.is_working_day(date(2026, 8, 18))
    assert cal.holiday_name(date(2026, 8, 18)) == "Hari libur setempat"
    assert cal.add_working_days(wib(2026, 8, 14, 10, 0), 1) == wib(2026, 8, 19, 10, 0)


def test_result_is_in_wib_for_a_utc_start() -> None:
    due = CAL.add_working_days(datetime(2026, 8, 14, 3, 0, tzinfo=UTC), 1)  # Friday 10:00 WIB
    assert due == wib(2026, 8, 18, 10, 0)
    assert due.utcoffset() == timedelta(hours=7)


def test_working_days_between() -> None:
    assert CAL.working_days_between(wib(2026, 8, 14, 12, 0), wib(2026, 8, 18, 12, 0)) == pytest.approx(1.0)
    assert CAL.working_days_between(wib(2026, 8, 15, 0, 0), wib(2026, 8, 17, 23, 0)) == 0.0
    assert CAL.working_days_between(wib(2026, 8, 18, 8, 0), wib(2026, 8, 18, 14, 0)) == pytest.approx(0.25)
    assert CAL.working_days_between(wib(2026, 8, 18, 14, 0), wib(2026, 8, 18, 8, 0)) == pytest.approx(-0.25)


def test_naive_datetimes_and_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="zona waktu"):
        CAL.add_working_days(datetime(2026, 8, 14, 10, 0), 1)
    with pytest.raises(ValueError, match="zona waktu"):
        CAL.working_days_between(datetime(2026, 8, 14, 10, 0), wib(2026, 8, 18))
    with pytest.raises(ValueError, match="negatif"):
        CAL.add_working_days(wib(2026, 8, 14), -1)


def test_zero_days_is_the_start_itself() -> None:
    assert CAL.add_working_days(wib(2026, 8, 15, 10, 0), 0) == wib(2026, 8, 15, 10, 0)


moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 12, 1),
    timezones=st.sampled_from([WIB, UTC]),
)


@settings(max_examples=150, deadline=None)
@given(start=moments, days=st.integers(min_value=0, max_value=20))
def test_working_days_between_inverts_add_working_days(start: datetime, days: int) -> None:
    due = CAL.add_working_days(start, days)
    assert due >= start
    assert CAL.working_days_between(start, due) == pytest.approx(days, abs=1e-9)
    if days:
        # the due moment falls within a working day (or at the very end of one)
        assert CAL.is_working_day(due) or CAL.is_working_day(due - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(start=moments, days=st.integers(min_value=0, max_value=10))
def test_one_more_working_day_is_later_and_skips_closed_days(start: datetime, days: int) -> None:
    a = CAL.add_working_days(start, days)
    b = CAL.add_working_days(start, days + 1)
    assert b - a >= timedelta(days=1)
    assert CAL.working_days_between(a, b) == pytest.approx(1.0, abs=1e-9)


@given(day=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)))
def test_weekends_are_never_working_days(day: date) -> None:
    if day.weekday() >= 5:
        assert not CAL.is_working_day(day)
