"""The worker's burst detection (settings.WORKER_JOBS): the window ending yesterday, the last whole
day. Running it again within the day finds the same window and creates nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from jiesu.intel.bursts.services import bursts_run


def bursts_job(now: datetime) -> int:
    """New alerts created."""
    yesterday = timezone.localdate(now) - timedelta(days=1)
    return len(bursts_run(on=yesterday).created)
