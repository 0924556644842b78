import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from jiesu.core.errors import ValidationFailed
from jiesu.notify.choices import DeliveryChannel, DeliveryStatus, NotificationLevel
from jiesu.notify.jobs import deliveries_send
from jiesu.notify.models import Delivery, Notification
from jiesu.notify.quiet import quiet_until
from jiesu.notify.selectors import notifications_for, notifications_unread_count
from jiesu.notify.services import (
    deliveries_retry,
    deliveries_send_due,
    notification_enqueue,
    notification_mark_read,
    notifications_mark_all_read,
)
from jiesu.notify.tests.factories import NIGHT, email_config
from jiesu.notify.tests.servers import SmtpServer
from jiesu.orgs.models import User
from jiesu.orgs.testing import World, build_world

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENING = datetime(2026, 3, 2, 23, 0, tzinfo=SHANGHAI)
MORNING = datetime(2026, 3, 3, 7, 0, tzinfo=SHANGHAI)


def _with_email(*users: User) -> None:
    for user in users:
        user.email = f"{user.username}@example.gov.cn"
        user.save(update_fields=["email"])


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 3, 2, 21, 59, tzinfo=SHANGHAI), None),
        (datetime(2026, 3, 2, 22, 0, tzinfo=SHANGHAI), datetime(2026, 3, 3, 7, 0, tzinfo=SHANGHAI)),
        (datetime(2026, 3, 3, 3, 30, tzinfo=SHANGHAI), datetime(2026, 3, 3, 7, 0, tzinfo=SHANGHAI)),
        (datetime(2026, 3, 3, 7, 0, tzinfo=SHANGHAI), None),
        # 23:30 UTC is 07:30 in Shanghai: outside
        (datetime(2026, 3, 2, 23, 30, tzinfo=ZoneInfo("UTC")), None),
        # 15:00 UTC is 23:00 in Shanghai: inside
        (datetime(2026, 3, 2, 15, 0, tzinfo=ZoneInfo("UTC")), datetime(2026, 3, 3, 7, 0, tzinfo=SHANGHAI)),
    ],
)
def test_quiet_hours_across_midnight(moment: datetime, expected: datetime | None) -> None:
    assert quiet_until(moment, start=time(22), end=time(7), tz=SHANGHAI) == expected


def test_quiet_hours_within_one_day() -> None:
    def lunch(moment: datetime) -> datetime | None:
        return quiet_until(moment, start=time(12), end=time(13, 30), tz=SHANGHAI)

    assert lunch(datetime(2026, 3, 2, 12, 10, tzinfo=SHANGHAI)) == datetime(2026, 3, 2, 13, 30, tzinfo=SHANGHAI)
    assert lunch(datetime(2026, 3, 2, 13, 30, tzinfo=SHANGHAI)) is None


@pytest.mark.django_db
def test_in_app_notifications_are_delivered_at_once_and_only_once(world: World) -> None:
    for _ in range(2):
        notification_enqueue(
            recipients=[world.township_staff, world.district_staff, world.township_staff],
            subject="工单即将到期",
            body="请在 2 天内反馈",
            link="/tickets/X/",
            urgent=True,
            dedupe_key="ticket:1:step:1",
            channels=[DeliveryChannel.INAPP],
        )

    assert Notification.objects.count() == 2
    note = notifications_for(user=world.township_staff).get()
    assert (note.title, note.level, note.link) == ("工单即将到期", NotificationLevel.URGENT, "/tickets/X/")
    assert note.delivery.status == DeliveryStatus.SENT
    assert notifications_unread_count(user=world.township_staff) == 1
    assert not notification_mark_read(notification_id=note.pk, user=world.district_staff)  # not theirs
    assert notification_mark_read(notification_id=note.pk, user=world.township_staff)
    assert not notification_mark_read(notification_id=note.pk, user=world.township_staff)
    assert notifications_unread_count(user=world.township_staff) == 0
    assert notifications_mark_all_read(user=world.district_staff) == 1


@pytest.mark.django_db
def test_inactive_users_and_unknown_channels(world: World) -> None:
    world.other_staff.is_active = False
    world.other_staff.save(update_fields=["is_active"])
    created = notification_enqueue(recipients=[world.other_staff], subject="x", dedupe_key="k")
    assert created == []
    with pytest.raises(ValidationFailed):
        notification_enqueue(recipients=[world.agent], subject="x", dedupe_key="k2", channels=["pigeon"])


