"""Assessment periods: calendar months and quarters, shifted windows, versions, and neighbours."""

from __future__ import annotations

from datetime import date

import pytest

from jiesu.kpi.errors import BadWindow, UnknownScheme
from jiesu.kpi.models import AssessmentScheme
from jiesu.kpi.windows import (
    AssessmentPeriod,
    add_months,
    period_before,
    period_containing,
    period_label,
    period_of,
    period_previous,
    period_year_earlier,
    periods_recent,
)

pytestmark = pytest.mark.django_db


def shifted_version(code: str, since: date, start_day: int, period: str = "month") -> AssessmentScheme:
    """A later version of a preset whose periods start on `start_day`."""
    first = AssessmentScheme.objects.filter(code=code).order_by("-version").first()
    assert first is not None
    return AssessmentScheme.objects.create(
        code=code,
        version=first.version + 1,
        name=first.name,
        period=period,
        effective_from=since,
        period_start_day=start_day,
    )


def test_a_monthly_scheme_uses_calendar_months() -> None:
    assert period_containing("beijing-3rates", date(2024, 2, 10)) == AssessmentPeriod(
        date(2024, 2, 1), date(2024, 2, 29), "2024年2月"
    )
    assert period_containing("beijing-3rates", date(2024, 12, 31)).end == date(2024, 12, 31)


def test_a_quarterly_scheme_uses_calendar_quarters() -> None:
    assert period_containing("yanta-quarterly", date(2024, 5, 31)) == AssessmentPeriod(
        date(2024, 4, 1), date(2024, 6, 30), "2024年第2季度"
    )
    assert period_containing("yanta-quarterly", date(2024, 1, 1)).label == "2024年第1季度"


def test_a_start_day_makes_19th_of_last_month_to_18th_of_this_month() -> None:
    shifted_version("beijing-3rates", date(2024, 1, 1), 19, period="custom")
    march = AssessmentPeriod(date(2024, 2, 19), date(2024, 3, 18), "2024年3月")
    assert period_containing("beijing-3rates", date(2024, 3, 18)) == march
    assert period_containing("beijing-3rates", date(2024, 2, 19)) == march
    assert period_containing("beijing-3rates", date(2024, 3, 19)).label == "2024年4月"
    # across the new year
    assert period_containing("beijing-3rates", date(2024, 12, 25)) == AssessmentPeriod(
        date(2024, 12, 19), date(2025, 1, 18), "2025年1月"
    )


def test_a_shifted_quarter_ends_on_the_day_before_the_start_day() -> None:
    shifted_version("yanta-quarterly", date(2020, 1, 1), 19, period="quarter")
    assert period_containing("yanta-quarterly", date(2024, 1, 5)) == AssessmentPeriod(
        date(2023, 12, 19), date(2024, 3, 18), "2024年第1季度"
    )
    assert period_containing("yanta-quarterly", date(2024, 3, 19)).start == date(2024, 3, 19)


def test_the_start_day_follows_the_version_in_force() -> None:
    shifted_version("beijing-3rates", date(2024, 3, 1), 19)
    assert period_containing("beijing-3rates", date(2024, 2, 25)).end == date(2024, 2, 29)  # version 1
    april = period_containing("beijing-3rates", date(2024, 3, 25))
    assert (april.start, april.end) == (date(2024, 3, 19), date(2024, 4, 18))
    # A window that started under version 1's rules is not one of version 1's periods: the
    # period before it is the same length before it, so the two never overlap.
    straddling = period_containing("beijing-3rates", date(2024, 3, 5))
    assert (straddling.start, straddling.end) == (date(2024, 2, 19), date(2024, 3, 18))
    previous = period_previous("beijing-3rates", straddling)
    assert (previous.start, previous.end) == (date(2024, 1, 19), date(2024, 2, 18))


def test_previous_periods_and_recent_periods() -> None:
    march = period_containing("beijing-3rates", date(2024, 3, 5))
    assert period_previous("beijing-3rates", march) == AssessmentPeriod(
        date(2024, 2, 1), date(2024, 2, 29), "2024年2月"
    )
    recent = periods_recent("beijing-3rates", last=march, count=4)
    assert [p.label for p in recent] == ["2023年12月", "2024年1月", "2024年2月", "2024年3月"]
    q1 = period_containing("yanta-quarterly", date(2024, 2, 1))
    assert period_previous("yanta-quarterly", q1).label == "2023年第4季度"


def test_recent_periods_stop_where_the_scheme_began() -> None:
    first = period_containing("beijing-3rates", date(2019, 2, 10))
    assert [p.label for p in periods_recent("beijing-3rates", last=first, count=12)] == ["2019年1月", "2019年2月"]


def test_a_window_that_is_not_a_period_compares_with_the_same_length_before_it() -> None:
    window = period_of(date(2024, 3, 5), date(2024, 3, 14))
    assert period_previous("beijing-3rates", window) == period_of(date(2024, 2, 24), date(2024, 3, 4))
    # whole months shift by months, not days
    assert period_before(date(2024, 1, 1), date(2024, 6, 30)) == period_of(date(2023, 7, 1), date(2023, 12, 31))
    assert period_before(date(2024, 3, 1), date(2024, 3, 31)).end == date(2024, 2, 29)


def test_a_year_earlier_keeps_month_ends() -> None:
    february = period_containing("beijing-3rates", date(2025, 2, 10))
    assert period_year_earlier(february) == AssessmentPeriod(date(2024, 2, 1), date(2024, 2, 29), "2024年2月")
    leap = period_of(date(2024, 2, 29), date(2024, 3, 10))
    assert period_year_earlier(leap) == period_of(date(2023, 2, 28), date(2023, 3, 10))


def test_labels_and_month_arithmetic() -> None:
    assert period_label(date(2024, 3, 1), date(2024, 3, 31)) == "2024年3月"
    assert period_label(date(2024, 3, 5), date(2024, 3, 20)) == "2024-03-05至2024-03-20"
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 15), -13) == date(2022, 12, 15)


def test_errors_are_chinese() -> None:
    with pytest.raises(UnknownScheme, match="不存在"):
        period_containing("nope", date(2024, 1, 1))
    with pytest.raises(BadWindow):
        period_of(date(2024, 2, 1), date(2024, 1, 1))
