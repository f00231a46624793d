"""Summary periods: whole calendar days in a school's (or district's) own time zone.

A period is an inclusive range of local dates. Its database bounds are half-open instants,
[local midnight of the first day, local midnight after the last day), so a case opened at
23:30 local on the last day belongs to the period and one at 00:10 the next day does not,
whatever the UTC offset or a daylight-saving change in between.

Accepted spellings (the `period` query parameter):
    2025-03        a calendar month          2025-W10     an ISO week (Monday to Sunday)
    2025-Q1        a calendar quarter        2025         a calendar year
    SY2024         the school year 1 July 2024 - 30 June 2025
    2025-03-01..2025-03-15                   any range of days (at most 3 years)

Every summary page, CSV, annual report and API endpoint reads its period through
`period_from_query` (or `school_year_from_query` for the annual report's ?year=): one
validator, so a spelling accepted or refused by one is accepted or refused by all. Periods
before FIRST_YEAR or not yet begun are refused with a message (there is nothing to count,
and dates near year 1 or 9999 have no previous or next period).
"""

from __future__ import annotations

import calendar
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext

MAX_CUSTOM_DAYS = 3 * 366
FIRST_YEAR = 1970

ERROR_UNREADABLE = "Use a month (2025-03), week (2025-W10), quarter, year or school year."
ERROR_NO_SUCH_DATE = "That date does not exist."
ERROR_RANGE = "The range must run forwards and span at most three years."
ERROR_TOO_EARLY = f"Choose a period from {FIRST_YEAR} on."
ERROR_FUTURE = "That period has not begun yet: choose one that has."
ERROR_YEAR = "Give the school year as the year it starts in, e.g. 2024 for 2024-25."


class PeriodError(ValueError):
    """The period could not be read; the message is safe to show."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, week, quarter, year, school_year, days
    first_day: date
    last_day: date

    @property
    def key(self) -> str:
        """The spelling that parses back to this period."""
        if self.kind == "month":
            return self.first_day.strftime("%Y-%m")
        if self.kind == "week":
            year, week, _ = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "quarter":
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        if self.kind == "year":
            return str(self.first_day.year)
        if self.kind == "school_year":
            return f"SY{self.first_day.year}"
        return f"{self.first_day.isoformat()}..{self.last_day.isoformat()}"

    @property
    def label(self) -> str:
        """The period's name in the active language (month names from Django's formats)."""
        if self.kind == "month":
            return date_format(self.first_day, "F Y")
        if self.kind == "week":
            return gettext("Week of %(day)s") % {"day": date_format(self.first_day, "j M Y")}
        if self.kind == "quarter":
            return gettext("Q%(quarter)s %(year)s") % {
                "quarter": (self.first_day.month - 1) // 3 + 1,
                "year": self.first_day.year,
            }
        if self.kind == "year":
            return str(self.first_day.year)
        if self.kind == "school_year":
            return gettext("School year %(start)s-%(end)02d") % {
                "start": self.first_day.year,
                "end": (self.first_day.year + 1) % 100,
            }
        return f"{date_format(self.first_day, 'j M Y')} - {date_format(self.last_day, 'j M Y')}"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def bounds(self, tz: str | zoneinfo.ZoneInfo) -> tuple[datetime, datetime]:
        """Half-open aware instants [start, end) of the period's local days."""
        zone = zoneinfo.ZoneInfo(tz) if isinstance(tz, str) else tz
        start = datetime.combine(self.first_day, time.min, tzinfo=zone)
        end = datetime.combine(self.last_day + timedelta(days=1), time.min, tzinfo=zone)
        return start, end

    def previous(self) -> Period:
        """The period of the same kind just before (a custom range: as many days before)."""
        if self.kind == "month":
            return month_period(_add_months(self.first_day, -1))
        if self.kind == "quarter":
            first = _add_months(self.first_day, -3)
            return Period("quarter", first, _add_months(first, 3) - timedelta(days=1))
        if self.kind in ("year", "school_year"):
            first = self.first_day.replace(year=self.first_day.year - 1)
            return Period(self.kind, first, self.first_day - timedelta(days=1))
        last = self.first_day - timedelta(days=1)
        return Period(self.kind, last - timedelta(days=self.days - 1), last)

    def next(self) -> Period:
        if self.kind == "month":
            return month_period(_add_months(self.first_day, 1))
        if self.kind == "quarter":
            first = _add_months(self.first_day, 3)
            return Period("quarter", first, _add_months(first, 3) - timedelta(days=1))
        if self.kind in ("year", "school_year"):
            first = self.last_day + timedelta(days=1)
            return Period(self.kind, first, first.replace(year=first.year + 1) - timedelta(1))
        first = self.last_day + timedelta(days=1)
        return Period(self.kind, first, first + timedelta(days=self.days - 1))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_period(day: date) -> Period:
    first = day.replace(day=1)
    return Period(
        "month", first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    )


