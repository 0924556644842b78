"""`jiesu notify test|send`: check a channel configuration, or flush the outbox once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from jiesu.core.management.base import JiesuCommand
from jiesu.notify.choices import DeliveryStatus
from jiesu.notify.jobs import deliveries_send
from jiesu.notify.services import channel_test


class Command(JiesuCommand):
    help = "通知通道：发送测试消息（test），或立即发送到期的待发消息（send）"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{test,send}")
        test = actions.add_parser("test", help="用某个通道发送一条测试消息，检查配置是否正确")
        test.add_argument("--channel", required=True, choices=["email", "wecom", "sms"], help="通道")
        test.add_argument("--to", default="", help="收件邮箱或手机号（企业微信可省略，或填要提醒的手机号）")
        test.add_argument("--config", default=None, help="通道配置名称；省略时用已启用的配置")
        actions.add_parser("send", help="立即发送所有到期的待发消息（通常由 jiesu worker 完成）")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send":
            count = deliveries_send(timezone.now())
            self.stdout.write(f"已处理 {count} 条待发消息")
            return
        channel, to = options["channel"], options["to"].strip()
        if channel in ("email", "sms") and not to:
            raise CommandError("请用 --to 指定收件邮箱或手机号")
        delivery = channel_test(channel=channel, address=to, config_name=options["config"])
        if delivery.status != DeliveryStatus.SENT:
            raise CommandError(f"发送失败（记录 #{delivery.pk}）：{delivery.last_error}")
        self.stdout.write(f"发送成功（记录 #{delivery.pk}）：{delivery.last_response}")
