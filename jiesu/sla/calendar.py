"""Working-time maths for mainland China: working days, working hours and deadlines.

Pure Python, no Django imports. A `WorkCalendar` knows the statutory holidays and make-up
workdays (调休) of the years it covers and the daily working periods of a center; it **fails
closed**: any question about a year it does not cover raises `CalendarNotLoaded`, because next
year's 调休 cannot be guessed.

Deadlines are computed in Asia/Shanghai local time:

- ``wd`` (working days): the n-th working day strictly after the start *date*, at 23:59:59, or
  at the end of that day's last working period when `wd_end_of_working_day` is set;
- ``wh`` (working hours): only time inside the working periods of working days counts; a start
  in the lunch break counts from 13:30, a start on a holiday from the next working period;
- ``h``, ``d``, ``min``: plain calendar time; they never consult the calendar.

Speed matters (batch imports compute hundreds of thousands of deadlines), so each calendar builds
an index once: the sorted ordinals of its working days, and for every day of the covered span the
index of the first working day on or after it. A moment then has a *working position* (working
microseconds since the first covered working day) and a working-hour deadline is one addition and
a division. `jiesu.sla.reference` holds the obvious step-by-step versions the tests compare with.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
MONDAY_TO_FRIDAY = frozenset(range(5))  # date.weekday() values

_US_PER_MINUTE = 60_000_000
_US_PER_HOUR = 3_600_000_000
_END_OF_DAY = time(23, 59, 59)


class CalendarNotLoaded(Exception):
    """The holidays and make-up workdays of `year` are not known, so working time cannot be computed."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(f"{year}年的节假日与调休安排尚未录入，无法计算工作日")


class DurationUnit(StrEnum):
    WORKING_HOUR = "wh"
    WORKING_DAY = "wd"
    HOUR = "h"
    DAY = "d"
    MINUTE = "min"

    @property
    def label(self) -> str:
        return _UNIT_LABELS[self]

    @property
    def uses_calendar(self) -> bool:
        return self in (DurationUnit.WORKING_HOUR, DurationUnit.WORKING_DAY)


_UNIT_LABELS = {
    DurationUnit.WORKING_HOUR: "个工作小时",
    DurationUnit.WORKING_DAY: "个工作日",
    DurationUnit.HOUR: "小时",
    DurationUnit.DAY: "天（自然日）",
    DurationUnit.MINUTE: "分钟",
}


@dataclass(frozen=True)
class Duration:
    """A time limit such as 2 working hours or 15 working days."""

    amount: int
    unit: DurationUnit

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"时限不能为负数：{self.amount}")
        # Accept the plain string values ("wh") as well as the enum members.
        object.__setattr__(self, "unit", DurationUnit(self.unit))

    @cached_property
    def _delta(self) -> timedelta:
        """Calendar units as a timedelta; working units in working microseconds (as a timedelta)."""
        unit = self.unit
        if unit is DurationUnit.DAY:
            return timedelta(days=self.amount)
        if unit is DurationUnit.MINUTE:
            return timedelta(minutes=self.amount)
        return timedelta(hours=self.amount)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit.value}"

    @property
    def label(self) -> str:
        """Chinese wording for screens, e.g. "2个工作小时"."""
        return f"{self.amount}{self.unit.label}"


_DURATION_RE = re.compile(r"^\s*(\d{1,6})\s*(wh|wd|min|h|d)\s*$", re.IGNORECASE)


def parse_duration(text: str) -> Duration:
    """Parse "2wh", "15wd", "24h", "7d" or "30min" (case and spaces are ignored)."""
    match = _DURATION_RE.match(text)
    if match is None:
        raise ValueError(
            f"无法识别的时限“{text}”：应为整数加单位，例如 2wh（工作小时）、15wd（工作日）、"
            "24h（小时）、7d（自然日）、30min（分钟）"
        )
    return Duration(int(match.group(1)), DurationUnit(match.group(2).lower()))


