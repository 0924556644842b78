from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from jiesu.reports.periods import period_parse
from jiesu.reports.schedules import (
    DueRule,
    due_date,
    due_moment,
    last_finished_period,
    period_due_now,
    schedule_exceeds_limit,
)

BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("week", "due"),
    [
        ("2026-W42", date(2026, 10, 21)),  # Monday 12 – Sunday 18 October; due Wednesday 21st
        ("2026-W01", date(2026, 1, 7)),  # starts 2025-12-29, ends 2026-01-04
        ("2026-W53", date(2027, 1, 6)),  # ISO 2026 has 53 weeks
        ("2025-W52", date(2025, 12, 31)),
        ("2024-W09", date(2024, 3, 6)),  # across 29 February
    ],
)
def test_a_weekly_report_is_due_on_the_wednesday_after_its_iso_week(week: str, due: date) -> None:
    period = period_parse("weekly", week)
    assert due_date(DueRule("weekly"), period.end) == due
    assert due.weekday() == 2
    assert not schedule_exceeds_limit(DueRule("weekly"), period)


@pytest.mark.parametrize(
    ("weekday", "due"), [(0, date(2026, 10, 19)), (4, date(2026, 10, 23)), (6, date(2026, 10, 25))]
)
def test_the_weekday_of_a_weekly_schedule_is_configurable(weekday: int, due: date) -> None:
    period = period_parse("weekly", "2026-W42")
    assert due_date(DueRule("weekly", weekday=weekday), period.end) == due
    # Even the following Sunday is the 7th day after the period: still within the contract's limit.
    assert due <= period.due_on
    assert not schedule_exceeds_limit(DueRule("weekly", weekday=weekday), period)


@pytest.mark.parametrize(
    ("kind", "key", "due"),
    [
        ("monthly", "2026-10", date(2026, 11, 7)),
        ("monthly", "2026-12", date(2027, 1, 7)),
        ("monthly", "2024-02", date(2024, 3, 7)),
        ("quarterly", "2026-Q3", date(2026, 10, 9)),
        ("quarterly", "2026-Q4", date(2027, 1, 9)),
        ("half_year", "2026-H1", date(2026, 7, 7)),
        ("half_year", "2026-H2", date(2027, 1, 7)),
        ("annual", "2026", date(2027, 1, 7)),
        ("daily", "2026-10-14", date(2026, 10, 15)),
        ("daily", "2026-12-31", date(2027, 1, 1)),
    ],
)
def test_defaults_follow_the_contracts(kind: str, key: str, due: date) -> None:
    period = period_parse(kind, key)
    assert due_date(DueRule(kind), period.end) == due


def test_the_quarterly_default_before_the_10th_is_later_than_the_7_day_limit() -> None:
    period = period_parse("quarterly", "2026-Q3")
    assert period.due_on == date(2026, 10, 7)
    assert schedule_exceeds_limit(DueRule("quarterly"), period)
    assert not schedule_exceeds_limit(DueRule("quarterly", day=5), period)
    assert not schedule_exceeds_limit(DueRule("monthly"), period_parse("monthly", "2026-10"))


@pytest.mark.parametrize(("day", "due"), [(1, date(2026, 11, 1)), (3, date(2026, 11, 3)), (28, date(2026, 11, 28))])
def test_the_day_of_month_is_configurable_and_clamped_to_28(day: int, due: date) -> None:
    assert due_date(DueRule("monthly", day=day), date(2026, 10, 31)) == due
    assert due_date(DueRule("monthly", day=31), date(2026, 1, 31)) == date(2026, 2, 28)


def test_special_reports_have_no_schedule() -> None:
    with pytest.raises(ValueError, match="special"):
        due_date(DueRule("special"), date(2026, 10, 9))


def test_the_due_moment_is_at_the_send_hour_in_beijing_time() -> None:
    moment = due_moment(DueRule("monthly", hour=9), date(2026, 10, 31), BEIJING)
    assert moment == datetime(2026, 11, 7, 9, 0, tzinfo=BEIJING)


@pytest.mark.parametrize(
    ("kind", "today", "key"),
    [
        ("weekly", date(2026, 10, 19), "2026-W42"),  # a Monday: last week has just ended
        ("weekly", date(2026, 10, 18), "2026-W41"),  # a Sunday: this week has not ended yet
        ("monthly", date(2026, 11, 1), "2026-10"),
        ("monthly", date(2026, 1, 15), "2025-12"),
        ("quarterly", date(2026, 10, 9), "2026-Q3"),
        ("half_year", date(2026, 7, 1), "2026-H1"),
        ("half_year", date(2026, 6, 30), "2025-H2"),
        ("annual", date(2027, 1, 7), "2026"),
        ("daily", date(2026, 3, 1), "2026-02-28"),
    ],
)
def test_the_last_finished_period(kind: str, today: date, key: str) -> None:
    assert last_finished_period(kind, today).key == key


@pytest.mark.parametrize(
    ("now", "key"),
    [
        (datetime(2026, 11, 7, 7, 59, tzinfo=BEIJING), None),
        (datetime(2026, 11, 7, 8, 0, tzinfo=BEIJING), "2026-10"),
        (datetime(2026, 11, 30, 23, 0, tzinfo=BEIJING), "2026-10"),
        (datetime(2026, 12, 1, 0, 0, tzinfo=BEIJING), None),  # November's moment is 7 December
        (datetime(2026, 11, 3, 12, 0, tzinfo=BEIJING), None),
    ],
)
def test_a_period_is_due_once_its_moment_has_come(now: datetime, key: str | None) -> None:
    period = period_due_now(DueRule("monthly"), now)
    assert (period.key if period else None) == key


def test_a_weekly_schedule_is_due_from_wednesday_morning() -> None:
    tuesday = datetime(2026, 10, 20, 23, 0, tzinfo=BEIJING)
    wednesday = datetime(2026, 10, 21, 8, 0, tzinfo=BEIJING)
    assert period_due_now(DueRule("weekly"), tuesday) is None
    due = period_due_now(DueRule("weekly"), wednesday)
    assert due is not None and due.key == "2026-W42"
