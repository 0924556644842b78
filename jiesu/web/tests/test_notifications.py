"""In-app notifications on the pages: the top-bar counter, the list, marking read; each user only
ever reaches their own."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jiesu.notify.models import Notification
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.models import User
from jiesu.orgs.testing import World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text


def notify(user: User, title: str, *, link: str = "/tickets/20261120001/", minutes_ago: int = 0) -> Notification:
    now = timezone.now() - timedelta(minutes=minutes_ago)
    (delivery,) = notification_enqueue(
        recipients=[user], subject=title, body="请尽快办理", link=link, dedupe_key=f"test:{title}", now=now
    )
    assert delivery.notification is not None
    return delivery.notification


def counter(client: Client) -> str:
    found = re.search(r"通知 \((\d+)\)", page_text(client.get("/")))
    assert found is not None
    return found.group(1)


@pytest.mark.django_db
def test_the_top_bar_counts_only_my_unread_notifications(login_as: LoginAs, world: World) -> None:
    notify(world.agent, "工单即将到期")
    notify(world.agent, "工单已超期")
    Notification.objects.filter(pk=notify(world.agent, "已读的").pk).update(read_at=timezone.now())
    notify(world.township_staff, "别人的通知")
    assert counter(login_as(world.agent)) == "2"
    assert counter(login_as(world.shift_lead)) == "0"


@pytest.mark.django_db
def test_anonymous_pages_have_no_counter(client: Client) -> None:
    assert "通知 (" not in page_text(client.get("/login/"))


@pytest.mark.django_db
def test_the_list_shows_my_notifications_newest_first_with_unread_highlighted(login_as: LoginAs, world: World) -> None:
    old = notify(world.agent, "较早的通知", minutes_ago=30)
    new = notify(world.agent, "最新的通知", minutes_ago=1)
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    notify(world.township_staff, "别人的通知")
    text = page_text(login_as(world.agent).get("/notifications/"))
    assert text.index("最新的通知") < text.index("较早的通知")
    assert "别人的通知" not in text
    assert text.count('class="notification unread"') == 1
    assert f'action="/notifications/{new.pk}/read"' in text
    assert "全部标为已读" in text


@pytest.mark.django_db
def test_the_list_pages_by_thirty(login_as: LoginAs, world: World) -> None:
    for i in range(31):
        notify(world.agent, f"通知{i}", minutes_ago=i)
    client = login_as(world.agent)
    first = page_text(client.get("/notifications/"))
    assert "第 1 / 2 页" in first and "通知0<" in first and "通知30<" not in first
    assert "通知30<" in page_text(client.get("/notifications/?page=2"))


@pytest.mark.django_db
def test_marking_one_read_opens_its_ticket(login_as: LoginAs, world: World) -> None:
    notification = notify(world.agent, "工单已超期", link="/tickets/20261120001/")
    other = notify(world.agent, "另一条")
    client = login_as(world.agent)
    response = client.post(f"/notifications/{notification.pk}/read")
    assert response.status_code == 302
    assert response["Location"] == "/tickets/20261120001/"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None and other.read_at is None
    assert counter(client) == "1"


@pytest.mark.django_db
def test_marking_read_needs_a_post(login_as: LoginAs, world: World) -> None:
    notification = notify(world.agent, "工单已超期")
    assert login_as(world.agent).get(f"/notifications/{notification.pk}/read").status_code == 405


@pytest.mark.django_db
def test_a_link_to_another_site_is_not_followed(login_as: LoginAs, world: World) -> None:
    notification = notify(world.agent, "可疑链接", link="https://example.com/phish")
    response = login_as(world.agent).post(f"/notifications/{notification.pk}/read")
    assert response["Location"] == "/notifications/"


@pytest.mark.django_db
def test_someone_elses_notification_is_404_and_stays_unread(login_as: LoginAs, world: World) -> None:
    theirs = notify(world.township_staff, "别人的通知")
    client = login_as(world.agent)
    assert client.post(f"/notifications/{theirs.pk}/read").status_code == 404
    assert client.post(f"/notifications/{2**63}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_mark_all_read_touches_only_mine(login_as: LoginAs, world: World) -> None:
    mine = [notify(world.agent, f"通知{i}") for i in range(3)]
    theirs = notify(world.township_staff, "别人的通知")
    client = login_as(world.agent)
    response = client.post("/notifications/read-all", follow=True)
    assert "已将 3 条通知标为已读" in page_text(response)
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert counter(client) == "0"


@pytest.mark.django_db
def test_the_pages_need_a_login(client: Client, world: World) -> None:
    notification = notify(world.agent, "工单已超期")
    assert client.get("/notifications/").status_code == 302
    assert client.post(f"/notifications/{notification.pk}/read").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None
