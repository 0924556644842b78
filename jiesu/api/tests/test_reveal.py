"""POST /api/tickets/{number}/reveal, masked lists and details, confidentiality, phone search."""

from __future__ import annotations

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.audit.models import AuditEntry, AuditResult
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.pii import CONFIDENTIAL_TEXT, REVEAL_ACTION
from jiesu.tickets.tests.helpers import REQUESTER_ID_NUMBER as ID_NUMBER
from jiesu.tickets.tests.helpers import REQUESTER_PHONE as PHONE
from jiesu.tickets.tests.helpers import requester_ticket


def reveal(client: ApiClient, ticket: Ticket, **body: object) -> object:
    return client.post(f"/api/tickets/{ticket.number}/reveal", body)


def test_an_agent_gets_the_requested_fields_in_full_and_the_view_is_audited(world: World, agent: ApiClient) -> None:
    ticket = requester_ticket(world)
    response = reveal(agent, ticket, fields=["requester_phone", "requester_id_number"], reason="回访核实")
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert response.json() == {"requester_phone": PHONE, "requester_id_number": ID_NUMBER}  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "no-store"  # type: ignore[index]
    entry = AuditEntry.objects.get(action=REVEAL_ACTION)
    assert entry.result == AuditResult.SUCCESS and entry.actor_id == world.agent.pk
    assert entry.detail == {"fields": ["requester_phone", "requester_id_number"], "reason": "回访核实"}


def test_a_role_without_the_need_is_refused_with_403_and_audited(world: World, as_user: ClientFor) -> None:
    ticket = requester_ticket(world)
    body = assert_error(
        reveal(as_user(world.analyst), ticket, fields=["requester_phone"], reason="统计分析"), 403, "permission_denied"
    )
    assert "无权查看" in body["message"]
    assert AuditEntry.objects.get(action=REVEAL_ACTION).result == AuditResult.FAILURE


def test_a_reason_is_required(world: World, agent: ApiClient) -> None:
    ticket = requester_ticket(world)
    body = assert_error(reveal(agent, ticket, fields=["requester_name"], reason=" "), 400, "validation_failed")
    assert "查看原因" in body["message"]
    assert_error(reveal(agent, ticket, fields=[], reason="回访核实"), 422, "invalid_input")
    assert_error(reveal(agent, ticket, fields=["requester_address"], reason="回访核实"), 422, "invalid_input")


def test_units_may_reveal_while_handling_but_never_a_confidential_requester(world: World, as_user: ClientFor) -> None:
    unit = as_user(world.township_staff)
    handling = requester_ticket(world, TicketStatus.HANDLING)
    assert reveal(unit, handling, fields=["requester_phone"], reason="上门核实").json() == {"requester_phone": PHONE}  # type: ignore[attr-defined]
    secret = requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    body = assert_error(reveal(unit, secret, fields=["requester_phone"], reason="上门核实"), 403, "permission_denied")
    assert "诉求人要求保密" in body["message"]
    assert_error(
        reveal(as_user(world.other_staff), handling, fields=["requester_phone"], reason="核实"), 404, "not_found"
    )


def test_units_see_no_number_of_a_confidential_requester(world: World, as_user: ClientFor, agent: ApiClient) -> None:
    secret = requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    unit = as_user(world.township_staff)
    detail = unit.get(f"/api/tickets/{secret.number}").json()
    [listed] = unit.get("/api/tickets").json()["items"]
    assert (detail["requester_phone"], detail["requester_id_number"]) == (CONFIDENTIAL_TEXT, CONFIDENTIAL_TEXT)
    assert listed["requester_phone"] == CONFIDENTIAL_TEXT and listed["requester_name"] == "王**"
    center = agent.get(f"/api/tickets/{secret.number}").json()
    assert (center["requester_phone"], center["requester_id_number"]) == ("138****1234", "110105********1234")
    for client in (unit, agent):
        assert PHONE not in client.get(f"/api/tickets/{secret.number}").content.decode()


def test_the_list_finds_a_ticket_by_the_requesters_phone(world: World, agent: ApiClient, as_user: ClientFor) -> None:
    ticket = requester_ticket(world, TicketStatus.HANDLING)
    secret = requester_ticket(world, TicketStatus.HANDLING, confidential=True)
    found = {t["number"] for t in agent.get("/api/tickets", q="138-1234-1234").json()["items"]}
    assert found == {ticket.number, secret.number}
    unit = as_user(world.township_staff)
    assert [t["number"] for t in unit.get("/api/tickets", q=PHONE).json()["items"]] == [ticket.number]
