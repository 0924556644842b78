"""回访工作台: the due list with its filters and Excel export, the coverage card and per-group
table with drill-down, and the page that records one call (attempt or answers).

Thin views over jiesu.tickets.selectors_callbacks and ticket_perform("callback_attempted").
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.core.spreadsheet import MOMENT, PERCENT, SheetTable
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import EventKind
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_callbacks import (
    COVERAGE_BY,
    CallbackDueFilter,
    callback_attempts_of,
    callback_coverage,
    callback_coverage_tickets,
    callback_is_overdue,
    callbacks_due,
    callbacks_ensure_viewer,
)
from jiesu.tickets.services.actions import ticket_perform
from jiesu.tickets.services.callbacks import callback_attempt_rule_for, ticket_awaits_callback
from jiesu.tickets.workflow import TRANSITIONS
from jiesu.web.forms.actions import ActionForm
from jiesu.web.forms.base import ChineseForm, Pickers, with_blank
from jiesu.web.http import current_user, visible_ticket, xlsx_response

PAGE_SIZE = 50
EXPORT_LIMIT = 20000
ATTEMPT = EventKind.CALLBACK_ATTEMPTED
TRI_STATE = [("", "全部"), ("yes", "是"), ("no", "否")]


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DueFilterForm(ChineseForm):
    unit = forms.TypedChoiceField(label="主办单位", required=False, coerce=int, empty_value=None)
    district = forms.TypedChoiceField(label="所属区", required=False, coerce=int, empty_value=None)
    overdue = forms.ChoiceField(label="回访已超时", required=False, choices=TRI_STATE)
    attempted = forms.ChoiceField(label="拨打过未接通", required=False, choices=TRI_STATE)

    def __init__(self, data: Any, pickers: Pickers) -> None:
        super().__init__(data=data)
        self.fields["unit"].choices = with_blank(pickers.handling_units)  # type: ignore[attr-defined]
        self.fields["district"].choices = with_blank(pickers.districts)  # type: ignore[attr-defined]

    def due_filter(self) -> CallbackDueFilter:
        d = self.cleaned_data if self.is_valid() else {}
        return CallbackDueFilter(
            unit_id=d.get("unit"),
            district_id=d.get("district"),
            overdue=_tri(d.get("overdue", "")),
            attempted=_tri(d.get("attempted", "")),
        )


class CoverageForm(ChineseForm):
    date_from = forms.DateField(label="办结日期起", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="办结日期止", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label="分组", required=False, choices=list(COVERAGE_BY.items()))

    def window(self, today: date) -> tuple[date, date, str]:
        """The chosen window, this month so far by default."""
        d = self.cleaned_data if self.is_valid() else {}
        return d.get("date_from") or today.replace(day=1), d.get("date_to") or today, d.get("by") or "unit"


def _viewer(request: HttpRequest) -> User:
    user = current_user(request)
    try:
        callbacks_ensure_viewer(user)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    return user


def can_record_callbacks(user: User) -> bool:
    return user_scope(user).everything and user.has_role(*TRANSITIONS[ATTEMPT].roles)


def _coverage_context(request: HttpRequest, user: User) -> dict[str, Any]:
    form = CoverageForm(data={k: request.GET.get(k, "") for k in ("date_from", "date_to", "by")})
    start, end, by = form.window(timezone.localdate())
    try:
        report = callback_coverage(viewer=user, date_from=start, date_to=end, by=by)
    except DomainError as exc:
        form.add_error(None, exc.message)
        report = None
    query = urlencode({"date_from": start.isoformat(), "date_to": end.isoformat(), "by": by})
    return {"coverage_form": form, "coverage": report, "coverage_query": query}


@login_required
def callback_desk(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form = DueFilterForm(request.GET or None, Pickers())
    try:
        rows = callbacks_due(viewer=user, filters=form.due_filter())
    except DomainError as exc:
        form.add_error(None, exc.message)
        rows = Ticket.objects.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "can_record": can_record_callbacks(user),
        **_coverage_context(request, user),
    }
    return render(request, "web/callbacks/desk.html", context)


EXPORT_HEADERS = (
    "工单编号",
    "标题",
    "主办单位",
    "所属区",
    "所属街乡镇",
    "办结时间",
    "回访时限",
    "回访已超时",
    "未接通次数",
)


@login_required
def callback_export(request: HttpRequest) -> HttpResponse:
    """The due list as filtered on the page, without personal data (agents call from the ticket)."""
    user = _viewer(request)
    form = DueFilterForm(request.GET or None, Pickers())
    now = timezone.now()
    rows = [
        (
            t.number,
            t.title,
            t.lead_unit.name if t.lead_unit else "中心直接办结",
            t.district.name if t.district else "",
            t.township.name if t.township else "",
            timezone.localtime(t.closed_at).replace(tzinfo=None) if t.closed_at else None,
            timezone.localtime(t.callback_due_at).replace(tzinfo=None) if t.callback_due_at else None,
            "是" if callback_is_overdue(t, now) else "否",
            t.callback_attempts,
        )
        for t in callbacks_due(viewer=user, filters=form.due_filter(), now=now)[:EXPORT_LIMIT]
    ]
    table = SheetTable("待回访工单", EXPORT_HEADERS, rows, formats={5: MOMENT, 6: MOMENT})
    return xlsx_response([table], f"callbacks-due-{timezone.localdate():%Y%m%d}")


@login_required
def callback_coverage_export(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    context = _coverage_context(request, user)
    report = context["coverage"]
    if report is None:
        raise PermissionDenied("参数有误")
    headers = ("分组", "办结", "已回访", "有效回访", "无效/未联系上", "办结未回访", "回访覆盖率")
    lines = [(r.name, r.closed, r.covered, r.valid, r.invalid, r.missing, r.rate) for r in [*report.rows, report.total]]
    title = f"回访覆盖率 {report.date_from:%Y-%m-%d} 至 {report.date_to:%Y-%m-%d}"
    table = SheetTable(title, headers, lines, formats={6: PERCENT})
    return xlsx_response([table], f"callback-coverage-{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}")


@login_required
def callback_coverage_list(request: HttpRequest) -> HttpResponse:
    """The tickets behind one figure of the coverage table."""
    user = _viewer(request)
    context = _coverage_context(request, user)
    report = context["coverage"]
    part, key = request.GET.get("part", "missing"), request.GET.get("key", "all")
    try:
        if report is None:
            raise DomainError("参数有误")
        rows = callback_coverage_tickets(
            viewer=user, date_from=report.date_from, date_to=report.date_to, part=part, by=report.by, key=key
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("web:callback_desk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = {"closed": "办结", "covered": "已回访", "missing": "办结未回访"}
    return render(request, "web/callbacks/coverage_list.html", {**context, "page": page, "part_label": labels[part]})


@login_required
def callback_record(request: HttpRequest, number: str) -> HttpResponse:
    """Record one call of the ticket's callback: an attempt that failed, or the answers."""
    user = _viewer(request)
    ticket = visible_ticket(request, number)
    if not can_record_callbacks(user):
        raise PermissionDenied("您的角色无权记录回访")
    form = ActionForm(event=ATTEMPT, ticket=ticket, pickers=Pickers(), data=request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid() and form.cleaned_data["version"] != ticket.version:
        form.add_error(None, "该工单已被他人处理，请核对最新情况后再提交")
        form.refresh_version(ticket.version)
        status = 409
    elif request.method == "POST" and form.is_valid():
        try:
            ticket_perform(ticket=ticket, action=ATTEMPT, actor=user, data=form.action_input())
        except DomainError as exc:
            field = exc.details.get("field")
            form.add_error(field if isinstance(field, str) and field in form.fields else None, exc.message)
            ticket = visible_ticket(request, number)
            form.refresh_version(ticket.version)
            status = exc.status
        else:
            messages.success(request, f"已记录工单 {ticket.number} 的回访拨打")
            return redirect("web:callback_desk")
    elif request.method == "POST":
        status = 400
    context = {
        "ticket": ticket,
        "form": form,
        "attempts": callback_attempts_of(ticket=ticket),
        "awaits": ticket_awaits_callback(ticket),
        "rule": callback_attempt_rule_for(ticket),
    }
    return render(request, "web/callbacks/record.html", context, status=status)
