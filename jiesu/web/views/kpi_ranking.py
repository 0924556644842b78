"""Rankings (排名): units, districts, townships or agents ranked by the score or one indicator, with
the minimum-volume rule (groups with too few tickets are listed apart, not ranked), from
jiesu.kpi.analysis.kpi_ranking."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.core.errors import DomainError
from jiesu.core.spreadsheet import RATE
from jiesu.kpi.analysis import SCORE, kpi_ranking
from jiesu.kpi.choices import Grouping
from jiesu.kpi.indicators import INDICATORS
from jiesu.web.forms.base import ChineseForm
from jiesu.web.http import xlsx_response
from jiesu.web.views.kpi_common import (
    KpiQuery,
    chosen_tables,
    drill_link,
    indicator_name,
    is_rate,
    kpi_query,
    kpi_viewer,
    page_context,
    period_form,
    scheme_choices,
    show_number,
    show_value,
    wants_xlsx,
)
from jiesu.web.views.kpi_tables import POINTS, Cell, Column, KpiTable, text

RANKED_GROUPS = (Grouping.TOWNSHIP, Grouping.DISTRICT, Grouping.UNIT, Grouping.AGENT)


class RankingForm(ChineseForm):
    by = forms.ChoiceField(label="排名对象", choices=[(g, Grouping(g).label) for g in RANKED_GROUPS])
    order_by = forms.ChoiceField(label="排名依据")
    min_volume = forms.IntegerField(
        label="最小样本量", required=False, min_value=0, help_text="留空按考核方案的规定；少于此数的不参与排名"
    )

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        choices = [(SCORE, "综合得分")] + [(c, i.name) for c, i in INDICATORS.items() if i.is_rate]
        self.fields["order_by"].choices = choices  # type: ignore[attr-defined]


def ranking_form(request: HttpRequest) -> RankingForm:
    data = request.GET.copy()
    data.setdefault("by", Grouping.TOWNSHIP)
    data.setdefault("order_by", SCORE)
    return RankingForm(data)


def _row(query: KpiQuery, entry: dict[str, Any], ranking: dict[str, Any]) -> list[Cell]:
    by, order_by, key = ranking["by"], ranking["order_by"], entry["key"]
    if order_by == SCORE:
        value = Cell(text="—" if entry["value"] is None else f"{entry['value']:g}", value=entry["value"])
        volume_link = drill_link(query, indicator="volume", part="numerator", by=by, key=key)
    else:
        value = Cell(
            text=show_value(order_by, entry["value"]),
            value=entry["value"],
            href=drill_link(query, indicator=order_by, part="numerator", by=by, key=key),
        )
        part = "denominator" if is_rate(order_by) else "numerator"
        indicator = order_by if is_rate(order_by) else "volume"
        volume_link = drill_link(query, indicator=indicator, part=part, by=by, key=key)
    volume = Cell(text=show_number(entry["volume"]), value=entry["volume"], href=volume_link)
    score = Cell(text="—" if entry["score"] is None else f"{entry['score']:g}", value=entry["score"])
    rank = Cell(text="—" if entry["rank"] is None else str(entry["rank"]), value=entry["rank"])
    cells = [text(entry["name"]), rank, value, volume]
    # Ranked by the score, the value column is the score already.
    return cells if order_by == SCORE else [*cells, score]


def ranking_tables(query: KpiQuery, ranking: dict[str, Any]) -> list[KpiTable]:
    order_by = ranking["order_by"]
    value_title = "综合得分" if order_by == SCORE else indicator_name(order_by)
    value_format = POINTS if order_by == SCORE else RATE
    volume_title = "样本量（分母）" if order_by != SCORE and is_rate(order_by) else "样本量（受理量）"
    columns = [
        Column(Grouping(ranking["by"]).label),
        Column("名次"),
        Column(value_title, value_format),
        Column(volume_title),
    ]
    if order_by != SCORE:
        columns.append(Column("综合得分", POINTS))
    ranked = [_row(query, e, ranking) for e in ranking["ranked"]]
    unranked = [_row(query, e, ranking) for e in ranking["unranked"]]
    return [
        KpiTable("ranked", f"{value_title}排名", columns, ranked, [e["key"] for e in ranking["ranked"]]),
        KpiTable(
            "unranked",
            f"不参与排名（样本量少于 {ranking['min_volume']} 或不适用）",
            columns,
            unranked,
            [e["key"] for e in ranking["unranked"]],
        ),
    ]


def _ranking(query: KpiQuery | None, options: RankingForm, form: forms.Form) -> dict[str, Any] | None:
    if query is None or not options.is_valid():
        return None
    data = options.cleaned_data
    try:
        return kpi_ranking(
            scheme_code=query.scheme_code,
            start=query.start,
            end=query.end,
            by=data["by"],
            where=query.where,
            order_by=data["order_by"],
            min_volume=data["min_volume"],
        )
    except DomainError as exc:
        form.add_error("scheme", exc.message)
        return None


@login_required
def kpi_ranking_page(request: HttpRequest) -> HttpResponse:
    _user, where = kpi_viewer(request)
    form = period_form(request, scheme_choices())
    options = ranking_form(request)
    query = kpi_query(form, where)
    ranking = _ranking(query, options, form)
    tables = ranking_tables(query, ranking) if ranking and query else []
    if tables and query is not None and wants_xlsx(request):
        return xlsx_response(
            [t.sheet() for t in chosen_tables(request, tables)],
            f"kpi-ranking-{query.scheme_code}-{query.start}-{query.end}",
        )
    context = {
        **page_context(request, form, query, "ranking"),
        "extra_form": options,
        "ranking": ranking,
        "tables": tables,
    }
    return render(request, "web/kpi/ranking.html", context, status=200 if ranking else 400)
