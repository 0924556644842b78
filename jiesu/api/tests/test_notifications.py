from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.notify.models import Notification
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.models import User
from jiesu.orgs.testing import World


def notify(user: User, title: str, *, minutes_ago: int = 0, urgent: bool = False) -> Notification:
    now = timezone.now() - timedelta(minutes=minutes_ago)
    (delivery,) = notification_enqueue(
        recipients=[user],
        subject=title,
        body="请尽快办理",
        link="/tickets/20261120001/",
        urgent=urgent,
        dedupe_key=f"test:{title}",
        now=now,
    )
    assert delivery.notification is not None
    return delivery.notification


def test_the_list_has_my_notifications_newest_first(world: World, agent: ApiClient) -> None:
    notify(world.agent, "较早的通知", minutes_ago=30)
    notify(world.agent, "最新的通知", minutes_ago=1, urgent=True)
    notify(world.township_staff, "别人的通知")
    body = agent.get("/api/notifications").json()
    assert body["count"] == 2
    assert [n["title"] for n in body["items"]] == ["最新的通知", "较早的通知"]
    first = body["items"][0]
    assert first["level"] == "urgent" and first["level_label"] == "紧急"
    assert first["link"] == "/tickets/20261120001/" and first["body"] == "请尽快办理"
    assert first["is_read"] is False and first["read_at"] is None


def test_unread_only_and_paging(world: World, agent: ApiClient) -> None:
    made = [notify(world.agent, f"通知{i}", minutes_ago=i) for i in range(5)]
    Notification.objects.filter(pk=made[0].pk).update(read_at=timezone.now())
    unread = agent.get("/api/notifications", unread="true").json()
    assert unread["count"] == 4 and "通知0" not in [n["title"] for n in unread["items"]]
    page = agent.get("/api/notifications", limit=2, offset=2).json()
    assert page["count"] == 5 and page["limit"] == 2 and page["offset"] == 2
    assert [n["title"] for n in page["items"]] == ["通知2", "通知3"]


def test_marking_one_read(world: World, agent: ApiClient) -> None:
    notification = notify(world.agent, "工单已超期")
    other = notify(world.agent, "另一条")
    response = agent.post(f"/api/notifications/{notification.pk}/read")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == notification.pk and body["is_read"] is True and body["read_at"]
    again = agent.post(f"/api/notifications/{notification.pk}/read").json()
    assert again["read_at"] == body["read_at"]  # the first read time stays
    other.refresh_from_db()
    assert other.read_at is None


def test_someone_elses_notification_is_404(world: World, agent: ApiClient, as_user: ClientFor) -> None:
    theirs = notify(world.township_staff, "别人的通知")
    assert_error(agent.post(f"/api/notifications/{theirs.pk}/read"), 404, "not_found")
    assert_error(agent.post("/api/notifications/999999/read"), 404, "not_found")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert as_user(world.township_staff).get("/api/notifications").json()["count"] == 1


def test_read_all_marks_only_mine(world: World, agent: ApiClient) -> None:
    for i in range(3):
        notify(world.agent, f"通知{i}")
    theirs = notify(world.township_staff, "别人的通知")
    response = agent.post("/api/notifications/read-all")
    assert response.status_code == 200 and response.json() == {"marked": 3}
    assert agent.get("/api/notifications", unread="true").json()["count"] == 0
    assert agent.post("/api/notifications/read-all").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_bad_id_or_filter_is_422(world: World, agent: ApiClient) -> None:
    assert_error(agent.post("/api/notifications/abc/read"), 422, "invalid_input")
    assert_error(agent.get("/api/notifications", limit=0), 422, "invalid_input")


def test_without_credentials_everything_is_401(world: World) -> None:
    notification = notify(world.agent, "工单已超期")
    client = Client(enforce_csrf_checks=True)
    assert_error(client.get("/api/notifications"), 401, "unauthenticated")
    assert_error(client.post(f"/api/notifications/{notification.pk}/read"), 401, "unauthenticated")
    assert_error(client.post("/api/notifications/read-all"), 401, "unauthenticated")
    notification.refresh_from_db()
    assert notification.read_at is None
