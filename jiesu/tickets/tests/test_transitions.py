"""Every row of the transition table against the database, illegal pairs, and races."""

import threading

import pytest
from django.db import connections

from jiesu.orgs.testing import World
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.errors import ReasonRequired, StaleTicket, TransitionNotAllowed
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.services.transitions import ticket_transition
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.tickets.workflow import RESTORE, TRANSITIONS

GUARD_FLAGS = {
    EventKind.EXTENSION_APPROVED: "extension_pending",
    EventKind.EXTENSION_REJECTED: "extension_pending",
    EventKind.EXCLUSION_APPROVED: "exclusion_pending",
    EventKind.EXCLUSION_REJECTED: "exclusion_pending",
    EventKind.UNREASONABLE_APPROVED: "exclusion_pending",
    EventKind.UNREASONABLE_REJECTED: "exclusion_pending",
    EventKind.SECTOR_CONFIRMED: "sector_confirmation_pending",
}

ROWS = [
    (event, source)
    for event, rule in TRANSITIONS.items()
    for source in sorted(rule.sources)
    if event != EventKind.RECEIVED
]


def _prepare(world: World, event: EventKind, source: str) -> Ticket:
    ticket = ticket_in(world, source, self_handled=event == EventKind.REOPENED)
    flag = GUARD_FLAGS.get(event)
    if flag:
        # The pending request itself is another row of the table; here only its flag matters.
        Ticket.objects.filter(pk=ticket.pk).update(**{flag: True})
        ticket.refresh_from_db()
    return ticket


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "source"), ROWS)
def test_each_row_of_the_table_moves_the_ticket_and_writes_one_event(
    world: World, event: EventKind, source: str
) -> None:
    ticket = _prepare(world, event, source)
    rule = TRANSITIONS[event]
    before = ticket.events.count()
    entry = ticket_transition(ticket=ticket, event=event, actor=None, reason="测试原因")
    stored = Ticket.objects.get(pk=ticket.pk)
    if rule.target is None:
        expected = source
    elif rule.target is RESTORE:
        expected = TicketStatus.HANDLING  # both pending states are entered from handling in ticket_in
    else:
        expected = rule.target
    assert stored.status == expected
    assert stored.version == ticket.version
    assert ticket.events.count() == before + 1
    assert (entry.kind, entry.from_status, entry.to_status) == (event, source, expected)


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(TicketStatus))
def test_every_event_not_listed_for_a_status_is_refused(world: World, status: TicketStatus) -> None:
    ticket = ticket_in(world, status)
    events = ticket.events.count()
    for event, rule in TRANSITIONS.items():
        if status in rule.sources or event == EventKind.RECEIVED:
            continue
        with pytest.raises(TransitionNotAllowed) as refused:
            ticket_transition(ticket=ticket, event=event, actor=None, reason="原因")
        assert "不能执行" in refused.value.message
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == status
    assert stored.events.count() == events


@pytest.mark.django_db
def test_a_missing_reason_is_refused_and_nothing_is_written(world: World) -> None:
    ticket = ticket_in(world, TicketStatus.HANDLING)
    with pytest.raises(ReasonRequired):
        ticket_transition(ticket=ticket, event=EventKind.RETURN_REQUESTED, actor=world.township_staff, reason=" ")
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.HANDLING


@pytest.mark.django_db
def test_the_second_of_two_stale_copies_loses(world: World) -> None:
    ticket = new_ticket(world)
    first, second = Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)
    ticket_transition(ticket=first, event=EventKind.ACKNOWLEDGED, actor=world.agent)
    with pytest.raises(StaleTicket) as lost:
        ticket_transition(ticket=second, event=EventKind.ACKNOWLEDGED, actor=world.shift_lead)
    assert "已被他人处理" in lost.value.message
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ACKNOWLEDGED).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_racing_on_one_ticket_cannot_both_win(world: World) -> None:
    ticket = new_ticket(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(actor_name: str) -> None:
        actor = getattr(world, actor_name)
        copy = Ticket.objects.get(pk=ticket.pk)
        barrier.wait()
        try:
            ticket_transition(ticket=copy, event=EventKind.ACKNOWLEDGED, actor=actor)
            outcomes.append("won")
        except (StaleTicket, TransitionNotAllowed):
            outcomes.append("lost")
        except Exception as exc:  # e.g. "database is locked" must fail the test visibly
            outcomes.append(f"error: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=act, args=(name,)) for name in ("agent", "shift_lead")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lost", "won"]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ACKNOWLEDGED).count() == 1


@pytest.mark.django_db
def test_events_are_append_only(world: World) -> None:
    event = new_ticket(world).events.get()
    event.reason = "改写"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
