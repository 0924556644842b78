"""Reply elements (六要素): versioned schemes, the check on reply and self-handling, the CLI."""

from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiesu.orgs.testing import World
from jiesu.sla.calendar import SHANGHAI
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.errors import TicketInvalid
from jiesu.tickets.models import ReplyElementScheme, Ticket
from jiesu.tickets.services import handling
from jiesu.tickets.services.actions import ActionInput, ticket_perform
from jiesu.tickets.services.reply_elements import (
    DEFAULT_SCHEME_FILE,
    ElementSpec,
    reply_element_file_read,
    reply_element_scheme_in_force,
    reply_element_scheme_set,
)
from jiesu.tickets.tests.helpers import ticket_in

pytestmark = pytest.mark.django_db
ALL_SIX = ["handled_at", "handler", "process", "result", "basis", "requester_contact"]


def _default(valid_from: date = date(2020, 1, 1)) -> ReplyElementScheme:
    header, specs = reply_element_file_read(DEFAULT_SCHEME_FILE)
    return reply_element_scheme_set(valid_from=valid_from, elements=specs, code=header["code"], name=header["name"])


def test_the_default_scheme_has_the_six_elements_in_order() -> None:
    scheme = _default()
    labels = [e.label for e in scheme.elements.all()]
    assert labels == ["办理时间", "办理人", "办理过程", "办理结果", "依据", "联系诉求人情况"]


def test_a_new_version_closes_the_previous_one_and_each_day_has_its_scheme() -> None:
    first = _default(date(2026, 1, 1))
    second = reply_element_scheme_set(
        valid_from=date(2026, 7, 1), elements=[ElementSpec("result", "办理结果")], code="v2", name="精简版"
    )
    first.refresh_from_db()
    assert first.valid_to == date(2026, 6, 30)
    assert reply_element_scheme_in_force(on=date(2025, 12, 31)) is None
    assert reply_element_scheme_in_force(on=date(2026, 6, 30)) == first
    assert reply_element_scheme_in_force(on=date(2026, 7, 1)) == second
    with pytest.raises(TicketInvalid, match="生效日期必须晚于"):
        reply_element_scheme_set(valid_from=date(2026, 7, 1), elements=[ElementSpec("x", "X")])


def test_a_reply_missing_a_required_element_is_refused_and_nothing_changes(world: World) -> None:
    _default()
    ticket = ticket_in(world, TicketStatus.HANDLING)
    with pytest.raises(TicketInvalid, match="反馈内容缺少必备要素：依据、联系诉求人情况") as refusal:
        handling.ticket_reply(ticket=ticket, actor=world.township_staff, text="已维修", elements=ALL_SIX[:4])
    assert refusal.value.details["field"] == "elements"
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.HANDLING


def test_a_complete_reply_stores_the_ticked_elements_in_its_event(world: World) -> None:
    _default()
    ticket = ticket_in(world, TicketStatus.HANDLING)
    event = ticket_perform(
        ticket=ticket,
        action=EventKind.REPLIED,
        actor=world.township_staff,
        data=ActionInput(text="已维修", elements=ALL_SIX),
    )
    assert event.payload["elements"] == ALL_SIX
    assert event.payload["element_scheme"] == "default-2026"


def test_self_handling_is_checked_too_and_unknown_elements_are_refused(world: World) -> None:
    _default()
    ticket = ticket_in(world, TicketStatus.TRIAGED)
    with pytest.raises(TicketInvalid, match="不在现行方案中：mood"):
        handling.ticket_self_handle(ticket=ticket, actor=world.agent, answer="已答复", elements=[*ALL_SIX, "mood"])
    event = handling.ticket_self_handle(ticket=ticket, actor=world.agent, answer="已答复", elements=ALL_SIX)
    assert event.payload["elements"] == ALL_SIX


def test_without_a_scheme_in_force_replies_are_not_checked(world: World) -> None:
    reply_element_scheme_set(valid_from=date(2099, 1, 1), elements=[ElementSpec("result", "办理结果")])
    ticket = ticket_in(world, TicketStatus.HANDLING)
    at = datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    event = handling.ticket_reply(ticket=ticket, actor=world.township_staff, text="已维修", at=at)
    assert "elements" not in event.payload


def test_the_command_sets_and_shows_schemes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("reply_elements", "set", "--from", "2026-01-01")
    custom = tmp_path / "elements.json"
    custom.write_text(
        '{"code": "v2", "name": "新方案", "elements": [{"code": "result", "label": "办理结果"}]}', "utf-8"
    )
    call_command("reply_elements", "set", "--from", "2026-09-01", "--file", str(custom))
    call_command("reply_elements", "show", "--on", "2026-08-31")
    out = capsys.readouterr().out
    assert "反馈六要素（默认）" in out and "联系诉求人情况" in out and "2026-01-01 — 2026-08-31" in out
    call_command("reply_elements", "show", "--on", "2026-09-01")
    assert "新方案（v2，2026-09-01 起）" in capsys.readouterr().out
    with pytest.raises(CommandError, match="生效日期必须晚于"):
        call_command("reply_elements", "set", "--from", "2026-01-02")
    with pytest.raises(CommandError, match="日期格式应为"):
        call_command("reply_elements", "show", "--on", "2026/01/02")
