"""The thresholds of burst detection: data a customer tunes, read from settings `INTEL_BURST_*`
with the defaults below (docs/intel-bursts.md lists them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class BurstSettings:
    window_days: int = 7  # the observed window ends on the run date
    years: int = 3  # earlier years whose same weeks make the seasonal baseline
    recent_windows: int = 4  # windows just before, for the level when there is no earlier year
    category_level: int = 2  # cells group categories at this level of the tree
    min_count: int = 5  # fewer tickets never alert, however improbable
    max_p: float = 0.001  # Poisson tail probability P(X ≥ observed | expected) at most this
    min_ratio: float = 2.0  # observed ÷ expected at least this
    min_expected: float = 0.5  # floor of the expectation: a cell never seen is not infinitely rare
    max_tickets: int = 500  # ticket numbers kept on an alert

    @property
    def year_shift_days(self) -> int:
        # 52 weeks: the same weekdays a year before, so weekday and weekend volumes stay aligned.
        return 364


NAMES = {
    "window_days": "INTEL_BURST_WINDOW_DAYS",
    "years": "INTEL_BURST_YEARS",
    "recent_windows": "INTEL_BURST_RECENT_WINDOWS",
    "category_level": "INTEL_BURST_CATEGORY_LEVEL",
    "min_count": "INTEL_BURST_MIN_COUNT",
    "max_p": "INTEL_BURST_MAX_P",
    "min_ratio": "INTEL_BURST_MIN_RATIO",
    "min_expected": "INTEL_BURST_MIN_EXPECTED",
    "max_tickets": "INTEL_BURST_MAX_TICKETS",
}


def burst_settings() -> BurstSettings:
    """The settings in force: each `INTEL_BURST_*` present overrides its default."""
    given = {field: getattr(settings, name) for field, name in NAMES.items() if hasattr(settings, name)}
    return BurstSettings(**given)
