"""The leaders' dashboard (数据看板): read-only figures of the viewer's scope — tickets received per
day, open tickets by status, how many are overdue — and this month's indicators from jiesu.kpi.

The charts are drawn in the browser by web/dashboard.js from a JSON block (`json_script`); the
same numbers are in tables on the page, so nothing depends on the script running.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.kpi.evaluation import kpi_evaluate
from jiesu.kpi.indicators import INDICATORS
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.selectors import NOT_OPEN, overdue_condition, ticket_status_counts, tickets_visible_to
from jiesu.web.access import can_see_dashboard
from jiesu.web.http import current_user

DAYS = 30
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


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def received_per_day(viewer: User, today: date) -> list[dict[str, Any]]:
    """Tickets received on each of the last DAYS days (Beijing time), zeros included."""
    first = today - timedelta(days=DAYS - 1)
    rows = (
        tickets_visible_to(viewer=viewer)
        .filter(received_at__gte=_day_start(first), received_at__lt=_day_start(today + timedelta(days=1)))
        .annotate(day=TruncDate("received_at"))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
    )
    found = {row["day"]: row["n"] for row in rows}
    days = (first + timedelta(days=i) for i in range(DAYS))
    return [{"day": day.isoformat(), "count": found.get(day, 0)} for day in days]


def open_by_status(viewer: User) -> list[dict[str, Any]]:
    counts = ticket_status_counts(viewer=viewer)
    return [
        {"status": status, "label": str(TicketStatus(status).label), "count": n}
        for status, n in counts.items()
        if status not in NOT_OPEN
    ]


def _display(code: str, value: float | None) -> str:
    if value is None:
        return "不适用"
    if not INDICATORS[code].is_rate:
        return f"{value:g}"
    return f"{value * 100:.1f}%"


def month_indicators(viewer: User, today: date) -> dict[str, Any] | None:
    """This month's main indicators and score for the whole hotline; None for viewers who see
    only part of it (the indicators count every ticket)."""
    if not user_scope(viewer).everything:
        return None
    start = today.replace(day=1)
    try:
        document = kpi_evaluate(scheme_code=settings.JIESU_KPI_SCHEME, start=start, end=today)
    except DomainError as exc:
        return {"error": exc.message}
    group = document["groups"][0]
    rows = [
        {"code": code, "name": INDICATORS[code].name, **group["indicators"][code]}
        for code in MAIN_INDICATORS
        if code in group["indicators"]
    ]
    for row in rows:
        row["display"] = _display(row["code"], row["value"])
    period = {key: document[key] for key in ("scheme", "from", "to")}
    return {**period, "score": group["score"], "rows": rows}


def dashboard_data(viewer: User, today: date | None = None) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready values (also embedded for the charts)."""
    today = today or timezone.localdate()
    return {
        "daily": received_per_day(viewer, today),
        "statuses": open_by_status(viewer),
        "overdue": tickets_visible_to(viewer=viewer).filter(overdue_condition()).count(),
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
