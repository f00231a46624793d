"""SLA arithmetic: pure functions of times, targets and a school's hours. No database.

Contract:
- Every datetime in and out is timezone-aware; results are in UTC.
- "Within N minutes" targets are elapsed time (UTC arithmetic), so a daylight-saving change
  neither shortens nor lengthens them.
- "By the end of the Nth school day after" is wall-clock time in the school's timezone: the
  school day's end on its local calendar, whatever the UTC offset is that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Priority values, as in tipline.models.Priority (kept literal so this module stays pure).
LIFE_SAFETY, URGENT, ROUTINE = 1, 2, 3
# A school calendar with no school day for this long is misconfigured; stop looking.
MAX_SEARCH_DAYS = 366


@dataclass(frozen=True)
class SlaTargets:
    life_safety_acknowledge: timedelta = timedelta(minutes=5)
    urgent_first_response: timedelta = timedelta(hours=4)
    routine_school_days: int = 1


@dataclass(frozen=True)
class SchoolHours:
    tz: ZoneInfo
    day_starts_at: time
    day_ends_at: time
    weekdays: frozenset[int]  # ISO: Monday=1 … Sunday=7

    @classmethod
    def of(cls, school) -> SchoolHours:
        """From anything shaped like accounts.models.School."""
        return cls(
            tz=ZoneInfo(school.timezone),
            day_starts_at=school.day_starts_at,
            day_ends_at=school.day_ends_at,
            weekdays=frozenset(int(day) for day in school.school_weekdays),
        )


@dataclass(frozen=True)
class DueTimes:
    acknowledge_due_at: datetime | None
    first_response_due_at: datetime | None


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("SLA arithmetic needs timezone-aware datetimes.")


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a local date.

    A time skipped by a spring-forward change moves forward by the gap (2:30 becomes 3:30
    daylight time); a time repeated in the fall is its first occurrence (PEP 495, fold=0).
    """
    return datetime.combine(day, at).replace(tzinfo=tz, fold=0).astimezone(UTC)


def is_school_day(day: date, hours: SchoolHours) -> bool:
    return day.isoweekday() in hours.weekdays


def is_school_hours(moment: datetime, hours: SchoolHours) -> bool:
    """True during the school day, on a school weekday, in the school's own timezone."""
    _require_aware(moment)
    local = moment.astimezone(hours.tz)
    return (
        is_school_day(local.date(), hours)
        and hours.day_starts_at <= local.time().replace(tzinfo=None) < hours.day_ends_at
    )


def school_days_after(moment: datetime, hours: SchoolHours, count: int) -> date:
    """The `count`-th school day after the local date of `moment` (count >= 1)."""
    _require_aware(moment)
    day = moment.astimezone(hours.tz).date()
    found = 0
    for _ in range(MAX_SEARCH_DAYS):
        day += timedelta(days=1)
        if is_school_day(day, hours):
            found += 1
            if found >= count:
                return day
    raise ValueError("The school has no school days configured.")


def end_of_school_days_after(moment: datetime, hours: SchoolHours, count: int = 1) -> datetime:
    """When the `count`-th school day after `moment` ends (UTC)."""
    return local_moment(school_days_after(moment, hours, count), hours.day_ends_at, hours.tz)


def next_school_day_start(moment: datetime, hours: SchoolHours) -> datetime:
    """The start of the next school day at or after `moment` (UTC)."""
    _require_aware(moment)
    day = moment.astimezone(hours.tz).date()
    for _ in range(MAX_SEARCH_DAYS):
        if is_school_day(day, hours):
            start = local_moment(day, hours.day_starts_at, hours.tz)
            if start >= moment:
                return start
        day += timedelta(days=1)
    raise ValueError("The school has no school days configured.")


def previous_school_day_end(moment: datetime, hours: SchoolHours) -> datetime:
    """The end of the last school day that ended at or before `moment` (UTC)."""
    _require_aware(moment)
    day = moment.astimezone(hours.tz).date()
    for _ in range(MAX_SEARCH_DAYS):
        if is_school_day(day, hours):
            end = local_moment(day, hours.day_ends_at, hours.tz)
            if end <= moment:
                return end
        day -= timedelta(days=1)
    raise ValueError("The school has no school days configured.")


def due_times(
    *, opened_at: datetime, priority: int, targets: SlaTargets, hours: SchoolHours
) -> DueTimes:
    """When a case opened at `opened_at` with `priority` must be acknowledged / answered.

    Life-safety: acknowledged within the target at any hour, first response within the
    urgent target. Urgent: first response within its target at any hour. Routine: by the end
    of the next school day (or the Nth), in the school's timezone and hours.
    """
    _require_aware(opened_at)
    opened = opened_at.astimezone(UTC)
    if priority == LIFE_SAFETY:
        return DueTimes(
            opened + targets.life_safety_acknowledge, opened + targets.urgent_first_response
        )
    if priority == URGENT:
        return DueTimes(None, opened + targets.urgent_first_response)
    return DueTimes(None, end_of_school_days_after(opened, hours, targets.routine_school_days))


def clock_start(
    *, opened_at: datetime, changed_at: datetime, old_priority: int, new_priority: int
) -> datetime:
    """Where a case's SLA clock counts from once its priority changes.

    Raised (a smaller number is more pressing): from the raise, so a case raised by hand to
    life-safety an hour after it opened gets its five minutes to be acknowledged instead of
    being overdue at once. Lowered or unchanged: from when it opened, as before. The case's
    opened time itself never moves (summaries report from it).
    """
    _require_aware(opened_at)
    _require_aware(changed_at)
    return changed_at if new_priority < old_priority else opened_at


def missed_deadlines(
    *,
    now: datetime,
    acknowledge_due_at: datetime | None,
    acknowledged_at: datetime | None,
    first_response_due_at: datetime | None,
    first_response_at: datetime | None,
) -> list[str]:
    """Names of the deadlines that have passed unmet: "acknowledge", "first_response"."""
    _require_aware(now)
    missed = []
    if acknowledge_due_at and acknowledged_at is None and now > acknowledge_due_at:
        missed.append("acknowledge")
    if first_response_due_at and first_response_at is None and now > first_response_due_at:
        missed.append("first_response")
    return missed
