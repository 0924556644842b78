from __future__ import annotations

from datetime import date, time

import pytest

from jiesu.sla.calendar import CalendarNotLoaded
from jiesu.sla.models import CalendarYear, WorkingHours
from jiesu.sla.selectors import calendar_year_missing_warning, rule_set_effective_on, work_calendar

pytestmark = pytest.mark.django_db


def test_work_calendar_in_two_queries(django_assert_num_queries):
    with django_assert_num_queries(2):  # years with their days, then the working hours
        calendar = work_calendar(years=[2025, 2026])
    assert calendar.covered_years == frozenset({2025, 2026})
    assert calendar.is_workday(date(2026, 2, 14))
    with pytest.raises(CalendarNotLoaded):
        calendar.is_workday(date(2024, 5, 6))


def test_work_calendar_uses_the_working_hours_in_force():
    WorkingHours.objects.create(
        code="default", name="夏令时", effective_from=date(2026, 5, 1), periods=[["08:30", "12:00"], ["14:30", "18:00"]]
    )
    assert work_calendar(on=date(2026, 6, 1)).periods == ((time(8, 30), time(12)), (time(14, 30), time(18)))
    assert work_calendar(on=date(2026, 4, 1)).periods[0] == (time(9), time(12))


def test_a_draft_year_is_not_covered():
    CalendarYear.objects.create(year=2027, is_complete=False)
    assert 2027 not in work_calendar().covered_years


def test_calendar_year_missing_warning():
    assert calendar_year_missing_warning(date(2026, 10, 31)) is None
    warning = calendar_year_missing_warning(date(2026, 11, 1))
    assert warning is not None and warning.startswith("2027年的节假日与调休安排尚未录入")
    assert "2027年" in (calendar_year_missing_warning(date(2027, 1, 2)) or "")
    CalendarYear.objects.create(year=2027, is_complete=True)
    assert calendar_year_missing_warning(date(2026, 12, 15)) is None


def test_rule_set_effective_on():
    assert rule_set_effective_on(date(2026, 3, 1)).code == "beijing"  # type: ignore[union-attr]
    assert rule_set_effective_on(date(2022, 12, 31)) is None
