"""The leaders' dashboard: who may open it, and figures that match the stored tickets."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.orgs.choices import Role
from jiesu.orgs.services import user_create
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

S = TicketStatus


@pytest.fixture(autouse=True)
def _fresh_kpi_cache() -> None:
    # The month's indicators are cached for five minutes; each test starts from its own data.
    cache.clear()


def embedded(text: str) -> dict[str, Any]:
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', text, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["township_staff", "district_staff", "agent", "callback_agent", "outsider"])
def test_others_get_a_403_in_chinese(login_as: LoginAs, world: World, role: str) -> None:
    response = login_as(getattr(world, role)).get("/dashboard/")
    assert response.status_code == 403
    assert "无权访问" in page_text(response)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client: Any, world: World) -> None:
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "analyst", "shift_lead"])
def test_leaders_analysts_and_shift_leads_open_it(login_as: LoginAs, world: World, role: str) -> None:
    response = login_as(getattr(world, role)).get("/dashboard/")
    assert response.status_code == 200
    text = page_text(response)
    assert "数据看板" in text and "vendor/echarts.min.js" in text and "web/dashboard.js" in text
    assert 'id="chart-daily"' in text and 'id="chart-status"' in text
    assert "/act/" not in text and 'method="post" action="/tickets' not in text  # read-only


@pytest.mark.django_db
def test_the_charts_data_matches_the_stored_tickets(login_as: LoginAs, world: World) -> None:
    now = timezone.now()
    today = timezone.localdate()
    for days_ago, n in ((0, 2), (3, 1), (29, 1), (30, 4)):  # the last is outside the 30 days
        for _ in range(n):
            t = new_ticket(world)
            Ticket.objects.filter(pk=t.pk).update(received_at=now - timedelta(days=days_ago))
    late = ticket_in(world, S.HANDLING)
    Ticket.objects.filter(pk=late.pk).update(reply_due_at=now - timedelta(hours=2), received_at=now)
    closed = ticket_in(world, S.CLOSED)
    Ticket.objects.filter(pk=closed.pk).update(received_at=now)
    data = embedded(page_text(login_as(world.leader).get("/dashboard/")))
    daily = {row["day"]: row["count"] for row in data["daily"]}
    assert len(data["daily"]) == 30
    assert data["daily"][-1]["day"] == today.isoformat()
    assert daily[today.isoformat()] == 4  # two new, the late one, the closed one
    assert daily[(today - timedelta(days=3)).isoformat()] == 1
    assert daily[(today - timedelta(days=29)).isoformat()] == 1
    assert sum(daily.values()) == 6
    statuses = {row["status"]: row["count"] for row in data["statuses"]}
    assert statuses[S.RECEIVED] == 8 and statuses[S.HANDLING] == 1
    assert S.CLOSED not in statuses and S.MERGED not in statuses
    assert {row["label"] for row in data["statuses"]} >= {"已受理", "办理中"}


@pytest.mark.django_db
def test_the_page_shows_overdue_and_open_totals(login_as: LoginAs, world: World) -> None:
    late = ticket_in(world, S.HANDLING)
    Ticket.objects.filter(pk=late.pk).update(reply_due_at=timezone.now() - timedelta(hours=2))
    ticket_in(world, S.CLOSED)
    new_ticket(world)
    text = page_text(login_as(world.analyst).get("/dashboard/"))
    assert re.search(r'id="overdue-count">1<', text)
    assert re.search(r'id="open-total">2<', text)


@pytest.mark.django_db
def test_the_month_indicators_come_from_the_kpi_engine(login_as: LoginAs, world: World) -> None:
    ticket_in(world, S.CLOSED)
    new_ticket(world)
    text = page_text(login_as(world.leader).get("/dashboard/"))
    today = timezone.localdate()
    document = kpi_evaluate(scheme_code="beijing-3rates", start=today.replace(day=1), end=today)
    volume = document["groups"][0]["indicators"]["volume"]["value"]
    assert volume == 2
    assert "本月考核指标" in text and "beijing-3rates" in text
    assert re.search(r'data-indicator="volume"><th scope="row">受理量</th><td>2</td>', text)
    assert re.search(r'data-indicator="satisfaction_rate"><th scope="row">满意率</th><td>不适用</td>', text)


@pytest.mark.django_db
@override_settings(JIESU_KPI_SCHEME="no-such-scheme")
def test_an_unknown_scheme_is_said_in_chinese(login_as: LoginAs, world: World) -> None:
    text = page_text(login_as(world.leader).get("/dashboard/"))
    assert "考核方案“no-such-scheme”不存在" in text


@pytest.mark.django_db
def test_a_leader_of_a_district_sees_its_scope_and_no_hotline_indicators(login_as: LoginAs, world: World) -> None:
    district_leader = user_create(
        username="district_leader", password=None, unit=world.district, roles=[Role.LEADER], display_name="区领导"
    )
    new_ticket(world)  # in the district
    other = new_ticket(world)
    Ticket.objects.filter(pk=other.pk).update(district=world.other_district, township=world.other_township)
    text = page_text(login_as(district_leader).get("/dashboard/"))
    data = embedded(text)
    assert sum(row["count"] for row in data["daily"]) == 1
    assert "本月考核指标" not in text


@pytest.mark.django_db
def test_the_month_indicators_are_reused_for_five_minutes_and_dated(login_as: LoginAs, world: World) -> None:
    start = timezone.localtime().replace(hour=10, minute=7, second=0, microsecond=0)
    with time_machine.travel(start, tick=False):
        # Logged in at the travelled time: a login at the real time would look hours idle (or
        # hours in the future) to the session timeout, depending on the hour the suite runs.
        client = login_as(world.leader)
        new_ticket(world)
        first = page_text(client.get("/dashboard/"))
    assert re.search(r'data-indicator="volume"><th scope="row">受理量</th><td>1</td>', first)
    assert "数据更新于 10:07" in first
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        new_ticket(world)
        again = page_text(client.get("/dashboard/"))
        assert re.search(r'id="open-total">2<', again)  # the live figures are not cached
    assert re.search(r'data-indicator="volume"><th scope="row">受理量</th><td>1</td>', again)
    assert "数据更新于 10:07" in again
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        later = page_text(client.get("/dashboard/"))
    assert re.search(r'data-indicator="volume"><th scope="row">受理量</th><td>2</td>', later)
    assert "数据更新于 10:13" in later


@pytest.mark.django_db
def test_a_repeated_visit_does_not_evaluate_the_month_again(
    login_as: LoginAs, world: World, django_assert_max_num_queries: Any
) -> None:
    client = login_as(world.leader)
    new_ticket(world)
    client.get("/dashboard/")
    with django_assert_max_num_queries(99) as first_visit:
        client.get("/dashboard/")
    cache.clear()
    with django_assert_max_num_queries(99) as uncached:
        client.get("/dashboard/")
    assert len(first_visit.captured_queries) < len(uncached.captured_queries)
