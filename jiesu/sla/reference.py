"""Obvious, slow reference versions of the working-time maths in `jiesu.sla.calendar`.

Minute by minute for working hours, day by day for working days. Used only by the tests (fast
and naive must agree) and by `bench/bench_deadlines.py`; production code never imports it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from jiesu.sla.calendar import SHANGHAI, Duration, DurationUnit, WorkCalendar

_MINUTE = timedelta(minutes=1)


def _in_working_period(moment: datetime, calendar: WorkCalendar) -> bool:
    if not calendar.is_workday(moment.date()):
        return False
    now = moment.time()
    return any(start <= now < end for start, end in calendar.periods)


def _require_whole_minute(moment: datetime) -> None:
    if moment.second or moment.microsecond:
        raise ValueError("参考实现只接受整分钟的时间")


def add_duration_naive(
    start: datetime, duration: Duration, calendar: WorkCalendar, *, wd_end_of_working_day: bool = False
) -> datetime:
    """Same contract as `calendar.add_duration`, computed step by step."""
    if start.tzinfo is None:
        raise ValueError("时间必须带时区（aware datetime）")
    local = start.astimezone(SHANGHAI)
    unit, amount = duration.unit, duration.amount
    if unit is DurationUnit.WORKING_HOUR:
        _require_whole_minute(local)
        calendar.is_workday(local.date())  # fail closed on the start's year
        remaining, moment = amount * 60, local
        while remaining > 0:
            if _in_working_period(moment, calendar):
                remaining -= 1
            moment += _MINUTE
        return moment
    if unit is DurationUnit.WORKING_DAY:
        day = local.date()
        calendar.is_workday(day)
        remaining = amount
        while remaining > 0:
            day += timedelta(days=1)
            if calendar.is_workday(day):
                remaining -= 1
        end = calendar.periods[-1][1] if wd_end_of_working_day else datetime.max.time().replace(microsecond=0)
        return max(datetime.combine(day, end, tzinfo=SHANGHAI), local)
    step = {DurationUnit.HOUR: timedelta(hours=1), DurationUnit.DAY: timedelta(days=1)}.get(unit, _MINUTE)
    moment = local
    for _ in range(amount):
        moment += step
    return moment


def working_minutes_between_naive(a: datetime, b: datetime, calendar: WorkCalendar) -> int:
    """Working minutes from `a` to `b` (whole minutes, a <= b), counted one minute at a time."""
    la, lb = a.astimezone(SHANGHAI), b.astimezone(SHANGHAI)
    _require_whole_minute(la)
    _require_whole_minute(lb)
    calendar.is_workday(la.date())
    calendar.is_workday(lb.date())
    count, moment = 0, la
    while moment < lb:
        if _in_working_period(moment, calendar):
            count += 1
        moment += _MINUTE
    return count
