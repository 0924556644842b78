"""An approved exclusion or unreasonable designation moves the three rates exactly as worked out
by hand on the March ledger (support.py); a rejected one moves nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from jiesu.kpi.evaluation import window_of_days
from jiesu.kpi.indicators import INDICATORS
from jiesu.kpi.selectors import kpi_tally, numerator_value
from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import assessment

pytestmark = pytest.mark.django_db
MARCH = window_of_days(date(2024, 3, 1), date(2024, 3, 31))
THREE_RATES = ("response_rate", "resolution_rate", "satisfaction_rate")
# Before any request (test_indicators.EXPECTED_ALL): A B C D count for response, A B C for the others.
BEFORE = {"response_rate": (4, 4), "resolution_rate": (2, 3), "satisfaction_rate": (Fraction(19, 10), 3)}


def three_rates() -> dict[str, tuple[Fraction, int]]:
    [overall] = kpi_tally(window=MARCH)
    result = {}
    for code in THREE_RATES:
        tally = overall.tallies[code]
        result[code] = (Fraction(numerator_value(INDICATORS[code], tally, Decimal("0.9"))), tally.denominator)
    return result


def closed(ticket: Ticket) -> Ticket:
    # The ledger writes facts directly; a request needs a ticket the workflow allows it on.
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED)
    return Ticket.objects.get(pk=ticket.pk)


def test_an_approved_exclusion_takes_the_ticket_out_of_every_rate(world: World) -> None:
    b = closed(build_march_ledger(world)["B"])  # valid callback, contacted, unresolved, fairly satisfied
    assert three_rates() == BEFORE
    assessment.ticket_exclusion_request(
        ticket=b, actor=world.township_staff, reason_code="emergency", scope=AssessmentScope.EXCLUDED, reason="已转110"
    )
    assert three_rates() == BEFORE, "a pending request changes nothing"
    assessment.ticket_exclusion_decide(ticket=Ticket.objects.get(pk=b.pk), actor=world.shift_lead, approve=True)
    # response: A C D contacted of A C D; resolution: A C of A C; satisfaction: 1 + 0 over A C
    assert three_rates() == {
        "response_rate": (3, 3),
        "resolution_rate": (2, 2),
        "satisfaction_rate": (Fraction(1), 2),
    }


def test_an_approved_unreasonable_designation_for_response_only(world: World) -> None:
    c = closed(build_march_ledger(world)["C"])  # contacted, resolved, dissatisfied
    assessment.ticket_unreasonable_request(
        ticket=c, actor=world.township_staff, reason_code="beyond_policy", reason="要求超出政策规定"
    )
    assessment.ticket_unreasonable_decide(ticket=Ticket.objects.get(pk=c.pk), actor=world.shift_lead, approve=True)
    # C stays in the response rate; resolution: A of A B; satisfaction: 1 + 0.9 over A B
    assert three_rates() == {
        "response_rate": (4, 4),
        "resolution_rate": (1, 2),
        "satisfaction_rate": (Fraction(19, 10), 2),
    }


def test_a_rejected_request_changes_no_rate(world: World) -> None:
    b = closed(build_march_ledger(world)["B"])
    assessment.ticket_exclusion_request(ticket=b, actor=world.township_staff, reason_code="repeat", reason="重复")
    assessment.ticket_exclusion_decide(
        ticket=Ticket.objects.get(pk=b.pk), actor=world.shift_lead, approve=False, reason="不属实"
    )
    assert three_rates() == BEFORE
