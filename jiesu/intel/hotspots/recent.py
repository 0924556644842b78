"""Hotspots of the stored tickets in a window, as the pages and the API ask for them, cached.

Detection over a month of a large center takes tens of seconds, and the page is opened again and
again by the same analysts. A result is kept (`CACHE_SECONDS`) under the window, `top` and a stamp
of the tickets it was computed from (how many were received in the window and its baseline, and
the largest id): a new or removed ticket changes the stamp, so a cached result never hides one.
Hotspots depend only on the tickets' text, time and requester, which do not change after intake.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from jiesu.intel.hotspots import sources
from jiesu.intel.hotspots.detect import Window, hotspots_detect
from jiesu.intel.hotspots.ranking import Hotspot
from jiesu.tickets.models import Ticket

CACHE_SECONDS = 15 * 60


def _stamp(window: Window) -> str:
    start = timezone.make_aware(window.baseline_start)
    end = timezone.make_aware(window.end)
    found = Ticket.objects.filter(received_at__gte=start, received_at__lt=end).aggregate(n=Count("id"), last=Max("id"))
    return f"{found['n']}:{found['last'] or 0}"


def hotspots_of_tickets(window: Window, *, top: int) -> list[Hotspot]:
    """The `top` best hotspots of the tickets received in `window` (its baseline read too)."""
    key = f"jiesu:intel:hotspots:{window.start:%Y%m%d%H%M}:{window.end:%Y%m%d%H%M}:{top}:{_stamp(window)}"
    found: list[Hotspot] | None = cache.get(key)
    if found is None:
        found = hotspots_detect(sources.ticket_documents(window), start=window.start, end=window.end, limit=top)
        cache.set(key, found, CACHE_SECONDS)
    return found
