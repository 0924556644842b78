"""Sector confirmation: 10 days after the push, the period cut-off, auto 'yes' (domain-rules §3.2)."""

from __future__ import annotations

import pytest
import time_machine

from jiesu.core.errors import DomainError
from jiesu.orgs.testing import World
from jiesu.sla.models import TimeLimitRule, TimeLimitRuleSet
from jiesu.tickets.choices import EventKind, SectorAnswer, TicketStatus
from jiesu.tickets.jobs import sector_confirmations_auto_confirm
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.assessment import ticket_sector_confirm, ticket_sector_push
from jiesu.tickets.tests.helpers import ticket_in
from jiesu.tickets.tests.working_time import at

pytestmark = pytest.mark.django_db


def _handling(world: World, received: str) -> Ticket:
    with time_machine.travel(at(received), tick=False):
        return ticket_in(world, TicketStatus.HANDLING)


def _pushed(world: World, received: str, pushed: str) -> Ticket:
    ticket = _handling(world, received)
    with time_machine.travel(at(pushed), tick=False):
        ticket_sector_push(ticket=ticket, actor=world.agent)
    return Ticket.objects.get(pk=ticket.pk)


def test_pushed_on_the_19th_the_window_closes_at_midnight_after_the_29th(world: World) -> None:
    ticket = _pushed(world, "2026-03-02T09:00", "2026-03-19T15:20")
    assert ticket.sector_confirmation_due_at == at("2026-03-30T00:00")
    entry = ticket.deadline_rules["sector_confirmation"]
    assert entry["rule_set"] == "beijing" and entry["days"] == 10 and entry["period"] == "2026-03"
    assert entry["cutoff_at"] == "2026-04-21T12:00:00+08:00"

    # The unit may still answer on the 29th, late in the evening …
    with time_machine.travel(at("2026-03-29T23:59"), tick=False):
        assert sector_confirmations_auto_confirm(at("2026-03-29T23:59")) == 0
        ticket_sector_confirm(ticket=ticket, actor=world.township_staff, answer=SectorAnswer.NO)
    ticket.refresh_from_db()
    assert ticket.sector_answer == SectorAnswer.NO


def test_at_midnight_the_system_confirms_yes_and_the_unit_can_no_longer_answer(world: World) -> None:
    ticket = _pushed(world, "2026-03-02T09:00", "2026-03-19T15:20")
    with time_machine.travel(at("2026-03-30T00:00"), tick=False):
        with pytest.raises(DomainError, match="截止"):
            ticket_sector_confirm(ticket=ticket, actor=world.township_staff, answer=SectorAnswer.NO)
        assert sector_confirmations_auto_confirm(at("2026-03-30T00:00")) == 1
    ticket.refresh_from_db()
    assert (ticket.sector_answer, ticket.sector_confirmation_pending) == (SectorAnswer.YES, False)
    assert ticket.events.get(kind=EventKind.SECTOR_CONFIRMED).payload["automatic"] is True


def test_the_period_cut_off_closes_earlier_than_the_ten_days(world: World) -> None:
    # Received in February: every February confirmation closes at 12:00 on 21 March.
    ticket = _pushed(world, "2026-02-27T10:00", "2026-03-15T10:00")
    assert ticket.sector_confirmation_due_at == at("2026-03-21T12:00")
    assert ticket.deadline_rules["sector_confirmation"]["window_end"] == "2026-03-26T00:00:00+08:00"


def test_a_push_after_the_period_cut_off_is_refused(world: World) -> None:
    ticket = _handling(world, "2026-02-10T10:00")
    with (
        time_machine.travel(at("2026-03-21T12:00"), tick=False),
        pytest.raises(DomainError, match="已于 2026-03-21 12:00 截止"),
    ):
        ticket_sector_push(ticket=ticket, actor=world.agent)


def test_window_and_cut_off_are_rule_set_parameters(world: World) -> None:
    TimeLimitRuleSet.objects.filter(code="beijing").update(
        sector_confirmation_days=3, sector_cutoff_day=25, assessment_period_basis="pushed"
    )
    ticket = _pushed(world, "2026-01-05T10:00", "2026-03-19T15:20")
    assert ticket.sector_confirmation_due_at == at("2026-03-23T00:00")
    assert ticket.deadline_rules["sector_confirmation"]["cutoff_at"] == "2026-04-25T12:00:00+08:00"


def test_a_time_limit_rule_of_the_sector_stage_replaces_the_day_window(world: World) -> None:
    beijing = TimeLimitRuleSet.objects.get(code="beijing")
    TimeLimitRule.objects.create(rule_set=beijing, stage="sector_confirmation", amount=5, unit="wd")
    ticket = _pushed(world, "2026-03-02T09:00", "2026-03-19T15:20")
    # The 5th working day after Thursday 03-19 is Thursday 03-26.
    assert ticket.sector_confirmation_due_at == at("2026-03-26T23:59:59")
    assert ticket.deadline_rules["sector_confirmation"]["rule_id"] is not None
