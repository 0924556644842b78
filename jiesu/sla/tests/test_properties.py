"""Property tests: the fast working-time maths against itself and against the naive reference."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from jiesu.sla.calendar import SHANGHAI, Duration, DurationUnit, add_duration, add_workdays, working_minutes_between
from jiesu.sla.reference import add_duration_naive, working_minutes_between_naive
from jiesu.sla.tests.tables import doc_calendar

CAL = doc_calendar()
FIRST = datetime(2025, 1, 1, tzinfo=SHANGHAI)
SPAN_MINUTES = int((datetime(2026, 11, 30, tzinfo=SHANGHAI) - FIRST).total_seconds() // 60)

# Whole-minute starts (the naive reference works in minutes) and arbitrary ones.
minute_starts = st.integers(0, SPAN_MINUTES).map(lambda m: FIRST + timedelta(minutes=m))
any_starts = st.integers(0, SPAN_MINUTES * 60_000_000).map(lambda us: FIRST + timedelta(microseconds=us))
working_hours = st.integers(0, 60).map(lambda n: Duration(n, DurationUnit.WORKING_HOUR))
working_days = st.integers(0, 20).map(lambda n: Duration(n, DurationUnit.WORKING_DAY))
calendar_limits = st.builds(
    Duration, st.integers(0, 500), st.sampled_from([DurationUnit.HOUR, DurationUnit.DAY, DurationUnit.MINUTE])
)


@given(start=any_starts, a=st.integers(0, 40), b=st.integers(0, 40))
def test_adding_a_then_b_working_hours_equals_adding_a_plus_b(start, a, b):
    def wh(n: int) -> Duration:
        return Duration(n, DurationUnit.WORKING_HOUR)

    once = add_duration(start, wh(a + b), CAL)
    twice = add_duration(add_duration(start, wh(a), CAL), wh(b), CAL)
    assert once == twice


@given(first=any_starts, second=any_starts, limit=st.one_of(working_hours, working_days, calendar_limits))
def test_the_deadline_is_monotone_in_the_start(first, second, limit):
    early, late = sorted((first, second))
    assert add_duration(early, limit, CAL) <= add_duration(late, limit, CAL)


@given(start=any_starts, limit=st.one_of(working_hours, working_days, calendar_limits))
def test_the_deadline_is_never_before_the_start(start, limit):
    assert add_duration(start, limit, CAL) >= start


@given(start=any_starts, n=st.integers(0, 60))
def test_working_minutes_between_inverts_adding_working_hours(start, n):
    deadline = add_duration(start, Duration(n, DurationUnit.WORKING_HOUR), CAL)
    assert working_minutes_between(start, deadline, CAL) == n * 60


@given(start=any_starts, n=st.integers(1, 20))
def test_the_nth_working_day_is_a_working_day_with_n_working_days_up_to_it(start, n):
    day = add_workdays(start.date(), n, CAL)
    assert CAL.is_workday(day)
    between = [start.date() + timedelta(days=i) for i in range(1, (day - start.date()).days + 1)]
    assert sum(CAL.is_workday(d) for d in between) == n


@settings(max_examples=150, deadline=None)
@given(
    start=minute_starts,
    limit=st.one_of(
        st.integers(0, 24).map(lambda n: Duration(n, DurationUnit.WORKING_HOUR)), working_days, calendar_limits
    ),
    end_of_working_day=st.booleans(),
)
def test_fast_and_naive_agree(start, limit, end_of_working_day):
    fast = add_duration(start, limit, CAL, wd_end_of_working_day=end_of_working_day)
    naive = add_duration_naive(start, limit, CAL, wd_end_of_working_day=end_of_working_day)
    assert fast == naive
    assert fast.isoformat() == naive.isoformat()


@settings(max_examples=100, deadline=None)
@given(start=minute_starts, minutes=st.integers(0, 4 * 1440))
def test_working_minutes_between_agrees_with_the_naive_count(start, minutes):
    end = start + timedelta(minutes=minutes)
    assert working_minutes_between(start, end, CAL) == working_minutes_between_naive(start, end, CAL)
