"""`jiesu intel bursts`: table and JSON output, --dry-run, bad dates."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.intel.bursts.testing import categories_make, tickets_on, week_of
from jiesu.intel.models import BurstAlert
from jiesu.orgs.testing import World

ON = date(2026, 1, 14)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("intel", "bursts", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_dry_run_json_then_a_stored_run_as_a_table(world: World, tmp_path: Path) -> None:
    categories = categories_make(tmp_path)
    tickets_on(ON - timedelta(days=400), 1, category=categories["路面破损"], township=world.township)
    week_of(ON, 2, category=categories["停暖"], township=world.township)
    body = json.loads(run("--date", "2026-01-14", "--format", "json", "--dry-run"))
    assert body["date"] == "2026-01-14" and [b["count"] for b in body["bursts"]] == [14, 14]
    assert body["bursts"][0]["window_start"] == "2026-01-08" and not body["bursts"][0]["new_alert"]
    assert not BurstAlert.objects.exists()
    table = run("--date", "2026-01-14")
    assert "望京街道·供暖" in table and "新预警 2 条" in table and BurstAlert.objects.count() == 2
    assert "新预警 0 条" in run("--date", "2026-01-14")


@pytest.mark.django_db
def test_a_bad_date_is_refused_in_chinese() -> None:
    with pytest.raises(CommandError, match="日期"):
        run("--date", "2026-13-01")
