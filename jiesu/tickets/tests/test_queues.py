"""Work queues: who sees which queue, which tickets each one holds, and counts that match the list."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, Satisfaction, TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import TicketSearch, ticket_queue_counts, tickets_search, tickets_visible_to
from jiesu.tickets.selectors_queues import (
    CENTER_QUEUE_KEYS,
    LIVE,
    QUEUES,
    SHIFT_LEAD_QUEUE_KEYS,
    UNIT_QUEUE_KEYS,
    queue_condition,
    ticket_queues_for,
)
from jiesu.tickets.services import assessment, callbacks, dispatch, handling
from jiesu.tickets.tests.helpers import PATHS, new_ticket, ticket_in

S = TicketStatus


def members(key: str, viewer: User) -> set[int]:
    """The ids of the tickets in queue `key` as `viewer` sees it."""
    rows = tickets_visible_to(viewer=viewer).filter(queue_condition(key, viewer)).values_list("pk", flat=True)
    return set(rows)


def set_due(ticket: Ticket, field: str, moment: datetime) -> Ticket:
    Ticket.objects.filter(pk=ticket.pk).update(**{field: moment})
    return Ticket.objects.get(pk=ticket.pk)


def keys_of(viewer: User) -> list[str]:
    return [q.key for q in ticket_queues_for(viewer=viewer)]


@pytest.mark.django_db
def test_each_role_gets_its_own_queues(world: World) -> None:
    assert keys_of(world.agent) == list(CENTER_QUEUE_KEYS)
    assert keys_of(world.shift_lead) == list(CENTER_QUEUE_KEYS + SHIFT_LEAD_QUEUE_KEYS)
    assert keys_of(world.callback_agent) == ["callback"]
    assert keys_of(world.township_staff) == list(UNIT_QUEUE_KEYS)
    for viewer in (world.leader, world.analyst, world.outsider, world.system_admin):
        assert keys_of(viewer) == []
    assert all(key in QUEUES for key in CENTER_QUEUE_KEYS + SHIFT_LEAD_QUEUE_KEYS + UNIT_QUEUE_KEYS)


@pytest.mark.django_db
def test_center_intake_queues_follow_the_status(world: World) -> None:
    received = new_ticket(world)
    acknowledged = ticket_in(world, S.ACKNOWLEDGED)
    triaged = ticket_in(world, S.TRIAGED)
    ticket_in(world, S.HANDLING)
    assert members("received", world.agent) == {received.pk}
    assert members("to_triage", world.agent) == {acknowledged.pk}
    assert members("to_dispatch", world.agent) == {acknowledged.pk, triaged.pk}


@pytest.mark.django_db
def test_to_contact_holds_acknowledged_tickets_until_the_requester_is_reached(world: World) -> None:
    ticket = ticket_in(world, S.ACKNOWLEDGED)
    new_ticket(world)  # not yet acknowledged: the contact step cannot happen before
    assert members("to_contact", world.agent) == {ticket.pk}
    handling.ticket_contact(ticket=ticket, actor=world.agent, reached=False, note="无人接听")
    assert members("to_contact", world.agent) == {ticket.pk}
    handling.ticket_contact(ticket=Ticket.objects.get(pk=ticket.pk), actor=world.agent, reached=True)
    assert members("to_contact", world.agent) == set()


@pytest.mark.django_db
def test_in_handling_replied_and_return_requests_at_the_center(world: World) -> None:
    with_unit = {ticket_in(world, s).pk for s in (S.DISPATCHED, S.HANDLING, S.SUSPENDED)}
    replied = ticket_in(world, S.REPLIED)
    returning = ticket_in(world, S.RETURN_REQUESTED)
    ticket_in(world, S.CLOSED)
    assert members("in_handling", world.agent) == with_unit
    assert members("replied", world.agent) == {replied.pk}
    assert members("return_requested", world.agent) == {returning.pk}


@pytest.mark.django_db
def test_overdue_is_a_passed_reply_deadline_of_an_open_ticket(world: World) -> None:
    past = timezone.now() - timedelta(minutes=5)
    late = set_due(ticket_in(world, S.HANDLING), "reply_due_at", past)
    set_due(ticket_in(world, S.REPLIED), "reply_due_at", past)
    set_due(ticket_in(world, S.HANDLING), "reply_due_at", timezone.now() + timedelta(days=1))
    assert members("overdue", world.agent) == {late.pk}
    assert members("overdue", world.township_staff) == {late.pk}
    assert members("overdue", world.other_staff) == set()


@pytest.mark.django_db
def test_callbacks_due_are_closed_tickets_without_a_callback_since_closing(world: World) -> None:
    done = ticket_in(world, S.CLOSED)
    waiting = ticket_in(world, S.CLOSED)
    ticket_in(world, S.REPLIED)
    good = callbacks.CallbackAnswers(contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED)
    callbacks.ticket_callback(ticket=done, actor=world.callback_agent, answers=good)
    assert members("callback", world.callback_agent) == {waiting.pk}
    # Rework, a new reply and a new closing: the earlier callback no longer answers for it.
    reworked = Ticket.objects.get(pk=done.pk)
    callbacks.ticket_rework(ticket=reworked, actor=world.callback_agent, reason="诉求人反映仍未修好")
    handling.ticket_reply(ticket=Ticket.objects.get(pk=done.pk), actor=world.township_staff, text="再次维修")
    handling.ticket_review(ticket=Ticket.objects.get(pk=done.pk), actor=world.agent, accept=True)
    assert members("callback", world.callback_agent) == {waiting.pk, done.pk}


@pytest.mark.django_db
def test_pending_decisions_wait_for_the_shift_lead(world: World) -> None:
    extension = ticket_in(world, S.HANDLING)
    until = (extension.reply_due_at or timezone.now()) + timedelta(days=3)
    handling.ticket_extension_request(ticket=extension, actor=world.township_staff, until=until, reason="需协调")
    exclusion = ticket_in(world, S.CLOSED)
    assessment.ticket_exclusion_request(
        ticket=exclusion,
        actor=world.township_staff,
        reason_code="unreasonable",
        scope=AssessmentScope.EXCLUDED,
        reason="诉求不合理",
    )
    sector = ticket_in(world, S.HANDLING)
    assessment.ticket_sector_push(ticket=sector, actor=world.agent)
    assert members("extension_pending", world.shift_lead) == {extension.pk}
    assert members("exclusion_pending", world.shift_lead) == {exclusion.pk}
    assert members("sector_pending", world.shift_lead) == {sector.pk}
    assert members("unit_extension_pending", world.township_staff) == {extension.pk}
    assert members("unit_sector_pending", world.township_staff) == {sector.pk}
    assert members("unit_extension_pending", world.other_staff) == set()


@pytest.mark.django_db
def test_unit_queues_hold_what_was_dispatched_to_the_unit(world: World) -> None:
    dispatched = ticket_in(world, S.DISPATCHED)
    handled = ticket_in(world, S.HANDLING)
    returning = ticket_in(world, S.RETURN_REQUESTED)
    staff = world.township_staff
    assert members("unit_received", staff) == {dispatched.pk}
    assert members("unit_handling", staff) == {handled.pk}
    assert members("unit_to_contact", staff) == {dispatched.pk, handled.pk}
    assert members("unit_return_requested", staff) == {returning.pk}
    handling.ticket_contact(ticket=handled, actor=staff, reached=True)
    assert members("unit_to_contact", staff) == {dispatched.pk}


@pytest.mark.django_db
def test_returned_holds_replies_sent_back_and_rework(world: World) -> None:
    sent_back = ticket_in(world, S.REPLIED)
    handling.ticket_review(ticket=sent_back, actor=world.agent, accept=False, reason="缺少处理过程")
    reworked = ticket_in(world, S.CLOSED)
    callbacks.ticket_rework(ticket=reworked, actor=world.callback_agent, reason="诉求人反映未解决")
    ticket_in(world, S.HANDLING)  # first handling: nothing was sent back
    assert members("unit_returned", world.township_staff) == {sent_back.pk, reworked.pk}
    assert members("unit_returned", world.other_staff) == set()
    # Redispatched elsewhere after the reply: the new unit starts afresh.
    other = Ticket.objects.get(pk=sent_back.pk)
    dispatch.ticket_redispatch(ticket=other, actor=world.agent, lead_unit=world.other_township, reason="改派")
    dispatch.ticket_unit_acknowledge(ticket=Ticket.objects.get(pk=other.pk), actor=world.other_staff)
    assert members("unit_returned", world.other_staff) == set()


@pytest.mark.django_db
def test_a_unit_never_counts_another_units_tickets(world: World) -> None:
    ticket_in(world, S.DISPATCHED)
    ticket_in(world, S.HANDLING)
    for viewer in (world.other_staff, world.district_staff, world.office_staff):
        counts = {q.key: n for q, n in ticket_queue_counts(viewer=viewer) if q.key != "overdue"}
        assert set(counts.values()) == {0}, (viewer, counts)
    township = {q.key: n for q, n in ticket_queue_counts(viewer=world.township_staff)}
    assert township["unit_received"] == 1 and township["unit_handling"] == 1


@pytest.mark.django_db
def test_a_viewer_without_a_unit_gets_no_unit_queue(world: World) -> None:
    new_ticket(world)  # no lead unit: must not match "led by my unit" for a viewer without one
    assert members("unit_received", world.outsider) == set()
    assert not Ticket.objects.filter(queue_condition("unit_received", None)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "shift_lead", "callback_agent", "township_staff", "district_staff"])
def test_counts_come_in_one_query_and_match_the_list(
    world: World, role: str, django_assert_max_num_queries: object
) -> None:
    for status in (S.RECEIVED, S.ACKNOWLEDGED, S.TRIAGED, S.DISPATCHED, S.HANDLING, S.REPLIED, S.CLOSED):
        ticket_in(world, status)
    late = ticket_in(world, S.HANDLING)
    set_due(late, "reply_due_at", timezone.now() - timedelta(hours=1))
    viewer = User.objects.get(pk=getattr(world, role).pk)
    ticket_queues_for(viewer=viewer)  # warm the role and unit caches
    with django_assert_max_num_queries(1):  # type: ignore[operator]
        counts = ticket_queue_counts(viewer=viewer)
    assert counts
    for queue, n in counts:
        assert tickets_search(viewer=viewer, search=TicketSearch(queue=queue.key)).count() == n, queue.key


DUE_FIELDS = ("acknowledge_due_at", "dispatch_due_at", "unit_acknowledge_due_at", "reply_due_at", "callback_due_at")


def tickets_in_every_state(world: World) -> None:
    """A ticket in each status, overdue at every stage, and a copy of each with every pending flag."""
    past = timezone.now() - timedelta(days=3)
    for status in PATHS:
        plain, flagged = ticket_in(world, status), ticket_in(world, status)
        Ticket.objects.filter(pk__in=[plain.pk, flagged.pk]).update(**dict.fromkeys(DUE_FIELDS, past))
        Ticket.objects.filter(pk=flagged.pk).update(
            exclusion_pending=True, extension_pending=True, sector_confirmation_pending=True
        )


@pytest.mark.django_db
def test_every_queue_selects_live_tickets_only(world: World) -> None:
    # The counts read only LIVE tickets (for speed): a queue reaching beyond it would be miscounted.
    tickets_in_every_state(world)
    live = Ticket.objects.filter(LIVE).values("pk")
    reached = set()
    for role in ("shift_lead", "callback_agent", "township_staff", "district_staff"):
        viewer = getattr(world, role)
        for queue in ticket_queues_for(viewer=viewer):
            matched = Ticket.objects.filter(queue_condition(queue.key, viewer))
            assert not matched.exclude(pk__in=live).exists(), (role, queue.key)
            reached |= set(matched.values_list("pk", flat=True))
    assert len(reached) >= len(PATHS)  # the check above looked at real members
