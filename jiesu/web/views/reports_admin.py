"""The delivery ledger (报送台账) and the delivery settings: schedules and customer .docx templates.

Everyone who reads reports sees both pages; only analysts and shift leads change schedules and
upload templates. Each change is audited.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from jiesu.orgs.models import User
from jiesu.orgs.security.sessions import client_address
from jiesu.reports import settings_services
from jiesu.reports.choices import ReportFamily, ReportKind
from jiesu.reports.docx_render import TemplateBroken
from jiesu.reports.models import SCHEDULED_KINDS, ReportSchedule, ReportTemplate
from jiesu.reports.permissions import MAKE_DENIED, can_make_reports
from jiesu.reports.schedules import DEFAULT_DAY, DEFAULT_WEEKDAY, DueRule, due_date, last_finished_period
from jiesu.reports.selectors import contract_counts, delivery_ledger
from jiesu.web.forms.reports import ScheduleForm, TemplateUploadForm
from jiesu.web.views.reports_files import report_reader

FIRST_YEAR = 2000
WEEKDAY_NAMES = "一二三四五六日"


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        return today.year
    return year if FIRST_YEAR <= year <= today.year + 1 else today.year


def _family(request: HttpRequest) -> str:
    family = request.GET.get("family", ReportFamily.HOTLINE)
    return family if family in ReportFamily.values else ReportFamily.HOTLINE


@login_required
def reports_ledger(request: HttpRequest) -> HttpResponse:
    """Each contract period of the year: generated when, sent when and to whom, on time or not."""
    report_reader(request)
    year, family = _year(request), _family(request)
    lines = delivery_ledger(year=year, family=family)
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for line in lines:
        by_kind[line.kind].append(line)
    context = {
        "year": year,
        "family": family,
        "families": ReportFamily.choices,
        "years": list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))[:6],
        "counts": contract_counts(year, family, lines=lines),
        "sections": [(ReportKind(kind).label, kind, rows) for kind, rows in by_kind.items()],
    }
    return render(request, "web/reports/ledger.html", context)


def _rule_label(kind: str, schedule: ReportSchedule) -> str:
    if kind == ReportKind.DAILY:
        return "次日"
    if kind == ReportKind.WEEKLY:
        weekday = DEFAULT_WEEKDAY if schedule.due_weekday is None else schedule.due_weekday
        return f"次周星期{WEEKDAY_NAMES[weekday]}"
    day = DEFAULT_DAY[ReportKind(kind)] if schedule.due_day is None else schedule.due_day
    return f"周期结束后次月{day}日"


def _schedule_rows() -> list[dict[str, Any]]:
    """A line per scheduled kind of the hotline, stored or not yet, with its next due day."""
    stored = {(s.kind, s.family): s for s in ReportSchedule.objects.all()}
    today = timezone.localdate()
    rows = []
    for kind in SCHEDULED_KINDS:
        schedule = stored.get((kind, ReportFamily.HOTLINE)) or ReportSchedule(kind=kind, enabled=False)
        rule = DueRule(kind=kind, weekday=schedule.due_weekday, day=schedule.due_day, hour=schedule.send_hour)
        period = last_finished_period(kind, today)
        due = due_date(rule, period.end)
        rows.append(
            {
                "schedule": schedule,
                "stored": schedule.pk is not None,
                "rule": _rule_label(kind, schedule),
                "period": period,
                "due": due,
            }
        )
    return rows


def _render_settings(
    request: HttpRequest,
    user: User,
    *,
    schedule_form: ScheduleForm | None = None,
    template_form: TemplateUploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "can_make": can_make_reports(user),
        "schedules": _schedule_rows(),
        "templates": ReportTemplate.objects.select_related("uploaded_by")
        .defer("content")
        .order_by("kind", "-uploaded_at"),
        "schedule_form": schedule_form or ScheduleForm(initial={"send_hour": 8}, auto_id="schedule_%s"),
        "template_form": template_form or TemplateUploadForm(auto_id="template_%s"),
    }
    return render(request, "web/reports/settings.html", context, status=status)


@login_required
def reports_settings(request: HttpRequest) -> HttpResponse:
    return _render_settings(request, report_reader(request))


def _maker(request: HttpRequest) -> User:
    user = report_reader(request)
    if not can_make_reports(user):
        raise PermissionDenied(MAKE_DENIED)
    return user


@login_required
@require_POST
def report_schedule_save(request: HttpRequest) -> HttpResponse:
    user = _maker(request)
    form = ScheduleForm(request.POST, auto_id="schedule_%s")
    if not form.is_valid():
        return _render_settings(request, user, schedule_form=form, status=400)
    data = form.cleaned_data
    fields = {k: data[k] for k in ("enabled", "due_weekday", "due_day", "send_hour", "recipients")}
    schedule = settings_services.report_schedule_save(
        kind=data["kind"], family=data["family"], fields=fields, actor=user, source_address=client_address(request)
    )
    messages.success(request, f"已保存{schedule}的报送计划")
    return redirect("web:reports_settings")


@login_required
@require_POST
def report_template_upload(request: HttpRequest) -> HttpResponse:
    user = _maker(request)
    form = TemplateUploadForm(request.POST, request.FILES, auto_id="template_%s")
    if not form.is_valid():
        return _render_settings(request, user, template_form=form, status=400)
    data, upload = form.cleaned_data, form.cleaned_data["file"]
    try:
        template = settings_services.report_template_upload(
            kind=data["kind"],
            family=data["family"],
            file_name=upload.name or "",
            content=form.content,
            actor=user,
            source_address=client_address(request),
        )
    except TemplateBroken as exc:
        form.add_error("file", exc.message)
        return _render_settings(request, user, template_form=form, status=400)
    messages.success(request, f"已上传{template}，生成{ReportKind(template.kind).label}时使用")
    return redirect("web:reports_settings")


@login_required
@require_POST
def report_template_deactivate(request: HttpRequest, template_id: int) -> HttpResponse:
    user = _maker(request)
    changed = settings_services.report_template_deactivate(
        template_id=template_id, actor=user, source_address=client_address(request)
    )
    if changed:
        messages.success(request, "模板已停用，将使用默认模板或更早的模板")
    else:
        messages.error(request, "模板不存在或已停用")
    return redirect("web:reports_settings")
