"""Messages to people: in-app notifications, the delivery outbox (which is also the delivery log),
and the configuration of the outside channels (SMTP, WeCom group robots, an SMS gateway)."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiesu.core.models import BaseModel
from jiesu.notify.choices import BodyFormat, DeliveryChannel, DeliveryStatus, HttpMethod, NotificationLevel

SINGLE_CONFIG_CHANNELS = [DeliveryChannel.EMAIL.value, DeliveryChannel.SMS.value]
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    DeliveryChannel.EMAIL: ("smtp_host", "from_address"),
    DeliveryChannel.WECOM: ("webhook_url",),
    DeliveryChannel.SMS: ("gateway_url",),
}


class Notification(models.Model):
    """One in-app message to one user, shown until read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    level = models.CharField("级别", max_length=16, choices=NotificationLevel.choices, default=NotificationLevel.NORMAL)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=NotificationLevel.values), name="notification_level_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class ChannelConfig(BaseModel):
    """How to reach one outside channel. E-mail and SMS have at most one enabled row each; every
    enabled WeCom row is a group robot that receives each WeCom message."""

    channel = models.CharField("通道", max_length=16, choices=DeliveryChannel.choices)
    name = models.CharField("名称", max_length=64, unique=True)
    is_enabled = models.BooleanField("启用", default=True)
    quiet_start = models.TimeField(
        "免打扰开始", null=True, blank=True, help_text="北京时间，如 22:00；留空表示不设免打扰"
    )
    quiet_end = models.TimeField("免打扰结束", null=True, blank=True, help_text="北京时间，如 07:00；可跨午夜")
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=5)
    retry_base_seconds = models.PositiveIntegerField("首次重试间隔（秒）", default=60, help_text="之后每次翻倍")
    timeout_seconds = models.PositiveSmallIntegerField("超时（秒）", default=10)

    smtp_host = models.CharField("SMTP 服务器", max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField("SMTP 端口", default=25)
    smtp_username = models.CharField("SMTP 用户名", max_length=255, blank=True)
    smtp_password = models.CharField(
        "SMTP 密码", max_length=255, blank=True, help_text="建议留空，改用下面的环境变量保存密码"
    )
    smtp_password_env = models.CharField(
        "SMTP 密码环境变量",
        max_length=64,
        blank=True,
        help_text="如 JIESU_SMTP_PASSWORD；也可用 JIESU_SMTP_PASSWORD_FILE 指向保存密码的文件",
    )
    smtp_use_tls = models.BooleanField("STARTTLS", default=False)
    smtp_use_ssl = models.BooleanField("SSL/TLS 直连", default=False)
    from_address = models.CharField(
        "发件人", max_length=255, blank=True, help_text="如 接诉平台 <jiesu@example.gov.cn>"
    )

    webhook_url = models.URLField("群机器人 Webhook 地址", max_length=500, blank=True)

    gateway_url = models.URLField(
        "短信网关地址", max_length=500, blank=True, help_text="GET 方式时可在地址中使用 {phone} 和 {text} 占位符"
    )
    http_method = models.CharField("请求方式", max_length=8, choices=HttpMethod.choices, default=HttpMethod.POST)
    body_format = models.CharField("请求体格式", max_length=8, choices=BodyFormat.choices, default=BodyFormat.JSON)
    body_template = models.TextField(
        "请求体模板", blank=True, help_text='占位符 {phone} 与 {text}，如 {"mobile": "{phone}", "content": "{text}"}'
    )
    headers = models.JSONField("请求头", default=dict, blank=True, help_text='如 {"X-Api-Key": "…"}')
    success_text = models.CharField(
        "成功标志",
        max_length=200,
        blank=True,
        help_text='HTTP 2xx 且响应中包含此文本才算成功，如 "code":0；留空只看状态码',
    )

    class Meta:
        verbose_name = "通知通道配置"
        verbose_name_plural = "通知通道配置"
        ordering = ["channel", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=DeliveryChannel.values), name="channel_config_channel_valid"
            ),
            models.UniqueConstraint(
                fields=["channel"],
                condition=Q(is_enabled=True, channel__in=SINGLE_CONFIG_CHANNELS),
                name="channel_config_one_enabled_email_sms",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.name}"

    def clean(self) -> None:
        required = REQUIRED_FIELDS.get(self.channel, ())
        errors = {name: "此通道必须填写" for name in required if not getattr(self, name)}
        if self.channel == DeliveryChannel.INAPP:
            errors["channel"] = "站内通知无需配置"
        if (self.quiet_start is None) != (self.quiet_end is None):
            errors["quiet_end"] = "免打扰开始与结束须同时填写或同时留空"
        if self.smtp_use_tls and self.smtp_use_ssl:
            errors["smtp_use_ssl"] = "STARTTLS 与 SSL/TLS 直连只能选一种"
        if errors:
            raise ValidationError(errors)

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        if self.quiet_start is None or self.quiet_end is None or self.quiet_start == self.quiet_end:
            return None
        return self.quiet_start, self.quiet_end

    def resolved_smtp_password(self) -> str:
        """The password from the named environment variable (or its _FILE), else the stored one."""
        name = self.smtp_password_env.strip()
        if name:
            value = os.environ.get(name, "")
            path = os.environ.get(f"{name}_FILE", "")
            if not value and path:
                value = Path(path).read_text(encoding="utf-8").strip()
            if value:
                return value
        return self.smtp_password


class Delivery(BaseModel):
    """One message on one channel to one address: the outbox row and, once handled, its log.

    `dedupe_key` is unique, so enqueueing the same message twice (a restart, a second worker)
    leaves one row; the sender claims rows with a conditional UPDATE on `locked_until`."""

    channel = models.CharField("通道", max_length=16, choices=DeliveryChannel.choices)
    status = models.CharField("状态", max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        verbose_name="接收人",
    )
    address = models.CharField("地址", max_length=500, blank=True, help_text="邮箱、手机号或企业微信提醒的手机号列表")
    config = models.ForeignKey(
        ChannelConfig,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name="通道配置",
    )
    notification = models.OneToOneField(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="delivery"
    )
    subject = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    urgent = models.BooleanField("紧急", default=False)
    dedupe_key = models.CharField("去重键", max_length=255, unique=True)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=5)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now)
    locked_until = models.DateTimeField("发送锁定至", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    last_response = models.TextField("最近响应", blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息发送记录"
        verbose_name_plural = "消息发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status__in=[DeliveryStatus.PENDING.value, DeliveryStatus.HELD.value]),
                name="delivery_due",
            ),
            models.Index(fields=["recipient", "-created_at"], name="delivery_recipient"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=DeliveryChannel.values), name="delivery_channel_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.address or self.recipient_id} {self.subject}"
