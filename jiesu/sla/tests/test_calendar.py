"""Pure working-time maths (no database): jiesu.sla.calendar against docs/domain-rules.md §10."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.test import SimpleTestCase

from jiesu.sla.calendar import (
    SHANGHAI,
    CalendarNotLoaded,
    Duration,
    DurationUnit,
    WorkCalendar,
    add_duration,
    add_workdays,
    is_working_time,
    parse_duration,
    workdays_in_year,
    working_minutes_between,
)
from jiesu.sla.reference import add_duration_naive, working_minutes_between_naive
from jiesu.sla.tests.tables import WORKDAY_VECTORS, WORKDAYS_PER_MONTH, doc_calendar

CAL = doc_calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def add(start: str, limit: str, **kwargs: bool) -> str:
    return add_duration(at(start), parse_duration(limit), CAL, **kwargs).isoformat()


class OfficialVectorTests(SimpleTestCase):
    def test_every_working_day_vector_of_domain_rules(self):
        for start, n, expected in WORKDAY_VECTORS:
            with self.subTest(start=start, n=n):
                self.assertEqual(add_workdays(date.fromisoformat(start), n, CAL), date.fromisoformat(expected))
                self.assertEqual(add(f"{start}T10:00", f"{n}wd"), f"{expected}T23:59:59+08:00")
                naive = add_duration_naive(at(f"{start}T10:00"), Duration(n, DurationUnit.WORKING_DAY), CAL)
                self.assertEqual(naive.isoformat(), f"{expected}T23:59:59+08:00")

    def test_working_days_per_month_match_the_document(self):
        for year, counts in WORKDAYS_PER_MONTH.items():
            for month, expected in enumerate(counts, start=1):
                first = date(year, month, 1)
                days = [first + timedelta(days=i) for i in range(31) if (first + timedelta(days=i)).month == month]
                with self.subTest(year=year, month=month):
                    self.assertEqual(sum(CAL.is_workday(d) for d in days), expected)
            self.assertEqual(workdays_in_year(year, CAL), 248)

    def test_any_2027_date_is_refused(self):
        for day in (date(2027, 1, 1), date(2027, 6, 15), date(2027, 12, 31)):
            with self.assertRaises(CalendarNotLoaded) as caught:
                CAL.is_workday(day)
            self.assertEqual(caught.exception.year, 2027)
            self.assertEqual(str(caught.exception), "2027年的节假日与调休安排尚未录入，无法计算工作日")
            for limit in ("1wd", "2wh", "0wh", "0wd"):
                with self.subTest(day=day, limit=limit), self.assertRaises(CalendarNotLoaded):
                    add_duration(datetime.combine(day, time(10), tzinfo=SHANGHAI), parse_duration(limit), CAL)

    def test_a_deadline_running_into_2027_is_refused(self):
        with self.assertRaises(CalendarNotLoaded) as caught:
            add("2026-12-31T10:00", "1wd")
        self.assertEqual(caught.exception.year, 2027)
        with self.assertRaises(CalendarNotLoaded):
            add("2026-12-31T17:00", "1wh")
        with self.assertRaises(CalendarNotLoaded):
            add_workdays(date(2026, 12, 25), 10, CAL)

    def test_years_before_the_calendar_are_refused_too(self):
        with self.assertRaises(CalendarNotLoaded) as caught:
            add("2024-12-31T10:00", "1wd")
        self.assertEqual(caught.exception.year, 2024)


class MakeUpWorkdayTests(SimpleTestCase):
    def test_make_up_saturdays_and_sundays_are_working_days(self):
        for day in (date(2026, 2, 14), date(2026, 2, 28), date(2025, 1, 26), date(2026, 9, 20)):
            self.assertTrue(CAL.is_workday(day))
        self.assertFalse(CAL.is_workday(date(2026, 2, 21)))  # an ordinary Saturday inside 春节
        self.assertFalse(CAL.is_workday(date(2026, 2, 16)))  # a Monday inside 春节

    def test_two_working_hours_from_friday_afternoon_end_on_the_make_up_saturday(self):
        self.assertEqual(add("2026-02-13T16:30", "2wh"), "2026-02-14T10:00:00+08:00")

    def test_working_day_over_new_year_lands_on_the_make_up_sunday(self):
        self.assertEqual(add("2025-12-31T17:00", "1wh"), "2026-01-04T09:30:00+08:00")
        self.assertEqual(add("2025-12-31T09:00", "1wd"), "2026-01-04T23:59:59+08:00")


class WorkingHourTests(SimpleTestCase):
    def test_a_start_in_the_lunch_break_counts_from_1330(self):
        self.assertEqual(add("2026-03-10T12:15", "1wh"), "2026-03-10T14:30:00+08:00")

    def test_working_hours_skip_the_lunch_break(self):
        self.assertEqual(add("2026-03-10T11:00", "2wh"), "2026-03-10T14:30:00+08:00")

    def test_using_up_a_period_exactly_ends_at_its_end(self):
        self.assertEqual(add("2026-03-10T11:00", "1wh"), "2026-03-10T12:00:00+08:00")
        self.assertEqual(add("2026-03-10T15:30", "2wh"), "2026-03-10T17:30:00+08:00")
        self.assertEqual(add("2026-03-10T09:00", "7wh"), "2026-03-10T17:30:00+08:00")

    def test_a_start_on_a_holiday_counts_from_the_next_working_period(self):
        self.assertEqual(add("2026-10-01T10:00", "2wh"), "2026-10-08T11:00:00+08:00")
        self.assertEqual(add("2026-02-15T03:00", "1wh"), "2026-02-24T10:00:00+08:00")

    def test_starts_before_and_after_office_hours(self):
        self.assertEqual(add("2026-03-10T07:00", "1wh"), "2026-03-10T10:00:00+08:00")
        self.assertEqual(add("2026-03-13T18:00", "1wh"), "2026-03-16T10:00:00+08:00")  # Fri evening → Mon
        self.assertEqual(add("2026-03-10T17:30", "1wh"), "2026-03-11T10:00:00+08:00")

    def test_seconds_and_other_time_zones_are_kept(self):
        start = datetime(2026, 3, 10, 2, 0, 30, 500, tzinfo=UTC)  # 10:00:30.0005 in Shanghai
        result = add_duration(start, parse_duration("2wh"), CAL)
        # 10:00:30 → 12:00 uses 1 h 59 min 30 s; the last 30 s come after the lunch break.
        self.assertEqual(result, datetime(2026, 3, 10, 13, 30, 30, 500, tzinfo=SHANGHAI))
        self.assertEqual(result.utcoffset(), timedelta(hours=8))

    def test_zero_working_hours_is_the_start_itself(self):
        self.assertEqual(add("2026-03-10T12:15", "0wh"), "2026-03-10T12:15:00+08:00")

    def test_many_working_hours_cross_the_spring_festival(self):
        self.assertEqual(add("2026-02-13T09:00", "21wh"), "2026-02-24T17:30:00+08:00")


class WorkingDayTests(SimpleTestCase):
    def test_the_deadline_is_2359_59_of_the_nth_working_day(self):
        self.assertEqual(add("2026-03-10T16:00", "1wd"), "2026-03-11T23:59:59+08:00")

    def test_end_of_working_day_flag(self):
        self.assertEqual(add("2026-02-13T16:00", "1wd", wd_end_of_working_day=True), "2026-02-14T17:30:00+08:00")
        self.assertEqual(add("2026-03-10T08:00", "0wd", wd_end_of_working_day=True), "2026-03-10T17:30:00+08:00")

    def test_the_start_date_is_the_shanghai_date(self):
        start = datetime(2026, 2, 12, 20, 0, tzinfo=UTC)  # 2026-02-13 04:00 in Shanghai
        self.assertEqual(add_duration(start, parse_duration("1wd"), CAL).date(), date(2026, 2, 14))

    def test_a_start_on_a_weekend_counts_from_the_next_working_day(self):
        self.assertEqual(add("2026-03-14T10:00", "1wd"), "2026-03-16T23:59:59+08:00")

    def test_zero_working_days_is_the_start_date(self):
        self.assertEqual(add_workdays(date(2026, 3, 14), 0, CAL), date(2026, 3, 14))
        with self.assertRaises(ValueError):
            add_workdays(date(2026, 3, 14), -1, CAL)


class CalendarTimeTests(SimpleTestCase):
    def test_calendar_units_are_plain_time(self):
        self.assertEqual(add("2026-02-13T16:30", "24h"), "2026-02-14T16:30:00+08:00")
        self.assertEqual(add("2026-02-13T16:30", "7d"), "2026-02-20T16:30:00+08:00")
        self.assertEqual(add("2026-02-13T16:30", "90min"), "2026-02-13T18:00:00+08:00")

    def test_calendar_units_need_no_calendar(self):
        self.assertEqual(add("2026-12-31T10:00", "7d"), "2027-01-07T10:00:00+08:00")
        self.assertEqual(add("2027-03-01T10:00", "2h"), "2027-03-01T12:00:00+08:00")


class WorkingMinutesBetweenTests(SimpleTestCase):
    def test_counts_only_working_time(self):
        self.assertEqual(working_minutes_between(at("2026-02-13T16:30"), at("2026-02-14T10:00"), CAL), 120)
        self.assertEqual(working_minutes_between(at("2026-02-14T10:00"), at("2026-02-13T16:30"), CAL), -120)
        self.assertEqual(working_minutes_between(at("2026-03-10T12:00"), at("2026-03-10T13:30"), CAL), 0)
        self.assertEqual(working_minutes_between(at("2026-03-13T17:00"), at("2026-03-16T09:30"), CAL), 60)

    def test_agrees_with_the_naive_count(self):
        pairs = [("2026-02-13T16:30", "2026-02-24T11:07"), ("2025-12-31T08:00", "2026-01-05T12:45")]
        for a, b in pairs:
            self.assertEqual(
                working_minutes_between(at(a), at(b), CAL), working_minutes_between_naive(at(a), at(b), CAL)
            )

    def test_refuses_uncovered_years(self):
        with self.assertRaises(CalendarNotLoaded):
            working_minutes_between(at("2026-12-31T10:00"), at("2027-01-04T10:00"), CAL)


class IsWorkingTimeTests(SimpleTestCase):
    def test_inside_and_outside(self):
        self.assertTrue(is_working_time(at("2026-03-10T09:00"), CAL))
        self.assertFalse(is_working_time(at("2026-03-10T12:00"), CAL))
        self.assertFalse(is_working_time(at("2026-03-10T17:30"), CAL))
        self.assertTrue(is_working_time(at("2026-02-14T10:00"), CAL))  # make-up Saturday
        self.assertFalse(is_working_time(at("2026-02-16T10:00"), CAL))  # 春节


class GapTests(SimpleTestCase):
    def test_a_gap_year_inside_the_covered_span_is_refused(self):
        gappy = WorkCalendar(frozenset(), frozenset(), frozenset({2025, 2027}))
        with self.assertRaises(CalendarNotLoaded) as caught:
            add_duration(at("2025-12-31T10:00"), parse_duration("1wd"), gappy)
        self.assertEqual(caught.exception.year, 2026)
        with self.assertRaises(CalendarNotLoaded):
            add_duration(at("2025-12-31T17:00"), parse_duration("1wh"), gappy)

    def test_an_empty_calendar_refuses_everything(self):
        empty = WorkCalendar(frozenset(), frozenset(), frozenset())
        with self.assertRaises(CalendarNotLoaded):
            add_duration(at("2026-03-10T10:00"), parse_duration("1wh"), empty)


class ConfigurationTests(SimpleTestCase):
    def test_custom_periods_and_weekdays(self):
        six_days = WorkCalendar(
            CAL.holidays,
            CAL.make_up_workdays,
            CAL.covered_years,
            periods=((time(8), time(20)),),
            weekdays=frozenset(range(6)),
        )
        self.assertEqual(six_days.working_minutes_per_day, 720)
        start = at("2026-03-13T19:00")  # Friday
        self.assertEqual(add_duration(start, parse_duration("2wh"), six_days).isoformat(), "2026-03-14T09:00:00+08:00")

    def test_bad_periods_are_rejected(self):
        for periods in ((), ((time(12), time(9)),), ((time(9), time(12)), (time(11), time(14)))):
            with self.subTest(periods=periods), self.assertRaises(ValueError):
                WorkCalendar(frozenset(), frozenset(), frozenset({2026}), periods=periods)
        with self.assertRaises(ValueError):
            WorkCalendar(frozenset(), frozenset(), frozenset({2026}), periods=((time(9, tzinfo=SHANGHAI), time(12)),))

    def test_naive_datetimes_are_rejected(self):
        with self.assertRaises(ValueError):
            add_duration(datetime(2026, 3, 10, 10), parse_duration("1wh"), CAL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2wh", Duration(2, DurationUnit.WORKING_HOUR)),
        (" 15 WD ", Duration(15, DurationUnit.WORKING_DAY)),
        ("24h", Duration(24, DurationUnit.HOUR)),
        ("7d", Duration(7, DurationUnit.DAY)),
        ("30min", Duration(30, DurationUnit.MINUTE)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected
    assert str(expected) == text.strip().lower().replace(" ", "")


@pytest.mark.parametrize("text", ["", "2", "wh", "2.5wh", "-1d", "2 weeks", "2w"])
def test_parse_duration_rejects_bad_input_in_chinese(text):
    with pytest.raises(ValueError, match="无法识别的时限"):
        parse_duration(text)


def test_duration_labels_and_validation():
    assert parse_duration("2wh").label == "2个工作小时"
    assert Duration(3, "wd").unit is DurationUnit.WORKING_DAY  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="不能为负数"):
        Duration(-1, DurationUnit.DAY)
    assert DurationUnit.WORKING_DAY.uses_calendar
    assert not DurationUnit.HOUR.uses_calendar


def test_reference_requires_whole_minutes():
    with pytest.raises(ValueError, match="整分钟"):
        add_duration_naive(at("2026-03-10T10:00:30"), parse_duration("1wh"), CAL)


@pytest.mark.parametrize(
    ("start", "end_of_working_day"),
    [
        (datetime(2025, 12, 15, 23, 59, 59, 1, tzinfo=SHANGHAI), False),  # found by hypothesis
        (datetime(2025, 12, 15, 20, 0, tzinfo=SHANGHAI), True),  # after the day's last period
    ],
)
def test_a_zero_working_day_limit_never_ends_before_its_start(start, end_of_working_day):
    limit = Duration(0, DurationUnit.WORKING_DAY)
    fast = add_duration(start, limit, CAL, wd_end_of_working_day=end_of_working_day)
    assert fast == start == add_duration_naive(start, limit, CAL, wd_end_of_working_day=end_of_working_day)
