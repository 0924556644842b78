"""The reports page (报告): pick a report, preview its narrative and tables, generate the pack in
the background with a progress bar, download the versions of the period.

Leaders read and download; analysts and shift leads also generate (jiesu.reports.permissions).
The figures come from jiesu.reports (report_facts, the one source the .docx uses too); this module
only parses, checks access, calls and renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiesu.core.errors import DomainError
from jiesu.orgs.models import User
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.facts import report_facts
from jiesu.reports.narrative import report_narrative
from jiesu.reports.permissions import MAKE_DENIED, can_make_reports
from jiesu.web.forms.reports import ReportPickForm, initial_pick
from jiesu.web.views.reports_files import report_reader, versions_of
from jiesu.web.views.reports_jobs import report_job_start


def _preview(form: ReportPickForm) -> dict[str, Any]:
    """The facts and narrative of the chosen report; a domain refusal goes beside its field."""
    period = form.chosen
    if period is None:
        return {}
    data = form.cleaned_data
    try:
        facts = report_facts(
            period=period,
            family=data["family"],
            topic=(data.get("topic") or "") if period.kind == ReportKind.SPECIAL else "",
            district=data.get("district") if period.kind == ReportKind.SPECIAL else None,
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return {}
    chart_data = {
        "daily": [{"day": f"{day:%m-%d}", "count": count} for day, count in facts.daily.items()],
        "categories": [{"name": c.name, "count": c.value} for c in facts.top_categories],
    }
    return {"facts": facts, "narrative": report_narrative(facts), "chart_data": chart_data}


def _render(request: HttpRequest, user: User, form: ReportPickForm, *, status: int = 200) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "can_make": can_make_reports(user), "kinds": ReportKind}
    if form.is_valid():
        context.update(_preview(form))
    if form.is_valid() and form.chosen is not None:
        context["period"] = form.chosen
        context["choice"] = form.choice()
        context["kind_label"] = ReportKind(form.chosen.kind).label
        context["family_label"] = ReportFamily(form.cleaned_data["family"]).label
        context["versions"] = versions_of(
            form.chosen,
            family=form.cleaned_data["family"],
            topic=form.cleaned_data.get("topic") or "",
            district=form.cleaned_data.get("district"),
        )
    return render(request, "web/reports/index.html", context, status=200 if form.is_valid() else status)


@login_required
def reports_page(request: HttpRequest) -> HttpResponse:
    """GET: the choice (last week's weekly report unless the query string says otherwise) and its
    preview."""
    user = report_reader(request)
    form = ReportPickForm(request.GET if request.GET else initial_pick())
    return _render(request, user, form, status=400)


@login_required
@require_POST
def report_generate_start(request: HttpRequest) -> HttpResponse:
    user = report_reader(request)
    form = ReportPickForm(request.POST)
    if not can_make_reports(user):
        raise PermissionDenied(MAKE_DENIED)
    if not form.is_valid() or form.chosen is None:
        return _render(request, user, form, status=400)
    special = form.chosen.kind == ReportKind.SPECIAL
    job = report_job_start(
        period=form.chosen,
        family=form.cleaned_data["family"],
        topic=form.cleaned_data.get("topic") or "",
        district=form.cleaned_data.get("district") if special else None,
        actor=user,
    )
    return redirect("web:report_job", job_id=job.id)
