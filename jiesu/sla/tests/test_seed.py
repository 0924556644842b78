"""The seed migration against docs/domain-rules.md §10 and chinesecalendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from chinese_calendar import is_workday as package_is_workday

from jiesu.sla.models import CalendarDay, CalendarYear, TimeLimitRuleSet, WorkingHours
from jiesu.sla.selectors import work_calendar
from jiesu.sla.tests.tables import WORKDAY_VECTORS, make_up_days, off_days

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("year", [2025, 2026])
def test_seed_matches_domain_rules_tables(year):
    stored_off = set(CalendarDay.objects.filter(day__year=year, is_workday=False).values_list("day", flat=True))
    stored_work = set(CalendarDay.objects.filter(day__year=year, is_workday=True).values_list("day", flat=True))
    # Only weekday holidays are stored: weekend days of a break are off anyway.
    assert stored_off == {d for d in off_days(year) if d.weekday() < 5}
    assert stored_work == make_up_days(year)


def test_notices_of_2025_and_2026():
    notices = dict(CalendarYear.objects.filter(year__in=[2025, 2026]).values_list("year", "notice_number"))
    assert notices == {2025: "国办发明电〔2024〕12号", 2026: "国办发明电〔2025〕7号"}


def test_seed_covers_2004_to_2026_and_agrees_with_chinesecalendar_every_day():
    years = set(CalendarYear.objects.filter(is_complete=True).values_list("year", flat=True))
    assert years == set(range(2004, 2027))
    calendar = work_calendar()
    day = date(2004, 1, 1)
    while day.year <= 2026:
        assert calendar.is_workday(day) == package_is_workday(day), day
        day += timedelta(days=1)


def test_the_database_calendar_reproduces_the_vectors():
    calendar = work_calendar(years=[2025, 2026])
    from jiesu.sla.calendar import add_workdays

    for start, n, expected in WORKDAY_VECTORS:
        assert add_workdays(date.fromisoformat(start), n, calendar) == date.fromisoformat(expected)


def test_holiday_names_are_chinese_and_merged_breaks_read_as_one():
    assert CalendarDay.objects.get(day=date(2026, 2, 16)).name == "春节"
    assert CalendarDay.objects.get(day=date(2025, 10, 6)).name == "国庆节、中秋节"
    assert CalendarDay.objects.get(day=date(2026, 1, 4)).name == "元旦"


def test_presets_and_default_working_hours():
    assert list(TimeLimitRuleSet.objects.filter(is_active=True).values_list("code", flat=True)) == ["beijing"]
    yanta = TimeLimitRuleSet.objects.get(code="yanta")
    assert yanta.confidence == "V"
    assert TimeLimitRuleSet.objects.get(code="beijing").confidence == "V2"
    assert yanta.rules.count() == 5
    hours = WorkingHours.objects.get(code="default")
    assert hours.periods == [["09:00", "12:00"], ["13:30", "17:30"]]
    assert hours.weekdays == [1, 2, 3, 4, 5]
