"""Report periods: keys, labels, neighbours and due days for every kind, on calendar edges."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jiesu.core.errors import ValidationFailed
from jiesu.reports.periods import ReportPeriod, period_containing, period_parse, period_special

BEIJING = ZoneInfo("Asia/Shanghai")

# kind, text, key, start, end, label
CASES = [
    ("daily", "2026-10-14", "2026-10-14", date(2026, 10, 14), date(2026, 10, 14), "2026年10月14日"),
    ("daily", "2026-1-5", "2026-01-05", date(2026, 1, 5), date(2026, 1, 5), "2026年1月5日"),
    (
        "weekly",
        "2026-W42",
        "2026-W42",
        date(2026, 10, 12),
        date(2026, 10, 18),
        "2026年第42周（10月12日至10月18日）",
    ),
    (
        "weekly",
        "2026-W01",
        "2026-W01",
        date(2025, 12, 29),
        date(2026, 1, 4),
        "2026年第1周（2025年12月29日至2026年1月4日）",
    ),
    (
        "weekly",
        "2026-W53",
        "2026-W53",
        date(2026, 12, 28),
        date(2027, 1, 3),
        "2026年第53周（2026年12月28日至2027年1月3日）",
    ),
    (
        "weekly",
        "2020w53",
        "2020-W53",
        date(2020, 12, 28),
        date(2021, 1, 3),
        "2020年第53周（2020年12月28日至2021年1月3日）",
    ),
    ("monthly", "2026-10", "2026-10", date(2026, 10, 1), date(2026, 10, 31), "2026年10月"),
    ("monthly", "2024-2", "2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
    ("quarterly", "2026-Q3", "2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年第三季度"),
    ("quarterly", "2026q1", "2026-Q1", date(2026, 1, 1), date(2026, 3, 31), "2026年第一季度"),
    ("half_year", "2026-H2", "2026-H2", date(2026, 7, 1), date(2026, 12, 31), "2026年下半年"),
    ("half-year", "2026-H1", "2026-H1", date(2026, 1, 1), date(2026, 6, 30), "2026年上半年"),
    ("annual", "2026", "2026", date(2026, 1, 1), date(2026, 12, 31), "2026年度"),
    (
        "special",
        "2026-10-01_2026-10-09",
        "2026-10-01_2026-10-09",
        date(2026, 10, 1),
        date(2026, 10, 9),
        "2026年10月1日至10月9日",
    ),
    (
        "special",
        "2025-12-20_2026-01-05",
        "2025-12-20_2026-01-05",
        date(2025, 12, 20),
        date(2026, 1, 5),
        "2025年12月20日至2026年1月5日",
    ),
]


@pytest.mark.parametrize(("kind", "text", "key", "start", "end", "label"), CASES)
def test_parse_gives_key_days_and_label(kind: str, text: str, key: str, start: date, end: date, label: str) -> None:
    period = period_parse(kind, text)
    assert (period.key, period.start, period.end, period.label) == (key, start, end, label)
    assert period.kind == kind.replace("-", "_")
    assert period.due_on == end + timedelta(days=7)
    assert period_parse(kind, period.key) == period


@pytest.mark.parametrize(("kind", "text", "key", "start", "end", "label"), CASES)
def test_window_is_whole_beijing_days(kind: str, text: str, key: str, start: date, end: date, label: str) -> None:
    window = period_parse(kind, text).window
    assert window.start == datetime(start.year, start.month, start.day, tzinfo=BEIJING)
    following = end + timedelta(days=1)
    assert window.end == datetime(following.year, following.month, following.day, tzinfo=BEIJING)


# kind, key, previous key, year-ago key
NEIGHBOURS = [
    ("daily", "2026-01-01", "2025-12-31", "2025-01-01"),
    ("daily", "2024-02-29", "2024-02-28", "2023-02-28"),
    ("daily", "2024-03-01", "2024-02-29", "2023-03-01"),
    ("weekly", "2026-W42", "2026-W41", "2025-W42"),
    ("weekly", "2026-W01", "2025-W52", "2025-W01"),
    ("weekly", "2027-W01", "2026-W53", "2026-W01"),
    ("weekly", "2026-W53", "2026-W52", "2025-W52"),
    ("weekly", "2021-W01", "2020-W53", "2020-W01"),
    ("weekly", "2021-W52", "2021-W51", "2020-W52"),
    ("monthly", "2026-01", "2025-12", "2025-01"),
    ("monthly", "2026-03", "2026-02", "2025-03"),
    ("quarterly", "2026-Q1", "2025-Q4", "2025-Q1"),
    ("quarterly", "2026-Q3", "2026-Q2", "2025-Q3"),
    ("half_year", "2026-H1", "2025-H2", "2025-H1"),
    ("half_year", "2026-H2", "2026-H1", "2025-H2"),
    ("annual", "2026", "2025", "2025"),
    ("special", "2026-10-01_2026-10-09", "2026-09-22_2026-09-30", "2025-10-01_2025-10-09"),
    ("special", "2024-02-29_2024-03-01", "2024-02-27_2024-02-28", "2023-02-28_2023-03-01"),
]


@pytest.mark.parametrize(("kind", "key", "previous", "year_ago"), NEIGHBOURS)
def test_previous_and_year_ago(kind: str, key: str, previous: str, year_ago: str) -> None:
    period = period_parse(kind, key)
    assert period.previous() == period_parse(kind, previous)
    assert period.year_ago() == period_parse(kind, year_ago)
    assert period.previous().end == period.start - timedelta(days=1)


@pytest.mark.parametrize(
    ("kind", "day", "key"),
    [
        ("daily", date(2026, 10, 14), "2026-10-14"),
        ("weekly", date(2026, 10, 14), "2026-W42"),
        ("weekly", date(2027, 1, 1), "2026-W53"),
        ("weekly", date(2024, 12, 30), "2025-W01"),
        ("monthly", date(2026, 10, 31), "2026-10"),
        ("quarterly", date(2026, 9, 30), "2026-Q3"),
        ("quarterly", date(2026, 10, 1), "2026-Q4"),
        ("half_year", date(2026, 6, 30), "2026-H1"),
        ("half_year", date(2026, 7, 1), "2026-H2"),
        ("annual", date(2026, 12, 31), "2026"),
    ],
)
def test_period_containing(kind: str, day: date, key: str) -> None:
    period = period_containing(kind, day)
    assert period.key == key
    assert period.start <= day <= period.end


def test_every_day_of_a_year_is_in_exactly_one_period_of_each_kind() -> None:
    for kind in ("daily", "weekly", "monthly", "quarterly", "half_year", "annual"):
        period = period_containing(kind, date(2026, 1, 1))
        day = period.start
        while day.year <= 2026:
            assert period.start == day, kind
            following = period_containing(kind, period.end + timedelta(days=1))
            assert following.previous() == period
            day, period = period.end + timedelta(days=1), following


def test_special_period() -> None:
    period = period_special(date(2026, 10, 1), date(2026, 10, 1))
    assert (period.kind, period.key, period.label) == ("special", "2026-10-01_2026-10-01", "2026年10月1日")
    assert period.days == 1
    assert isinstance(period, ReportPeriod)


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("weekly", "2026-W54"),
        ("weekly", "2025-W53"),
        ("weekly", "2026-W00"),
        ("weekly", "2026-42"),
        ("monthly", "2026-13"),
        ("monthly", "2026-00"),
        ("daily", "2026-02-30"),
        ("daily", "2026/10/14"),
        ("quarterly", "2026-Q5"),
        ("half_year", "2026-H3"),
        ("annual", "26"),
        ("annual", ""),
        ("special", "2026-10-09_2026-10-01"),
        ("special", "2026-10-01"),
        ("monthly", "二〇二六年十月"),
    ],
)
def test_bad_period_is_a_chinese_validation_error(kind: str, text: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        period_parse(kind, text)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)
    assert "Traceback" not in caught.value.message


def test_bad_kind_and_special_without_grid() -> None:
    with pytest.raises(ValidationFailed, match="报告类型“hourly”无效"):
        period_parse("hourly", "2026")
    with pytest.raises(ValidationFailed, match="专报没有固定周期"):
        period_containing("special", date(2026, 1, 1))
    with pytest.raises(ValidationFailed, match="晚于结束日期"):
        period_special(date(2026, 2, 1), date(2026, 1, 1))
