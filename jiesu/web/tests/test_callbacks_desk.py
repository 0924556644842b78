"""回访工作台: the due list, recording calls with errors beside the fields, coverage, exports."""

from __future__ import annotations

import re
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import CallbackAttempt, Ticket
from jiesu.tickets.tests.helpers import REQUESTER_PHONE, requester_ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
WINDOW = "date_from=2026-03-01&date_to=2026-03-31"


@pytest.fixture
def closed(world: World) -> list[Ticket]:
    with time_machine.travel(MONDAY, tick=False):
        return [requester_ticket(world, TicketStatus.CLOSED) for _ in range(2)]


def test_the_desk_lists_due_tickets_masked(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    response = login_as(world.callback_agent).get("/callbacks/")
    text = page_text(response)
    assert response.status_code == 200 and '<span id="due-count">2</span>' in text
    assert closed[0].number in text and REQUESTER_PHONE not in text and "记录回访" in text
    assert "回访工作台" in text  # the navigation link


def test_leaders_read_but_do_not_record(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    client = login_as(world.leader)
    assert "记录回访" not in page_text(client.get("/callbacks/"))
    assert client.get(f"/callbacks/{closed[0].number}/").status_code == 403


def test_units_and_outsiders_are_refused(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    for user in (world.township_staff, world.outsider):
        assert login_as(user).get("/callbacks/").status_code == 403
    assert "回访工作台" not in page_text(login_as(world.township_staff).get("/"))


def test_a_failed_call_is_recorded_and_the_ticket_stays_due(
    world: World, login_as: LoginAs, closed: list[Ticket]
) -> None:
    client = login_as(world.callback_agent)
    ticket = closed[0]
    data = {
        "callback_attempted-version": ticket.version,
        "callback_attempted-outcome": "no_answer",
        "callback_attempted-reason": "响铃无人接",
    }
    response = client.post(f"/callbacks/{ticket.number}/", data)
    assert response.status_code == 302 and response["Location"] == "/callbacks/"
    assert CallbackAttempt.objects.get(ticket=ticket).note == "响铃无人接"
    page = page_text(client.get("/callbacks/?attempted=yes"))
    assert '<span id="due-count">1</span>' in page and ticket.number in page
    assert "响铃无人接" in page_text(client.get(f"/callbacks/{ticket.number}/"))


def test_a_reached_call_without_answers_keeps_the_input(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    ticket = closed[0]
    data = {
        "callback_attempted-version": ticket.version,
        "callback_attempted-outcome": "reached",
        "callback_attempted-resolved": "yes",
        "callback_attempted-reason": "已接通，诉求人称已解决",
    }
    response = login_as(world.callback_agent).post(f"/callbacks/{ticket.number}/", data)
    text = page_text(response)
    assert response.status_code == 400
    assert text.count("已接通的回访须填写此项") == 2  # contacted and satisfaction, beside each field
    assert "已接通，诉求人称已解决" in text and re.search(r'value="reached"[^>]*checked', text)
    assert not CallbackAttempt.objects.exists()


def test_a_reached_call_with_answers_leaves_the_list(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    client = login_as(world.callback_agent)
    ticket = closed[0]
    data = {
        "callback_attempted-version": ticket.version,
        "callback_attempted-outcome": "reached",
        "callback_attempted-contacted": "yes",
        "callback_attempted-resolved": "yes",
        "callback_attempted-satisfaction": "satisfied",
        "callback_attempted-is_valid": "on",
    }
    assert client.post(f"/callbacks/{ticket.number}/", data).status_code == 302
    assert '<span id="due-count">1</span>' in page_text(client.get("/callbacks/"))
    done = page_text(client.get(f"/callbacks/{ticket.number}/"))
    assert "该工单当前没有待回访的办结记录" in done


def test_a_stale_form_is_refused(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    data = {"callback_attempted-version": 1, "callback_attempted-outcome": "busy"}
    response = login_as(world.callback_agent).post(f"/callbacks/{closed[0].number}/", data)
    assert response.status_code == 409 and "已被他人处理" in page_text(response)


def test_coverage_card_table_and_drill_down(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    client = login_as(world.callback_agent)
    data = {"callback_attempted-version": closed[0].version, "callback_attempted-outcome": "wrong_number"}
    client.post(f"/callbacks/{closed[0].number}/", data)
    text = page_text(client.get(f"/callbacks/?{WINDOW}"))
    assert '<span class="tile-count" id="coverage-rate">50.0%</span>' in text
    assert '<span class="tile-count" id="coverage-missing">1</span>' in text
    assert f'data-key="{world.township.pk}"' in text
    listed = page_text(client.get(f"/callbacks/coverage/?{WINDOW}&by=unit&part=missing&key={world.township.pk}"))
    assert '<span id="list-count">1</span>' in listed and closed[1].number in listed and closed[0].number not in listed
    assert client.get(f"/callbacks/coverage/?{WINDOW}&key=bad").status_code == 302


def test_the_due_list_exports_to_excel_without_personal_data(
    world: World, login_as: LoginAs, closed: list[Ticket]
) -> None:
    response = login_as(world.shift_lead).get("/callbacks/export")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "工单编号" and {r[0] for r in rows[1:]} == {t.number for t in closed}
    assert all(REQUESTER_PHONE not in str(cell) for row in rows for cell in row)


def test_the_coverage_exports_to_excel(world: World, login_as: LoginAs, closed: list[Ticket]) -> None:
    response = login_as(world.leader).get(f"/callbacks/coverage/export?{WINDOW}")
    rows = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[-1] == ("合计", 2, 0, 0, 0, 2, 0.0)
