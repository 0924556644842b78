"""Periodic report job run by `jiesu worker` (see settings.WORKER_JOBS)."""

from __future__ import annotations

from datetime import datetime

from jiesu.reports.services import reports_due_run


def reports_due_job(now: datetime) -> int:
    """Generate and e-mail the scheduled report packs whose moment has come."""
    return len(reports_due_run(now))
