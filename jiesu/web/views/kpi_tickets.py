"""The tickets behind one KPI number (下钻): an indicator's numerator or denominator for one group
and one period, within the viewer's scope.

The list is the drill-down selector of jiesu.kpi narrowed by the same `where` the figures were
computed with, so its count is the number on the page that links here. A numerator with a
coefficient (满意率: 满意 + 0.9 × 基本满意) lists every ticket once and says how the weighted figure
is made of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jiesu.core.errors import DomainError
from jiesu.kpi.choices import Grouping
from jiesu.kpi.drilldown import drilldown_tickets, drilldown_weighting
from jiesu.kpi.evaluation import window_of_days
from jiesu.kpi.indicators import INDICATORS, Window
from jiesu.orgs.models import User
from jiesu.tickets.choices import Kind
from jiesu.web.views.kpi_common import KpiPeriodForm, KpiQuery, kpi_query, kpi_viewer, scheme_choices, show_number

PAGE_SIZE = 50
PARTS = {"numerator": "分子", "denominator": "分母"}
MAX_KEY_LENGTH = 64


@dataclass(frozen=True)
class DrillTarget:
    indicator: str
    part: str
    by: str
    key: str


def _target(request: HttpRequest) -> DrillTarget:
    """The number asked for; anything malformed is a 404 (these URLs are built by the pages)."""
    get = request.GET
    target = DrillTarget(
        indicator=get.get("indicator", ""),
        part=get.get("part", ""),
        by=get.get("by") or Grouping.ALL,
        key=get.get("key") or "all",
    )
    if target.indicator not in INDICATORS or target.part not in PARTS or target.by not in Grouping.values:
        raise Http404("指标、分子分母或分组方式不存在")
    if len(target.key) > MAX_KEY_LENGTH:
        raise Http404("分组不存在")
    return target


def _weighting(target: DrillTarget, query: KpiQuery, window: Window, viewer: User) -> dict[str, Any] | None:
    weighting = drilldown_weighting(
        viewer=viewer,
        scheme_code=query.scheme_code,
        on=query.start,
        code=target.indicator,
        part=target.part,
        window=window,
        by=target.by,
        key=target.key,
    )
    if weighting is None:
        return None
    return {
        "scaled_count": weighting.scaled_count,
        "coefficient": f"{weighting.coefficient.normalize():f}",
        "figure": show_number(float(weighting.figure)),
    }


def _group_label(target: DrillTarget) -> str:
    if target.by == Grouping.ALL:
        return "全部"
    key = str(dict(Kind.choices).get(target.key, target.key)) if target.by == Grouping.KIND else target.key
    return f"{Grouping(target.by).label}：{key}"


@login_required
def kpi_tickets(request: HttpRequest) -> HttpResponse:
    user, where = kpi_viewer(request)
    target = _target(request)
    form = KpiPeriodForm(request.GET, schemes=scheme_choices())
    try:
        query = kpi_query(form, where)
        if query is None:
            raise Http404("考核方案或考核期间有误")
        window = window_of_days(query.start, query.end)
        weighting = _weighting(target, query, window, user)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    tickets = drilldown_tickets(
        viewer=user, code=target.indicator, part=target.part, window=window, by=target.by, key=target.key
    ).select_related("district", "township", "lead_unit")
    page = Paginator(tickets.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "query": query,
        "target": target,
        "indicator_name": INDICATORS[target.indicator].name,
        "part_label": PARTS[target.part],
        "group_label": _group_label(target),
        "page": page,
        "weighting": weighting,
        "back_query": query.encoded(),
    }
    return render(request, "web/kpi/tickets.html", context)
