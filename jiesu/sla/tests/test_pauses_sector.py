"""Working-minute moves (pauses) and the sector confirmation window, without tickets."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from jiesu.sla.calendar import SHANGHAI, CalendarNotLoaded, add_working_minutes, working_minutes_between
from jiesu.sla.choices import AssessmentPeriodBasis
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.models import TimeLimitRuleSet
from jiesu.sla.pauses import PausedTime, deadline_after_pause, paused_time
from jiesu.sla.sector import SectorWindowRule, sector_window, sector_window_rule
from jiesu.sla.tests.test_calendar import CAL


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class TestAddWorkingMinutes:
    def test_zero_is_the_start_itself(self):
        assert add_working_minutes(at("2026-02-13T20:00"), 0, CAL) == at("2026-02-13T20:00")

    def test_a_make_up_saturday_counts_and_the_holiday_does_not(self):
        # Friday 17:00 + 60: 30 minutes on Friday, 30 on the make-up Saturday.
        assert add_working_minutes(at("2026-02-13T17:00"), 60, CAL) == at("2026-02-14T09:30")
        # Saturday 17:00 + 60: the Spring Festival follows; Tuesday 02-24 is the next working day.
        assert add_working_minutes(at("2026-02-14T17:00"), 60, CAL) == at("2026-02-24T09:30")

    def test_using_a_period_up_exactly_ends_at_its_end(self):
        assert add_working_minutes(at("2026-03-10T09:00"), 180, CAL) == at("2026-03-10T12:00")

    def test_inverse_of_working_minutes_between(self):
        start = at("2026-09-29T15:12")
        for minutes in (1, 59, 420, 1000, 5000):
            assert working_minutes_between(start, add_working_minutes(start, minutes, CAL), CAL) == minutes

    def test_refuses_negative_and_unknown_years(self):
        with pytest.raises(ValueError, match="负数"):
            add_working_minutes(at("2026-03-10T09:00"), -1, CAL)
        with pytest.raises(CalendarNotLoaded):
            add_working_minutes(at("2026-12-31T17:00"), 60, CAL)


@pytest.mark.django_db
class TestDeadlineAfterPause:
    def test_calendar_units_move_by_plain_time(self):
        paused = PausedTime(seconds=3600, working_minutes=0)
        assert deadline_after_pause(at("2026-02-14T10:00"), paused, unit="h") == at("2026-02-14T11:00")
        assert deadline_after_pause(at("2026-02-14T10:00"), paused, unit="d") == at("2026-02-14T11:00")

    def test_working_units_move_by_working_minutes(self):
        paused = PausedTime(seconds=999_999, working_minutes=30)
        assert deadline_after_pause(at("2026-02-13T17:15"), paused, unit="wh") == at("2026-02-14T09:15")

    def test_an_evening_deadline_keeps_its_evening_after_whole_days(self):
        paused = PausedTime(seconds=86400, working_minutes=420)
        moved = deadline_after_pause(at("2026-02-13T23:59:59"), paused, unit="wd")
        assert moved == at("2026-02-14T23:59:59")
        # Not a whole day: the move lands inside working time and ends there.
        half = PausedTime(seconds=3600, working_minutes=60)
        assert deadline_after_pause(at("2026-02-13T23:59:59"), half, unit="wd") == at("2026-02-14T10:00")

    def test_paused_time_measures_both(self):
        total = paused_time([(at("2026-02-13T16:00"), at("2026-02-24T10:00"))])
        assert total == PausedTime(seconds=int(timedelta(days=10, hours=18).total_seconds()), working_minutes=570)

    def test_a_pause_into_an_unloaded_year_is_refused(self):
        with pytest.raises(CalendarNotLoadedError):
            paused_time([(at("2026-12-30T10:00"), at("2027-01-04T10:00"))])


class TestSectorWindow:
    RULE = SectorWindowRule()

    def test_the_domain_rules_vector(self):
        # Pushed on the 19th: the last day to confirm is the 29th, the window closes at 00:00 on the 30th.
        window = sector_window(pushed_at=at("2026-03-19T15:20"), received_at=at("2026-03-02T09:00"), rule=self.RULE)
        assert window.window_end == at("2026-03-30T00:00")
        assert window.due_at == at("2026-03-30T00:00")
        assert window.cutoff_at == at("2026-04-21T12:00")

    def test_the_period_cut_off_applies_when_earlier(self):
        # Received in February: all February confirmations close at 12:00 on 21 March.
        window = sector_window(pushed_at=at("2026-03-15T10:00"), received_at=at("2026-02-27T10:00"), rule=self.RULE)
        assert window.window_end == at("2026-03-26T00:00")
        assert window.due_at == at("2026-03-21T12:00")
        assert f"{window.period:%Y-%m}" == "2026-02"

    def test_a_december_period_closes_in_january(self):
        window = sector_window(pushed_at=at("2026-01-15T10:00"), received_at=at("2025-12-31T23:00"), rule=self.RULE)
        assert window.cutoff_at == at("2026-01-21T12:00")
        assert window.due_at == at("2026-01-21T12:00")

    def test_parameters(self):
        rule = SectorWindowRule(days=5, cutoff_day=None)
        window = sector_window(pushed_at=at("2026-03-19T15:20"), received_at=at("2026-01-02T09:00"), rule=rule)
        assert window.due_at == at("2026-03-25T00:00") and window.cutoff_at is None
        by_push = SectorWindowRule(cutoff_day=10, cutoff_time=time(18, 0), period_basis=AssessmentPeriodBasis.PUSHED)
        window = sector_window(pushed_at=at("2026-03-31T10:00"), received_at=at("2026-01-02T09:00"), rule=by_push)
        assert window.cutoff_at == at("2026-04-10T18:00")
        assert window.due_at == at("2026-04-10T18:00")

    @pytest.mark.django_db
    def test_the_rule_set_in_force_gives_the_parameters(self):
        rule = sector_window_rule(at("2026-03-19T10:00").date())
        assert (rule.rule_set_code, rule.days, rule.cutoff_day, rule.cutoff_time) == ("beijing", 10, 21, time(12, 0))
        TimeLimitRuleSet.objects.filter(code="beijing").update(sector_confirmation_days=7, sector_cutoff_day=None)
        rule = sector_window_rule(at("2026-03-19T10:00").date())
        assert (rule.days, rule.cutoff_day) == (7, None)
        TimeLimitRuleSet.objects.update(is_active=False)
        assert sector_window_rule(at("2026-03-19T10:00").date()) == SectorWindowRule()
