"""Periodic knowledge-base jobs run by `jiesu worker` (see settings.WORKER_JOBS)."""

from __future__ import annotations

from datetime import datetime

from jiesu.knowledge.services import entries_expire_due, entries_remind_expiry

REMINDER_DAYS_AHEAD = 30


def knowledge_expire_job(now: datetime) -> int:
    """Entries past their last valid day stop being offered as current (status expired)."""
    return entries_expire_due(now)


def knowledge_expiry_reminders_job(now: datetime) -> int:
    """Tell the knowledge editors a month ahead which entries are about to expire, once per date."""
    return entries_remind_expiry(now, days_ahead=REMINDER_DAYS_AHEAD)
