"""Burst thresholds as versioned data: the version in force on a run's last day decides, history
is never rewritten, bad values are refused in Chinese, and `jiesu intel burst-rules` shows and
publishes versions."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import Conflict, ValidationFailed
from jiesu.intel.bursts.config import BurstSettings, burst_rules_publish, burst_settings
from jiesu.intel.bursts.detect import bursts_detect
from jiesu.intel.bursts.testing import categories_make, tickets_on, week_of
from jiesu.intel.models import BurstRuleSet
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db
ON = date(2026, 1, 14)


def _intel(*args: str) -> str:
    out = io.StringIO()
    call_command("intel", *args, stdout=out)
    return out.getvalue()


def test_the_defaults_apply_until_a_version_is_published() -> None:
    assert burst_settings(ON) == BurstSettings()
    assert burst_settings() == BurstSettings()


def test_each_day_is_judged_by_the_version_in_force_on_it(world: World) -> None:
    first = burst_rules_publish(valid_from=date(2026, 1, 1), actor=world.analyst, min_count=8)
    burst_rules_publish(valid_from=date(2026, 3, 1), actor=None, max_p=0.01)
    first.refresh_from_db()
    assert first.valid_to == date(2026, 2, 28)
    assert burst_settings(date(2025, 12, 31)) == BurstSettings()
    january = burst_settings(ON)
    assert (january.min_count, january.max_p, january.code) == (8, 0.001, "bursts-20260101")
    march = burst_settings(date(2026, 3, 1))
    assert (march.min_count, march.max_p) == (8, 0.01)  # values not given are carried over
    assert AuditEntry.objects.filter(action="intel.burst_rules_publish").count() == 2


def test_history_is_not_rewritten_and_bad_values_are_refused_in_chinese() -> None:
    burst_rules_publish(valid_from=date(2026, 3, 1), actor=None)
    with pytest.raises(Conflict, match="生效日期须晚于"):
        burst_rules_publish(valid_from=date(2026, 2, 1), actor=None)
    with pytest.raises(ValidationFailed, match="最小倍数应在 1 到 100 之间") as refused:
        burst_rules_publish(valid_from=date(2026, 4, 1), actor=None, min_ratio=0.5, window_days=7)
    assert refused.value.details["errors"] == {"min_ratio": "最小倍数应在 1 到 100 之间"}
    with pytest.raises(ValidationFailed, match="未知的规则项"):
        burst_rules_publish(valid_from=date(2026, 4, 1), actor=None, threshold=3)
    assert BurstRuleSet.objects.count() == 1 and BurstRuleSet.objects.get().valid_to is None


def test_detection_uses_the_version_in_force_on_the_run_date(world: World, tmp_path: Path) -> None:
    categories = categories_make(tmp_path)
    tickets_on(ON - timedelta(days=400), 1, category=categories["路面破损"], township=world.township)
    week_of(ON, 2, category=categories["停暖"], township=world.township)  # 14 tickets in the week
    assert len(bursts_detect(ON)) == 2  # township and district
    burst_rules_publish(valid_from=ON, actor=None, min_count=20)
    assert bursts_detect(ON) == []
    assert len(bursts_detect(ON - timedelta(days=1))) == 2  # the day before: the defaults still


def test_the_command_shows_and_publishes_versions() -> None:
    shown = json.loads(_intel("burst-rules", "show", "--from", "2026-01-01", "--format", "json"))
    assert shown["code"] == "默认" and shown["min_count"] == 5 and shown["versions"] == 0
    out = _intel("burst-rules", "set", "--from", "2026-02-01", "--min-count", "6", "--min-ratio", "3")
    assert "已发布突增预警规则 bursts-20260201，2026-02-01 起生效" in out and "最少件数：6" in out
    table = _intel("burst-rules", "show", "--from", "2026-01-31")
    assert "2026-01-31 有效的突增预警规则：默认" in table and "最小倍数：2.0" in table
    with pytest.raises(CommandError, match="观察窗口应在 1 到 31 天之间"):
        _intel("burst-rules", "set", "--from", "2026-03-01", "--window-days", "0")
    with pytest.raises(CommandError, match="需要 --from"):
        _intel("burst-rules", "set", "--min-count", "6")
