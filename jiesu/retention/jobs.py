"""Periodic jobs of the retention app (listed in settings.WORKER_JOBS)."""

from __future__ import annotations

from datetime import datetime

from jiesu.retention.services import retention_purge


def retention_purge_job(now: datetime) -> int:
    """Daily: purge the attachments whose retention has run out; returns how many were purged."""
    return retention_purge(now).purged
