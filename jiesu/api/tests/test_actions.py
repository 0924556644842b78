from __future__ import annotations

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.tickets.models import Callback, Ticket
from jiesu.tickets.tests.helpers import ticket_in


def test_a_ticket_lives_its_whole_life_through_the_api(world: World, agent: ApiClient, as_user: ClientFor) -> None:
    township = as_user(world.township_staff)
    callback = as_user(world.callback_agent)
    number = agent.post("/api/tickets", {"title": "暖气不热", "district": "110105"}).json()["number"]

    def act(client: ApiClient, action: str, status: str, **body: object) -> dict[str, object]:
        response = client.act(number, action, **body)
        assert response.status_code == 200, response.content.decode()
        result: dict[str, object] = response.json()
        assert result["ticket"] == {**result["ticket"], "number": number, "status": status}  # type: ignore[dict-item]
        return result

    act(agent, "acknowledged", "acknowledged")
    act(agent, "triaged", "triaged", kind="complaint", urgency="normal")
    act(agent, "dispatched", "dispatched", lead_unit_id=world.township.pk, reason="属地办理")
    act(township, "unit_acknowledged", "handling")
    replied = act(township, "replied", "replied", text="已协调供热公司上门维修，室温恢复到20度")
    closed = act(agent, "closed", "closed", expected_version=replied["ticket"]["version"])  # type: ignore[index]
    assert closed["event"]["kind"] == "closed"  # type: ignore[index]
    result = act(
        callback,
        "callback_recorded",
        "handling",
        contacted=True,
        resolved=True,
        satisfaction="dissatisfied",
        reason="诉求人表示仍然不热",
    )

    # A dissatisfied callback sends the ticket back to its lead unit at once (rework).
    assert result["event"]["kind"] == "callback_recorded"  # type: ignore[index]
    ticket = Ticket.objects.get(number=number)
    assert (ticket.status, ticket.rework_count, ticket.lead_unit) == ("handling", 1, world.township)
    assert Callback.objects.get(ticket=ticket).satisfaction == "dissatisfied"
    kinds = [e["kind"] for e in agent.get(f"/api/tickets/{number}/events").json()]
    assert kinds[-2:] == ["callback_recorded", "rework"]
    assert "replied" in township.get(f"/api/tickets/{number}").json()["allowed_actions"]


def test_an_illegal_transition_is_409_with_a_chinese_message(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "received")
    body = assert_error(agent.act(ticket.number, "closed"), 409, "transition_not_allowed")
    assert body["message"] == "工单当前状态为「已受理」，不能执行「审核通过并办结」"
    assert Ticket.objects.get(pk=ticket.pk).version == 1


def test_a_stale_expected_version_is_409(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "received")
    body = assert_error(agent.act(ticket.number, "acknowledged", expected_version=99), 409, "stale_ticket")
    assert body["details"] == {"expected_version": 99, "current_version": 1}
    ok = agent.act(ticket.number, "acknowledged", expected_version=1)
    assert ok.json()["ticket"]["version"] == 2
    assert_error(agent.act(ticket.number, "triaged", expected_version=1), 409, "stale_ticket")


def test_a_missing_reason_is_400(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "replied")
    assert_error(agent.act(ticket.number, "reply_sent_back"), 400, "reason_required")


def test_a_role_without_the_right_gets_403(world: World, as_user: ClientFor) -> None:
    ticket = ticket_in(world, "received")
    assert_error(as_user(world.analyst).act(ticket.number, "acknowledged"), 403, "action_forbidden")


def test_the_center_cannot_act_for_the_unit(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "dispatched")
    assert_error(agent.act(ticket.number, "unit_acknowledged"), 403, "action_forbidden")


def test_unknown_actions_and_bad_bodies_are_422(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "triaged")
    assert_error(agent.act(ticket.number, "teleported"), 422, "invalid_input")
    body = assert_error(agent.act(ticket.number, "dispatched", lead_unit_id="望京"), 422, "invalid_input")
    assert body["details"]["errors"][0]["field"] == "lead_unit_id"
    assert_error(agent.act(ticket.number, "dispatched", lead_unit_id=987654), 400, "ticket_invalid")


def test_actions_need_no_body(world: World, agent: ApiClient) -> None:
    ticket = ticket_in(world, "received")
    response = agent.client.generic("POST", f"/api/tickets/{ticket.number}/actions/acknowledged")
    assert response.status_code == 200, response.content
