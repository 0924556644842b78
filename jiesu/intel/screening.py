"""Screening of a new ticket, run when `ticket_create` has committed (the `ticket_received` signal)
and by `jiesu intel screen` over stored tickets: sensitive content first (its notice must not
wait), then repeats and duplicates, then the suggestions. Each step commits on its own, so one
failing step is logged and does not undo the others or the ticket."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.db import transaction

from jiesu.tickets.models import Ticket

log = logging.getLogger(__name__)


def _steps() -> list[tuple[str, Callable[[Ticket], Any]]]:
    from jiesu.intel.duplicates.screen import duplicates_screen
    from jiesu.intel.sensitive.screen import sensitive_screen
    from jiesu.intel.suggest.services import suggestions_make

    return [("sensitive", sensitive_screen), ("duplicates", duplicates_screen), ("suggestions", suggestions_make)]


def ticket_screen(ticket: Ticket, steps: Collection[str] | None = None) -> dict[str, str]:
    """Run every step (or those named in `steps`) on `ticket`; returns each step's outcome ("ok"
    or the error's text)."""
    outcomes: dict[str, str] = {}
    for name, step in _steps():
        if steps is not None and name not in steps:
            continue
        try:
            with transaction.atomic():
                step(Ticket.objects.get(pk=ticket.pk))
            outcomes[name] = "ok"
        except Exception as error:  # a screening step must never lose or block the ticket
            log.exception("intel screening step %s failed for ticket %s", name, ticket.pk)
            outcomes[name] = str(error) or type(error).__name__
    return outcomes


def on_ticket_received(sender: Any, *, ticket_id: int, actor_id: int | None = None, **kwargs: Any) -> None:
    if not settings.INTEL_SCREENING:
        return
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is not None:
        ticket_screen(ticket)
