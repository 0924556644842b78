"""The arithmetic of a burst: the windows compared, the expected count, and how improbable the
observed count is under a Poisson model of that expectation (docs/intel-bursts.md, "Formula").

Pure functions over counts: the database is read in jiesu.intel.bursts.detect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from scipy.special import pdtrc

from jiesu.intel.bursts.config import BurstSettings

MAX_SCORE = 300.0  # −log10 of a probability below the float range


@dataclass(frozen=True)
class Span:
    """Whole local days start … end, both included."""

    start: date
    end: date

    def shifted(self, days: int) -> Span:
        return Span(self.start + timedelta(days=days), self.end + timedelta(days=days))

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Expectation:
    value: float
    source: str  # "seasonal" (same weeks of earlier years) or "recent" (the windows just before)
    years: int  # earlier years that took part


def observed_span(on: date, settings: BurstSettings) -> Span:
    return Span(on - timedelta(days=settings.window_days - 1), on)


def seasonal_spans(span: Span, settings: BurstSettings, first_day: date) -> list[list[Span]]:
    """For each earlier year whose data covers them: the same window 52 weeks (× years) before,
    and the windows just before and after it (±1 window: seasons do not keep to the calendar)."""
    n = settings.window_days
    years = []
    for year in range(1, settings.years + 1):
        same = span.shifted(-settings.year_shift_days * year)
        if first_day <= same.start - timedelta(days=n):
            years.append([same.shifted(-n), same, same.shifted(n)])
    return years


def recent_spans(span: Span, settings: BurstSettings, first_day: date) -> list[Span]:
    """The windows just before the observed one that the data covers, nearest first."""
    n = settings.window_days
    spans = (span.shifted(-n * k) for k in range(1, settings.recent_windows + 1))
    return [s for s in spans if first_day <= s.start]


def span_count(daily: Mapping[date, int], span: Span) -> int:
    return sum(daily.get(day, 0) for day in span.days())


def expectation(
    daily: Mapping[date, int], seasonal: list[list[Span]], recent: list[Span], settings: BurstSettings
) -> Expectation | None:
    """The mean of the same-weeks windows over the covered earlier years; without any, the mean of
    the recent windows; without those either, None (a cell is not judged without history)."""
    if seasonal:
        counts = [span_count(daily, s) for year in seasonal for s in year]
        value, source = sum(counts) / len(counts), "seasonal"
    elif recent:
        value, source = sum(span_count(daily, s) for s in recent) / len(recent), "recent"
    else:
        return None
    return Expectation(max(value, settings.min_expected), source, len(seasonal))


def tail_probability(observed: int, expected: float) -> float:
    """P(X ≥ observed) for X ~ Poisson(expected)."""
    if observed <= 0:
        return 1.0
    return float(pdtrc(observed - 1, expected))


def improbability(probability: float) -> float:
    """−log10 of the tail probability: 3 is one in a thousand."""
    if probability <= 0.0:
        return MAX_SCORE
    return min(-math.log10(probability), MAX_SCORE)


def is_burst(observed: int, expected: float, probability: float, settings: BurstSettings) -> bool:
    return (
        observed >= settings.min_count and probability <= settings.max_p and observed >= settings.min_ratio * expected
    )
