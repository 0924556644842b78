"""Hotspots of the stored tickets for the pages and the API: computed once, then served from the
cache until the tickets of the window change."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from jiesu.intel.bursts.testing import categories_make, tickets_on
from jiesu.intel.hotspots import sources
from jiesu.intel.hotspots.recent import hotspots_of_tickets
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def test_a_result_is_reused_until_a_ticket_arrives(
    world: World, tmp_path: Path, django_assert_num_queries: Any
) -> None:
    categories = categories_make(tmp_path)
    today = timezone.localdate()
    made = tickets_on(today, 4, category=categories["停暖"], township=world.township, title="望京小区停暖")
    window = sources.day_window(today - timedelta(days=6), today)
    (first,) = hotspots_of_tickets(window, top=5)
    assert sorted(first.ids) == sorted(t.number for t in made)
    with django_assert_num_queries(1):  # only the stamp of the window's tickets
        (again,) = hotspots_of_tickets(window, top=5)
    assert again.ids == first.ids
    more = tickets_on(today, 2, category=categories["停暖"], township=world.township, title="望京小区停暖")
    (grown,) = hotspots_of_tickets(window, top=5)
    assert grown.size == 6 and {t.number for t in more} <= set(grown.ids)
