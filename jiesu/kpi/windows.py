"""Assessment periods: calendar months and quarters, and windows that start on another day of the
month, such as "19th of last month to 18th of this month" (docs/kpi.md).

A scheme's `period` (month / quarter / custom) and `period_start_day` are versioned data: the
period that contains a day follows the scheme version in force on that day. A custom period is a
month-long window from the start day; with start day 1 it is the calendar month.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from jiesu.kpi.choices import Period
from jiesu.kpi.errors import BadWindow, UnknownScheme
from jiesu.kpi.selectors import scheme_in_force

# The longest window a viewer may ask for (pages, API): one counting query either way, but the
# pages run several evaluations per visit, and beyond three years nobody reads the figures.
MAX_WINDOW_DAYS = 3 * 366


@dataclass(frozen=True)
class AssessmentPeriod:
    """Whole days in Beijing time, `end` included."""

    start: date
    end: date
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _whole_months(start: date, end: date) -> int | None:
    """k when [start, end] is k whole months (calendar or shifted to start on the same day)."""
    for k in range(1, 25):
        if add_months(start, k) - timedelta(days=1) == end:
            return k
    return None


def period_label(start: date, end: date) -> str:
    """ "2024年3月" for a month (labelled by the month it ends in when it starts on another day),
    "2024年第1季度" for a quarter, otherwise the two dates."""
    months = _whole_months(start, end)
    if months == 1:
        return f"{end.year}年{end.month}月"
    if months == 3 and end.month % 3 == 0:
        return f"{end.year}年第{end.month // 3}季度"
    return f"{start.isoformat()}至{end.isoformat()}"


def _period(last_month: date, months: int, start_day: int) -> AssessmentPeriod:
    """The period of `months` months whose last month is the month of `last_month`."""
    first_month = add_months(last_month.replace(day=1), 1 - months)
    if start_day == 1:
        start, end = first_month, _month_end(last_month)
    else:
        start = add_months(first_month, -1).replace(day=start_day)
        end = last_month.replace(day=start_day - 1)
    return AssessmentPeriod(start, end, period_label(start, end))


def period_containing(scheme_code: str, on: date) -> AssessmentPeriod:
    """The assessment period of scheme `scheme_code` (the version in force on `on`) holding `on`."""
    scheme = scheme_in_force(code=scheme_code, on=on)
    start_day = scheme.period_start_day
    # A day on or after the start day belongs to the period named after the next month.
    month = on.replace(day=1) if start_day == 1 or on.day < start_day else add_months(on.replace(day=1), 1)
    if scheme.period == Period.QUARTER:
        month = month.replace(month=((month.month - 1) // 3) * 3 + 3)
        return _period(month, 3, start_day)
    return _period(month, 1, start_day)


def period_of(start: date, end: date) -> AssessmentPeriod:
    if start > end:
        raise BadWindow(start=str(start), end=str(end))
    return AssessmentPeriod(start, end, period_label(start, end))


def period_before(start: date, end: date) -> AssessmentPeriod:
    """The window of the same length just before [start, end]: as many whole months when it is
    whole months, else as many days."""
    months = _whole_months(start, end)
    if months is not None:
        return period_of(add_months(start, -months), start - timedelta(days=1))
    days = (end - start).days + 1
    return period_of(start - timedelta(days=days), start - timedelta(days=1))


def period_previous(scheme_code: str, period: AssessmentPeriod) -> AssessmentPeriod:
    """The scheme's period before `period`; for a window that is not one of the scheme's periods,
    the window of the same length before it (period_before)."""
    if _is_scheme_period(scheme_code, period):
        return period_containing(scheme_code, period.start - timedelta(days=1))
    return period_before(period.start, period.end)


def _is_scheme_period(scheme_code: str, period: AssessmentPeriod) -> bool:
    own = period_containing(scheme_code, period.start)
    return (own.start, own.end) == (period.start, period.end)


def _year_earlier(day: date, *, month_end: bool) -> date:
    earlier = add_months(day, -12)
    return _month_end(earlier) if month_end else earlier


def period_year_earlier(period: AssessmentPeriod) -> AssessmentPeriod:
    """The same dates a year before (a period ending on a month's last day ends on it again)."""
    start = _year_earlier(period.start, month_end=False)
    end = _year_earlier(period.end, month_end=period.end == _month_end(period.end))
    return period_of(start, end)


def periods_recent(scheme_code: str, *, last: AssessmentPeriod, count: int) -> list[AssessmentPeriod]:
    """`count` periods ending with `last`, oldest first; fewer when the scheme was not yet in
    force that far back."""
    periods = [last]
    while len(periods) < count:
        try:
            periods.append(period_previous(scheme_code, periods[-1]))
        except UnknownScheme:
            break
    return periods[::-1]
