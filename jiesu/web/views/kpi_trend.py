"""Trends (趋势): the scheme's rates and score over the last assessment periods ending with the
chosen one, from jiesu.kpi.analysis.kpi_trend; a line chart drawn by web/kpi.js and the same
figures in a table whose every number leads to its tickets in that period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.core.errors import DomainError
from jiesu.core.spreadsheet import RATE
from jiesu.kpi.analysis import kpi_trend
from jiesu.kpi.windows import period_of
from jiesu.web.http import xlsx_response
from jiesu.web.views.kpi import scheme_indicator_codes
from jiesu.web.views.kpi_common import (
    KpiQuery,
    indicator_name,
    is_rate,
    kpi_query,
    kpi_viewer,
    page_context,
    period_form,
    scheme_choices,
    wants_xlsx,
)
from jiesu.web.views.kpi_tables import MAIN_INDICATORS, POINTS, Cell, Column, KpiTable, text, value_cell, volume_cell

PERIOD_COUNTS = (6, 12, 24)
DEFAULT_COUNT = 12


def chosen_count(request: HttpRequest) -> int:
    value = request.GET.get("count", "")
    return int(value) if value.isdigit() and int(value) in PERIOD_COUNTS else DEFAULT_COUNT


def trend_codes(query: KpiQuery) -> list[str]:
    rates = [c for c in scheme_indicator_codes(query) if is_rate(c)]
    return rates or list(MAIN_INDICATORS[:3])


def trend_table(query: KpiQuery, points: list[dict[str, Any]], codes: list[str]) -> KpiTable:
    """One row per period: volume, each rate and the score, linked to that period's tickets."""
    columns = [Column("考核期"), Column("受理量")] + [Column(indicator_name(c), RATE) for c in codes]
    columns.append(Column("综合得分", POINTS))
    rows, keys = [], []
    for point in points:
        at = replace(query, period=period_of(date.fromisoformat(point["from"]), date.fromisoformat(point["to"])))
        group = {"key": "all", "indicators": point["indicators"]}
        cells = [text(point["label"]), volume_cell(at, group)]
        cells += [value_cell(at, c, point["indicators"][c]) for c in codes]
        score = point["score"]
        cells.append(Cell(text="—" if score is None else f"{score:g}", value=score))
        rows.append(cells)
        keys.append(point["from"])
    return KpiTable("trend", "各期指标", columns, rows, keys)


def chart_data(points: list[dict[str, Any]], codes: list[str]) -> dict[str, Any]:
    return {
        "kind": "line",
        "labels": [p["label"] for p in points],
        "series": [{"name": indicator_name(c), "values": [p["indicators"][c]["value"] for p in points]} for c in codes],
    }


@login_required
def kpi_trend_page(request: HttpRequest) -> HttpResponse:
    _user, where = kpi_viewer(request)
    count = chosen_count(request)
    form = period_form(request, scheme_choices())
    query = kpi_query(form, where)
    table, chart = None, None
    if query is not None:
        try:
            codes = trend_codes(query)  # reads the scheme: not in force then is the picker's error
            points = kpi_trend(
                scheme_code=query.scheme_code, last=query.period, count=count, where=where, codes=[*codes, "volume"]
            )
        except DomainError as exc:
            form.add_error("scheme", exc.message)
        else:
            table, chart = trend_table(query, points, codes), chart_data(points, codes)
    if table is not None and query is not None and wants_xlsx(request):
        return xlsx_response([table.sheet()], f"kpi-trend-{query.scheme_code}-{query.end}")
    context = {
        **page_context(request, form, query, "trend"),
        "extra": [("count", count)],
        "count": count,
        "counts": PERIOD_COUNTS,
        "tables": [table] if table else [],
        "chart": chart,
    }
    return render(request, "web/kpi/trend.html", context, status=200 if table else 400)
