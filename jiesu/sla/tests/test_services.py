"""stage_deadline and the rule matching, on the seeded presets."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from jiesu.sla.calendar import SHANGHAI, Duration, DurationUnit
from jiesu.sla.errors import CalendarNotLoadedError
from jiesu.sla.models import TimeLimitRule, TimeLimitRuleSet
from jiesu.sla.services import (
    DeadlineFacts,
    deadline_compute,
    stage_deadline,
    stage_time_limit,
    working_minutes_elapsed,
)

pytestmark = pytest.mark.django_db

FRIDAY_AFTERNOON = datetime(2026, 2, 13, 16, 30, tzinfo=SHANGHAI)
FRIDAY_EVENING = datetime(2026, 2, 13, 19, 0, tzinfo=SHANGHAI)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def use_only(code: str) -> None:
    TimeLimitRuleSet.objects.filter(is_active=True).exclude(code=code).update(is_active=False)
    rule_set = TimeLimitRuleSet.objects.get(code=code)
    rule_set.is_active = True
    rule_set.save()


class TestBeijingPreset:
    def test_dispatch_within_24_hours_by_default(self):
        assert stage_deadline(stage="dispatch", start=FRIDAY_AFTERNOON, facts=DeadlineFacts()) == at("2026-02-14T16:30")

    def test_urgent_dispatch_within_one_hour(self):
        facts = DeadlineFacts(urgency="urgent")
        assert stage_deadline(stage="dispatch", start=FRIDAY_AFTERNOON, facts=facts) == at("2026-02-13T17:30")

    def test_reply_limits(self):
        start = FRIDAY_AFTERNOON
        assert stage_deadline(stage="reply", start=start, facts=DeadlineFacts()) == at("2026-02-20T16:30")
        assert stage_deadline(stage="reply", start=start, facts=DeadlineFacts(is_complex=True)) == at(
            "2026-02-28T16:30"
        )
        assert stage_deadline(stage="reply", start=start, facts=DeadlineFacts(urgency="urgent")) == at(
            "2026-02-13T18:30"
        )
        # Urgent and complex: both rules are equally specific, the urgent one has the higher priority.
        both = DeadlineFacts(urgency="urgent", is_complex=True)
        assert stage_deadline(stage="reply", start=start, facts=both) == at("2026-02-13T18:30")

    def test_the_utilities_example_rows_stay_dormant_until_given_a_prefix(self):
        facts = DeadlineFacts(category_code="0301")
        assert stage_deadline(stage="dispatch", start=FRIDAY_AFTERNOON, facts=facts) == at("2026-02-14T16:30")
        rule = TimeLimitRule.objects.get(rule_set__code="beijing", stage="dispatch", amount=2)
        rule.category_code_prefix = "03"
        rule.save()
        assert stage_deadline(stage="dispatch", start=FRIDAY_AFTERNOON, facts=facts) == at("2026-02-13T18:30")
        assert stage_deadline(stage="dispatch", start=FRIDAY_AFTERNOON, facts=DeadlineFacts(category_code="04")) == at(
            "2026-02-14T16:30"
        )

    def test_no_rule_for_a_stage_gives_none(self):
        assert stage_deadline(stage="callback", start=FRIDAY_AFTERNOON, facts=DeadlineFacts()) is None

    def test_calendar_days_work_in_2027(self):
        assert stage_deadline(stage="reply", start=at("2027-03-01T10:00"), facts=DeadlineFacts()) == at(
            "2027-03-08T10:00"
        )

    def test_the_applied_rule_is_reported(self):
        applied = stage_time_limit(stage="reply", start=FRIDAY_AFTERNOON, facts=DeadlineFacts(is_complex=True))
        assert applied is not None
        assert applied.rule_set_code == "beijing"
        assert applied.duration == Duration(15, DurationUnit.DAY)
        assert TimeLimitRule.objects.get(pk=applied.rule_id).is_complex is True


class TestYantaPreset:
    @pytest.fixture(autouse=True)
    def _yanta(self):
        use_only("yanta")

    def test_acknowledge_in_working_time_two_working_hours(self):
        assert stage_deadline(stage="acknowledge", start=FRIDAY_AFTERNOON, facts=DeadlineFacts()) == at(
            "2026-02-14T10:00"
        )

    def test_acknowledge_outside_working_time_four_hours(self):
        assert stage_deadline(stage="acknowledge", start=FRIDAY_EVENING, facts=DeadlineFacts()) == at(
            "2026-02-13T23:00"
        )
        lunch = at("2026-03-10T12:30")
        assert stage_deadline(stage="acknowledge", start=lunch, facts=DeadlineFacts()) == at("2026-03-10T16:30")

    def test_dispatch_normal_and_complex(self):
        assert stage_deadline(stage="dispatch", start=FRIDAY_AFTERNOON, facts=DeadlineFacts()) == at("2026-02-14T10:00")
        assert stage_deadline(stage="dispatch", start=FRIDAY_AFTERNOON, facts=DeadlineFacts(is_complex=True)) == at(
            "2026-02-14T23:59:59"
        )

    def test_report_review_two_working_hours(self):
        assert stage_deadline(stage="close", start=at("2026-03-10T11:00"), facts=DeadlineFacts()) == at(
            "2026-03-10T14:30"
        )

    def test_uncovered_year_raises_a_domain_error(self):
        with pytest.raises(CalendarNotLoadedError) as caught:
            stage_deadline(stage="dispatch", start=at("2027-01-05T10:00"), facts=DeadlineFacts())
        assert caught.value.code == "calendar_not_loaded"
        assert caught.value.status == 400
        assert caught.value.message == "2027年的节假日与调休安排尚未录入，无法计算工作日"
        assert caught.value.details == {"year": 2027}
        with pytest.raises(CalendarNotLoadedError):
            stage_deadline(stage="dispatch", start=at("2026-12-31T17:00"), facts=DeadlineFacts(is_complex=True))
        # A rule that needs "in working time?" refuses too: the answer depends on the calendar.
        with pytest.raises(CalendarNotLoadedError):
            stage_deadline(stage="acknowledge", start=at("2027-01-05T10:00"), facts=DeadlineFacts())


class TestMatching:
    @pytest.fixture
    def rule_set(self):
        TimeLimitRuleSet.objects.update(is_active=False)
        rule_set = TimeLimitRuleSet.objects.create(
            code="test", name="测试", effective_from=date(2025, 1, 1), is_active=True
        )
        TimeLimitRule.objects.create(rule_set=rule_set, stage="reply", amount=10, unit="d")
        TimeLimitRule.objects.create(rule_set=rule_set, stage="reply", amount=5, unit="d", kind="complaint")
        TimeLimitRule.objects.create(
            rule_set=rule_set, stage="reply", amount=3, unit="d", kind="complaint", channel="web"
        )
        TimeLimitRule.objects.create(
            rule_set=rule_set, stage="reply", amount=4, unit="d", kind="complaint", urgency="urgent", priority=5
        )
        TimeLimitRule.objects.create(
            rule_set=rule_set,
            stage="reply",
            amount=2,
            unit="d",
            kind="complaint",
            channel="web",
            urgency="urgent",
            unit_kind="township",
            category_code_prefix="01",
        )
        TimeLimitRule.objects.create(rule_set=rule_set, stage="reply", amount=1, unit="d", category_code_prefix="0102")
        return rule_set

    def days(self, **facts: object) -> int | None:
        start = at("2026-03-10T10:00")
        deadline = stage_deadline(stage="reply", start=start, facts=DeadlineFacts(**facts))  # type: ignore[arg-type]
        return None if deadline is None else (deadline - start).days

    def test_most_specific_wins_then_priority(self, rule_set):
        assert self.days() == 10
        assert self.days(kind="complaint") == 5
        assert self.days(kind="complaint", channel="web") == 3
        # Two fields each: priority decides.
        assert self.days(kind="complaint", channel="web", urgency="urgent") == 4
        assert (
            self.days(kind="complaint", channel="web", urgency="urgent", unit_kind="township", category_code="0199")
            == 2
        )
        # Among one-field rules the longer category prefix is more specific than nothing at all.
        assert self.days(category_code="010203") == 1

    def test_rule_set_effective_dates(self, rule_set):
        rule_set.effective_to = date(2026, 3, 9)
        rule_set.save()
        assert self.days() is None
        # `on` chooses the rule set independently of the start.
        deadline = stage_deadline(
            stage="reply", start=at("2026-03-10T10:00"), facts=DeadlineFacts(), on=date(2026, 1, 1)
        )
        assert deadline == at("2026-03-20T10:00")

    def test_the_latest_effective_active_rule_set_wins(self, rule_set):
        newer = TimeLimitRuleSet.objects.create(
            code="newer", name="新版", effective_from=date(2026, 3, 1), is_active=True
        )
        TimeLimitRule.objects.create(rule_set=newer, stage="reply", amount=6, unit="d")
        assert self.days() == 6
        assert stage_deadline(stage="reply", start=at("2026-02-27T10:00"), facts=DeadlineFacts()) == at(
            "2026-03-09T10:00"
        )


def test_deadline_compute_and_elapsed_working_minutes():
    start = FRIDAY_AFTERNOON
    deadline = deadline_compute(start=start, duration=Duration(2, DurationUnit.WORKING_HOUR))
    assert deadline == at("2026-02-14T10:00")
    assert working_minutes_elapsed(start=start, end=deadline) == 120
    with pytest.raises(CalendarNotLoadedError):
        working_minutes_elapsed(start=start, end=at("2027-01-04T10:00"))
    with pytest.raises(CalendarNotLoadedError):
        deadline_compute(start=at("2027-01-04T10:00"), duration=Duration(1, DurationUnit.WORKING_DAY))


def test_working_hours_of_the_rule_set():
    from jiesu.sla.models import WorkingHours

    WorkingHours.objects.create(code="long", name="长班", effective_from=date(2020, 1, 1), periods=[["08:00", "20:00"]])
    use_only("yanta")
    TimeLimitRuleSet.objects.filter(code="yanta").update(working_hours_code="long")
    from jiesu.sla.cache import sla_cache_clear

    sla_cache_clear()  # a bulk update sends no signal
    assert stage_deadline(stage="dispatch", start=at("2026-03-10T19:00"), facts=DeadlineFacts()) == at(
        "2026-03-11T09:00"
    )