@dataclass(frozen=True)
class WorkCalendar:
    """Mainland-China working days (Mon–Fri, minus statutory holidays, plus make-up workdays) and
    the daily working periods of one center."""

    holidays: frozenset[date]
    make_up_workdays: frozenset[date]
    covered_years: frozenset[int]
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS
    weekdays: frozenset[int] = MONDAY_TO_FRIDAY

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("工作时间段不能为空")
        previous_end: time | None = None
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise ValueError("工作时间段应为不带时区的本地时间")
            if not start < end:
                raise ValueError(f"工作时间段 {start:%H:%M}–{end:%H:%M} 的开始时间必须早于结束时间")
            if previous_end is not None and start < previous_end:
                raise ValueError("工作时间段必须按时间顺序排列且互不重叠")
            previous_end = end

    def is_workday(self, day: date) -> bool:
        if day.year not in self.covered_years:
            raise CalendarNotLoaded(day.year)  # never guess next year's 调休
        if day in self.make_up_workdays:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    @property
    def working_minutes_per_day(self) -> int:
        return self._index.day_length // _US_PER_MINUTE

    @cached_property
    def _index(self) -> _Index:
        return _Index(self)


class _Index:
    """Precomputed lookup tables of one WorkCalendar (built once, on first use)."""

    def __init__(self, calendar: WorkCalendar) -> None:
        self.covered = calendar.covered_years
        self.tz = SHANGHAI
        # Working periods as microseconds since midnight, with cumulative working time.
        self.period_starts: list[int] = []
        self.cum_before: list[int] = []
        self.cum_end: list[int] = []
        total = 0
        for start, end in calendar.periods:
            s, e = _time_us(start), _time_us(end)
            self.period_starts.append(s)
            self.cum_before.append(total)
            total += e - s
            self.cum_end.append(total)
        self.day_length = total
        self.last_end = calendar.periods[-1][1]

        self.wd_ords: list[int] = []
        self.wd_ymd: list[tuple[int, int, int]] = []
        self.next_wd: list[int] = []  # per day of the span: index of the first working day on or after it
        self.is_wd = bytearray()
        self.wd_day_end: list[datetime] = []
        self.wd_period_end: list[datetime] = []
        if not self.covered:
            self.base = 0
            self.next_wd.append(0)
            return
        first, last = min(self.covered), max(self.covered)
        self.base = date(first, 1, 1).toordinal()
        for ordinal in range(self.base, date(last, 12, 31).toordinal() + 1):
            day = date.fromordinal(ordinal)
            working = day.year in self.covered and calendar.is_workday(day)
            self.next_wd.append(len(self.wd_ords))
            self.is_wd.append(working)
            if working:
                self.wd_ords.append(ordinal)
                self.wd_ymd.append((day.year, day.month, day.day))
        self.next_wd.append(len(self.wd_ords))  # sentinel: the day after the span
        # Working-day deadlines are looked up, not built: 23:59:59 and the end of the last period.
        days = [date.fromordinal(ordinal) for ordinal in self.wd_ords]
        self.wd_day_end = [datetime.combine(day, _END_OF_DAY, tzinfo=SHANGHAI) for day in days]
        self.wd_period_end = [datetime.combine(day, self.last_end, tzinfo=SHANGHAI) for day in days]

    # -- helpers -------------------------------------------------------------------------------

    def check_span(self, first_year: int, last_year: int) -> None:
        """Raise unless every year from first_year to last_year is covered."""
        for year in range(first_year, last_year + 1):
            if year not in self.covered:
                raise CalendarNotLoaded(year)

    def first_uncovered_after(self, year: int) -> int:
        year += 1
        while year in self.covered:
            year += 1
        return year

    def position(self, local: datetime) -> int:
        """Working microseconds before `local` (a Shanghai-local moment in a covered year)."""
        i = local.toordinal() - self.base
        k = self.next_wd[i]
        if not self.is_wd[i]:
            return k * self.day_length
        tod = ((local.hour * 60 + local.minute) * 60 + local.second) * 1_000_000 + local.microsecond
        j = bisect_right(self.period_starts, tod) - 1
        if j < 0:
            return k * self.day_length
        offset = self.cum_before[j] + tod - self.period_starts[j]
        if offset > self.cum_end[j]:
            offset = self.cum_end[j]
        return k * self.day_length + offset

    def moment(self, position: int, start_year: int) -> datetime:
        """The earliest moment whose working position is `position` (> 0): a deadline that uses
        up a period exactly ends at that period's end, not at the start of the next one."""
        k, rest = divmod(position, self.day_length)
        if rest == 0:
            k -= 1
            rest = self.day_length
        if k >= len(self.wd_ords):
            raise CalendarNotLoaded(self.first_uncovered_after(start_year))
        year, month, day = self.wd_ymd[k]
        if year != start_year:
            self.check_span(start_year, year)
        j = bisect_left(self.cum_end, rest)
        tod = self.period_starts[j] + rest - self.cum_before[j]
        hour, tod = divmod(tod, _US_PER_HOUR)
        minute, tod = divmod(tod, _US_PER_MINUTE)
        second, micro = divmod(tod, 1_000_000)
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=self.tz)

    def nth_workday_index(self, day_ordinal: int, year: int, n: int) -> int:
        """Index (into the working-day tables) of the n-th working day strictly after the given
        day of `year` (n >= 1)."""
        k = self.next_wd[day_ordinal - self.base + 1] + n - 1
        if k >= len(self.wd_ords):
            raise CalendarNotLoaded(self.first_uncovered_after(year))
        result_year = self.wd_ymd[k][0]
        if result_year != year:
            self.check_span(year, result_year)
        return k


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("时间必须带时区（aware datetime）")
    return moment.astimezone(SHANGHAI)


