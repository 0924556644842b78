"""Scores, targets and payment from indicator values: pure arithmetic, no ORM.

Rates are fractions (Decimal) or None for 'not applicable'; points are Decimal. Open questions of
the schemes (docs/domain-rules.md §13.4) are answered here, and listed in docs/kpi.md:
fractional percentage points deduct proportionally; each item has a floor of 0; a deduction item
whose indicator has an empty denominator keeps its full points (nothing was late or returned).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from jiesu.kpi.choices import Direction, ItemKind

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ItemRule:
    kind: str
    indicator_code: str
    max_points: Decimal
    params: Mapping[str, Any] = field(default_factory=dict)

    def param(self, name: str, default: str = "0") -> Decimal:
        return Decimal(str(self.params.get(name, default)))

    @property
    def direction(self) -> str:
        return str(self.params.get("direction", Direction.AT_LEAST))


@dataclass(frozen=True)
class TargetCheck:
    indicator_code: str
    direction: str
    threshold: Decimal
    met: bool | None
    # value − threshold, signed so that a negative gap is short of the target (None: not applicable).
    gap: Decimal | None = None


def item_points(rule: ItemRule, rate: Decimal | None, adjustment: Decimal = Decimal(0)) -> Decimal | None:
    """Points of one scoring item; None when a weighted rate is not applicable. `adjustment` is
    the signed sum of the commendations and criticisms of the window (jiesu.kpi.adjustments)."""
    if rule.kind == ItemKind.WEIGHTED_RATE:
        return None if rate is None else rule.param("weight") * rate * HUNDRED
    if rule.kind == ItemKind.THRESHOLD_DEDUCTION:
        if rate is None:
            return rule.max_points
        gap = rule.param("threshold") - rate if rule.direction == Direction.AT_LEAST else rate - rule.param("threshold")
        shortfall_points = max(gap, Decimal(0)) * HUNDRED
        return max(rule.max_points - rule.param("per_point") * shortfall_points, Decimal(0))
    if rule.kind == ItemKind.ADJUSTMENT:
        # Clamped once, after summing: a commendation can make up for an earlier criticism.
        total = rule.param("base", str(rule.max_points)) + adjustment
        return min(max(total, rule.param("min")), rule.param("max", str(rule.max_points)))
    return Decimal(0)


def scheme_score(
    rules: list[ItemRule], rates: Mapping[str, Decimal | None], places: int, adjustment: Decimal = Decimal(0)
) -> Decimal | None:
    """The sum of the items' points, or None when the scheme has no scoring items or one of its
    weighted rates is not applicable."""
    scoring = [r for r in rules if r.kind != ItemKind.TARGET]
    if not scoring:
        return None
    total = Decimal(0)
    for rule in scoring:
        points = item_points(rule, rates.get(rule.indicator_code), adjustment)
        if points is None:
            return None
        total += points
    return total.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def target_checks(rules: list[ItemRule], rates: Mapping[str, Decimal | None]) -> list[TargetCheck]:
    checks = []
    for rule in rules:
        if rule.kind != ItemKind.TARGET:
            continue
        rate, threshold = rates.get(rule.indicator_code), rule.param("threshold")
        gap = None if rate is None else (rate - threshold if rule.direction == Direction.AT_LEAST else threshold - rate)
        met = None if gap is None else gap >= 0
        checks.append(TargetCheck(rule.indicator_code, rule.direction, threshold, met, gap))
    return checks


def payment_share(score: Decimal | None, rule: Mapping[str, Any]) -> Decimal | None:
    """Share of the period's amount paid (Yanta: ≥ 90 full; 80–90 minus 1 % per point below 90;
    below 80 pays 80 %). None without a rule or a score."""
    if not rule or score is None:
        return None
    full_at, floor_below = Decimal(str(rule["full_at"])), Decimal(str(rule["floor_below"]))
    if score >= full_at:
        return Decimal(1)
    if score < floor_below:
        return Decimal(str(rule["floor_share"]))
    return Decimal(1) - (full_at - score) * Decimal(str(rule["per_point"]))
