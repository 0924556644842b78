"""Channel configurations for tests (configuration rows, as an admin would enter them)."""

from __future__ import annotations

from datetime import time
from typing import Any

from jiesu.notify.choices import DeliveryChannel
from jiesu.notify.models import ChannelConfig
from jiesu.notify.tests.servers import HttpServer, SmtpServer


def email_config(smtp: SmtpServer, **fields: Any) -> ChannelConfig:
    values: dict[str, Any] = {
        "channel": DeliveryChannel.EMAIL,
        "name": "邮件",
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "from_address": "接诉平台 <jiesu@example.gov.cn>",
        "timeout_seconds": 5,
    }
    values.update(fields)
    return ChannelConfig.objects.create(**values)


def wecom_config(http: HttpServer, name: str = "值班群", key: str = "duty", **fields: Any) -> ChannelConfig:
    values: dict[str, Any] = {
        "channel": DeliveryChannel.WECOM,
        "name": name,
        "webhook_url": f"{http.url}/cgi-bin/webhook/send?key={key}",
        "timeout_seconds": 5,
    }
    values.update(fields)
    return ChannelConfig.objects.create(**values)


def sms_config(http: HttpServer, **fields: Any) -> ChannelConfig:
    values: dict[str, Any] = {
        "channel": DeliveryChannel.SMS,
        "name": "短信网关",
        "gateway_url": f"{http.url}/sms/send",
        "body_template": '{"mobile": "{phone}", "content": "{text}", "sign": "接诉"}',
        "success_text": '"code": 0',
        "headers": {"X-Api-Key": "test-key"},
        "timeout_seconds": 5,
    }
    values.update(fields)
    return ChannelConfig.objects.create(**values)


NIGHT = {"quiet_start": time(22, 0), "quiet_end": time(7, 0)}
