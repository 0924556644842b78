"""剔除审核: the queue of exclusion and unreasonable-appeal requests with their evidence, one
request's review page (查是 / 查否), the Excel export, and the reason-list management pages.

Thin views over jiesu.tickets.selectors_exclusions and the assessment / reason-list services.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jiesu.core.errors import DomainError, NotFound
from jiesu.core.spreadsheet import MOMENT, SheetTable
from jiesu.orgs.models import User
from jiesu.tickets.choices import AssessmentScope, ExclusionDecision, ExclusionKind
from jiesu.tickets.models import ExclusionRequest
from jiesu.tickets.selectors_exclusions import (
    ExclusionRequestSearch,
    exclusion_reason_labels,
    exclusion_request_evidence,
    exclusion_request_get_for,
    exclusion_requests_may_decide,
    exclusion_requests_may_view,
    exclusion_requests_search,
)
from jiesu.tickets.services.assessment import exclusion_request_decide
from jiesu.tickets.services.exclusion_reasons import exclusion_reasons_can_manage
from jiesu.web.forms.base import ChineseForm, Pickers, with_blank
from jiesu.web.http import current_user, xlsx_response

PAGE_SIZE = 50
EXPORT_LIMIT = 20000
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class QueueFilterForm(ChineseForm):
    decision = forms.ChoiceField(label="审核结果", required=False, choices=with_blank(ExclusionDecision.choices))
    kind = forms.ChoiceField(label="类别", required=False, choices=with_blank(ExclusionKind.choices))
    unit = forms.TypedChoiceField(label="主办单位", required=False, coerce=int, empty_value=None)
    submitted_from = forms.DateField(label="申请日期起", required=False, widget=DATE_INPUT)
    submitted_to = forms.DateField(label="申请日期止", required=False, widget=DATE_INPUT)

    def __init__(self, data: Any, pickers: Pickers) -> None:
        super().__init__(data=data)
        self.fields["unit"].choices = with_blank(pickers.handling_units)  # type: ignore[attr-defined]

    def search(self) -> ExclusionRequestSearch:
        d = self.cleaned_data if self.is_valid() else {"decision": ExclusionDecision.PENDING}
        return ExclusionRequestSearch(
            decision=d.get("decision") or "",
            kind=d.get("kind") or "",
            unit_id=d.get("unit"),
            submitted_from=d.get("submitted_from"),
            submitted_to=d.get("submitted_to"),
        )


def _filter_data(request: HttpRequest) -> dict[str, str]:
    """The queue opens on the pending requests; an explicit blank choice shows every decision."""
    data = {k: request.GET.get(k, "") for k in QueueFilterForm.base_fields}
    if "decision" not in request.GET:
        data["decision"] = ExclusionDecision.PENDING
    return data


def _viewer(request: HttpRequest) -> User:
    user = current_user(request)
    if not exclusion_requests_may_view(user):
        raise PermissionDenied("您的角色无权查看剔除申请")
    return user


@login_required
def exclusion_queue(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    form = QueueFilterForm(_filter_data(request), Pickers())
    rows = exclusion_requests_search(viewer=user, search=form.search())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = exclusion_reason_labels()
    context = {
        "form": form,
        "page": page,
        "items": [(r, labels.get(r.reason_code, r.reason_code)) for r in page.object_list],
        "can_decide": exclusion_requests_may_decide(user),
        "can_manage_reasons": exclusion_reasons_can_manage(user),
    }
    return render(request, "web/exclusions/queue.html", context)


EXPORT_HEADERS = (
    "工单编号",
    "标题",
    "主办单位",
    "类别",
    "原因",
    "申请的考核范围",
    "申请说明",
    "申请人",
    "申请时间",
    "佐证材料",
    "审核结果",
    "审核人",
    "审核时间",
    "审核意见",
)


def _moment(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _export_row(row: ExclusionRequest, labels: dict[str, str]) -> tuple[Any, ...]:
    return (
        row.ticket.number,
        row.ticket.title,
        row.ticket.lead_unit.name if row.ticket.lead_unit else "",
        ExclusionKind(row.kind).label,
        labels.get(row.reason_code, row.reason_code),
        AssessmentScope(row.scope).label,
        row.statement,
        str(row.submitted_by) if row.submitted_by else "",
        _moment(row.submitted_at),
        "、".join(a.original_name for a in exclusion_request_evidence(row)),
        ExclusionDecision(row.decision).label,
        str(row.reviewer) if row.reviewer else "",
        _moment(row.decided_at),
        row.decision_note,
    )


@login_required
def exclusion_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered on the page (the same filters and order)."""
    user = _viewer(request)
    form = QueueFilterForm(_filter_data(request), Pickers())
    labels = exclusion_reason_labels()
    rows = [_export_row(r, labels) for r in exclusion_requests_search(viewer=user, search=form.search())[:EXPORT_LIMIT]]
    table = SheetTable("剔除与不合理诉求申请", EXPORT_HEADERS, rows, formats={8: MOMENT, 12: MOMENT})
    return xlsx_response([table], f"exclusions-{timezone.localdate():%Y%m%d}")


class DecisionForm(ChineseForm):
    decision = forms.ChoiceField(
        label="审核结果",
        choices=[("approve", "查是（同意）"), ("reject", "查否（驳回）")],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text="查否时必填"
    )


def _request_or_404(user: User, pk: int) -> ExclusionRequest:
    try:
        return exclusion_request_get_for(viewer=user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def exclusion_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One request with its evidence; a shift lead of the center decides it here."""
    user = _viewer(request)
    row = _request_or_404(user, pk)
    allowed = exclusion_requests_may_decide(user) and row.decision == ExclusionDecision.PENDING
    form = DecisionForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied("您无权审核该申请，或该申请已审核")
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            try:
                exclusion_request_decide(request=row, actor=user, approve=approve, note=form.cleaned_data["note"])
            except DomainError as exc:
                form.add_error("note" if exc.code == "reason_required" else None, exc.message)
                status = exc.status
            else:
                verdict = "查是" if approve else "查否"
                messages.success(request, f"工单 {row.ticket.number} 的申请已审核：{verdict}")
                return redirect("web:exclusion_queue")
        else:
            status = 400
    context = {
        "row": row,
        "evidence": exclusion_request_evidence(row),
        "reason_label": exclusion_reason_labels(kind=row.kind).get(row.reason_code, row.reason_code),
        "form": form if allowed else None,
    }
    return render(request, "web/exclusions/review.html", context, status=status)
