"""Versioned screening rules: the version in force on a date, defaults when none, publishing."""

from __future__ import annotations

from datetime import date

import pytest

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import Conflict, ValidationFailed
from jiesu.intel.duplicates.rules import DEFAULTS, screening_rules_on, screening_rules_publish
from jiesu.intel.models import ScreeningRuleSet
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def test_without_a_version_the_defaults_apply() -> None:
    assert screening_rules_on(date(2026, 1, 1)) == DEFAULTS
    assert DEFAULTS.values() == {
        "repeat_window_days": 30,
        "place_topic_window_days": 7,
        "near_duplicate_window_days": 7,
        "near_duplicate_threshold": 0.8,
    }


def test_each_version_holds_until_the_next_one_starts(world: World) -> None:
    first = screening_rules_publish(valid_from=date(2026, 1, 1), actor=world.shift_lead, repeat_window_days=15)
    second = screening_rules_publish(valid_from=date(2026, 4, 1), actor=None, near_duplicate_threshold=0.9)
    first.refresh_from_db()
    assert first.valid_to == date(2026, 3, 31) and second.valid_to is None
    assert screening_rules_on(date(2025, 12, 31)) == DEFAULTS
    assert screening_rules_on(date(2026, 3, 31)).repeat_window_days == 15
    in_april = screening_rules_on(date(2026, 4, 1))
    assert (in_april.code, in_april.repeat_window_days, in_april.near_duplicate_threshold) == (second.code, 15, 0.9)
    assert AuditEntry.objects.filter(action="intel.screening_rules_publish").count() == 2


def test_versions_only_follow_each_other_and_values_are_checked() -> None:
    screening_rules_publish(valid_from=date(2026, 4, 1), actor=None)
    with pytest.raises(Conflict, match="须晚于"):
        screening_rules_publish(valid_from=date(2026, 4, 1), actor=None)
    with pytest.raises(ValidationFailed, match="窗口天数"):
        screening_rules_publish(valid_from=date(2026, 5, 1), actor=None, repeat_window_days=0)
    with pytest.raises(ValidationFailed, match="阈值"):
        screening_rules_publish(valid_from=date(2026, 5, 1), actor=None, near_duplicate_threshold=1.5)
    assert ScreeningRuleSet.objects.count() == 1
