"""Fixed-window request counters in the database, shared by every process (used by the API).

One conditional UPDATE per check: `hits` only grows while it is below the limit, so a refused
request writes nothing. Windows older than an hour are deleted when a new one starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiesu.orgs.models import RateCounter

KEY_MAX = 200


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int = 0  # seconds until the window ends, when refused


def rate_limit_hit(*, key: str, limit: int, window_seconds: int = 60, now: datetime | None = None) -> RateDecision:
    """Count one request on `key`; refused once `limit` requests were counted in this window.

    A limit of 0 or less turns the check off."""
    if limit <= 0:
        return RateDecision(True)
    stamp = int((now or timezone.now()).timestamp())
    start = stamp - stamp % window_seconds
    window = datetime.fromtimestamp(start, tz=UTC)
    key = key[:KEY_MAX]
    for _ in range(2):
        counters = RateCounter.objects.filter(key=key, window_start=window)
        if counters.filter(hits__lt=limit).update(hits=F("hits") + 1):
            return RateDecision(True)
        if counters.exists():
            return RateDecision(False, retry_after=max(1, start + window_seconds - stamp))
        try:
            with transaction.atomic():
                RateCounter.objects.create(key=key, window_start=window, hits=1)
        except IntegrityError:
            continue  # another process opened the window first: count on its row
        RateCounter.objects.filter(window_start__lt=window - timedelta(hours=1)).delete()
        return RateDecision(True)
    return RateDecision(True)
