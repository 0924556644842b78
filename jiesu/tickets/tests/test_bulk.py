"""Bulk actions: each ticket on its own, refusals reported per ticket, scope and the limit kept."""

from __future__ import annotations

import pytest

from jiesu.core.errors import ValidationFailed
from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.actions import ActionInput
from jiesu.tickets.services.bulk import tickets_bulk_perform
from jiesu.tickets.tests.helpers import new_ticket, ticket_in


def test_acknowledging_a_selection_reports_each_ticket(world: World) -> None:
    fresh = ticket_in(world, TicketStatus.RECEIVED)
    moved = ticket_in(world, TicketStatus.ACKNOWLEDGED)
    result = tickets_bulk_perform(
        numbers=[fresh.number, moved.number, "NOPE"],
        action=EventKind.ACKNOWLEDGED,
        actor=world.agent,
        data=ActionInput(),
    )
    outcomes = {o.number: o for o in result.outcomes}
    assert [o.number for o in result.outcomes] == [fresh.number, moved.number, "NOPE"]
    assert outcomes[fresh.number].done and result.done == 1 and result.refused == 2
    assert outcomes[moved.number].code == "transition_not_allowed" and outcomes[moved.number].message
    assert outcomes["NOPE"].code == "not_found"
    assert Ticket.objects.get(pk=fresh.pk).status == TicketStatus.ACKNOWLEDGED


def test_dispatching_a_selection_sets_the_lead_unit_of_each(world: World) -> None:
    tickets = [ticket_in(world, TicketStatus.TRIAGED) for _ in range(2)]
    data = ActionInput(lead_unit_id=world.township.pk, assisting_unit_ids=[world.office.pk], reason="批量派单")
    result = tickets_bulk_perform(
        numbers=[t.number for t in tickets], action=EventKind.DISPATCHED, actor=world.agent, data=data
    )
    assert result.done == 2
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("lead_unit", flat=True)) == {
        world.township.pk
    }


def test_what_the_actor_may_not_do_is_refused_per_ticket(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    result = tickets_bulk_perform(
        numbers=[ticket.number], action=EventKind.URGED, actor=world.township_staff, data=ActionInput(reason="请尽快")
    )
    assert not result.outcomes[0].done and result.outcomes[0].code == "action_forbidden"
    done = tickets_bulk_perform(
        numbers=[ticket.number], action=EventKind.URGED, actor=world.agent, data=ActionInput(reason="请尽快")
    )
    assert done.done == 1


def test_tickets_outside_the_scope_are_not_found_and_untouched(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.DISPATCHED)
    result = tickets_bulk_perform(
        numbers=[ticket.number], action=EventKind.UNIT_ACKNOWLEDGED, actor=world.other_staff, data=ActionInput()
    )
    assert result.outcomes[0].code == "not_found" and result.outcomes[0].message == "工单不存在或您无权查看"
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.DISPATCHED


def test_the_limit_and_the_actions_are_checked_first(world: World) -> None:
    ticket = new_ticket(world)
    with pytest.raises(ValidationFailed, match="一次最多选择 500 件"):
        tickets_bulk_perform(
            numbers=[f"N{n}" for n in range(501)], action=EventKind.ACKNOWLEDGED, actor=world.agent, data=ActionInput()
        )
    with pytest.raises(ValidationFailed, match="批量操作只支持"):
        tickets_bulk_perform(numbers=[ticket.number], action=EventKind.CLOSED, actor=world.agent, data=ActionInput())
    with pytest.raises(ValidationFailed, match="请先勾选工单"):
        tickets_bulk_perform(numbers=[], action=EventKind.ACKNOWLEDGED, actor=world.agent, data=ActionInput())
