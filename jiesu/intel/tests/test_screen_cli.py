"""`jiesu intel screen` over stored tickets and `jiesu intel rules show|set`."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.intel.tests.duplicates_support import ticket
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _intel(*args: str) -> str:
    out = StringIO()
    call_command("intel", *args, stdout=out)
    return out.getvalue()


def test_screen_links_stored_tickets_and_counts_in_json(world: World) -> None:
    ticket(world, requester_phone="13800002222", content="楼道灯坏了")
    second = ticket(world, days=1, requester_phone="13800002222", content="门口路灯不亮")
    ticket(world, days=40, content="另一个月的事情")
    args = ("screen", "--from", "2026-03-10", "--to", "2026-03-11", "--steps", "duplicates", "--format", "json")
    counts = json.loads(_intel(*args))
    assert counts["tickets"] == 2 and counts["steps"] == {"duplicates": {"ok": 2, "failed": 0}}
    assert counts["new_links"] == {"same_requester": 1} and counts["flagged"] == {"repeat": 1}
    assert Ticket.objects.get(pk=second.pk).is_repeat
    again = json.loads(_intel(*args))
    assert again["new_links"] == {} and again["flagged"] == {}
    table = _intel("screen", "--from", "2026-03-10", "--to", "2026-03-11", "--steps", "duplicates")
    assert "受理的工单 2 件" in table and "duplicates：成功 2，失败 0" in table


def test_screen_refuses_bad_input_in_chinese() -> None:
    with pytest.raises(CommandError, match="--to 不能早于 --from"):
        _intel("screen", "--from", "2026-03-10", "--to", "2026-03-01")
    with pytest.raises(CommandError, match="--steps 可选"):
        _intel("screen", "--from", "2026-03-10", "--to", "2026-03-11", "--steps", "bogus")


def test_rules_show_and_set_versions() -> None:
    shown = json.loads(_intel("rules", "show", "--from", "2026-03-01", "--format", "json"))
    assert shown["code"] == "默认" and shown["repeat_window_days"] == 30 and shown["versions"] == 0
    assert "已发布重复诉求规则 screening-20260401" in _intel(
        "rules", "set", "--from", "2026-04-01", "--repeat-days", "10"
    )
    later = json.loads(_intel("rules", "show", "--from", "2026-05-01", "--format", "json"))
    assert (later["code"], later["repeat_window_days"], later["near_duplicate_threshold"]) == (
        "screening-20260401",
        10,
        0.8,
    )
    assert "同一诉求人重复来电窗口（天）：30" in _intel("rules", "show", "--from", "2026-03-31")
    with pytest.raises(CommandError, match="须晚于"):
        _intel("rules", "set", "--from", "2026-04-01", "--threshold", "0.9")
    with pytest.raises(CommandError, match="需要 --from"):
        _intel("rules", "set", "--threshold", "0.9")
