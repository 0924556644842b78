"""From 1 November, system administrators see a banner while next year's calendar is missing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine

from jiesu.orgs.security.mfa import user_requires_totp
from jiesu.orgs.security.testing import client_with_second_factor
from jiesu.orgs.testing import World
from jiesu.sla.calendar import SHANGHAI
from jiesu.sla.services import calendar_year_import
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db

BANNER = "2027年的节假日与调休安排尚未录入"


def _home(login_as: LoginAs, user, moment: datetime) -> str:
    with time_machine.travel(moment, tick=False):
        # Admins must pass the second factor before any page (orgs.security).
        client = client_with_second_factor(user) if user_requires_totp(user) else login_as(user)
        return page_text(client.get("/"))


def test_no_banner_in_october(login_as: LoginAs, world: World) -> None:
    assert BANNER not in _home(login_as, world.system_admin, datetime(2026, 10, 31, 23, 0, tzinfo=SHANGHAI))


def test_banner_from_the_first_of_november_for_system_admins_only(login_as: LoginAs, world: World) -> None:
    first = datetime(2026, 11, 1, 8, 0, tzinfo=SHANGHAI)
    text = _home(login_as, world.system_admin, first)
    assert BANNER in text and 'class="admin-warning"' in text
    assert BANNER not in _home(login_as, world.agent, first)
    assert BANNER not in _home(login_as, world.township_staff, first)


def test_staff_accounts_see_it_too(login_as: LoginAs, world: World) -> None:
    world.leader.is_staff = True
    world.leader.save(update_fields=["is_staff"])
    assert BANNER in _home(login_as, world.leader, datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI))


def test_the_banner_goes_once_next_year_is_loaded(login_as: LoginAs, world: World) -> None:
    calendar_year_import(
        year=2027,
        days=[(date(2027, 1, 1), False, "元旦")],
        actor=world.system_admin,
        notice_number="国办发明电〔2026〕X号",
    )
    assert BANNER not in _home(login_as, world.system_admin, datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
