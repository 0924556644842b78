"""Who a notice reaches: active holders of a role, by place."""

from __future__ import annotations

import pytest

from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.selectors import users_with_role
from jiesu.orgs.services import user_create
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def names(users: object) -> list[str]:
    return [u.username for u in users]  # type: ignore[attr-defined]


def test_roles_anywhere_in_the_center_or_in_given_units(world: World) -> None:
    user_create(
        username="district_leader", password=None, unit=world.district, roles=[Role.LEADER], display_name="区领导"
    )
    assert names(users_with_role(roles=[Role.LEADER])) == ["leader", "district_leader"]
    assert names(users_with_role(roles=[Role.LEADER], center=True)) == ["leader"]
    staff = users_with_role(roles=[Role.UNIT_STAFF], unit_ids=[world.district.pk, world.township.pk])
    assert names(staff) == ["district_staff", "township_staff"]
    # A user with two of the roles is named once.
    assert names(users_with_role(roles=[Role.SHIFT_LEAD, Role.AGENT], center=True)) == ["agent", "lead"]


def test_inactive_users_are_not_reached(world: World) -> None:
    User.objects.filter(pk=world.leader.pk).update(is_active=False)
    assert names(users_with_role(roles=[Role.LEADER], center=True)) == []
