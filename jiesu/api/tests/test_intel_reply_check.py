"""Reply-check endpoints: any text (spans into the text), and a ticket's latest reply, scope-checked."""

from __future__ import annotations

import pytest

from jiesu.api.tests.conftest import ClientFor
from jiesu.intel.tests.test_reply_check import ALL_SIX, FULL_REPLY, default_scheme, replied_ticket
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.tests.helpers import ticket_in

pytestmark = pytest.mark.django_db


def test_any_text_is_checked_with_spans_into_the_text(as_user: ClientFor, world: World) -> None:
    default_scheme()
    text = "我局已于5月3日派员到现场核查，路灯已修复。"
    response = as_user(world.township_staff).post("/api/intel/reply-check", {"text": text})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scheme"] == "default-2026"
    assert body["missing"] == ["basis", "requester_contact"]
    result = next(e for e in body["elements"] if e["code"] == "result")
    assert [text[s:e] for s, e in result["spans"]] == result["evidence"] == ["已修复"]
    # Before any scheme was in force: the built-in default.
    early = as_user(world.agent).post("/api/intel/reply-check", {"text": FULL_REPLY, "at": "2019-05-01T09:00:00+08:00"})
    assert early.json()["scheme"] == "" and early.json()["missing"] == []


@pytest.mark.parametrize(
    ("body", "status"),
    [({}, 422), ({"text": ""}, 422), ({"text": "x", "extra": 1}, 422), ({"text": "x", "at": "2026-01-01"}, 422)],
)
def test_bad_input_gets_the_error_shape(as_user: ClientFor, world: World, body: dict[str, object], status: int) -> None:
    response = as_user(world.agent).post("/api/intel/reply-check", body)
    assert response.status_code == status
    assert set(response.json()) == {"code", "message", "details"}


def test_an_outsider_may_not_use_it(as_user: ClientFor, world: World) -> None:
    response = as_user(world.outsider).post("/api/intel/reply-check", {"text": "已修复"})
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_a_ticket_reply_check_names_ticked_but_not_found_elements(as_user: ClientFor, world: World) -> None:
    default_scheme()
    ticket = replied_ticket(world, "我局已于5月3日派员到现场核查，路灯已修复。", ticked=ALL_SIX)
    answer = as_user(world.agent).get(f"/api/tickets/{ticket.number}/reply-check").json()
    assert answer["number"] == ticket.number
    body = answer["reply"]
    assert body["event"] == "replied"
    assert body["ticked"] == ALL_SIX
    assert body["ticked_not_found"] == ["basis", "requester_contact"]
    assert body["found_not_ticked"] == []
    assert body["text"] == ticket.reply_text
    assert as_user(world.township_staff).get(f"/api/tickets/{ticket.number}/reply-check").status_code == 200


def test_the_ticket_endpoint_checks_scope_role_and_status(as_user: ClientFor, world: World) -> None:
    ticket = replied_ticket(world, "路灯已修复。", ticked=[])
    foreign = as_user(world.other_staff).get(f"/api/tickets/{ticket.number}/reply-check")
    assert foreign.status_code == 404 and "路灯" not in foreign.content.decode()
    above = as_user(world.district_staff).get(f"/api/tickets/{ticket.number}/reply-check")
    assert above.status_code == 403
    handling = ticket_in(world, TicketStatus.HANDLING)
    pending = as_user(world.agent).get(f"/api/tickets/{handling.number}/reply-check")
    assert pending.status_code == 200 and pending.json() == {"number": handling.number, "reply": None}
