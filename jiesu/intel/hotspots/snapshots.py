"""Hotspots of the last N days kept by the worker, so that pages and the API need not detect.

Detection over a month of a large center takes tens of seconds on one process, and the cache of
`recent` is keyed by a stamp of the tickets, which a busy center changes every minute: analysts
would wait on every visit. The worker refreshes one window per run (`snapshot_refresh`, the one
missing or oldest of `WINDOW_DAYS` up to today) on all processors; readers take a snapshot younger
than `FRESH_FOR` and say when it was computed, else detect as before (`hotspots_as_of`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from jiesu.intel.hotspots import parallel, sources
from jiesu.intel.hotspots.detect import hotspots_detect
from jiesu.intel.hotspots.ranking import Hotspot
from jiesu.intel.hotspots.recent import hotspots_of_tickets
from jiesu.intel.models import HotspotSnapshot

WINDOW_DAYS = (7, 14, 30, 60, 90)  # what the hotspots page offers
KEPT = 100  # hotspots stored: the API returns at most 100
REFRESH_AFTER = timedelta(minutes=30)  # a window is not computed again sooner
FRESH_FOR = timedelta(hours=2)  # readers take a snapshot this young


@dataclass(frozen=True)
class Hotspots:
    found: list[Hotspot]
    as_of: datetime  # tickets received before it are counted
    stored: bool  # read from a snapshot, not detected now


def days_window(days: int, today: date) -> tuple[date, date]:
    return today - timedelta(days=days - 1), today


def snapshot_refresh(now: datetime, *, workers: int | None = None) -> HotspotSnapshot | None:
    """Compute and store the hotspots of the window (of `WINDOW_DAYS`, ending today) without a
    snapshot, else of the one with the oldest; None when even that is younger than
    `REFRESH_AFTER`."""
    today = timezone.localdate(now)
    windows = [days_window(days, today) for days in WINDOW_DAYS]
    stored = {(s.first_day, s.last_day): s.computed_at for s in HotspotSnapshot.objects.filter(last_day=today)}
    due = min(windows, key=lambda w: (w in stored, stored.get(w, now)))
    if due in stored and now - stored[due] < REFRESH_AFTER:
        return None
    return snapshot_store(*due, now=now, workers=workers)


def snapshot_store(first: date, last: date, *, now: datetime, workers: int | None = None) -> HotspotSnapshot:
    """Detect the hotspots of the tickets received from `first` to `last` (whole days) on
    `workers` processes (default: all) and store them as that window's snapshot, computed `now`;
    snapshots of windows ending before today are removed."""
    window = sources.day_window(first, last)
    started = time.perf_counter()
    documents = sources.ticket_documents(window)
    found = hotspots_detect(
        documents, start=window.start, end=window.end, limit=KEPT, workers=workers or parallel.available_workers()
    )
    with transaction.atomic():
        HotspotSnapshot.objects.filter(last_day__lt=timezone.localdate(now)).delete()
        snapshot, _ = HotspotSnapshot.objects.update_or_create(
            first_day=first,
            last_day=last,
            defaults={
                "computed_at": now,
                "tickets": len(documents),
                "seconds": round(time.perf_counter() - started, 3),
                "hotspots": [h.as_dict() for h in found],
            },
        )
    return snapshot


def hotspots_as_of(first: date, last: date, *, top: int, now: datetime | None = None) -> Hotspots:
    """The `top` best hotspots of the tickets received from `first` to `last` (whole days): from a
    snapshot younger than `FRESH_FOR` when the worker keeps that window, else detected now."""
    now = now or timezone.now()
    snapshot = HotspotSnapshot.objects.filter(first_day=first, last_day=last, computed_at__gte=now - FRESH_FOR).first()
    if snapshot is not None and top <= KEPT:
        found = [Hotspot.from_dict(h) for h in snapshot.hotspots[:top]]
        return Hotspots(found, snapshot.computed_at, stored=True)
    return Hotspots(hotspots_of_tickets(sources.day_window(first, last), top=top), now, stored=False)
