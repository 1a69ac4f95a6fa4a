"""Working days (hari kerja) in Indonesia: what a service time of "1 hari kerja" means for a due date.

Weekends and national holidays come from the ``holidays`` package (Indonesia, with Indonesian names).
Dates are WIB (Asia/Jakarta): a Dinas's day starts at midnight in Jakarta time whatever the server's
zone, so every datetime is converted to WIB before its date is taken, and naive datetimes are refused
(they would silently mean the server's zone).

Working time is counted in whole calendar days: each working date contributes 24 hours, other dates
none. So an application received on Monday 10:00 with 1 working day is due on Tuesday 10:00, one
received on Friday 10:00 on Monday 10:00, and one received on Saturday on Tuesday 00:00 (the end of
Monday). :meth:`WorkingCalendar.working_days_between` is the inverse of
:meth:`WorkingCalendar.add_working_days`, so an actual duration and a standard can be compared on one
scale.

Cuti bersama (collective leave for civil servants, the package's ``government`` category) is not a
national holiday; a Dinas that closes on those days passes ``include_cuti_bersama=True``. Local
closures go in ``extra_holidays``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

import holidays

from siakgate.clock import WIB, to_wib

__all__ = ["WIB", "WorkingCalendar"]

_DAY = timedelta(days=1)


_wib = to_wib


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=WIB)


class WorkingCalendar:
    """Indonesian working days: Monday to Friday except national holidays (and optional extra closures)."""

    def __init__(self, *, extra_holidays: Iterable[date] = (), include_cuti_bersama: bool = False) -> None:
        categories = ("public", "government") if include_cuti_bersama else ("public",)
        self._holidays = holidays.country_holidays("ID", language="id", categories=categories)
        self._extra = frozenset(extra_holidays)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's Indonesian name, or None for an ordinary date (weekends are not named)."""
        if isinstance(day, datetime):
            day = _wib(day).date()
        if day in self._extra:
            return "Hari libur setempat"
        name = self._holidays.get(day)
        return None if name is None else str(name)

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a date, or a datetime taken in WIB) is a working day."""
        if isinstance(day, datetime):
            day = _wib(day).date()
        return day.weekday() < 5 and day not in self._extra and day not in self._holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The moment ``days`` working days of working time after ``start`` (WIB; ``start`` must be aware).

        Raises ValueError for a negative ``days`` or a naive ``start``.
        """
        if days < 0:
            raise ValueError("jumlah hari kerja tidak boleh negatif")
        moment = _wib(start)
        left = timedelta(days=days)
        if not left:
            return moment
        day = moment.date()
        while True:
            if self.is_working_day(day):
                end_of_day = _midnight(day + _DAY)
                available = end_of_day - moment
                if left <= available:
                    return moment + left
                left -= available
            day += _DAY
            moment = _midnight(day)

    def working_days_between(self, a: datetime, b: datetime) -> float:
        """Working time from ``a`` to ``b`` in days (negative when ``b`` is before ``a``)."""
        start, end = _wib(a), _wib(b)
        if end < start:
            return -self.working_days_between(b, a)
        total = timedelta(0)
        day = start.date()
        while _midnight(day) < end:
            if self.is_working_day(day):
                total += min(end, _midnight(day + _DAY)) - max(start, _midnight(day))
            day += _DAY
        return total / _DAY
