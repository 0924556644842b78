from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

APPEAL: dict[str, Any] = {
    "title": "小区夜间施工噪音扰民",
    "content": "望京西园三区工地夜间十一点后仍在施工",
    "channel": "phone",
    "kind": "complaint",
    "urgency": "urgent",
    "requester_name": "张三",
    "requester_phone": "13812341234",
    "requester_id_number": "110105199001011234",
    "district": "110105",
    "received_at": "2026-11-20T09:30:00+08:00",
    "source": "12345市级平台",
    "external_number": "BJ2026112000017",
}


def test_create_returns_201_with_the_ticket(world: World, agent: ApiClient) -> None:
    response = agent.post("/api/tickets", {**APPEAL, "township": world.township.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert body["status"] == "received"
    assert body["status_label"] == "已受理"
    assert body["version"] == 1
    assert body["district"]["code"] == "110105"  # by code
    assert body["township"]["id"] == world.township.pk  # by id
    assert body["received_at"] == "2026-11-20T09:30:00+08:00"
    assert body["external_number"] == "BJ2026112000017"
    assert "acknowledged" in body["allowed_actions"]
    assert ticket.created_by == world.agent
    assert ticket.requester_phone == "13812341234"  # stored in full, only masked on the way out


def test_requester_data_is_masked_everywhere(world: World, agent: ApiClient) -> None:
    number = agent.post("/api/tickets", APPEAL).json()["number"]
    detail = agent.get(f"/api/tickets/{number}").json()
    listed = agent.get("/api/tickets").json()["items"][0]
    for body in (detail, listed):
        assert body["requester_name"] == "张*"
        assert body["requester_phone"] == "138****1234"
    assert detail["requester_id_number"] == "110105********1234"
    assert "13812341234" not in agent.get(f"/api/tickets/{number}").content.decode()


def test_an_unknown_unit_code_is_refused_with_400(world: World, agent: ApiClient) -> None:
    body = assert_error(agent.post("/api/tickets", {**APPEAL, "district": "999999"}), 400, "ticket_invalid")
    assert "999999" in body["message"]


def test_a_duplicate_external_number_is_refused(world: World, agent: ApiClient) -> None:
    assert agent.post("/api/tickets", APPEAL).status_code == 201
    assert_error(agent.post("/api/tickets", APPEAL), 400, "ticket_invalid")


def test_a_unit_cannot_take_in_appeals(world: World, as_user: ClientFor) -> None:
    response = as_user(world.township_staff).post("/api/tickets", {"title": "路灯不亮"})
    assert_error(response, 403, "action_forbidden")
    assert not Ticket.objects.exists()


def test_validation_errors_are_422_with_field_details(world: World, agent: ApiClient) -> None:
    response = agent.post(
        "/api/tickets", {"title": "", "received_at": "2026-11-20T09:30:00", "urgency": "asap", "x": 1}
    )
    body = assert_error(response, 422, "invalid_input")
    fields = {e["field"]: e for e in body["details"]["errors"]}
    assert set(fields) == {"title", "received_at", "urgency", "x"}
    assert fields["received_at"]["message"] == "必须带时区（如 +08:00）"
    assert fields["urgency"]["type"] == "enum"
    assert all(e["loc"][0] == "body" for e in fields.values())


def test_malformed_json_is_refused_in_the_same_shape(world: World, agent: ApiClient) -> None:
    response = agent.client.post("/api/tickets", "{not json", content_type="application/json")
    assert_error(response, 400, "malformed_request")


def test_list_is_paginated_with_a_total(world: World, agent: ApiClient) -> None:
    for i in range(3):
        new_ticket(world, title=f"工单{i}")
    page = agent.get("/api/tickets", limit=2, offset=0, ordering="received_at").json()
    assert (page["count"], page["limit"], len(page["items"])) == (3, 2, 2)
    assert [t["title"] for t in page["items"]] == ["工单0", "工单1"]
    assert [t["title"] for t in agent.get("/api/tickets", limit=2, offset=2).json()["items"]] == ["工单0"]
    assert_error(agent.get("/api/tickets", limit=201), 422, "invalid_input")


def test_list_filters(world: World, agent: ApiClient) -> None:
    heating = new_ticket(world, title="暖气不热", content="室温低")
    noise = new_ticket(world, title="噪音", content="广场舞音响", district=world.other_district, township=None)
    handled = ticket_in(world, "handling")
    Ticket.objects.filter(pk=handled.pk).update(reply_due_at=timezone.now() - timedelta(hours=1))

    def numbers(**params: Any) -> set[str]:
        response = agent.get("/api/tickets", **params)
        assert response.status_code == 200, response.content
        return {t["number"] for t in response.json()["items"]}

    assert numbers(q="广场舞") == {noise.number}
    assert numbers(district="110108") == {noise.number}
    assert numbers(district=str(world.other_district.pk)) == {noise.number}
    assert numbers(status="handling") == {handled.number}
    assert numbers(lead_unit=world.district.code) == {handled.number}  # the township is below the district
    assert numbers(overdue="true") == {handled.number}
    assert numbers(overdue="false") == {heating.number, noise.number}
    later = (timezone.now() + timedelta(days=1)).isoformat()
    assert numbers(received_to=later) == {heating.number, noise.number, handled.number}
    assert numbers(received_from=later) == set()
    assert_error(agent.get("/api/tickets", district="no-such-unit"), 400, "validation_failed")
    assert_error(agent.get("/api/tickets", received_from="1900-01-01T00:00:00"), 400, "validation_failed")
    assert agent.get("/api/tickets", overdue="true").json()["items"][0]["is_overdue"] is True


def test_a_unit_lists_only_its_own_tickets(world: World, as_user: ClientFor) -> None:
    mine = ticket_in(world, "dispatched")
    new_ticket(world, title="别区的事", district=world.other_district, township=world.other_township)
    listed = as_user(world.township_staff).get("/api/tickets").json()
    assert [t["number"] for t in listed["items"]] == [mine.number]
    assert as_user(world.outsider).get("/api/tickets").json()["count"] == 0


def test_detail_shows_units_deadlines_facts_and_allowed_actions(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, "dispatched")
    body = as_user(world.township_staff).get(f"/api/tickets/{ticket.number}").json()
    assert body["lead_unit"]["code"] == world.township.code
    assert body["assisting_units"] == []
    assert set(body["deadlines"]) >= {"reply_due_at", "unit_acknowledge_due_at"}
    assert body["facts"]["dispatched_at"] is not None
    assert "unit_acknowledged" in body["allowed_actions"]
    assert "closed" not in body["allowed_actions"]


def test_events_are_the_timeline(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "dispatched")
    events = agent.get(f"/api/tickets/{ticket.number}/events").json()
    assert [e["kind"] for e in events] == ["received", "acknowledged", "triaged", "dispatched"]
    assert events[-1]["kind_label"] == "派单"
    assert events[-1]["actor"]["username"] == "agent"
    assert events[-1]["payload"]["lead_unit_id"] == world.township.pk


def test_another_units_ticket_is_not_found(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, "dispatched")
    other = as_user(world.other_staff)
    assert_error(other.get(f"/api/tickets/{ticket.number}"), 404, "not_found")
    assert_error(other.get(f"/api/tickets/{ticket.number}/events"), 404, "not_found")
    assert_error(other.act(ticket.number, "unit_acknowledged"), 404, "not_found")
    assert Ticket.objects.get(pk=ticket.pk).status == "dispatched"
