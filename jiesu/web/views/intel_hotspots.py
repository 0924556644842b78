"""Hotspot and burst-alert pages (热点 / 突增预警) for the center's leaders, analysts and shift leads.

Hotspots are computed on request from the tickets of the last N days (jiesu.intel.hotspots); alerts
are the stored BurstAlert rows (jiesu.intel.bursts). The special-report draft of an alert is made
by the reports app's own background generation, as on the reports page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiesu.core import errors
from jiesu.intel.bursts import selectors
from jiesu.intel.bursts.config import burst_settings
from jiesu.intel.bursts.services import alert_acknowledge, alert_dismiss, alert_draft_set
from jiesu.intel.choices import AlertStatus
from jiesu.intel.hotspots.snapshots import WINDOW_DAYS, Hotspots, days_window, hotspots_as_of
from jiesu.intel.models import BurstAlert
from jiesu.orgs.models import User
from jiesu.reports.choices import ReportFamily
from jiesu.reports.periods import period_special
from jiesu.reports.permissions import MAKE_DENIED, can_make_reports
from jiesu.web.http import current_user
from jiesu.web.views.reports_jobs import report_job_get, report_job_start

DAY_CHOICES = WINDOW_DAYS
DEFAULT_DAYS = 30
TOP = 20
SHOWN_TICKETS = 30


def _reader(request: HttpRequest) -> User:
    user = current_user(request)
    if not selectors.can_read_alerts(user):
        raise PermissionDenied(selectors.READ_DENIED)
    return user


def _days(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("days", DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS
    return days if days in DAY_CHOICES else DEFAULT_DAYS


def hotspots_recent(days: int, *, top: int = TOP) -> tuple[list[dict[str, Any]], Hotspots]:
    """The best hotspots among the tickets of the last `days` days, today included (from the
    worker's snapshot when it is fresh), as the page shows them."""
    result = hotspots_as_of(*days_window(days, timezone.localdate()), top=top)
    rows = [{**h.as_dict(), "first": h.first, "last": h.last, "shown": h.ids[:SHOWN_TICKETS]} for h in result.found]
    return rows, result


@login_required
def hotspots_page(request: HttpRequest) -> HttpResponse:
    _reader(request)
    days = _days(request)
    rows, result = hotspots_recent(days)
    context = {
        "days": days,
        "day_choices": DAY_CHOICES,
        "hotspots": rows,
        "as_of": result.as_of,
        "stored": result.stored,
    }
    return render(request, "web/intel/hotspots.html", context)


def _draft_link(alert: BurstAlert) -> dict[str, Any] | None:
    """Where the alert's draft is: its report once stored, else the generation job. A finished job
    is written back as "report:<id>", since jobs expire and reports stay."""
    kind, _, ref = alert.draft_reference.partition(":")
    if kind == "job":
        job = report_job_get(ref)
        if job is None or job.report_id is None:
            return {"job": ref}
        alert_draft_set(alert=alert, reference=f"report:{job.report_id}", actor=None)
        kind, ref = "report", str(job.report_id)
    return {"report": int(ref)} if kind == "report" and ref.isdigit() else None


def _alert_row(alert: BurstAlert) -> dict[str, Any]:
    daily = selectors.alert_daily(alert)
    return {
        "alert": alert,
        "ratio": alert.count / alert.expected if alert.expected else None,
        "chart": {
            "days": [f"{d:%m-%d}" for d, _ in daily],
            "counts": [n for _, n in daily],
            "expected": round(alert.expected / max(len(daily), 1), 2),
        },
        "shown": alert.ticket_numbers[:SHOWN_TICKETS],
        "draft": _draft_link(alert),
    }


def _alerts_context(user: User, status: str) -> dict[str, Any]:
    rows = [_alert_row(a) for a in selectors.alerts_for(user, status=status)[:100]]
    return {
        "rows": rows,
        "charts": {f"alert-{r['alert'].pk}": r["chart"] for r in rows},
        "status": status,
        "statuses": AlertStatus.choices,
        "can_handle": selectors.can_handle_alerts(user),
        "can_draft": can_make_reports(user),
        "rules": burst_settings(timezone.localdate() - timedelta(days=1)),  # what the next run uses
    }


@login_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    status = request.GET.get("status", "")
    status = status if status in AlertStatus.values else ""
    return render(request, "web/intel/alerts.html", _alerts_context(user, status))


def _alert(request: HttpRequest, pk: int) -> tuple[User, BurstAlert]:
    user = _reader(request)
    try:
        return user, selectors.alert_get_for(user, pk)
    except errors.NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_POST
def alert_handle(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user, alert = _alert(request, pk)
    handle = {"acknowledge": alert_acknowledge, "dismiss": alert_dismiss}.get(action)
    if handle is None:
        raise Http404("无此操作")
    try:
        handle(alert_id=alert.pk, actor=user)
    except errors.PermissionDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except errors.Conflict as exc:
        context = {**_alerts_context(user, ""), "error": exc.message}
        return render(request, "web/intel/alerts.html", context, status=409)
    return redirect(f"{reverse('web:intel_alerts')}#alert-{alert.pk}")


@login_required
@require_POST
def alert_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the special report of the alert's topic and area over its window; the job page
    follows it."""
    user, alert = _alert(request, pk)
    if not can_make_reports(user) or not selectors.can_handle_alerts(user):
        raise PermissionDenied(MAKE_DENIED)
    job = report_job_start(
        period=period_special(alert.window_start, alert.window_end),
        family=ReportFamily.HOTLINE,
        topic=selectors.draft_topic(alert),
        district=selectors.alert_area(alert),
        actor=user,
    )
    alert_draft_set(alert=alert, reference=f"job:{job.id}", actor=user)
    return redirect("web:report_job", job_id=job.id)
