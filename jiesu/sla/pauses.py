"""Pauses (挂起): the clock of a deadline stops in the unit of the limit that produced it.

A working-time limit (``wh``, ``wd``) loses only the working minutes the pause took, so a pause
over a weekend costs nothing and a pause over a make-up workday (调休上班) costs that day's hours;
a calendar limit (``h``, ``d``, ``min``) loses the plain time. Moving by the paused working
minutes is exact for ``wh``: the working time left when the pause began is the working time left
after it. Whole minutes are counted, as everywhere in the KPIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from jiesu.sla.cache import sla_snapshot
from jiesu.sla.calendar import SHANGHAI, CalendarNotLoaded, DurationUnit, add_working_minutes
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.services import working_minutes_elapsed

__all__ = ["PausedTime", "deadline_after_pause", "paused_time", "working_hours_code_of"]


@dataclass(frozen=True)
class PausedTime:
    """How long a ticket was paused, in plain seconds and in working minutes."""

    seconds: int = 0
    working_minutes: int = 0

    def __add__(self, other: PausedTime) -> PausedTime:
        return PausedTime(self.seconds + other.seconds, self.working_minutes + other.working_minutes)


def working_hours_code_of(rule_set_code: str) -> str:
    """The working hours an active rule set counts in ("default" for an unknown or retired set)."""
    for rule_set in sla_snapshot().rule_sets:
        if rule_set.code == rule_set_code:
            return rule_set.working_hours_code
    return "default"


def paused_time(intervals: Iterable[tuple[datetime, datetime]], *, working_hours_code: str = "default") -> PausedTime:
    """The total length of some pauses (start, end); raises CalendarNotLoadedError for a pause
    in a year whose calendar is not loaded."""
    total = PausedTime()
    for start, end in intervals:
        seconds = max(int((end - start).total_seconds()), 0)
        minutes = max(working_minutes_elapsed(start=start, end=end, working_hours_code=working_hours_code), 0)
        total += PausedTime(seconds, minutes)
    return total


def deadline_after_pause(
    deadline: datetime, paused: PausedTime, *, unit: str, working_hours_code: str = "default"
) -> datetime:
    """`deadline` moved by `paused`, measured in `unit` (the unit of the limit behind it).

    A deadline after the end of working hours (a working-day limit ends at 23:59:59) keeps that
    evening tail when the move lands exactly at the end of a working day: a pause of one whole
    working day moves 23:59:59 on day n to 23:59:59 on day n+1, not to 17:30.
    """
    if not DurationUnit(unit).uses_calendar:
        return deadline + timedelta(seconds=paused.seconds)
    if paused.working_minutes <= 0:
        return deadline
    local = deadline.astimezone(SHANGHAI)
    calendar = sla_snapshot().calendar_for(local.date(), working_hours_code)
    try:
        moved = add_working_minutes(local, paused.working_minutes, calendar)
    except CalendarNotLoaded as exc:
        raise CalendarNotLoadedError.from_exception(exc) from exc
    day_end: time = calendar.periods[-1][1]
    tail = local.timetz().replace(tzinfo=None)
    if tail > day_end and moved.timetz().replace(tzinfo=None) == day_end:
        return datetime.combine(moved.date(), tail, tzinfo=SHANGHAI)
    return moved
