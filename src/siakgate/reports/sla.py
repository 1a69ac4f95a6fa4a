"""Service-time (SLA) report: per profile and period, how many applications were finished within the
profile's service time, and how long each step really took against its standard minutes.

Definitions (what the numbers mean):

* **In the period**: created from ``start`` 00:00 WIB up to (not including) the day after ``end``,
  00:00 WIB. Both dates are WIB dates; a Dinas's day starts at midnight in Jakarta.
* **Finished** (``SELESAI``), measured from ``created_at`` to ``completed_at`` in working days
  (:class:`~siakgate.workflow.calendar.WorkingCalendar`: weekends and national holidays do not count).
  **Within** the service time when it was completed no later than ``service_days`` working days after
  it was created (the same rule that set its ``due_at``); **late** otherwise.
* **Open**: not finished yet (any other state, returned ones included); **open and overdue**: still
  open at ``now`` although its service time has already run out.
* **Steps**: every measured timeline event of those applications (``actual_minutes`` is set: a person
  or a job finished, returned or retried the step), grouped by step. Median and 90th percentile by
  linear interpolation between the closest ranks, the definition of PostgreSQL's
  ``percentile_cont`` (and of ``statistics.quantiles(method="inclusive")``): for [1, 2, 3, 4] the median
  is 2.5 and the 90th percentile 3.7.

Why in Python over fetched rows and not SQL percentile functions: SQLite has no ``percentile_cont``
(``median``/``percentile`` exist only in an optional extension), so SQL percentiles would mean two code
paths with possibly different results; working days need the holiday calendar, which only Python has;
and a profile's applications in a period are thousands of rows, not millions. The SQL does the
filtering (profile, period, region: indexed columns) and fetches only the few columns needed.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from siakgate.clock import WIB
from siakgate.errors import NotFoundError
from siakgate.service_desk.errors import DeskInputError
from siakgate.store.db import Database
from siakgate.store.models import Application, TimelineEvent
from siakgate.workflow.calendar import WorkingCalendar
from siakgate.workflow.profiles import ServiceProfile
from siakgate.workflow.states import State

__all__ = ["MAX_PERIOD_DAYS", "SlaReport", "StepStats", "build_sla_report", "percentile", "sla_report"]

_DONE = State.SELESAI
MAX_PERIOD_DAYS = 366
"""A year and a day: longer periods are several reports (the rows are read into memory)."""


@dataclass(frozen=True)
class StepStats:
    step_id: str
    name: str
    standard_minutes: float | None
    count: int
    median_minutes: float
    p90_minutes: float
    within_standard: int
    """Events whose actual minutes were at most the standard."""


@dataclass(frozen=True)
class SlaReport:
    profile_id: str
    profile_name: str
    service_days: int
    start: date
    end: date
    region_prefix: str
    generated_at: datetime
    applications: int
    finished: int
    within: int
    late: int
    open: int
    open_overdue: int
    within_share: float | None
    """within / finished (None when nothing finished in the period)."""
    median_working_days: float | None
    """Median working days from creation to completion of the finished ones."""
    steps: tuple[StepStats, ...]


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between closest ranks (``percentile_cont``)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """``[start 00:00 WIB, end+1 00:00 WIB)`` as aware datetimes."""
    return datetime.combine(start, time(0), tzinfo=WIB), datetime.combine(end + timedelta(days=1), time(0), tzinfo=WIB)


def sla_report(
    session: Session,
    profile: ServiceProfile,
    start: date,
    end: date,
    *,
    calendar: WorkingCalendar,
    now: datetime,
    region_prefix: str = "",
) -> SlaReport:
    """The report for ``profile`` over applications created from ``start`` to ``end`` (WIB, inclusive)."""
    low, high = period_bounds(start, end)
    in_period = (
        Application.profile_id == profile.id,
        Application.created_at >= low,
        Application.created_at < high,
        Application.region_code.startswith(region_prefix, autoescape=True),
    )
    apps = session.execute(
        select(Application.created_at, Application.completed_at, Application.state).where(*in_period)
    )
    finished = within = open_ = overdue = total = 0
    durations: list[float] = []
    for created_at, completed_at, state in apps:
        total += 1
        deadline = calendar.add_working_days(created_at, profile.service_days)
        if state == _DONE and completed_at is not None:
            finished += 1
            durations.append(calendar.working_days_between(created_at, completed_at))
            within += completed_at <= deadline
        else:
            open_ += 1
            overdue += now > deadline
    events = session.execute(
        select(TimelineEvent.step_id, TimelineEvent.actual_minutes, TimelineEvent.standard_minutes)
        .join(Application, Application.id == TimelineEvent.application_id)
        .where(*in_period, TimelineEvent.step_id.is_not(None), TimelineEvent.actual_minutes.is_not(None))
    )
    actual: dict[str, list[float]] = defaultdict(list)
    standard: dict[str, float | None] = {}
    within_standard: dict[str, int] = defaultdict(int)
    for step_id, minutes, standard_minutes in events:
        if step_id is None or minutes is None:  # excluded by the query; keeps the types honest
            continue
        actual[step_id].append(minutes)
        standard.setdefault(step_id, standard_minutes)
        if standard_minutes is not None and minutes <= standard_minutes:
            within_standard[step_id] += 1
    return SlaReport(
        profile_id=profile.id,
        profile_name=profile.name,
        service_days=profile.service_days,
        start=start,
        end=end,
        region_prefix=region_prefix,
        generated_at=now,
        applications=total,
        finished=finished,
        within=within,
        late=finished - within,
        open=open_,
        open_overdue=overdue,
        within_share=within / finished if finished else None,
        median_working_days=statistics.median(durations) if durations else None,
        steps=_steps(profile, actual, standard, within_standard),
    )


def _steps(
    profile: ServiceProfile,
    actual: dict[str, list[float]],
    standard: dict[str, float | None],
    within_standard: dict[str, int],
) -> tuple[StepStats, ...]:
    """One line per measured step, in the profile's order (steps no longer in the profile last)."""
    known = {step.id: step for step in profile.steps}
    order = [step.id for step in profile.steps if step.id in actual] + sorted(set(actual) - known.keys())
    lines = []
    for step_id in order:
        values = actual[step_id]
        step = known.get(step_id)
        lines.append(
            StepStats(
                step_id=step_id,
                name=step.name if step is not None else step_id,
                standard_minutes=step.standard_minutes if step is not None else standard.get(step_id),
                count=len(values),
                median_minutes=round(percentile(values, 0.5), 3),
                p90_minutes=round(percentile(values, 0.9), 3),
                within_standard=within_standard[step_id],
            )
        )
    return tuple(lines)


async def build_sla_report(
    db: Database,
    profiles: dict[str, ServiceProfile],
    profile_id: str,
    start: date,
    end: date,
    *,
    calendar: WorkingCalendar,
    now: datetime,
    region_prefix: str = "",
) -> SlaReport:
    """The report in one read-only unit of work; refuses an unknown profile or a reversed period."""
    profile = profiles.get(profile_id)
    if profile is None:
        raise NotFoundError(f"Profil layanan {profile_id!r} tidak dikenal.")
    if end < start:
        raise DeskInputError("Tanggal akhir periode tidak boleh sebelum tanggal awal.")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise DeskInputError(f"Periode laporan paling panjang {MAX_PERIOD_DAYS} hari.")
    return await db.run(
        lambda s: sla_report(s, profile, start, end, calendar=calendar, now=now, region_prefix=region_prefix),
        read_only=True,
    )