def add_duration(
    start: datetime, duration: Duration, calendar: WorkCalendar, *, wd_end_of_working_day: bool = False
) -> datetime:
    """The deadline `duration` after `start`, as an aware Asia/Shanghai datetime.

    `wd_end_of_working_day` applies to working days only: the deadline is then the end of the
    last working period of the n-th working day instead of 23:59:59.
    """
    # This function is the hot path of batch imports: it is deliberately flat.
    if start.tzinfo is None:
        raise ValueError("时间必须带时区（aware datetime）")
    local = start.astimezone(SHANGHAI)
    unit = duration.unit
    if not (unit is DurationUnit.WORKING_HOUR or unit is DurationUnit.WORKING_DAY):
        return local + duration._delta
    index = calendar._index
    year = local.year
    if year not in index.covered:
        raise CalendarNotLoaded(year)
    amount = duration.amount
    if unit is DurationUnit.WORKING_HOUR:
        if amount == 0:
            return local
        return index.moment(index.position(local) + amount * _US_PER_HOUR, year)
    if amount == 0:  # the same day; a start after its end (late evening, its last second) is the deadline
        end = datetime.combine(local.date(), index.last_end if wd_end_of_working_day else _END_OF_DAY, tzinfo=SHANGHAI)
        return end if end >= local else local
    k = index.nth_workday_index(local.toordinal(), year, amount)
    return index.wd_period_end[k] if wd_end_of_working_day else index.wd_day_end[k]


def add_workdays(start: date, workdays: int, calendar: WorkCalendar) -> date:
    """The `workdays`-th working day strictly after `start` (`start` itself for 0)."""
    if workdays < 0:
        raise ValueError(f"工作日数不能为负数：{workdays}")
    if start.year not in calendar.covered_years:
        raise CalendarNotLoaded(start.year)
    if workdays == 0:
        return start
    index = calendar._index
    return date(*index.wd_ymd[index.nth_workday_index(start.toordinal(), start.year, workdays)])


def working_minutes_between(a: datetime, b: datetime, calendar: WorkCalendar) -> int:
    """Whole working minutes from `a` to `b` (negative when `b` is before `a`)."""
    la, lb = _local(a), _local(b)
    if lb < la:
        return -working_minutes_between(b, a, calendar)
    index = calendar._index
    index.check_span(la.year, lb.year)
    return (index.position(lb) - index.position(la)) // _US_PER_MINUTE


def add_working_minutes(start: datetime, minutes: int, calendar: WorkCalendar) -> datetime:
    """The moment `minutes` working minutes after `start` (`start` itself for 0). Moves a
    deadline by the working time a pause took: as for `wh`, a result that uses up a working
    period exactly ends at that period's end."""
    if minutes < 0:
        raise ValueError(f"工作分钟数不能为负数：{minutes}")
    local = _local(start)
    if minutes == 0:
        return local
    index = calendar._index
    index.check_span(local.year, local.year)
    return index.moment(index.position(local) + minutes * _US_PER_MINUTE, local.year)


def is_working_time(moment: datetime, calendar: WorkCalendar) -> bool:
    """True when `moment` lies inside a working period of a working day."""
    local = _local(moment)
    if not calendar.is_workday(local.date()):
        return False
    now = local.time()
    return any(start <= now < end for start, end in calendar.periods)


def workdays_in_year(year: int, calendar: WorkCalendar) -> int:
    """Number of working days in a covered year."""
    if year not in calendar.covered_years:
        raise CalendarNotLoaded(year)
    index = calendar._index
    first = date(year, 1, 1).toordinal() - index.base
    last = date(year, 12, 31).toordinal() - index.base
    return index.next_wd[last + 1] - index.next_wd[first]
