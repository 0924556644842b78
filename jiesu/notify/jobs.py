"""Periodic notify jobs run by `jiesu worker` (see settings.WORKER_JOBS)."""

from __future__ import annotations

from datetime import datetime

from jiesu.notify.sending import BATCH_SIZE, deliveries_send_due


def deliveries_send(now: datetime) -> int:
    """Send what is due in the outbox, a few batches per run so one run stays short."""
    total = 0
    for _ in range(5):
        sent = deliveries_send_due(now, limit=BATCH_SIZE)
        total += sent
        if sent < BATCH_SIZE:
            break
    return total
