"""The KPI overview (考核指标): for one scheme and assessment period, the cards of the scheme's
indicators with target, gap, month-on-month and year-on-year; every rate in a table; contract
compliance (targets met / missed); the score, its payment effect and the period-end forecast.

Leaders and analysts see the whole hotline, a unit's leaders their unit's subtree
(jiesu.kpi.permissions). Every number links to its tickets (web.views.kpi_tickets).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.kpi.analysis import kpi_compare, kpi_forecast
from jiesu.kpi.selectors import scheme_in_force
from jiesu.web.http import xlsx_response
from jiesu.web.views.kpi_common import (
    KpiPeriodForm,
    KpiQuery,
    chosen_tables,
    kpi_query,
    kpi_viewer,
    page_context,
    period_form,
    scheme_choices,
    wants_xlsx,
)
from jiesu.web.views.kpi_tables import (
    MAIN_INDICATORS,
    forecast_table,
    indicator_cards,
    indicator_table,
    volume_cell,
)


def scheme_indicator_codes(query: KpiQuery) -> list[str]:
    """The indicators the scheme scores or targets, in its order."""
    scheme = scheme_in_force(code=query.scheme_code, on=query.start)
    return list(dict.fromkeys(i.indicator_code for i in scheme.items.all() if i.indicator_code))


def compliance(group: dict[str, Any]) -> dict[str, int]:
    """How many contract targets the period meets, misses, or cannot judge (no denominator)."""
    verdicts = [t["met"] for t in group["targets"]]
    return {
        "met": verdicts.count(True),
        "missed": verdicts.count(False),
        "unknown": verdicts.count(None),
        "total": len(verdicts),
    }


def _relative(change: dict[str, float | None]) -> dict[str, str]:
    """A count's changes (0.25 = +25 %) in words."""
    return {k: "—" if v is None else ("持平" if v == 0 else f"{v * 100:+.1f}%") for k, v in change.items()}


def _points(change: dict[str, float | None]) -> dict[str, str]:
    """The score's changes in points."""
    return {k: "—" if v is None else ("持平" if v == 0 else f"{v:+g} 分") for k, v in change.items()}


def forecast(query: KpiQuery, today: date) -> dict[str, Any] | None:
    """The period-end forecast while the period runs; None once it is over or not yet begun."""
    if not query.start <= today <= query.end:
        return None
    return kpi_forecast(scheme_code=query.scheme_code, start=query.start, end=query.end, today=today, where=query.where)


def overview(query: KpiQuery, today: date) -> dict[str, Any]:
    """Everything the page shows: the period against the previous one and a year earlier, and
    the forecast while the period runs."""
    compared = kpi_compare(scheme_code=query.scheme_code, start=query.start, end=query.end, where=query.where)
    [group] = compared["current"]["groups"]
    table = indicator_table(query, group, compared["changes"].get(group["key"]))
    # Cards repeat the table's cells for the scheme's own indicators (the main ones otherwise).
    cards = indicator_cards(table, scheme_indicator_codes(query)) or indicator_cards(table, MAIN_INDICATORS)
    ahead = forecast(query, today)
    tables = [table] if ahead is None else [table, forecast_table(query, ahead)]
    return {
        "group": group,
        "tables": tables,
        "cards": cards,
        "volume": volume_cell(query, group),
        "volume_change": _relative(compared["changes"].get(group["key"], {}).get("volume", {})),
        "score_change": _points(compared["score_changes"].get(group["key"], {})),
        "compliance": compliance(group),
        "forecast": ahead,
    }


def _figures(query: KpiQuery | None, form: KpiPeriodForm) -> dict[str, Any]:
    if query is None:
        return {}
    try:
        return overview(query, timezone.localdate())
    except DomainError as exc:
        form.add_error("scheme", exc.message)
        return {}


@login_required
def kpi_overview(request: HttpRequest) -> HttpResponse:
    _user, where = kpi_viewer(request)
    form = period_form(request, scheme_choices())
    query = kpi_query(form, where)
    figures = _figures(query, form)
    if figures and wants_xlsx(request) and query is not None:
        tables = chosen_tables(request, figures["tables"])
        return xlsx_response([t.sheet() for t in tables], f"kpi-{query.scheme_code}-{query.start}-{query.end}")
    context = {
        **page_context(request, form, query, "overview"),
        **figures,
    }
    return render(request, "web/kpi/overview.html", context, status=200 if figures else 400)
