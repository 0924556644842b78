"""When a scheduled report is due: pure date maths, no database.

Defaults follow the customers' contracts: a daily report the next morning, a weekly report by the
Wednesday after the (ISO, Monday–Sunday) week, a monthly report by the 7th of the next month, a
quarterly one by the 9th ("before the 10th"), the half-year report early July (the 7th) and the
annual report early January (the 7th). Every schedule may change its weekday or day of month and
its hour. The contract's own limit (period end + 7 days, `ReportPeriod.due_on`) is separate: a
schedule set later than that limit makes every report late, which `schedule_exceeds_limit` tells.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from jiesu.reports.choices import ReportKind
from jiesu.reports.periods import ReportPeriod, period_containing

DEFAULT_WEEKDAY = 2  # Wednesday (Monday = 0)
DEFAULT_DAY = {
    ReportKind.MONTHLY: 7,
    ReportKind.QUARTERLY: 9,
    ReportKind.HALF_YEAR: 7,
    ReportKind.ANNUAL: 7,
}
DEFAULT_HOUR = 8
LATEST_DAY = 28  # every month has it


@dataclass(frozen=True)
class DueRule:
    """The configurable part of a schedule; None takes the kind's default."""

    kind: str
    weekday: int | None = None
    day: int | None = None
    hour: int = DEFAULT_HOUR


def due_date(rule: DueRule, period_end: date) -> date:
    """The day the report of the period ending on `period_end` is scheduled for."""
    kind = ReportKind(rule.kind)
    if kind == ReportKind.DAILY:
        return period_end + timedelta(days=1)
    if kind == ReportKind.WEEKLY:
        weekday = DEFAULT_WEEKDAY if rule.weekday is None else rule.weekday
        # The first such weekday strictly after the week's Sunday.
        return period_end + timedelta(days=(weekday - period_end.weekday() - 1) % 7 + 1)
    if kind in DEFAULT_DAY:
        day = DEFAULT_DAY[kind] if rule.day is None else min(max(rule.day, 1), LATEST_DAY)
        following = period_end + timedelta(days=1)  # the first day of the next month
        return following.replace(day=day)
    raise ValueError(f"special reports have no schedule: {rule.kind}")


def due_moment(rule: DueRule, period_end: date, tz: tzinfo) -> datetime:
    """The moment (in `tz`, Beijing time in practice) the worker generates and sends."""
    return datetime.combine(due_date(rule, period_end), time(rule.hour), tzinfo=tz)


def last_finished_period(kind: str, today: date) -> ReportPeriod:
    """The most recent period of `kind` that ended before `today`."""
    return period_containing(kind, today).previous()


def schedule_exceeds_limit(rule: DueRule, period: ReportPeriod) -> bool:
    """True when the schedule would send after the contract's 7-day limit for `period`."""
    return due_date(rule, period.end) > period.due_on


def period_due_now(rule: DueRule, now: datetime) -> ReportPeriod | None:
    """The last finished period if its scheduled moment has come at `now` (aware), else None."""
    tz = now.tzinfo
    assert tz is not None, "now must be timezone-aware"
    period = last_finished_period(rule.kind, now.date())
    if now >= due_moment(rule, period.end, tz):
        return period
    return None


CATCH_UP = 3  # periods a worker that was down may still make up, per schedule


def periods_due_now(rule: DueRule, now: datetime, *, scheduled_since: date) -> list[ReportPeriod]:
    """`period_due_now`'s period, plus up to CATCH_UP - 1 earlier ones that ended after the
    schedule began (a worker down for a while makes them up), oldest first."""
    latest = period_due_now(rule, now)
    if latest is None:
        return []
    periods = [latest]
    while len(periods) < CATCH_UP and (earlier := periods[-1].previous()).end >= scheduled_since:
        periods.append(earlier)
    return periods[::-1]
