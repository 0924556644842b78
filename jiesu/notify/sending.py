"""The sender side of the outbox: claim due deliveries, send them, log the result on the row.

No row lock is held while talking to a server: a row is claimed by a conditional UPDATE that sets
`locked_until`, so two workers never send the same row, and a worker that dies mid-send only
delays the row until its lease runs out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jiesu.notify.choices import DeliveryStatus
from jiesu.notify.models import ChannelConfig, Delivery
from jiesu.notify.quiet import quiet_until
from jiesu.notify.selectors import channel_config_for
from jiesu.notify.senders import SENDERS, OutgoingMessage, SendFailed

log = logging.getLogger("jiesu.notify")

LEASE = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
BATCH_SIZE = 100
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.HELD)


def _due(now: datetime) -> Q:
    return Q(status__in=WAITING, next_attempt_at__lte=now) & (Q(locked_until__isnull=True) | Q(locked_until__lte=now))


def retry_delay(*, attempts: int, base_seconds: int) -> timedelta:
    """Exponential backoff after the `attempts`-th failed attempt: base, 2·base, 4·base … (capped)."""
    delay = timedelta(seconds=max(base_seconds, 1) * 2 ** max(attempts - 1, 0))
    return min(delay, MAX_BACKOFF)


def deliveries_send_due(now: datetime, *, limit: int = BATCH_SIZE) -> int:
    """Send up to `limit` due deliveries; returns how many were attempted (sent or failed)."""
    ids = list(
        Delivery.objects.filter(_due(now))
        .order_by("-urgent", "next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(1 for pk in ids if delivery_attempt(pk, now=now))


def _claim(pk: int, now: datetime) -> Delivery | None:
    lease = now + LEASE
    claimed = Delivery.objects.filter(_due(now), pk=pk).update(locked_until=lease, updated_at=timezone.now())
    if claimed != 1:
        return None  # sent, held or claimed by another worker meanwhile
    return Delivery.objects.select_related("config", "recipient").get(pk=pk)


def _config(delivery: Delivery) -> ChannelConfig | None:
    config = delivery.config
    if config is not None and config.is_enabled:
        return config
    return channel_config_for(delivery.channel)


def _finish(delivery: Delivery, **changes: object) -> None:
    """Write the outcome, but only while this worker still holds the lease."""
    Delivery.objects.filter(pk=delivery.pk, locked_until=delivery.locked_until).update(
        locked_until=None, updated_at=timezone.now(), **changes
    )


def _held_until(delivery: Delivery, config: ChannelConfig, now: datetime) -> datetime | None:
    window = config.quiet_hours
    if delivery.urgent or window is None:
        return None
    return quiet_until(now, start=window[0], end=window[1], tz=timezone.get_default_timezone())


def delivery_attempt(pk: int, *, now: datetime | None = None, config: ChannelConfig | None = None) -> bool:
    """Claim and try one delivery. False when it was not ours to send (or held for quiet hours).

    `config` overrides the channel configuration (used to test a config before enabling it)."""
    now = now or timezone.now()
    delivery = _claim(pk, now)
    if delivery is None:
        return False
    config = config or _config(delivery)
    sender = SENDERS.get(delivery.channel)
    if config is None or sender is None:
        _finish(
            delivery, status=DeliveryStatus.FAILED, last_error=f"{delivery.get_channel_display()}通道未配置或已停用"
        )
        return True
    held = _held_until(delivery, config, now)
    if held is not None:
        _finish(delivery, status=DeliveryStatus.HELD, next_attempt_at=held)
        return False
    attempts = delivery.attempts + 1
    message = OutgoingMessage(
        address=delivery.address, subject=delivery.subject, body=delivery.body, link=_absolute(delivery.link)
    )
    try:
        note = sender(config, message)
    except SendFailed as exc:
        _record_failure(delivery, config, attempts=attempts, error=str(exc), now=now)
        return True
    _finish(delivery, status=DeliveryStatus.SENT, attempts=attempts, sent_at=now, last_error="", last_response=note)
    return True


def _record_failure(delivery: Delivery, config: ChannelConfig, *, attempts: int, error: str, now: datetime) -> None:
    log.warning("delivery %s attempt %s failed: %s", delivery.pk, attempts, error)
    if attempts >= delivery.max_attempts:
        _finish(delivery, status=DeliveryStatus.FAILED, attempts=attempts, last_error=error)
        return
    delay = retry_delay(attempts=attempts, base_seconds=config.retry_base_seconds)
    _finish(delivery, status=DeliveryStatus.PENDING, attempts=attempts, last_error=error, next_attempt_at=now + delay)


def _absolute(link: str) -> str:
    """Outside channels need a full address; JIESU_BASE_URL (if set) makes one of a site path."""
    base = str(getattr(settings, "JIESU_BASE_URL", "") or "")
    if link.startswith("/") and base:
        return base.rstrip("/") + link
    return link
