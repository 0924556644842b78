import json
import urllib.parse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from jiesu.notify.choices import BodyFormat, DeliveryChannel, DeliveryStatus, HttpMethod
from jiesu.notify.models import Delivery
from jiesu.notify.services import deliveries_send_due, notification_enqueue
from jiesu.notify.tests.factories import sms_config, wecom_config
from jiesu.notify.tests.servers import HttpServer
from jiesu.orgs.testing import World

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
SUBJECT = "【超期】工单 20260302-0001 反馈已超期"
BODY = "望京街道：工单“小区暖气不热”已超过反馈时限，请班长跟进督办。"


def _phones(world: World) -> None:
    for user, phone in ((world.shift_lead, "13800000001"), (world.leader, "13800000002")):
        user.phone = phone
        user.save(update_fields=["phone"])


@pytest.mark.django_db
def test_each_wecom_group_robot_gets_one_text_message_mentioning_the_recipients(world: World, http: HttpServer) -> None:
    wecom_config(http, name="值班群", key="duty")
    wecom_config(http, name="领导群", key="leaders")
    wecom_config(http, name="停用群", key="off", is_enabled=False)
    _phones(world)
    notification_enqueue(
        recipients=[world.shift_lead, world.leader],
        subject=SUBJECT,
        body=BODY,
        link="/tickets/20260302-0001/",
        dedupe_key="w1",
        channels=[DeliveryChannel.WECOM],
        now=NOW,
    )

    assert deliveries_send_due(NOW) == 2

    assert sorted(r.path for r in http.requests) == [
        "/cgi-bin/webhook/send?key=duty",
        "/cgi-bin/webhook/send?key=leaders",
    ]
    payload = json.loads(http.requests[0].text())
    assert payload["msgtype"] == "text"
    assert payload["text"]["content"].startswith(SUBJECT)
    assert BODY in payload["text"]["content"]
    assert payload["text"]["mentioned_mobile_list"] == ["13800000001", "13800000002"]
    assert http.requests[0].headers["Content-Type"].startswith("application/json")
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


@pytest.mark.django_db
def test_a_wecom_error_is_retried_with_exponential_backoff_until_it_fails(world: World, http: HttpServer) -> None:
    http.script = [(200, '{"errcode":93000,"errmsg":"invalid webhook url"}')]
    wecom_config(http, max_attempts=4, retry_base_seconds=30)
    notification_enqueue(recipients=[world.shift_lead], subject=SUBJECT, dedupe_key="w2", channels=["wecom"], now=NOW)

    moment = NOW
    delays = []
    for _ in range(3):
        assert deliveries_send_due(moment) == 1
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        delays.append(delivery.next_attempt_at - moment)
        assert deliveries_send_due(delivery.next_attempt_at - timedelta(seconds=1)) == 0
        moment = delivery.next_attempt_at
    assert delays == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]

    assert deliveries_send_due(moment) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 4)
    assert "93000" in delivery.last_error
    assert len(http.requests) == 4
    assert deliveries_send_due(moment + timedelta(days=1)) == 0


@pytest.mark.django_db
def test_a_temporary_wecom_outage_recovers_on_retry(world: World, http: HttpServer) -> None:
    http.script = [(502, "Bad Gateway"), (200, '{"errcode":0,"errmsg":"ok"}')]
    wecom_config(http, retry_base_seconds=10)
    notification_enqueue(recipients=[world.shift_lead], subject=SUBJECT, dedupe_key="w3", channels=["wecom"], now=NOW)

    assert deliveries_send_due(NOW) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "HTTP 502" in delivery.last_error

    assert deliveries_send_due(NOW + timedelta(seconds=10)) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")


@pytest.mark.django_db
def test_an_sms_is_posted_through_the_json_template(world: World, http: HttpServer) -> None:
    http.script = [(200, '{"code": 0, "msg": "success"}')]
    sms_config(http)
    _phones(world)
    notification_enqueue(
        recipients=[world.shift_lead], subject=SUBJECT, body=BODY, dedupe_key="s1", channels=["sms"], now=NOW
    )

    assert deliveries_send_due(NOW) == 1

    request = http.requests[0]
    assert (request.method, request.path) == ("POST", "/sms/send")
    assert request.headers["X-Api-Key"] == "test-key"
    sent = json.loads(request.text())
    assert sent == {"mobile": "13800000001", "content": f"{SUBJECT}：{BODY}", "sign": "接诉"}
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.address) == (DeliveryStatus.SENT, "13800000001")
    assert "success" in delivery.last_response


@pytest.mark.django_db
def test_an_sms_gateway_answer_without_the_success_mark_counts_as_a_failure(world: World, http: HttpServer) -> None:
    http.script = [(200, '{"code": 40001, "msg": "余额不足"}')]
    sms_config(http, max_attempts=2, retry_base_seconds=5)
    _phones(world)
    notification_enqueue(recipients=[world.shift_lead], subject=SUBJECT, dedupe_key="s2", channels=["sms"], now=NOW)

    assert deliveries_send_due(NOW) == 1
    assert deliveries_send_due(NOW + timedelta(seconds=5)) == 1

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
    assert "余额不足" in delivery.last_error


@pytest.mark.django_db
def test_an_sms_can_be_sent_as_a_form_or_by_get(world: World, http: HttpServer) -> None:
    http.script = [(200, "OK")]
    config = sms_config(
        http, body_format=BodyFormat.FORM, body_template="to={phone}&msg={text}&user=jiesu", success_text="OK"
    )
    _phones(world)
    notification_enqueue(
        recipients=[world.shift_lead], subject="测试 & 短信", dedupe_key="s3", channels=["sms"], now=NOW
    )
    assert deliveries_send_due(NOW) == 1
    form = urllib.parse.parse_qs(http.requests[0].text())
    assert form == {"to": ["13800000001"], "msg": ["测试 & 短信"], "user": ["jiesu"]}

    config.http_method = HttpMethod.GET
    config.gateway_url = f"{http.url}/sms?to={{phone}}&msg={{text}}"
    config.save()
    notification_enqueue(recipients=[world.shift_lead], subject="第二条", dedupe_key="s4", channels=["sms"], now=NOW)
    assert deliveries_send_due(NOW) == 1
    request = http.requests[1]
    assert request.method == "GET"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request.path).query)
    assert query == {"to": ["13800000001"], "msg": ["第二条"]}


@pytest.mark.django_db
def test_the_cli_tests_a_wecom_robot(http: HttpServer, capsys: pytest.CaptureFixture[str]) -> None:
    wecom_config(http, name="值班群", is_enabled=False)

    call_command("notify", "test", "--channel", "wecom", "--config", "值班群")

    assert "发送成功" in capsys.readouterr().out
    assert "接诉平台通知通道测试" in json.loads(http.requests[0].text())["text"]["content"]
