"""Reads of notifications and channel configuration."""

from __future__ import annotations

from django.db.models import QuerySet

from jiesu.notify.models import ChannelConfig, Delivery, Notification
from jiesu.orgs.models import User


def channel_configs_enabled(channel: str) -> list[ChannelConfig]:
    return list(ChannelConfig.objects.filter(channel=channel, is_enabled=True).order_by("name", "id"))


def channel_config_for(channel: str, *, name: str | None = None) -> ChannelConfig | None:
    """The named config of a channel, else its (first) enabled one."""
    configs = ChannelConfig.objects.filter(channel=channel)
    if name:
        return configs.filter(name=name).first()
    return configs.filter(is_enabled=True).order_by("name", "id").first()


def notifications_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notifications_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def deliveries_for(*, dedupe_prefix: str) -> QuerySet[Delivery]:
    """The deliveries of one message (all channels and recipients), by the key it was enqueued with."""
    return Delivery.objects.filter(dedupe_key__startswith=f"{dedupe_prefix}:").order_by("id")
