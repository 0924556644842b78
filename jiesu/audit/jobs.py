"""Periodic jobs of the audit app (listed in settings.WORKER_JOBS)."""

from __future__ import annotations

from datetime import datetime

from jiesu.audit.services import audit_purge_expired


def audit_purge_job(now: datetime) -> int:
    """Remove audit entries past the retention period; returns how many were removed."""
    return audit_purge_expired(now)