@pytest.mark.django_db
def test_quiet_hours_hold_back_normal_messages_and_let_urgent_ones_through(world: World, smtp: SmtpServer) -> None:
    email_config(smtp, **NIGHT)
    _with_email(world.township_staff, world.shift_lead)
    notification_enqueue(
        recipients=[world.township_staff], subject="一般提醒", dedupe_key="n", channels=["email"], now=EVENING
    )
    notification_enqueue(
        recipients=[world.shift_lead], subject="紧急提醒", urgent=True, dedupe_key="u", channels=["email"], now=EVENING
    )
    held = Delivery.objects.get(subject="一般提醒")
    assert (held.status, held.next_attempt_at) == (DeliveryStatus.HELD, MORNING)

    assert deliveries_send_due(EVENING) == 1
    assert [m.message["Subject"].strip() for m in smtp.received] == ["紧急提醒"]
    assert deliveries_send_due(MORNING - timedelta(minutes=1)) == 0

    assert deliveries_send_due(MORNING) == 1
    assert [m.message["Subject"].strip() for m in smtp.received] == ["紧急提醒", "一般提醒"]
    held.refresh_from_db()
    assert (held.status, held.sent_at) == (DeliveryStatus.SENT, MORNING)


@pytest.mark.django_db
def test_a_retry_that_falls_into_quiet_hours_waits_for_the_morning(world: World, smtp: SmtpServer) -> None:
    config = email_config(smtp, **NIGHT)
    _with_email(world.township_staff)
    before = datetime(2026, 3, 2, 21, 0, tzinfo=SHANGHAI)
    notification_enqueue(
        recipients=[world.township_staff], subject="一般提醒", dedupe_key="r", channels=["email"], now=before
    )
    # The quiet window is configured after the message was queued (or the retry lands in it).
    config.quiet_start = time(20, 0)
    config.save()

    assert deliveries_send_due(before) == 0
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.next_attempt_at, delivery.attempts) == (DeliveryStatus.HELD, MORNING, 0)
    assert smtp.received == []


@pytest.mark.django_db
def test_an_admin_can_retry_failed_deliveries(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    notification_enqueue(recipients=[world.township_staff], subject="提醒", dedupe_key="f", channels=["email"])
    failed = Delivery.objects.get()
    assert failed.status == DeliveryStatus.FAILED  # no address yet
    Delivery.objects.filter(pk=failed.pk).update(address="township_staff@example.gov.cn")

    later = failed.created_at + timedelta(minutes=5)
    assert deliveries_retry(ids=[failed.pk], now=later) == 1
    assert deliveries_send(later) == 1

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (DeliveryStatus.SENT, 1)
    assert smtp.received[0].recipients == ["township_staff@example.gov.cn"]
    assert deliveries_retry(ids=[failed.pk]) == 0  # a sent message is never sent again


def _in_thread(target: object, results: list[object], *args: object) -> threading.Thread:
    def run() -> None:
        try:
            results.append(target(*args))  # type: ignore[operator]
        except Exception as exc:  # surfaced by the assertions of the test
            results.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_never_send_the_same_message_twice(smtp: SmtpServer) -> None:
    world = build_world()
    email_config(smtp)
    _with_email(world.township_staff, world.district_staff)
    now = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)

    def enqueue() -> int:
        rows = notification_enqueue(
            recipients=[world.township_staff, world.district_staff],
            subject="并发提醒",
            dedupe_key="race",
            channels=["email", "inapp"],
            now=now,
        )
        return len(rows)

    for job, args, expected in ((enqueue, (), 4), (deliveries_send_due, (now,), 2)):
        results: list[object] = []
        threads = [_in_thread(job, results, *args) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(int(r) for r in results) == expected  # type: ignore[call-overload]

    assert Delivery.objects.count() == 4
    assert Notification.objects.count() == 2
    assert sorted(m.recipients[0] for m in smtp.received) == [
        "district_staff@example.gov.cn",
        "township_staff@example.gov.cn",
    ]
    assert deliveries_send_due(now + timedelta(hours=1)) == 0
