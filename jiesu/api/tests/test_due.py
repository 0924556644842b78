from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.reminders.testing import due_tickets
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import ticket_in


@pytest.fixture
def tickets(world: World) -> dict[str, Ticket]:
    return due_tickets(world)


def numbers(client: ApiClient, **params: object) -> list[str]:
    response = client.get("/api/tickets/due", **params)
    assert response.status_code == 200, response.content
    return [item["number"] for item in response.json()["items"]]


def test_overdue_rows_carry_the_ticket_its_stage_and_deadline(
    world: World, agent: ApiClient, tickets: dict[str, Ticket]
) -> None:
    body = agent.get("/api/tickets/due", kind="overdue").json()
    assert body["count"] == 2 and body["limit"] == 50 and body["offset"] == 0
    first, second = body["items"]
    assert [first["number"], second["number"]] == [tickets["elsewhere"].number, tickets["overdue"].number]
    assert first["due_stage"] == "reply" and first["due_stage_label"] == "反馈"
    due = Ticket.objects.get(pk=tickets["elsewhere"].pk).reply_due_at
    assert due is not None and abs(datetime.fromisoformat(first["due_at"]) - due) < timedelta(milliseconds=1)
    assert first["due_at"].endswith("+08:00") and first["due_at"] == first["reply_due_at"]
    assert first["status"] == "handling" and first["lead_unit"]["code"] == "110108010"  # the ticket list's fields
    assert first["is_overdue"] is True


def test_due_soon_follows_within_hours(world: World, agent: ApiClient, tickets: dict[str, Ticket]) -> None:
    assert numbers(agent, kind="soon") == [tickets["soon"].number]
    assert numbers(agent, kind="soon", within_hours=6 * 24) == [tickets["soon"].number, tickets["later"].number]
    assert numbers(agent, kind="soon", within_hours=1) == []


def test_unit_staff_see_only_their_units_tickets(world: World, as_user: ClientFor, tickets: dict[str, Ticket]) -> None:
    township, other = as_user(world.township_staff), as_user(world.other_staff)
    assert numbers(township, kind="overdue") == [tickets["overdue"].number]
    assert numbers(township, kind="soon") == [tickets["soon"].number]
    assert numbers(other, kind="overdue") == [tickets["elsewhere"].number]
    assert numbers(other, kind="soon") == []


def test_the_unit_filter_narrows_and_never_widens(
    world: World, agent: ApiClient, as_user: ClientFor, tickets: dict[str, Ticket]
) -> None:
    assert numbers(agent, kind="overdue", unit=world.other_district.pk) == [tickets["elsewhere"].number]
    assert numbers(agent, kind="overdue", unit=world.township.pk) == [tickets["overdue"].number]
    assert numbers(as_user(world.township_staff), kind="overdue", unit=world.other_district.pk) == []


def test_center_stages_are_listed_for_the_center_only(world: World, agent: ApiClient, as_user: ClientFor) -> None:
    waiting = ticket_in(world, TicketStatus.RECEIVED)
    Ticket.objects.filter(pk=waiting.pk).update(acknowledge_due_at=timezone.now() - timedelta(hours=1))
    (row,) = agent.get("/api/tickets/due", kind="overdue").json()["items"]
    assert row["number"] == waiting.number and row["due_stage"] == "acknowledge"
    assert numbers(as_user(world.district_staff), kind="overdue") == []


def test_paging(world: World, agent: ApiClient, tickets: dict[str, Ticket]) -> None:
    body = agent.get("/api/tickets/due", kind="overdue", limit=1, offset=1).json()
    assert body["count"] == 2 and [t["number"] for t in body["items"]] == [tickets["overdue"].number]


def test_bad_parameters(world: World, agent: ApiClient) -> None:
    assert_error(agent.get("/api/tickets/due"), 422, "invalid_input")  # kind is required
    assert_error(agent.get("/api/tickets/due", kind="late"), 422, "invalid_input")
    assert_error(agent.get("/api/tickets/due", kind="soon", within_hours=0), 422, "invalid_input")
    body = assert_error(agent.get("/api/tickets/due", kind="soon", unit=999999), 400, "validation_failed")
    assert "999999" in body["message"]


def test_without_credentials_it_is_401(world: World) -> None:
    assert_error(Client().get("/api/tickets/due", {"kind": "soon"}), 401, "unauthenticated")
