"""Hotspot snapshots: the worker computes the page's windows one per run, readers take a fresh one
and detect themselves otherwise."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from jiesu.intel.bursts.testing import categories_make, tickets_on
from jiesu.intel.hotspots import sources
from jiesu.intel.hotspots.ranking import Hotspot
from jiesu.intel.hotspots.recent import hotspots_of_tickets
from jiesu.intel.hotspots.snapshots import (
    FRESH_FOR,
    KEPT,
    REFRESH_AFTER,
    WINDOW_DAYS,
    days_window,
    hotspots_as_of,
    snapshot_refresh,
)
from jiesu.intel.jobs_hotspots import hotspots_job
from jiesu.intel.models import HotspotSnapshot
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def burst(world: World, tmp_path: Path) -> list[Ticket]:
    categories = categories_make(tmp_path)
    return tickets_on(
        timezone.localdate(), 4, category=categories["停暖"], township=world.township, title="望京小区停暖"
    )


def test_windows_are_computed_missing_first_then_the_oldest(burst: list[Ticket]) -> None:
    now, today = timezone.now(), timezone.localdate()
    made = [snapshot_refresh(now + timedelta(seconds=i), workers=1) for i in range(len(WINDOW_DAYS))]
    assert [(s.first_day, s.last_day) for s in made if s] == [days_window(d, today) for d in WINDOW_DAYS]
    assert snapshot_refresh(now + timedelta(minutes=1), workers=1) is None  # all younger than REFRESH_AFTER
    later = now + REFRESH_AFTER + timedelta(minutes=1)
    again = snapshot_refresh(later, workers=1)
    assert again is not None and (again.first_day, again.computed_at) == (days_window(7, today)[0], later)
    assert HotspotSnapshot.objects.count() == len(WINDOW_DAYS)  # replaced, not added


def test_a_snapshot_holds_what_detection_finds(burst: list[Ticket]) -> None:
    snapshot = snapshot_refresh(timezone.now(), workers=1)
    assert snapshot is not None and snapshot.tickets == len(burst)
    live = hotspots_of_tickets(sources.day_window(snapshot.first_day, snapshot.last_day), top=KEPT)
    assert snapshot.hotspots == [h.as_dict() for h in live]
    (stored,) = [Hotspot.from_dict(h) for h in snapshot.hotspots]
    assert stored.as_dict() == live[0].as_dict()  # the figures as the page and the API give them
    assert sorted(stored.ids) == sorted(t.number for t in burst) and stored.first.tzinfo is None


def test_readers_take_a_fresh_snapshot_and_detect_when_it_is_stale(world: World, burst: list[Ticket]) -> None:
    now = timezone.now()
    snapshot = snapshot_refresh(now, workers=1)
    assert snapshot is not None
    first, last = snapshot.first_day, snapshot.last_day
    HotspotSnapshot.objects.filter(pk=snapshot.pk).update(hotspots=[])  # tell a stored answer from a computed one
    fresh = hotspots_as_of(first, last, top=5, now=now + FRESH_FOR - timedelta(minutes=1))
    assert fresh.stored and fresh.as_of == now and fresh.found == []
    stale_at = now + FRESH_FOR + timedelta(minutes=1)
    stale = hotspots_as_of(first, last, top=5, now=stale_at)
    assert not stale.stored and stale.as_of == stale_at and len(stale.found) == 1
    other = hotspots_as_of(first - timedelta(days=1), last, top=5, now=now)  # a window the worker does not keep
    assert not other.stored and len(other.found) == 1


def test_yesterdays_windows_are_dropped_and_the_job_is_scheduled(burst: list[Ticket]) -> None:
    now = timezone.now()
    snapshot_refresh(now - timedelta(days=1), workers=1)
    assert HotspotSnapshot.objects.filter(last_day=timezone.localdate() - timedelta(days=1)).exists()
    assert hotspots_job(now) == 1
    assert list(HotspotSnapshot.objects.values_list("last_day", flat=True)) == [timezone.localdate()]
    assert ("jiesu.intel.jobs_hotspots.hotspots_job", 600) in settings.WORKER_JOBS
