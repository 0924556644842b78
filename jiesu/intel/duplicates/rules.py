"""The screening rule set in force on a date (windows and threshold of the repeat and duplicate
detectors), and publishing a new version of it (versions follow each other: jiesu.intel.versions).
A ticket is screened under the version in force on the day it was received, so screening stored
tickets again gives the same links.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date
from typing import Any

from jiesu.core.errors import ValidationFailed
from jiesu.intel.models import ScreeningRuleSet
from jiesu.intel.versions import version_in_force, version_publish
from jiesu.orgs.models import User

MAX_WINDOW_DAYS = 366
MIN_THRESHOLD = 0.3


@dataclass(frozen=True)
class ScreeningRules:
    """The values the detectors read; `code` is empty for the built-in defaults."""

    repeat_window_days: int = 30
    place_topic_window_days: int = 7
    near_duplicate_window_days: int = 7
    near_duplicate_threshold: float = 0.8
    code: str = ""
    valid_from: date | None = None

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k not in ("code", "valid_from")}


DEFAULTS = ScreeningRules()
VALUE_NAMES = tuple(f.name for f in fields(ScreeningRules) if f.name not in ("code", "valid_from"))


def rule_set_in_force(on: date) -> ScreeningRuleSet | None:
    return version_in_force(ScreeningRuleSet, on)


def screening_rules_on(on: date) -> ScreeningRules:
    """The rules in force on `on`; the built-in defaults when no version covers that day."""
    row = rule_set_in_force(on)
    if row is None:
        return DEFAULTS
    return ScreeningRules(
        repeat_window_days=row.repeat_window_days,
        place_topic_window_days=row.place_topic_window_days,
        near_duplicate_window_days=row.near_duplicate_window_days,
        near_duplicate_threshold=row.near_duplicate_threshold,
        code=row.code,
        valid_from=row.valid_from,
    )


def _validate(rules: ScreeningRules) -> None:
    errors: dict[str, str] = {}
    for name in ("repeat_window_days", "place_topic_window_days", "near_duplicate_window_days"):
        value = getattr(rules, name)
        if not 1 <= value <= MAX_WINDOW_DAYS:
            errors[name] = f"窗口天数应在 1 到 {MAX_WINDOW_DAYS} 之间"
    if not MIN_THRESHOLD <= rules.near_duplicate_threshold <= 1.0:
        errors["near_duplicate_threshold"] = f"相似度阈值应在 {MIN_THRESHOLD} 到 1 之间"
    if errors:
        raise ValidationFailed("；".join(errors.values()), errors=errors)


def screening_rules_publish(*, valid_from: date, actor: User | None, **values: Any) -> ScreeningRuleSet:
    """A new version from `valid_from`; values not given are kept from the version in force then."""
    return version_publish(
        ScreeningRuleSet,
        valid_from=valid_from,
        actor=actor,
        values=values,
        names=VALUE_NAMES,
        read=screening_rules_on,
        validate=_validate,
        action="intel.screening_rules_publish",
    )
