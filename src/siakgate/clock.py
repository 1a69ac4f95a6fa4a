"""Business time: one :class:`Clock` object, built by the composition root and handed to every part.

Everything that stamps, schedules or leases (the workflow, its worker, the notification outbox and its
delivery, the archive's replicator, the service desk, the workstation's sessions, the reports) asks
the same object for the time, so a test that moves the clock moves all of them together, and nothing
in the package reads the wall clock on its own (``datetime.now``, ``date.today``, ``time.time``).

Three readings from one source:

* :meth:`Clock.now` — the moment, timezone-aware UTC (what the database stores);
* :meth:`Clock.today_wib` — the Dinas's calendar date (WIB, Asia/Jakarta: a day starts at midnight
  in Jakarta whatever the server's zone);
* :attr:`Clock.calendar` — working days (:class:`~siakgate.workflow.calendar.WorkingCalendar`).

A clock is callable (``clock()`` is ``clock.now()``), so it fits every seam typed
``Callable[[], datetime]``. Tests move it with :meth:`Clock.fixed` and :meth:`Clock.advance`,
never the other way round.
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["WIB", "Clock", "as_clock", "monotonic", "to_wib", "wall_seconds"]

WIB: Final = ZoneInfo("Asia/Jakarta")
"""Waktu Indonesia Barat (UTC+7, no daylight saving), where the Dinas's days start and end."""


def _system_now() -> datetime:
    return datetime.now(UTC)


def to_wib(moment: datetime) -> datetime:
    """``moment`` in WIB; a naive datetime is refused (it would silently mean the server's zone)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime harus memiliki zona waktu (timezone-aware), misalnya UTC atau WIB")
    return moment.astimezone(WIB)


def wall_seconds() -> float:
    """POSIX seconds from the system, for what is not business time: unique ids, an HTTP date's distance."""
    return _time.time()


def monotonic() -> float:
    """Seconds on a clock that never goes back: for durations and deadlines, never for business time."""
    return _time.monotonic()


class Clock:
    """The one source of business time (see the module docstring).

    ``Clock()`` reads the system's UTC time; ``Clock.fixed(moment)`` stands still until a test
    :meth:`advance` s or :meth:`set` s it; ``Clock(source)`` reads any callable returning an aware datetime.
    """

    def __init__(self, source: Callable[[], datetime] | None = None) -> None:
        self._source = source or _system_now
        self._fixed: datetime | None = None

    @classmethod
    def fixed(cls, moment: datetime) -> Clock:
        """A clock standing at ``moment`` (aware) until it is moved."""
        clock = cls()
        clock.set(moment)
        return clock

    def set(self, moment: datetime) -> None:
        """Stand still at ``moment`` (aware)."""
        self._fixed = to_wib(moment).astimezone(UTC)

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        """Move a fixed clock forward (``advance(minutes=5)``); a running clock becomes fixed there."""
        self._fixed = self.now() + (delta or timedelta()) + timedelta(**parts)

    def now(self) -> datetime:
        """The moment, aware, in UTC."""
        if self._fixed is not None:
            return self._fixed
        return self._source().astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now()

    def now_wib(self) -> datetime:
        return self.now().astimezone(WIB)

    def today_wib(self) -> date:
        """The Dinas's date now (WIB)."""
        return self.now_wib().date()

    def timestamp(self) -> float:
        """The moment as POSIX seconds (webhook signatures, ids)."""
        return self.now().timestamp()


def as_clock(clock: Clock | Callable[[], datetime]) -> Clock:
    """``clock`` itself, or a :class:`Clock` reading the callable (a seam typed ``Callable[[], datetime]``)."""
    return clock if isinstance(clock, Clock) else Clock(clock)
