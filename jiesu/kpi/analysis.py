"""Comparisons, rankings, trends and forecasts built from kpi_evaluate documents (docs/kpi.md).

Every function returns a plain JSON-able dict (or list) for the dashboard, the API and the CLI.
`where` narrows the tickets as in kpi_evaluate (jiesu.kpi.permissions.kpi_viewer_where).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from django.db.models import Q

from jiesu.kpi.choices import Grouping
from jiesu.kpi.errors import UnknownScheme
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.forecast import forecast_document
from jiesu.kpi.indicators import INDICATORS, indicator_get
from jiesu.kpi.selectors import scheme_in_force
from jiesu.kpi.windows import AssessmentPeriod, period_of, period_previous, period_year_earlier, periods_recent

SCORE = "score"
CHANGE_PLACES = 6


def _evaluate_or_none(
    scheme_code: str, period: Callable[[], AssessmentPeriod], by: str, where: Q | None
) -> dict[str, Any] | None:
    """None when the scheme was not yet in force then: nothing to compare with."""
    try:
        window = period()
        return kpi_evaluate(scheme_code=scheme_code, start=window.start, end=window.end, by=by, where=where)
    except UnknownScheme:
        return None


def _change(current: Any, earlier: Any, *, relative: bool) -> float | None:
    """Rates and scores: the difference (0.05 = 5 percentage points or 0.05 points); counts:
    the relative change (0.25 = +25 %). None when either side is not applicable."""
    if current is None or earlier is None:
        return None
    if relative:
        return None if earlier == 0 else round(float((current - earlier) / earlier), CHANGE_PLACES)
    return round(float(current - earlier), CHANGE_PLACES)


def _groups(document: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {} if document is None else {g["key"]: g for g in document["groups"]}


def kpi_compare(
    *, scheme_code: str, start: date, end: date, by: str = Grouping.ALL, where: Q | None = None
) -> dict[str, Any]:
    """The window, the previous period of the same length (环比) and the same dates a year
    earlier (同比), with the changes of every indicator and of the score per group."""
    current = kpi_evaluate(scheme_code=scheme_code, start=start, end=end, by=by, where=where)
    period = period_of(start, end)
    previous = _evaluate_or_none(scheme_code, lambda: period_previous(scheme_code, period), by, where)
    year_earlier = _evaluate_or_none(scheme_code, lambda: period_year_earlier(period), by, where)
    before, last_year = _groups(previous), _groups(year_earlier)
    changes: dict[str, dict[str, dict[str, float | None]]] = {}
    score_changes: dict[str, dict[str, float | None]] = {}
    for group in current["groups"]:
        mom_group, yoy_group = before.get(group["key"]), last_year.get(group["key"])
        changes[group["key"]] = {
            code: {
                "mom": _change(cell["value"], _value(mom_group, code), relative=not INDICATORS[code].is_rate),
                "yoy": _change(cell["value"], _value(yoy_group, code), relative=not INDICATORS[code].is_rate),
            }
            for code, cell in group["indicators"].items()
        }
        score_changes[group["key"]] = {
            "mom": _change(group["score"], mom_group and mom_group["score"], relative=False),
            "yoy": _change(group["score"], yoy_group and yoy_group["score"], relative=False),
        }
    return {
        "current": current,
        "previous": previous,
        "year_earlier": year_earlier,
        "changes": changes,
        "score_changes": score_changes,
    }


def _value(group: dict[str, Any] | None, code: str) -> Any:
    if group is None or code not in group["indicators"]:
        return None
    return group["indicators"][code]["value"]


def _ranking_entry(group: dict[str, Any], order_by: str) -> dict[str, Any]:
    """The value ranked and the volume it rests on: a rate's denominator; for the score and for
    counts, the tickets received (受理量)."""
    indicators = group["indicators"]
    if order_by == SCORE:
        value, volume = group["score"], indicators["volume"]["value"]
    else:
        cell = indicators[order_by]
        value = cell["value"]
        volume = cell["denominator"] if INDICATORS[order_by].is_rate else indicators["volume"]["value"]
    return {
        "rank": None,
        "key": group["key"],
        "name": group["name"],
        "value": value,
        "volume": volume,
        "score": group["score"],
    }


def _assign_ranks(entries: list[dict[str, Any]], descending: bool) -> list[dict[str, Any]]:
    """Standard competition ranking: ties share a rank and the next rank skips (1, 1, 3)."""
    ordered = sorted(entries, key=lambda e: e["key"])
    ordered.sort(key=lambda e: e["value"], reverse=descending)
    for position, entry in enumerate(ordered, start=1):
        tied = position > 1 and entry["value"] == ordered[position - 2]["value"]
        entry["rank"] = ordered[position - 2]["rank"] if tied else position
    return ordered


def kpi_ranking(
    *,
    scheme_code: str,
    start: date,
    end: date,
    by: str = Grouping.ALL,
    where: Q | None = None,
    order_by: str = SCORE,
    min_volume: int | None = None,
) -> dict[str, Any]:
    """The groups ranked by the score or by one indicator (best first; returns and repeat appeals
    ascending). A group below the minimum volume (default: the scheme's `ranking_min_volume`) or
    without a value is listed in `unranked`, by volume."""
    descending = True
    if order_by != SCORE:
        descending = not indicator_get(order_by).lower_is_better
    if min_volume is None:
        min_volume = scheme_in_force(code=scheme_code, on=start).ranking_min_volume
    document = kpi_evaluate(scheme_code=scheme_code, start=start, end=end, by=by, where=where)
    entries = [_ranking_entry(g, order_by) for g in document["groups"]]
    rankable: list[dict[str, Any]] = []
    unranked: list[dict[str, Any]] = []
    for entry in entries:
        fits = entry["value"] is not None and (entry["volume"] or 0) >= min_volume
        (rankable if fits else unranked).append(entry)
    unranked.sort(key=lambda e: (-(e["volume"] or 0), e["key"]))
    return {
        "scheme": document["scheme"],
        "version": document["version"],
        "from": document["from"],
        "to": document["to"],
        "by": by,
        "order_by": order_by,
        "min_volume": min_volume,
        "ranked": _assign_ranks(rankable, descending),
        "unranked": unranked,
    }


def _scheme_codes(scheme_code: str, on: date) -> set[str]:
    return {i.indicator_code for i in scheme_in_force(code=scheme_code, on=on).items.all() if i.indicator_code}


def kpi_trend(
    *,
    scheme_code: str,
    last: AssessmentPeriod,
    count: int = 12,
    where: Q | None = None,
    codes: Iterable[str] | None = None,
) -> list[dict[str, Any]]:
    """The whole scope's indicators and score for `count` periods ending with `last`, oldest
    first (fewer when the scheme was not in force that far back). `codes` limits the indicators
    returned; the scheme's own indicators are always counted so that the score stays right."""
    wanted = None if codes is None else [indicator_get(c).code for c in codes]
    points = []
    for period in periods_recent(scheme_code, last=last, count=count):
        counted = None if wanted is None else sorted(set(wanted) | _scheme_codes(scheme_code, period.start))
        document = kpi_evaluate(scheme_code=scheme_code, start=period.start, end=period.end, where=where, codes=counted)
        [group] = document["groups"]
        indicators = group["indicators"] if wanted is None else {c: group["indicators"][c] for c in wanted}
        points.append(
            {
                "from": document["from"],
                "to": document["to"],
                "label": period.label,
                "indicators": indicators,
                "score": group["score"],
            }
        )
    return points


def kpi_forecast(
    *, scheme_code: str, start: date, end: date, today: date, by: str = Grouping.ALL, where: Q | None = None
) -> dict[str, Any]:
    """The period-end value of every indicator and of the score, from the tickets still open
    (method in jiesu.kpi.forecast and docs/kpi.md)."""
    return forecast_document(scheme_code=scheme_code, start=start, end=end, today=today, by=by, where=where)
