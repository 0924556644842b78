"""The leaders' dashboard (数据看板): read-only figures of the viewer's scope — tickets received per
day, open tickets by status, how many are overdue — and this month's indicators from jiesu.kpi.

The charts are drawn in the browser by web/dashboard.js from a JSON block (`json_script`); the
same numbers are in tables on the page, so nothing depends on the script running.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.kpi.cached import kpi_evaluate_cached
from jiesu.kpi.indicators import INDICATORS
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.selectors_dashboard import tickets_open_by_status, tickets_overdue_count, tickets_received_per_day
from jiesu.web.access import can_see_dashboard
from jiesu.web.http import current_user

# The figures a leader looks at first; the full set is `jiesu kpi` (docs/kpi.md).
MAIN_INDICATORS = (
    "volume",
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "on_time_completion_rate",
    "return_rate",
    "direct_answer_rate",
    "callback_rate",
)


def _display(code: str, value: float | None) -> str:
    if value is None:
        return "不适用"
    if not INDICATORS[code].is_rate:
        return f"{value:g}"
    return f"{value * 100:.1f}%"


def month_indicators(viewer: User, today: date) -> dict[str, Any] | None:
    """This month's main indicators and score for the whole hotline; None for viewers who see
    only part of it (the indicators count every ticket). The figures may be a few minutes old
    (kpi_evaluate_cached); `updated_at` says when they were computed."""
    if not user_scope(viewer).everything:
        return None
    try:
        figures = kpi_evaluate_cached(scheme_code=settings.JIESU_KPI_SCHEME, start=today.replace(day=1), end=today)
    except DomainError as exc:
        return {"error": exc.message}
    document = figures.document
    group = document["groups"][0]
    rows = [
        {"code": code, "name": INDICATORS[code].name, **group["indicators"][code]}
        for code in MAIN_INDICATORS
        if code in group["indicators"]
    ]
    for row in rows:
        row["display"] = _display(row["code"], row["value"])
    period = {key: document[key] for key in ("scheme", "from", "to")}
    updated_at = f"{timezone.localtime(figures.computed_at):%H:%M}"
    return {**period, "score": group["score"], "rows": rows, "updated_at": updated_at}


def dashboard_data(viewer: User, today: date | None = None) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready values (also embedded for the charts)."""
    today = today or timezone.localdate()
    return {
        "daily": tickets_received_per_day(viewer=viewer, today=today),
        "statuses": tickets_open_by_status(viewer=viewer),
        "overdue": tickets_overdue_count(viewer=viewer),
        "kpi": month_indicators(viewer, today),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can_see_dashboard(user):
        raise PermissionDenied("数据看板仅对领导、分析员和班长开放")
    data = dashboard_data(user)
    charts = {"daily": data["daily"], "statuses": data["statuses"]}
    context = {**data, "charts": charts, "open_total": sum(row["count"] for row in data["statuses"])}
    return render(request, "web/dashboard.html", context)
