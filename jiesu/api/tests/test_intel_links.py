"""GET /api/tickets/{number}/links and POST /api/intel/links/{id}/dismiss."""

from __future__ import annotations

import pytest
from django.test import Client

from jiesu.intel.duplicates.screen import duplicates_screen
from jiesu.intel.tests.duplicates_support import ticket
from jiesu.orgs.models import User
from jiesu.orgs.testing import World
from jiesu.tickets.services import dispatch

pytestmark = pytest.mark.django_db
PHONE = "13800004444"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_links_both_ways_and_dismiss(world: World) -> None:
    first = ticket(world, requester_phone=PHONE, content="楼道灯坏了一个月")
    second = ticket(world, days=1, requester_phone=PHONE, content="楼道灯仍然不亮")
    (link,) = duplicates_screen(second)
    client = _client(world.agent)
    (out,) = client.get(f"/api/tickets/{second.number}/links").json()
    assert (out["id"], out["direction"], out["kind"], out["status"]) == (link.pk, "repeats", "same_requester", "open")
    assert out["ticket"]["number"] == first.number and out["score"] == 1.0
    (back,) = client.get(f"/api/tickets/{first.number}/links").json()
    assert back["direction"] == "repeated_by" and back["ticket"]["number"] == second.number
    done = client.post(f"/api/intel/links/{link.pk}/dismiss", content_type="application/json")
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "dismissed" and body["decided_by"]["username"] == "agent" and body["decided_at"]
    again = client.post(f"/api/intel/links/{link.pk}/dismiss", content_type="application/json")
    assert again.status_code == 409 and set(again.json()) == {"code", "message", "details"}


def test_scope_hides_links_and_refuses_dismissal(world: World) -> None:
    first = ticket(world, requester_phone=PHONE, content="楼道灯坏了一个月")
    second = ticket(
        world,
        days=1,
        requester_phone=PHONE,
        content="楼道灯仍然不亮",
        district=world.other_district,
        township=world.other_township,
    )
    (link,) = duplicates_screen(second)
    dispatch.ticket_acknowledge(ticket=first, actor=world.agent)
    dispatch.ticket_dispatch(ticket=first, actor=world.agent, lead_unit=world.township)
    staff = _client(world.township_staff)
    assert staff.get(f"/api/tickets/{first.number}/links").json() == []
    assert staff.get(f"/api/tickets/{second.number}/links").status_code == 404
    refused = staff.post(f"/api/intel/links/{link.pk}/dismiss", content_type="application/json")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    analyst = _client(world.analyst).post(f"/api/intel/links/{link.pk}/dismiss", content_type="application/json")
    assert analyst.status_code == 403
