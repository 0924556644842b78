"""The lead unit filter of the list search: a unit and the units below it, in as few queries as
the caller's knowledge allows."""

from __future__ import annotations

from typing import Any

import pytest

from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import TicketSearch, tickets_search
from jiesu.tickets.tests.helpers import ticket_in

pytestmark = pytest.mark.django_db


def led_by(world: World) -> tuple[Ticket, Ticket]:
    by_township = ticket_in(world, TicketStatus.RECEIVED)
    by_district = ticket_in(world, TicketStatus.RECEIVED)
    Ticket.objects.filter(pk=by_township.pk).update(lead_unit=world.township)
    Ticket.objects.filter(pk=by_district.pk).update(lead_unit=world.district)
    return by_township, by_district


def numbers(search: TicketSearch, world: World) -> set[str]:
    return set(tickets_search(viewer=world.agent, search=search).values_list("number", flat=True))


def test_a_unit_includes_the_units_below_it_and_a_leaf_only_itself(world: World) -> None:
    by_township, by_district = led_by(world)
    assert numbers(TicketSearch(lead_unit_id=world.district.pk), world) == {by_township.number, by_district.number}
    assert numbers(TicketSearch(lead_unit_id=world.township.pk), world) == {by_township.number}
    assert numbers(TicketSearch(lead_unit_id=world.other_district.pk), world) == set()
    assert numbers(TicketSearch(lead_unit_id=10**9), world) == set()


def test_a_known_path_spares_the_lookup(world: World, django_assert_num_queries: Any) -> None:
    by_township, _ = led_by(world)
    with django_assert_num_queries(3):  # the unit's path, whether it has units below, the list
        assert numbers(TicketSearch(lead_unit_id=world.township.pk), world) == {by_township.number}
    known = TicketSearch(lead_unit_id=world.township.pk, lead_unit_path=world.township.path)
    with django_assert_num_queries(2):
        assert numbers(known, world) == {by_township.number}