def school_year_period(start_year: int) -> Period:
    return Period("school_year", date(start_year, 7, 1), date(start_year + 1, 6, 30))


def school_year_containing(day: date) -> Period:
    return school_year_period(day.year if day.month >= 7 else day.year - 1)


def local_today(tz: str) -> date:
    return datetime.now(zoneinfo.ZoneInfo(tz)).date()


# ASCII digits only (\d would take other scripts' digits too), anchored at both ends (\Z:
# "$" would accept a trailing newline).
_MONTH = re.compile(r"^(\d{4})-(\d{2})\Z", re.ASCII)
_WEEK = re.compile(r"^(\d{4})-W(\d{2})\Z", re.ASCII)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])\Z", re.ASCII)
_YEAR = re.compile(r"^(\d{4})\Z", re.ASCII)
_SCHOOL_YEAR = re.compile(r"^SY(\d{4})\Z", re.ASCII)
_DAYS = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})\Z", re.ASCII)


def period_parse(value: str | None, *, today: date) -> Period:
    """Read a period spelling; empty means the month containing `today` (local)."""
    value = (value or "").strip().upper()
    if not value:
        return month_period(today)
    try:
        if match := _MONTH.match(value):
            return month_period(date(int(match[1]), int(match[2]), 1))
        if match := _WEEK.match(value):
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return Period("week", monday, monday + timedelta(days=6))
        if match := _QUARTER.match(value):
            first = date(int(match[1]), (int(match[2]) - 1) * 3 + 1, 1)
            return Period("quarter", first, _add_months(first, 3) - timedelta(days=1))
        if match := _YEAR.match(value):
            year = int(match[1])
            return Period("year", date(year, 1, 1), date(year, 12, 31))
        if match := _SCHOOL_YEAR.match(value):
            return school_year_period(int(match[1]))
        if match := _DAYS.match(value):
            first, last = date.fromisoformat(match[1]), date.fromisoformat(match[2])
            if last < first or (last - first).days >= MAX_CUSTOM_DAYS:
                raise PeriodError(ERROR_RANGE)
            return Period("days", first, last)
    except PeriodError:
        raise
    except (ValueError, OverflowError) as error:  # no such date, or past year 9999
        raise PeriodError(ERROR_NO_SUCH_DATE) from error
    raise PeriodError(ERROR_UNREADABLE)


def period_checked(period: Period, *, today: date) -> Period:
    """The period if summaries can be drawn for it: begun by `today`, not before FIRST_YEAR."""
    if period.first_day.year < FIRST_YEAR:
        raise PeriodError(ERROR_TOO_EARLY)
    if period.first_day > today:
        raise PeriodError(ERROR_FUTURE)
    return period


def period_from_query(value: str | None, *, today: date) -> Period:
    """The `period` query parameter of every summary page, export and API endpoint, read and
    checked; raises PeriodError (its message is safe to show). Empty: this month."""
    return period_checked(period_parse(value, today=today), today=today)


_SCHOOL_YEAR_START = re.compile(r"^\d{4}\Z", re.ASCII)


def school_year_from_query(value: str | None, *, today: date) -> Period:
    """The annual report's `year` (2024 is the school year 2024-25), checked like any period.
    Empty: the last complete school year."""
    value = (value or "").strip()
    if not value:
        return school_year_containing(today).previous()
    if not _SCHOOL_YEAR_START.match(value):
        raise PeriodError(ERROR_YEAR)
    start = int(value)
    if start > today.year:  # before building it: the year 9999 has no 30 June after it
        raise PeriodError(ERROR_FUTURE)
    return period_checked(school_year_period(start), today=today)


def period_has_begun(period: Period, *, today: date) -> bool:
    """For "next period" links: a link to a period not begun would only be refused."""
    return period.first_day <= today


def trend_buckets(kind: str, last_day: date, count: int) -> list[Period]:
    """The `count` weeks or months ending with the one containing `last_day`, oldest first."""
    if kind == "month":
        periods = [month_period(last_day)]
    else:
        monday = last_day - timedelta(days=last_day.weekday())
        periods = [Period("week", monday, monday + timedelta(days=6))]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]
