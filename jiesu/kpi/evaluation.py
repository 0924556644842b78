"""One assessment: indicator values, score, targets and payment per group, as a JSON-ready dict.

The shape is the one of `jiesu kpi --format json` (docs/kpi.md):
{"scheme", "from", "to", "groups": [{"key", "name", "indicators": {code: {numerator,
denominator, value}}, "score", "targets", "payment"}]}.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from jiesu.kpi.adjustments import adjustment_points_by_group
from jiesu.kpi.choices import Grouping, ItemKind
from jiesu.kpi.errors import BadWindow
from jiesu.kpi.indicators import INDICATORS, Window
from jiesu.kpi.models import AssessmentScheme
from jiesu.kpi.scoring import ItemRule, payment_share, scheme_score, target_checks
from jiesu.kpi.selectors import GroupTally, kpi_tally, numerator_value, scheme_in_force

VALUE_PLACES = Decimal("0.000001")


def window_of_days(start: date, end: date) -> Window:
    """Whole days in Beijing time, both ends included: 19th of last month to 18th of this month
    is `window_of_days(date(…, 19), date(…, 18))`."""
    if start > end:
        raise BadWindow(start=str(start), end=str(end))
    if end >= date.max:
        raise BadWindow("考核期间超出可计算的日期范围", start=str(start), end=str(end))
    tz = timezone.get_default_timezone()
    return Window(
        start=datetime.combine(start, time.min, tzinfo=tz),
        end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def scheme_rules(scheme: AssessmentScheme) -> list[ItemRule]:
    return [ItemRule(i.kind, i.indicator_code, i.max_points, i.params) for i in scheme.items.all()]


def json_number(value: Decimal | None, places: Decimal = VALUE_PLACES) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(places))


def group_rates(group: GroupTally, scheme: AssessmentScheme) -> dict[str, tuple[Decimal, int, Decimal | None]]:
    """(numerator, denominator, value) of every indicator counted for the group."""
    coefficient = scheme.fairly_satisfied_coefficient
    figures = {}
    for code, tally in group.tallies.items():
        ind = INDICATORS[code]
        numerator = numerator_value(ind, tally, coefficient)
        figures[code] = (numerator, tally.denominator, ind.value(numerator, tally.denominator))
    return figures


def has_adjustment_item(rules: list[ItemRule]) -> bool:
    return any(rule.kind == ItemKind.ADJUSTMENT for rule in rules)


def _group_document(
    group: GroupTally, scheme: AssessmentScheme, rules: list[ItemRule], adjustment: Decimal | None
) -> dict[str, Any]:
    figures = group_rates(group, scheme)
    rates = {code: value for code, (_, _, value) in figures.items()}
    indicators = {
        code: {
            "numerator": json_number(numerator),
            "denominator": denominator if INDICATORS[code].is_rate else None,
            "value": json_number(value),
        }
        for code, (numerator, denominator, value) in figures.items()
    }
    score = scheme_score(rules, rates, scheme.score_decimal_places, adjustment or Decimal(0))
    share = payment_share(score, scheme.payment_rule)
    return {
        "key": group.key,
        "name": group.name,
        "indicators": indicators,
        "score": json_number(score),
        "targets": [
            {
                "indicator": c.indicator_code,
                "direction": c.direction,
                "threshold": json_number(c.threshold),
                "met": c.met,
                "gap": json_number(c.gap),
            }
            for c in target_checks(rules, rates)
        ],
        "payment": json_number(share),
        "adjustment": json_number(adjustment),
    }


def kpi_evaluate(
    *,
    scheme_code: str,
    start: date,
    end: date,
    by: str = Grouping.ALL,
    where: Q | None = None,
    codes: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Every indicator, the score and the targets of scheme `scheme_code` (the version in force
    on `start`) for each group of tickets in [start, end]; `where` narrows the tickets (a special
    report's topic or area). `codes` limits the indicators counted, which makes the query cheaper;
    the score and targets are right only when `codes` includes every indicator of the scheme."""
    window = window_of_days(start, end)
    scheme = scheme_in_force(code=scheme_code, on=start)
    rules = scheme_rules(scheme)
    groups = kpi_tally(window=window, by=by, where=where, codes=codes)
    adjustments = (
        adjustment_points_by_group(scheme_code=scheme.code, start=start, end=end, by=by, narrowed=where is not None)
        if has_adjustment_item(rules)
        else None
    )
    return {
        "scheme": scheme.code,
        "version": scheme.version,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "groups": [
            _group_document(g, scheme, rules, None if adjustments is None else adjustments.get(g.key, Decimal(0)))
            for g in groups
        ],
    }
