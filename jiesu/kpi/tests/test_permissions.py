"""kpi_viewer_where: who sees KPIs, over which tickets."""

from __future__ import annotations

from datetime import date

import pytest
from django.db.models import Q

from jiesu.core.errors import PermissionDenied
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.permissions import can_see_kpis, kpi_viewer_where
from jiesu.kpi.tests.support import build_march_ledger
from jiesu.orgs.choices import Role
from jiesu.orgs.models import Unit, User
from jiesu.orgs.services import user_create
from jiesu.orgs.testing import PASSWORD, World
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors import tickets_visible_to

pytestmark = pytest.mark.django_db


def leader_of(unit: Unit, name: str, role: str = Role.LEADER) -> User:
    return user_create(username=name, password=PASSWORD, unit=unit, roles=[role], display_name=name)


def march_volume(where: Q | None) -> int:
    document = kpi_evaluate(scheme_code="beijing-3rates", start=date(2024, 3, 1), end=date(2024, 3, 31), where=where)
    return int(document["groups"][0]["indicators"]["volume"]["value"])


def test_centre_leaders_analysts_and_shift_leads_see_the_whole_hotline(world: World) -> None:
    for user in (world.leader, world.analyst, world.shift_lead):
        assert kpi_viewer_where(user) is None
    assert kpi_viewer_where(None) is None  # the system itself


@pytest.mark.parametrize(
    "name", ["agent", "callback_agent", "township_staff", "system_admin", "audit_admin", "outsider", "knowledge_editor"]
)
def test_other_roles_may_not_see_kpis(world: World, name: str) -> None:
    user = getattr(world, name)
    with pytest.raises(PermissionDenied, match="领导、分析员和班长"):
        kpi_viewer_where(user)
    assert not can_see_kpis(user)


def test_an_inactive_leader_sees_nothing(world: World) -> None:
    world.leader.is_active = False
    with pytest.raises(PermissionDenied):
        kpi_viewer_where(world.leader)


def test_a_district_leader_sees_the_tickets_of_the_district(world: World) -> None:
    build_march_ledger(world)
    where = kpi_viewer_where(leader_of(world.district, "district_leader"))
    assert where is not None
    # received in March: A B C D E F H; D lies in the other district
    assert march_volume(None) == 7
    assert march_volume(where) == 6
    other = kpi_viewer_where(leader_of(world.other_district, "other_analyst", Role.ANALYST))
    assert march_volume(other) == 1


def test_an_office_leader_sees_the_tickets_the_office_leads(world: World) -> None:
    tickets = build_march_ledger(world)
    Ticket.objects.filter(pk=tickets["A"].pk).update(lead_unit=world.office)
    assert march_volume(kpi_viewer_where(leader_of(world.office, "office_leader"))) == 1


def test_the_kpi_scope_never_exceeds_the_ticket_scope(world: World) -> None:
    build_march_ledger(world)
    for unit in (world.district, world.township, world.other_township, world.office):
        user = leader_of(unit, f"leader_{unit.pk}")
        where = kpi_viewer_where(user)
        assert where is not None
        counted = set(Ticket.objects.filter(where).values_list("pk", flat=True))
        assert counted <= set(tickets_visible_to(viewer=user).values_list("pk", flat=True))
