"""The callback endpoints: due list, coverage with drill-down, recording attempts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiesu.api.tests.conftest import ClientFor
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import CallbackAttempt, Ticket
from jiesu.tickets.tests.helpers import REQUESTER_PHONE, requester_ticket

BEIJING = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=BEIJING)


@pytest.fixture
def closed(world: World) -> list[Ticket]:
    with time_machine.travel(MONDAY, tick=False):
        return [requester_ticket(world, TicketStatus.CLOSED) for _ in range(2)]


def test_the_due_list_masks_the_requester(world: World, as_user: ClientFor, closed: list[Ticket]) -> None:
    body = as_user(world.callback_agent).get("/api/callbacks/due").json()
    assert body["count"] == 2 and {i["number"] for i in body["items"]} == {t.number for t in closed}
    item = body["items"][0]
    assert item["requester_phone"] != REQUESTER_PHONE and "****" in item["requester_phone"]
    assert item["callback_attempts"] == 0 and item["callback_overdue"] is False


def test_units_may_not_read_the_due_list(world: World, as_user: ClientFor, closed: list[Ticket]) -> None:
    response = as_user(world.township_staff).get("/api/callbacks/due")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied" and response.json()["message"] == "您的角色无权查看回访工作台"


def test_a_failed_attempt_then_a_reached_one(world: World, as_user: ClientFor, closed: list[Ticket]) -> None:
    client = as_user(world.callback_agent)
    number = closed[0].number
    failed = client.post(f"/api/tickets/{number}/callback-attempts", {"outcome": "no_answer", "note": "无人接听"})
    assert failed.status_code == 201, failed.json()
    assert failed.json()["outcome_label"] == "无人接听" and failed.json()["callback_recorded"] is False
    assert failed.json()["event"]["kind"] == "callback_attempted"
    due = client.get("/api/callbacks/due", attempted="true").json()
    assert [i["number"] for i in due["items"]] == [number] and due["items"][0]["callback_attempts"] == 1
    body = {"outcome": "reached", "contacted": True, "resolved": True, "satisfaction": "satisfied"}
    reached = client.post(f"/api/tickets/{number}/callback-attempts", body)
    assert reached.status_code == 201 and reached.json()["callback_recorded"] is True
    assert client.get("/api/callbacks/due").json()["count"] == 1
    assert CallbackAttempt.objects.filter(ticket__number=number).count() == 2


def test_attempt_errors_are_structured_and_chinese(world: World, as_user: ClientFor, closed: list[Ticket]) -> None:
    number = closed[0].number
    client = as_user(world.callback_agent)
    missing = client.post(f"/api/tickets/{number}/callback-attempts", {"outcome": "reached", "resolved": True})
    assert missing.status_code == 400 and missing.json()["message"] == "已接通的回访须填写是否联系"
    assert missing.json()["details"] == {"field": "contacted"}
    bad = client.post(f"/api/tickets/{number}/callback-attempts", {"outcome": "carrier_pigeon"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"
    future = (datetime.now(BEIJING) + timedelta(days=1)).isoformat()
    late = client.post(f"/api/tickets/{number}/callback-attempts", {"outcome": "busy", "at": future})
    assert late.status_code == 400 and late.json()["message"] == "拨打时间不能晚于当前时间"
    stale = client.post(f"/api/tickets/{number}/callback-attempts", {"outcome": "busy", "expected_version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_ticket"
    forbidden = as_user(world.leader).post(f"/api/tickets/{number}/callback-attempts", {"outcome": "busy"})
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "action_forbidden"
    unseen = as_user(world.other_staff).post(f"/api/tickets/{number}/callback-attempts", {"outcome": "busy"})
    assert unseen.status_code == 404


def test_the_generic_action_endpoint_records_attempts_too(
    world: World, as_user: ClientFor, closed: list[Ticket]
) -> None:
    result = as_user(world.callback_agent).act(closed[0].number, "callback_attempted", outcome="refused")
    assert result.status_code == 200 and result.json()["event"]["kind"] == "callback_attempted"
    ticket = Ticket.objects.get(pk=closed[0].pk)
    assert ticket.callback_valid is False  # a refusal ends the callback at once (rule-set data)


def test_coverage_and_its_drill_down_add_up(world: World, as_user: ClientFor, closed: list[Ticket]) -> None:
    client = as_user(world.leader)
    as_user(world.callback_agent).post(
        f"/api/tickets/{closed[0].number}/callback-attempts", {"outcome": "wrong_number"}
    )
    window = {"from": "2026-03-01", "to": "2026-03-31"}
    body = client.get("/api/callbacks/coverage", **window).json()
    assert (body["from"], body["to"], body["by"]) == ("2026-03-01", "2026-03-31", "unit")
    assert {k: body["total"][k] for k in ("closed", "covered", "valid", "invalid", "missing", "rate")} == {
        "closed": 2,
        "covered": 1,
        "valid": 0,
        "invalid": 1,
        "missing": 1,
        "rate": 0.5,
    }
    row = body["rows"][0]
    assert row["key"] == str(world.township.pk) and row["name"] == "望京街道"
    for part in ("closed", "covered", "missing"):
        listed = client.get("/api/callbacks/coverage/tickets", **window, part=part, key=row["key"]).json()
        assert listed["count"] == row[part] == len(listed["items"])
    missing = client.get("/api/callbacks/coverage/tickets", **window).json()
    assert [i["number"] for i in missing["items"]] == [closed[1].number]


def test_coverage_parameters_are_checked(world: World, as_user: ClientFor) -> None:
    client = as_user(world.leader)
    reversed_window = client.get("/api/callbacks/coverage", **{"from": "2026-03-31", "to": "2026-03-01"})
    assert reversed_window.status_code == 400 and reversed_window.json()["message"] == "结束日期不能早于开始日期"
    assert client.get("/api/callbacks/coverage", **{"from": "2026-03-01"}).status_code == 422
    bad_key = client.get("/api/callbacks/coverage/tickets", **{"from": "2026-03-01", "to": "2026-03-31", "key": "x"})
    assert bad_key.status_code == 422
