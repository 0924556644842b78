from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from jiesu.notify.choices import DeliveryChannel, DeliveryStatus
from jiesu.notify.models import Delivery
from jiesu.notify.services import deliveries_send_due, notification_enqueue
from jiesu.notify.tests.factories import email_config
from jiesu.notify.tests.servers import SmtpServer, free_port
from jiesu.orgs.testing import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
SUBJECT = "【催办】工单 20260302-0001 反馈时限还剩 2 天"
BODY = "朝阳区望京街道：工单“小区暖气不热”的反馈时限为 2026-03-04 10:00，请及时办理并反馈。"


def _with_email(world: World) -> None:
    world.township_staff.email = "wangjing@example.gov.cn"
    world.township_staff.save(update_fields=["email"])


@pytest.mark.django_db
def test_an_email_reaches_a_real_smtp_server_with_chinese_subject_and_body(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    _with_email(world)
    notification_enqueue(
        recipients=[world.township_staff],
        subject=SUBJECT,
        body=BODY,
        link="/tickets/20260302-0001/",
        dedupe_key="t1",
        channels=[DeliveryChannel.EMAIL],
        now=NOW,
    )

    assert deliveries_send_due(NOW) == 1

    assert len(smtp.received) == 1
    mail = smtp.received[0]
    assert mail.recipients == ["wangjing@example.gov.cn"]
    assert mail.message["Subject"].strip() == SUBJECT  # Django folds long encoded subjects
    assert "jiesu@example.gov.cn" in mail.message["From"]
    text = mail.message.get_body(preferencelist=("plain",))
    assert text is not None
    assert BODY in text.get_content()
    assert "/tickets/20260302-0001/" in text.get_content()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.sent_at) == (DeliveryStatus.SENT, 1, NOW)
    assert "已接受" in delivery.last_response
    assert deliveries_send_due(NOW + timedelta(hours=1)) == 0  # never sent twice


@pytest.mark.django_db
def test_an_unreachable_smtp_server_is_retried_with_backoff_then_failed(world: World, smtp: SmtpServer) -> None:
    email_config(smtp, smtp_port=free_port(), max_attempts=3, retry_base_seconds=60)
    _with_email(world)
    notification_enqueue(
        recipients=[world.township_staff], subject=SUBJECT, body=BODY, dedupe_key="t2", channels=["email"], now=NOW
    )

    assert deliveries_send_due(NOW) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert delivery.next_attempt_at == NOW + timedelta(seconds=60)
    assert "SMTP" in delivery.last_error

    assert deliveries_send_due(NOW + timedelta(seconds=59)) == 0  # not due yet
    assert deliveries_send_due(NOW + timedelta(seconds=60)) == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at == NOW + timedelta(seconds=60 + 120)

    assert deliveries_send_due(NOW + timedelta(seconds=180)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert deliveries_send_due(NOW + timedelta(days=1)) == 0
    assert smtp.received == []


@pytest.mark.django_db
def test_a_recipient_without_an_address_is_logged_as_failed(world: World, smtp: SmtpServer) -> None:
    email_config(smtp)
    notification_enqueue(
        recipients=[world.township_staff], subject=SUBJECT, dedupe_key="t3", channels=["email"], now=NOW
    )

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert "邮箱" in delivery.last_error
    assert deliveries_send_due(NOW) == 0


@pytest.mark.django_db
def test_without_an_enabled_email_channel_nothing_is_queued_for_it(world: World, smtp: SmtpServer) -> None:
    email_config(smtp, is_enabled=False)
    _with_email(world)
    created = notification_enqueue(
        recipients=[world.township_staff], subject=SUBJECT, dedupe_key="t4", channels=["email", "inapp"], now=NOW
    )

    assert [d.channel for d in created] == [DeliveryChannel.INAPP]


@pytest.mark.django_db
def test_the_password_may_come_from_the_environment(smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    config = email_config(smtp, smtp_password="stored", smtp_password_env="JIESU_TEST_SMTP_PASSWORD")
    assert config.resolved_smtp_password() == "stored"
    monkeypatch.setenv("JIESU_TEST_SMTP_PASSWORD", "from-env")
    assert config.resolved_smtp_password() == "from-env"


@pytest.mark.django_db
def test_the_cli_sends_a_test_email(smtp: SmtpServer, capsys: pytest.CaptureFixture[str]) -> None:
    email_config(smtp)

    call_command("notify", "test", "--channel", "email", "--to", "someone@example.com")

    assert "发送成功" in capsys.readouterr().out
    assert smtp.received[0].recipients == ["someone@example.com"]
    assert smtp.received[0].message["Subject"].strip() == "接诉平台通知通道测试"
    assert Delivery.objects.get().status == DeliveryStatus.SENT


@pytest.mark.django_db
def test_the_cli_reports_a_broken_configuration(smtp: SmtpServer) -> None:
    email_config(smtp, smtp_port=free_port())

    with pytest.raises(CommandError, match="发送失败"):
        call_command("notify", "test", "--channel", "email", "--to", "someone@example.com")
    assert Delivery.objects.get().status == DeliveryStatus.FAILED


@pytest.mark.django_db
def test_the_cli_refuses_a_channel_without_configuration() -> None:
    with pytest.raises(CommandError, match="没有找到"):
        call_command("notify", "test", "--channel", "sms", "--to", "13800000000")
