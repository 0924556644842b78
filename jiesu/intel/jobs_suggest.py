"""Worker jobs of the ticket suggestions: record the agents' answers to suggestions, and retrain
the model on schedule (INTEL_RETRAIN_DAYS) — at once when no model exists yet and the database
holds at least INTEL_MIN_TRAINING_ROWS closed tickets, so that a fresh demo gets a model."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings

from jiesu.intel.errors import IntelError
from jiesu.intel.models import ModelVersion
from jiesu.intel.suggest.services import suggestion_feedback_record, suggestions_train
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket

log = logging.getLogger("jiesu.worker")


def retrain_due(now: datetime) -> bool:
    latest = ModelVersion.objects.order_by("-trained_at").first()
    if latest is not None:
        return now - latest.trained_at >= timedelta(days=settings.INTEL_RETRAIN_DAYS)
    closed = Ticket.objects.filter(status=TicketStatus.CLOSED, category__isnull=False)
    return closed.count() >= settings.INTEL_MIN_TRAINING_ROWS


def suggestions_retrain_job(now: datetime) -> int:
    """1 when a new version was trained (and activated), else 0."""
    if not retrain_due(now):
        return 0
    try:
        version = suggestions_train(actor=None, note="定时训练")
    except IntelError as error:  # not enough usable data yet: try again at the next interval
        log.warning("suggestion model not trained: %s", error.message)
        return 0
    log.info("suggestion model v%s trained on %s rows", version.version, version.rows)
    return 1


def suggestions_feedback_job(now: datetime) -> int:
    return suggestion_feedback_record(now=now)
