"""The KPI evaluation kept for a few minutes, for pages that show it on every visit (数据看板).

Evaluating a month reads every ticket of the month; a leader's page refreshed over and over would
repeat that work for figures that barely move. The cached document is stored with the moment it
was computed, so that the page can say how fresh its numbers are. Errors (an unknown scheme) are
never cached: once fixed, the next visit shows the figures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import kpi_evaluate

KPI_CACHE_SECONDS = 5 * 60


@dataclass(frozen=True)
class KpiFigures:
    document: dict[str, Any]
    computed_at: datetime


def _cache_key(scheme_code: str, start: date, end: date, by: str) -> str:
    # The scheme code comes from settings and may hold characters a cache backend refuses in keys.
    raw = f"{scheme_code}|{start.isoformat()}|{end.isoformat()}|{by}"
    return "kpi:evaluation:" + hashlib.sha256(raw.encode()).hexdigest()


def kpi_evaluate_cached(*, scheme_code: str, start: date, end: date, by: str = Grouping.ALL) -> KpiFigures:
    """kpi_evaluate's document for the period, computed at most once per KPI_CACHE_SECONDS.

    The evaluation always counts the whole hotline, so (scheme, period, grouping) is the whole
    key: callers must offer it only to viewers who may see every ticket."""
    key = _cache_key(scheme_code, start, end, by)
    stored = cache.get(key)
    if isinstance(stored, KpiFigures):
        return stored
    figures = KpiFigures(
        document=kpi_evaluate(scheme_code=scheme_code, start=start, end=end, by=by), computed_at=timezone.now()
    )
    cache.set(key, figures, KPI_CACHE_SECONDS)
    return figures
