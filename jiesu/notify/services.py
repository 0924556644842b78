"""Writes of the notify app: put messages in the outbox, mark notifications read, test a channel.

Callers enqueue inside their own transaction, so a message exists exactly when the change that
caused it was committed; `jiesu.notify.jobs.deliveries_send` sends it later.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiesu.core.errors import ValidationFailed
from jiesu.notify.choices import DeliveryChannel, DeliveryStatus, NotificationLevel
from jiesu.notify.models import ChannelConfig, Delivery, Notification
from jiesu.notify.quiet import quiet_until
from jiesu.notify.selectors import channel_config_for, channel_configs_enabled
from jiesu.notify.sending import deliveries_send_due, delivery_attempt
from jiesu.orgs.models import User

__all__ = [
    "ChannelNotConfigured",
    "channel_test",
    "deliveries_retry",
    "deliveries_send_due",
    "notification_enqueue",
    "notification_mark_read",
    "notifications_mark_all_read",
]

log = logging.getLogger("jiesu.notify")
MAX_KEY_LENGTH = 200


class ChannelNotConfigured(ValidationFailed):
    code = "channel_not_configured"
    default_message = "该通知通道尚未配置或未启用"


def _hold(config: ChannelConfig, urgent: bool, now: datetime) -> datetime | None:
    window = config.quiet_hours
    if urgent or window is None:
        return None
    return quiet_until(now, start=window[0], end=window[1], tz=timezone.get_default_timezone())


def _row(
    key: str, channel: str, config: ChannelConfig | None, now: datetime, urgent: bool, **fields: object
) -> Delivery:
    held = _hold(config, urgent, now) if config is not None else None
    return Delivery(
        dedupe_key=key,
        channel=channel,
        config=config,
        urgent=urgent,
        status=DeliveryStatus.HELD if held else DeliveryStatus.PENDING,
        next_attempt_at=held or now,
        max_attempts=config.max_attempts if config is not None else 1,
        **fields,
    )


def _address(channel: str, user: User) -> str:
    return user.email if channel == DeliveryChannel.EMAIL else user.phone


def _plan(
    *, recipients: Sequence[User], channels: Iterable[str], key: str, urgent: bool, now: datetime, **text: str
) -> list[Delivery]:
    """The unsaved rows of one message: one per recipient and channel, one per WeCom group."""
    rows: list[Delivery] = []
    for channel in dict.fromkeys(channels):
        if channel not in DeliveryChannel.values:
            raise ValidationFailed(f"未知的通知通道：{channel}")
        if channel == DeliveryChannel.INAPP:
            rows += [_row(f"{key}:inapp:{u.pk}", channel, None, now, urgent, recipient=u, **text) for u in recipients]
        elif channel == DeliveryChannel.WECOM:
            mentions = ",".join(u.phone for u in recipients if u.phone)
            rows += [
                _row(f"{key}:wecom:{c.pk}", channel, c, now, urgent, address=mentions, **text)
                for c in channel_configs_enabled(channel)
            ]
        else:
            config = channel_config_for(channel)
            if config is None:
                log.info("no enabled %s channel; message %s not sent on it", channel, key)
                continue
            for user in recipients:
                row = _row(f"{key}:{channel}:{user.pk}", channel, config, now, urgent, recipient=user, **text)
                row.address = _address(channel, user)
                if not row.address:
                    # Logged as failed so that admins see whose contact details are missing.
                    row.status, row.last_error = DeliveryStatus.FAILED, "接收人没有填写邮箱或手机号"
                rows.append(row)
    return rows


def _insert(row: Delivery, now: datetime) -> bool:
    """Save one row unless its key exists; a savepoint keeps the caller's transaction usable."""
    try:
        with transaction.atomic():
            if row.channel == DeliveryChannel.INAPP and row.recipient is not None:
                row.notification = Notification.objects.create(
                    recipient=row.recipient,
                    title=row.subject,
                    body=row.body,
                    link=row.link,
                    level=NotificationLevel.URGENT if row.urgent else NotificationLevel.NORMAL,
                    created_at=now,
                )
                row.status, row.attempts, row.sent_at = DeliveryStatus.SENT, 1, now
            row.save()
    except IntegrityError:
        return False  # enqueued before (a restart or another worker)
    return True


@transaction.atomic
def notification_enqueue(
    *,
    recipients: Sequence[User],
    subject: str,
    body: str = "",
    link: str = "",
    urgent: bool = False,
    dedupe_key: str,
    channels: Sequence[str] = (DeliveryChannel.INAPP,),
    now: datetime | None = None,
) -> list[Delivery]:
    """Outbox rows for each active recipient on each channel (in-app ones are delivered at once).

    Rows whose `dedupe_key` (extended by channel and recipient) exists are skipped, so calling
    this twice for the same message is harmless. Returns the rows created now."""
    if not dedupe_key or len(dedupe_key) > MAX_KEY_LENGTH:
        raise ValidationFailed(f"去重键不能为空且不能超过 {MAX_KEY_LENGTH} 个字符")
    now = now or timezone.now()
    people = [u for u in dict.fromkeys(recipients) if u.is_active]
    text = {"subject": subject[:200], "body": body, "link": link}
    rows = _plan(recipients=people, channels=channels, key=dedupe_key, urgent=urgent, now=now, **text)
    existing = set(
        Delivery.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]).values_list("dedupe_key", flat=True)
    )
    return [row for row in rows if row.dedupe_key not in existing and _insert(row, now)]


@transaction.atomic
def notification_mark_read(*, notification_id: int, user: User, now: datetime | None = None) -> bool:
    """Mark one of the user's notifications read; False when it was already read or is not theirs."""
    updated = Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(
        read_at=now or timezone.now()
    )
    return updated == 1


@transaction.atomic
def notifications_mark_all_read(*, user: User, now: datetime | None = None) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now or timezone.now())


@transaction.atomic
def deliveries_retry(*, ids: Sequence[int], now: datetime | None = None) -> int:
    """Put unsent deliveries back in the queue with a fresh attempt budget (an admin's decision)."""
    return (
        Delivery.objects.filter(pk__in=list(ids))
        .exclude(status=DeliveryStatus.SENT)
        .update(status=DeliveryStatus.PENDING, next_attempt_at=now or timezone.now(), locked_until=None, attempts=0)
    )


def channel_test(*, channel: str, address: str = "", config_name: str | None = None) -> Delivery:
    """Send a test message on a channel at once (no quiet hours, one attempt) and return its log row."""
    if channel not in (DeliveryChannel.EMAIL, DeliveryChannel.WECOM, DeliveryChannel.SMS):
        raise ValidationFailed("只能测试 email、wecom 或 sms 通道")
    config = channel_config_for(channel, name=config_name)
    if config is None:
        which = f"名为“{config_name}”的" if config_name else "已启用的"
        raise ChannelNotConfigured(f"没有找到{which}{DeliveryChannel(channel).label}通道配置")
    now = timezone.now()
    delivery = Delivery.objects.create(
        channel=channel,
        config=config,
        address=address,
        subject="接诉平台通知通道测试",
        body=f"这是一条测试消息，用于检查“{config.name}”通道的配置。发送时间：{timezone.localtime(now):%Y-%m-%d %H:%M}",
        urgent=True,
        dedupe_key=f"test:{uuid.uuid4().hex}",
        max_attempts=1,
        next_attempt_at=now,
    )
    # A disabled config can be tested too, before it is switched on.
    delivery_attempt(delivery.pk, now=now, config=config)
    delivery.refresh_from_db()
    return delivery
