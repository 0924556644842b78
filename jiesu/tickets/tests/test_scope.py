"""Data scope: who sees which ticket, for every role of the fixture world.

Tickets are made and dispatched through the real ticket services; visibility is read through
`tickets_visible_to` (lists) and `ticket_get_for` (one ticket), and cross-checked against
`ticket_is_visible` (used by action permissions).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jiesu.core.errors import NotFound
from jiesu.orgs.models import Unit, User
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.permissions import ticket_is_visible
from jiesu.tickets.selectors import ticket_get_for, tickets_visible_to
from jiesu.tickets.services.dispatch import (
    ticket_acknowledge,
    ticket_dispatch,
    ticket_forward,
    ticket_redispatch,
    ticket_unit_acknowledge,
)
from jiesu.tickets.services.intake import TicketDraft, ticket_create


@dataclass
class Tickets:
    township: Ticket  # in 望京, dispatched to 望京街道
    other: Ticket  # in 学院路, dispatched to 学院路街道
    district: Ticket  # in 朝阳区, dispatched to 朝阳区 itself
    assisted: Ticket  # in 学院路, lead 学院路街道, 望京街道 assisting
    office: Ticket  # no place, dispatched to a department of the center
    new: Ticket  # received, not dispatched, no place

    def all(self) -> set[str]:
        return {t.number for t in vars(self).values()}


def create(world: World, title: str, *, district: Unit | None = None, township: Unit | None = None) -> Ticket:
    draft = TicketDraft(title=title, content="测试诉求", district=district, township=township)
    return ticket_create(draft=draft, actor=world.agent)


def dispatched(world: World, ticket: Ticket, lead: Unit, assisting: tuple[Unit, ...] = ()) -> Ticket:
    ticket_acknowledge(ticket=ticket, actor=world.agent)
    ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=lead, assisting_units=assisting)
    return ticket


@pytest.fixture
def tickets(world: World) -> Tickets:
    w = world
    return Tickets(
        township=dispatched(w, create(w, "望京小区停水", district=w.district, township=w.township), w.township),
        other=dispatched(
            w, create(w, "学院路噪声扰民", district=w.other_district, township=w.other_township), w.other_township
        ),
        district=dispatched(w, create(w, "朝阳区道路破损", district=w.district), w.district),
        assisted=dispatched(
            w,
            create(w, "跨街道供暖", district=w.other_district, township=w.other_township),
            w.other_township,
            (w.township,),
        ),
        office=dispatched(w, create(w, "低保政策咨询"), w.office),
        new=create(w, "刚受理的诉求"),
    )


def visible(user: User) -> set[str]:
    return set(tickets_visible_to(viewer=user).values_list("number", flat=True))


def assert_consistent(user: User, tickets: Tickets) -> None:
    """Lists, single reads and action permissions agree for every ticket."""
    seen = visible(user)
    for ticket in vars(tickets).values():
        assert ticket_is_visible(ticket=ticket, viewer=user) == (ticket.number in seen), (user.username, ticket.title)
        if ticket.number in seen:
            assert ticket_get_for(viewer=user, pk=ticket.pk).pk == ticket.pk
        else:
            with pytest.raises(NotFound, match="工单不存在或您无权查看"):
                ticket_get_for(viewer=user, pk=ticket.pk)
            with pytest.raises(NotFound):
                ticket_get_for(viewer=user, number=ticket.number)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "shift_lead", "callback_agent", "analyst", "leader"])
def test_center_roles_see_every_ticket(world: World, tickets: Tickets, role: str) -> None:
    user = getattr(world, role)
    assert visible(user) == tickets.all()
    assert_consistent(user, tickets)


@pytest.mark.django_db
def test_township_staff_see_only_their_own_and_assisted_tickets(world: World, tickets: Tickets) -> None:
    assert visible(world.township_staff) == {tickets.township.number, tickets.assisted.number}
    assert_consistent(world.township_staff, tickets)


@pytest.mark.django_db
def test_staff_of_another_township_do_not_see_tickets_of_this_one(world: World, tickets: Tickets) -> None:
    assert visible(world.other_staff) == {tickets.other.number, tickets.assisted.number}
    assert_consistent(world.other_staff, tickets)


@pytest.mark.django_db
def test_district_staff_see_their_district_and_its_townships(world: World, tickets: Tickets) -> None:
    assert visible(world.district_staff) == {tickets.township.number, tickets.district.number, tickets.assisted.number}
    assert_consistent(world.district_staff, tickets)


@pytest.mark.django_db
def test_a_department_of_the_center_sees_only_what_was_dispatched_to_it(world: World, tickets: Tickets) -> None:
    assert visible(world.office_staff) == {tickets.office.number}
    assert_consistent(world.office_staff, tickets)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["system_admin", "security_admin", "audit_admin", "outsider"])
def test_admins_and_outsiders_see_no_ticket(world: World, tickets: Tickets, role: str) -> None:
    user = getattr(world, role)
    assert visible(user) == set()
    assert_consistent(user, tickets)


@pytest.mark.django_db
def test_guessing_an_id_gives_the_same_answer_as_a_missing_ticket(world: World, tickets: Tickets) -> None:
    with pytest.raises(NotFound) as out_of_scope:
        ticket_get_for(viewer=world.township_staff, pk=tickets.other.pk)
    with pytest.raises(NotFound) as missing:
        ticket_get_for(viewer=world.township_staff, pk=10**9)
    assert out_of_scope.value.message == missing.value.message
    assert out_of_scope.value.status == missing.value.status == 404


@pytest.mark.django_db
def test_a_deactivated_user_sees_nothing(world: World, tickets: Tickets) -> None:
    User.objects.filter(pk=world.township_staff.pk).update(is_active=False)
    user = User.objects.get(pk=world.township_staff.pk)
    assert visible(user) == set()


@pytest.mark.django_db
def test_a_forwarded_ticket_stays_visible_to_the_district_above(world: World) -> None:
    ticket = dispatched(world, create(world, "无地址的诉求"), world.district)
    assert visible(world.township_staff) == set()
    ticket_unit_acknowledge(ticket=ticket, actor=world.district_staff)
    ticket_forward(ticket=ticket, actor=world.district_staff, lead_unit=world.township)
    assert visible(world.township_staff) == {ticket.number}
    assert visible(world.district_staff) == {ticket.number}
    assert visible(world.other_staff) == set()


@pytest.mark.django_db
def test_a_redispatched_ticket_leaves_the_scope_of_the_previous_unit(world: World) -> None:
    ticket = dispatched(world, create(world, "派错单位的诉求"), world.township)
    assert visible(world.township_staff) == {ticket.number}
    ticket_redispatch(ticket=ticket, actor=world.agent, lead_unit=world.other_township, reason="属学院路街道")
    assert visible(world.township_staff) == set()
    assert visible(world.other_staff) == {ticket.number}
    with pytest.raises(NotFound):
        ticket_get_for(viewer=world.township_staff, pk=ticket.pk)
