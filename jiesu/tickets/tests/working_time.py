"""A rule set in working time for deadline tests (the presets count mostly plain hours and days)."""

from __future__ import annotations

from datetime import date, datetime

from jiesu.sla.calendar import SHANGHAI
from jiesu.sla.models import TimeLimitRule, TimeLimitRuleSet


def at(text: str) -> datetime:
    """A Shanghai moment from "2026-02-13T16:30"."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def use_working_time_rules() -> TimeLimitRuleSet:
    """The only active rule set: reply 16 working hours (48 h when urgent), unit acknowledge
    1 working day, dispatch 2 working hours."""
    TimeLimitRuleSet.objects.filter(is_active=True).update(is_active=False)
    rule_set = TimeLimitRuleSet.objects.create(
        code="test-working-time", name="测试：工作时间时限", effective_from=date(2020, 1, 1), is_active=True
    )
    for stage, amount, unit, match in (
        ("reply", 16, "wh", {}),
        ("reply", 48, "h", {"urgency": "urgent"}),
        ("unit_acknowledge", 1, "wd", {}),
        ("dispatch", 2, "wh", {}),
    ):
        TimeLimitRule.objects.create(rule_set=rule_set, stage=stage, amount=amount, unit=unit, **match)
    return rule_set
