from datetime import timedelta

import pytest
from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.reminders.selectors import tickets_due_conditions, tickets_due_counts, tickets_due_soon, tickets_overdue
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_queues import LIVE
from jiesu.tickets.services import dispatch
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.tickets.tests.test_queues import tickets_in_every_state

DAY = timedelta(days=1)


@pytest.fixture
def tickets(world: World) -> dict[str, Ticket]:
    """Tickets of the township (due soon, overdue, far off, closed) and one of another township."""
    now = timezone.now()
    made = {name: ticket_in(world, TicketStatus.HANDLING) for name in ("soon", "overdue", "later")}
    made["closed"] = ticket_in(world, TicketStatus.CLOSED)
    elsewhere = new_ticket(world, "路灯不亮", district=world.other_district, township=world.other_township)
    dispatch.ticket_acknowledge(ticket=elsewhere, actor=world.agent)
    dispatch.ticket_dispatch(ticket=elsewhere, actor=world.agent, lead_unit=world.other_township)
    made["elsewhere"] = elsewhere
    dues = {
        "soon": now + DAY,
        "overdue": now - DAY,
        "later": now + 5 * DAY,
        "closed": now - DAY,
        "elsewhere": now - DAY,
    }
    for name, due in dues.items():
        Ticket.objects.filter(pk=made[name].pk).update(reply_due_at=due)
    return made


def _numbers(qs: object) -> set[str]:
    return {t.number for t in qs}  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_due_soon_and_overdue_lists_follow_the_viewers_scope(world: World, tickets: dict[str, Ticket]) -> None:
    assert _numbers(tickets_due_soon(world.township_staff)) == {tickets["soon"].number}
    assert _numbers(tickets_overdue(world.township_staff)) == {tickets["overdue"].number}
    assert _numbers(tickets_overdue(world.other_staff)) == {tickets["elsewhere"].number}
    assert _numbers(tickets_overdue(world.agent)) == {tickets["overdue"].number, tickets["elsewhere"].number}
    assert _numbers(tickets_overdue(world.outsider)) == set()
    assert _numbers(tickets_due_soon(world.township_staff, within=6 * DAY)) == {
        tickets["soon"].number,
        tickets["later"].number,
    }


@pytest.mark.django_db
def test_the_lists_can_be_narrowed_to_a_unit(world: World, tickets: dict[str, Ticket]) -> None:
    assert _numbers(tickets_overdue(world.agent, unit=world.district)) == {tickets["overdue"].number}
    assert _numbers(tickets_overdue(world.agent, unit=world.other_district)) == {tickets["elsewhere"].number}
    assert _numbers(tickets_overdue(world.township_staff, unit=world.other_district)) == set()


@pytest.mark.django_db
def test_other_stages_count_too(world: World) -> None:
    waiting = ticket_in(world, TicketStatus.RECEIVED)
    assert waiting.acknowledge_due_at is None or waiting.acknowledge_due_at > timezone.now()
    Ticket.objects.filter(pk=waiting.pk).update(acknowledge_due_at=timezone.now() - DAY)
    assert _numbers(tickets_overdue(world.agent)) == {waiting.number}
    assert _numbers(tickets_overdue(world.township_staff)) == set()  # a center matter until dispatched


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "township_staff", "other_staff", "outsider"])
def test_the_counts_match_the_lists(world: World, tickets: dict[str, Ticket], role: str) -> None:
    viewer = getattr(world, role)
    for within in (DAY * 2, DAY * 6):
        expected = (tickets_due_soon(viewer, within).count(), tickets_overdue(viewer).count())
        assert tickets_due_counts(viewer, within) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "township_staff"])
def test_due_lists_select_live_tickets_only(world: World, role: str) -> None:
    # The home page counts them over LIVE tickets only, together with the work queues.
    tickets_in_every_state(world)
    viewer = getattr(world, role)
    soon = tickets_due_conditions(viewer, DAY * 30, timezone.now() - DAY * 30)[0]
    late = tickets_due_conditions(viewer, DAY * 30, timezone.now())[1]
    for condition in (soon, late):
        matched = Ticket.objects.filter(condition)
        assert matched.exists()
        assert not matched.exclude(pk__in=Ticket.objects.filter(LIVE).values("pk")).exists()
