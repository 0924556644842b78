"""Lexicon versions by date and the intake screen: one FLAGGED event, the ticket urgent and
sensitive, an immediate notice to the center's shift leads only; nothing without a hit."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from jiesu.intel.sensitive.lexicon import (
    LexiconInvalid,
    lexicon_add,
    lexicon_in_force,
    lexicon_lines_parse,
    lexicon_matcher,
)
from jiesu.intel.sensitive.matching import TermSpec
from jiesu.intel.sensitive.screen import sensitive_screen
from jiesu.notify.models import Notification
from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, Urgency
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db
THREAT = "我不想活了，明天就去区政府门口静坐"


def _flags(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FLAGGED))


def test_the_seed_is_in_force_since_2020() -> None:
    seed = lexicon_in_force(on=date(2020, 1, 1))
    assert seed is not None and seed.code == "sensitive-default" and seed.valid_to is None
    assert lexicon_in_force(on=date(2019, 12, 31)) is None
    assert len(lexicon_matcher(seed)) > 50


def test_a_new_version_closes_the_previous_one(world: World) -> None:
    terms = [TermSpec("public_opinion", "自媒体")]
    added = lexicon_add(valid_from=date(2026, 3, 1), terms=terms, actor=world.shift_lead, name="三月版")
    seed = lexicon_in_force(on=date(2026, 2, 28))
    assert seed is not None and seed.valid_to == date(2026, 2, 28)
    assert lexicon_in_force(on=date(2026, 3, 1)) == added
    assert [h.text for h in lexicon_matcher(added).find("发到自媒体上")] == ["自媒体"]
    with pytest.raises(LexiconInvalid, match="生效日期必须晚于"):
        lexicon_add(valid_from=date(2026, 3, 1), terms=terms, actor=world.shift_lead)
    with pytest.raises(Exception, match="班长或系统管理员"):
        lexicon_add(valid_from=date(2026, 4, 1), terms=terms, actor=world.agent)


def test_lines_name_every_bad_line() -> None:
    assert lexicon_lines_parse("危及生命\t不想活了\n舆情风险 /(找|联系)记者/\n") == [
        TermSpec("threat_to_life", "不想活了"),
        TermSpec("public_opinion", "(找|联系)记者", is_regex=True),
    ]
    with pytest.raises(LexiconInvalid) as caught:
        lexicon_lines_parse("危及生命\t不想活了\n天气\t下雨\n舆情风险\t/(记者/")
    assert "第 2 行" in caught.value.message and "第 3 行" in caught.value.message


def test_a_hit_flags_the_ticket_and_tells_the_shift_lead(world: World) -> None:
    ticket = new_ticket(world, title="诉求人情绪激动", content=THREAT)
    hits = sensitive_screen(ticket)
    assert {h.category for h in hits} == {"threat_to_life", "group_incident"}
    ticket.refresh_from_db()
    assert ticket.is_sensitive and ticket.urgency == Urgency.URGENT
    [event] = _flags(ticket)
    assert event.actor is None and event.payload["screen"] == "sensitive"
    assert [(h["field"], h["text"], h["start"]) for h in event.payload["hits"]] == [
        ("content", "不想活了", 1),
        ("content", "去区政府门口静坐", 9),
    ]
    [notice] = Notification.objects.all()
    assert notice.recipient == world.shift_lead and notice.level == "urgent"
    assert ticket.number in notice.title and "危及生命（不想活了）" in notice.body
    assert ticket.number in notice.link
    assert not Notification.objects.filter(recipient__in=[world.agent, world.analyst, world.township_staff]).exists()


def test_only_what_changes_is_changed(world: World) -> None:
    ticket = new_ticket(world, title="要找记者曝光", urgency=Urgency.URGENT)
    sensitive_screen(ticket)
    [event] = _flags(ticket)
    assert event.payload["hits"][0]["text"] == "找记者"
    ticket.refresh_from_db()
    assert ticket.is_sensitive
    # Screening again: already sensitive and urgent, so nothing more.
    assert sensitive_screen(ticket)
    assert len(_flags(ticket)) == 1 and Notification.objects.count() == 1


def test_no_hit_does_nothing(world: World) -> None:
    ticket = new_ticket(world, title="小区暖气不热", content="室温不足16度，希望尽快维修")
    version = ticket.version
    assert sensitive_screen(ticket) == []
    ticket.refresh_from_db()
    assert not ticket.is_sensitive and ticket.urgency == Urgency.NORMAL and ticket.version == version
    assert _flags(ticket) == [] and not Notification.objects.exists()


def test_the_version_in_force_on_the_day_of_intake_is_used(world: World) -> None:
    today = timezone.localdate()
    lexicon_add(valid_from=today + timedelta(days=1), terms=[TermSpec("safety_hazard", "暖气")], actor=None)
    ticket = new_ticket(world, title="小区暖气不热")
    assert sensitive_screen(ticket) == []


def test_intake_screens_when_screening_is_on(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.INTEL_SCREENING = True
    with django_capture_on_commit_callbacks(execute=True):
        ticket = new_ticket(world, title="楼道电线裸露", content="随时可能起火")
    ticket.refresh_from_db()
    assert ticket.is_sensitive and ticket.urgency == Urgency.URGENT
    assert Notification.objects.filter(recipient=world.shift_lead).count() == 1


def intel(*args: str | Path) -> str:
    out = StringIO()
    call_command("intel", "lexicon", *[str(a) for a in args], stdout=out)
    return out.getvalue()


def test_the_cli_shows_tests_exports_and_loads(tmp_path: Path) -> None:
    assert "sensitive-default" in intel("show")
    assert "危及生命\t不想活了\t1-5" in intel("test", "我不想活了")
    assert "未命中" in intel("test", "暖气不热")
    exported = tmp_path / "lexicon.json"
    exported.write_text(intel("export").replace("燃气泄漏", "燃气泄露"), encoding="utf-8")
    assert "自 2027-01-01 起生效" in intel("load", exported, "--from", "2027-01-01", "--code", "v2027")
    assert "燃气泄露" in intel("test", "燃气泄露了", "--on", "2027-01-02")
    bad = tmp_path / "bad.json"
    bad.write_text('{"categories": {"天气": {"words": ["下雨"]}}}', encoding="utf-8")
    with pytest.raises(CommandError, match="未知的类别"):
        intel("load", bad, "--from", "2028-01-01")
    with pytest.raises(CommandError, match="日期格式"):
        intel("load", bad, "--from", "明天")
