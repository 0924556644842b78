"""Distributions (分布): the period's figures split by kind, category, area (district, township),
lead unit or agent: volume, the scheme's rates and the score of each group, with a bar chart of the
volumes drawn by web/kpi.js from the same rows."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.core.errors import DomainError
from jiesu.kpi.choices import Grouping
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.web.http import xlsx_response
from jiesu.web.views.kpi import scheme_indicator_codes
from jiesu.web.views.kpi_common import (
    KpiQuery,
    kpi_query,
    kpi_viewer,
    page_context,
    period_form,
    scheme_choices,
    wants_xlsx,
)
from jiesu.web.views.kpi_tables import MAIN_INDICATORS, KpiTable, groups_table

# The groupings offered, in the order of the page's tabs.
DISTRIBUTIONS = (
    Grouping.KIND,
    Grouping.CATEGORY,
    Grouping.DISTRICT,
    Grouping.TOWNSHIP,
    Grouping.UNIT,
    Grouping.AGENT,
)


def chosen_grouping(request: HttpRequest) -> str:
    by = request.GET.get("by", "")
    return by if by in DISTRIBUTIONS else Grouping.KIND


def distribution(query: KpiQuery, by: str) -> KpiTable:
    document = kpi_evaluate(scheme_code=query.scheme_code, start=query.start, end=query.end, by=by, where=query.where)
    codes = scheme_indicator_codes(query)
    rates = [c for c in codes if c != "volume"] or list(MAIN_INDICATORS[:3])
    table = groups_table(query, document, by=by, by_label=Grouping(by).label, codes=rates)
    # Largest groups first: the chart and the table read the same order.
    order = sorted(range(len(table.rows)), key=lambda i: -(table.rows[i][1].value or 0))
    return KpiTable(
        table.key,
        table.title,
        table.columns,
        [table.rows[i] for i in order],
        [table.row_keys[i] for i in order],
    )


def chart_data(table: KpiTable) -> dict[str, Any]:
    return {
        "kind": "bar",
        "names": [row[0].text for row in table.rows],
        "volumes": [row[1].value or 0 for row in table.rows],
    }


@login_required
def kpi_groups(request: HttpRequest) -> HttpResponse:
    _user, where = kpi_viewer(request)
    by = chosen_grouping(request)
    form = period_form(request, scheme_choices())
    query = kpi_query(form, where)
    table = None
    if query is not None:
        try:
            table = distribution(query, by)
        except DomainError as exc:
            form.add_error("scheme", exc.message)
    if table is not None and query is not None and wants_xlsx(request):
        return xlsx_response([table.sheet()], f"kpi-{query.scheme_code}-{by}-{query.start}-{query.end}")
    context = {
        **page_context(request, form, query, "groups"),
        "extra": [("by", by)],
        "by": by,
        "groupings": [(g, Grouping(g).label) for g in DISTRIBUTIONS],
        "tables": [table] if table else [],
        "chart": chart_data(table) if table else None,
    }
    return render(request, "web/kpi/groups.html", context, status=200 if table else 400)
