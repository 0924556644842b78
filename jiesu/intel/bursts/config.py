"""The thresholds of burst detection: versioned data with effective dates (BurstRuleSet; the
defaults below until a first version is published). docs/intel-bursts.md explains each."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from jiesu.core.errors import ValidationFailed
from jiesu.intel.models import BurstRuleSet
from jiesu.intel.versions import version_in_force, version_publish
from jiesu.orgs.models import User


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
    code: str = ""  # the version's code; empty for the built-in defaults
    valid_from: date | None = None

    @property
    def year_shift_days(self) -> int:
        # 52 weeks: the same weekdays a year before, so weekday and weekend volumes stay aligned.
        return 364

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in ("code", "valid_from")}


VALUE_NAMES = tuple(f.name for f in fields(BurstSettings) if f.name not in ("code", "valid_from"))
# Each value's allowed range, and what a person is told when it is outside.
LIMITS: dict[str, tuple[float, float, str]] = {
    "window_days": (1, 31, "观察窗口应在 1 到 31 天之间"),
    "years": (1, 10, "季节基线往年数应在 1 到 10 之间"),
    "recent_windows": (1, 12, "近期窗口数应在 1 到 12 之间"),
    "category_level": (1, 5, "问题分类层级应在 1 到 5 之间"),
    "min_count": (1, 100_000, "最少件数应在 1 到 100000 之间"),
    "max_p": (1e-9, 0.5, "泊松尾概率上限应在 0.000000001 到 0.5 之间"),
    "min_ratio": (1.0, 100.0, "最小倍数应在 1 到 100 之间"),
    "min_expected": (0.01, 1000.0, "期望值下限应在 0.01 到 1000 之间"),
    "max_tickets": (1, 10_000, "预警保留工单数应在 1 到 10000 之间"),
}


def burst_settings(on: date | None = None) -> BurstSettings:
    """The rules in force on `on` (the last day of a run's window); the defaults when no version
    covers that day or no day is given."""
    row = version_in_force(BurstRuleSet, on) if on is not None else None
    if row is None:
        return BurstSettings()
    values = {name: getattr(row, name) for name in VALUE_NAMES}
    return BurstSettings(**values, code=row.code, valid_from=row.valid_from)


def _validate(rules: BurstSettings) -> None:
    errors = {name: message for name, (low, high, message) in LIMITS.items() if not low <= getattr(rules, name) <= high}
    if errors:
        raise ValidationFailed("；".join(errors.values()), errors=errors)


def burst_rules_publish(*, valid_from: date, actor: User | None, **values: Any) -> BurstRuleSet:
    """A new version from `valid_from`; values not given are kept from the version in force then."""
    return version_publish(
        BurstRuleSet,
        valid_from=valid_from,
        actor=actor,
        values=values,
        names=VALUE_NAMES,
        read=burst_settings,
        validate=_validate,
        action="intel.burst_rules_publish",
    )
