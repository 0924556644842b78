"""Reads of the SLA configuration."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from jiesu.sla.calendar import DEFAULT_PERIODS, MONDAY_TO_FRIDAY, WorkCalendar
from jiesu.sla.models import CalendarDay, CalendarYear, TimeLimitRuleSet, WorkingHours


def work_calendar(
    *, years: Iterable[int] | None = None, working_hours_code: str = "default", on: date | None = None
) -> WorkCalendar:
    """A WorkCalendar straight from the database (uncached): the complete years among `years`
    (all complete years when None) with their days in one query, and the working hours of
    `working_hours_code` effective on `on` (today's when None; the built-in default if none)."""
    year_rows = CalendarYear.objects.filter(is_complete=True)
    if years is not None:
        year_rows = year_rows.filter(year__in=list(years))
    covered: set[int] = set()
    holidays: set[date] = set()
    make_up: set[date] = set()
    # One LEFT JOIN query: years without any override still count as covered.
    for year, day, is_workday in year_rows.values_list("year", "days__day", "days__is_workday"):
        covered.add(year)
        if day is not None:
            (make_up if is_workday else holidays).add(day)
    hours = working_hours_effective_on(on or timezone.localdate(), code=working_hours_code)
    return WorkCalendar(
        holidays=frozenset(holidays),
        make_up_workdays=frozenset(make_up),
        covered_years=frozenset(covered),
        periods=hours.period_times() if hours else DEFAULT_PERIODS,
        weekdays=hours.python_weekdays() if hours else MONDAY_TO_FRIDAY,
    )


def working_hours_effective_on(day: date, *, code: str = "default") -> WorkingHours | None:
    return WorkingHours.objects.filter(code=code, effective_from__lte=day).order_by("-effective_from").first()


def calendar_year_get(year: int) -> CalendarYear | None:
    return CalendarYear.objects.filter(year=year).first()


def calendar_days_of_year(year: int) -> QuerySet[CalendarDay]:
    return CalendarDay.objects.filter(day__year=year).order_by("day")


def rule_set_effective_on(day: date) -> TimeLimitRuleSet | None:
    """The active rule set in force on `day` (the latest `effective_from` wins)."""
    return (
        TimeLimitRuleSet.objects.filter(is_active=True, effective_from__lte=day)
        .exclude(effective_to__lt=day)
        .order_by("-effective_from", "code")
        .first()
    )


def calendar_year_missing_warning(today: date) -> str | None:
    """A warning for admins when this year's calendar, or from 1 November next year's, is not loaded."""
    complete = set(
        CalendarYear.objects.filter(is_complete=True, year__in=[today.year, today.year + 1]).values_list(
            "year", flat=True
        )
    )
    if today.year not in complete:
        return (
            f"{today.year}年的节假日与调休安排尚未录入（或尚未确认录入完整），工作日、工作小时时限目前无法计算。"
            "请立即按国务院办公厅的放假通知录入。"
        )
    following = today.year + 1
    if today.month >= 11 and following not in complete:
        return (
            f"{following}年的节假日与调休安排尚未录入。国务院办公厅通常在11月至12月发布次年的放假通知，"
            f"请在通知发布后及时录入，否则{following}年的工作日、工作小时时限将无法计算。"
        )
    return None
