"""The home page per role: every queue tile leads to a list of exactly as many tickets, unread
notifications are shown, leaders get the dashboard and stay read-only on the ticket page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from jiesu.notify.models import Notification
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.models import User
from jiesu.orgs.testing import World
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import handling
from jiesu.tickets.tests.helpers import new_ticket, ticket_in
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

S = TicketStatus
TILE = re.compile(
    r'href="/tickets/\?queue=(\w+)">\s*<span class="tile-label">([^<]+)</span><span class="tile-count">(\d+)'
)


def tiles(text: str) -> dict[str, int]:
    return {key: int(count) for key, _, count in TILE.findall(text)}


def list_count(text: str) -> int:
    found = re.search(r"共 (\d+) 件", text)
    assert found is not None
    return int(found.group(1))


def some_of_everything(world: World) -> None:
    new_ticket(world)
    for status in (S.ACKNOWLEDGED, S.TRIAGED, S.DISPATCHED, S.HANDLING, S.REPLIED, S.RETURN_REQUESTED, S.CLOSED):
        ticket_in(world, status)
    late = ticket_in(world, S.HANDLING)
    Ticket.objects.filter(pk=late.pk).update(reply_due_at=timezone.now() - timedelta(hours=1))
    soon = ticket_in(world, S.HANDLING)
    Ticket.objects.filter(pk=soon.pk).update(reply_due_at=timezone.now() + timedelta(hours=1))
    sent_back = ticket_in(world, S.REPLIED)
    handling.ticket_review(ticket=sent_back, actor=world.agent, accept=False, reason="缺少处理结果")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["agent", "shift_lead", "callback_agent", "township_staff"])
def test_every_tile_leads_to_a_list_of_the_same_size(login_as: LoginAs, world: World, role: str) -> None:
    some_of_everything(world)
    client = login_as(getattr(world, role))
    found = tiles(page_text(client.get("/")))
    assert found
    for key, count in found.items():
        assert list_count(page_text(client.get(f"/tickets/?queue={key}"))) == count, key


@pytest.mark.django_db
def test_the_agent_home_shows_the_queues_of_the_issue(login_as: LoginAs, world: World) -> None:
    some_of_everything(world)
    found = tiles(page_text(login_as(world.agent).get("/")))
    assert found["received"] == 1
    assert found["to_contact"] == 2  # acknowledged and triaged, nobody reached yet
    assert found["to_triage"] == 1
    assert found["in_handling"] == 5  # dispatched, handling ×3 (one late, one due soon), sent back
    assert found["replied"] == 1
    assert found["overdue"] == 1
    assert found["callback"] == 1
    assert "due_soon" not in found  # "due soon" is the home's due list, every stage (jiesu.reminders)
    assert "extension_pending" not in found  # the decisions are the shift lead's
    assert "extension_pending" in tiles(page_text(login_as(world.shift_lead).get("/")))


@pytest.mark.django_db
def test_the_unit_home_is_its_portal(login_as: LoginAs, world: World) -> None:
    some_of_everything(world)
    text = page_text(login_as(world.township_staff).get("/"))
    found = tiles(text)
    assert found["unit_received"] == 1
    assert found["unit_handling"] == 4
    assert found["unit_returned"] == 1
    assert found["overdue"] == 1
    assert found["unit_return_requested"] == 1
    assert "退回重办" in text and "received" not in found and "数据看板" not in text
    other = tiles(page_text(login_as(world.other_staff).get("/")))
    assert set(other.values()) == {0}


def notify(user: User, title: str, link: str = "") -> None:
    notification_enqueue(recipients=[user], subject=title, link=link, dedupe_key=f"home:{user.pk}:{title}")


@pytest.mark.django_db
def test_the_newest_unread_notifications_are_on_the_home_page(login_as: LoginAs, world: World) -> None:
    for i in range(7):
        notify(world.township_staff, f"工单催办第{i}条", link="/tickets/")
    notify(world.agent, "别人的通知")
    Notification.objects.filter(title="工单催办第6条").update(read_at=timezone.now())
    text = page_text(login_as(world.township_staff).get("/"))
    assert "未读通知（6 条）" in text
    assert text.count('class="notification unread"') == 5
    assert "工单催办第6条" not in text and "别人的通知" not in text
    assert 'href="/notifications/"' in text and "查看全部通知" in text


@pytest.mark.django_db
def test_no_notification_block_without_unread_ones(login_as: LoginAs, world: World) -> None:
    assert "未读通知" not in page_text(login_as(world.agent).get("/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "sees"), [("leader", True), ("analyst", True), ("shift_lead", True), ("agent", False)]
)
def test_the_dashboard_link_is_for_those_who_may_open_it(
    login_as: LoginAs, world: World, role: str, sees: bool
) -> None:
    text = page_text(login_as(getattr(world, role)).get("/"))
    assert ('href="/dashboard/"' in text) is sees


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.RECEIVED, S.TRIAGED, S.HANDLING, S.REPLIED, S.CLOSED])
def test_leaders_and_analysts_see_tickets_without_working_forms(login_as: LoginAs, world: World, status: str) -> None:
    """Read-only: no form changes a ticket's facts. The one thing the workflow table lets a
    leader do is supervise (督办) a ticket at a unit; an analyst cannot even do that."""
    ticket = ticket_in(world, status)
    for viewer, allowed in ((world.leader, {"supervised"}), (world.analyst, set())):
        text = page_text(login_as(viewer).get(f"/tickets/{ticket.number}/"))
        assert ticket.number in text
        actions = set(re.findall(r"/act/(\w+)", text))
        assert actions <= allowed, (viewer, actions)
        assert '/attachments"' not in text  # no upload form either
