"""剔除原因清单: the list in force and its history, adding a dated version, retiring a reason.
For system admins and shift leads of the center (exclusion_reasons_can_manage)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.orgs.models import User
from jiesu.tickets.choices import AssessmentScope, ExclusionKind
from jiesu.tickets.models import ExclusionReason
from jiesu.tickets.selectors_exclusions import exclusion_reasons_history, exclusion_reasons_in_force
from jiesu.tickets.services.exclusion_reasons import (
    ExclusionReasonDraft,
    exclusion_reason_add,
    exclusion_reason_retire,
    exclusion_reasons_can_manage,
)
from jiesu.web.forms.base import ChineseForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
SCOPES = [(s, AssessmentScope(s).label) for s in (AssessmentScope.EXCLUDED, AssessmentScope.RESPONSE_ONLY)]


class ReasonForm(ChineseForm):
    kind = forms.ChoiceField(label="类别", choices=ExclusionKind.choices)
    code = forms.SlugField(
        label="编码", max_length=64, help_text="英文字母、数字、下划线；同一编码的新版本会替代旧版本"
    )
    label = forms.CharField(label="名称", max_length=200)
    description = forms.CharField(label="适用情形说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    default_scope = forms.ChoiceField(label="查是后的考核范围", choices=SCOPES)
    request_within_days = forms.IntegerField(
        label="办结后申请期限（天）", required=False, min_value=1, max_value=365, help_text="空表示不限"
    )
    evidence_required = forms.BooleanField(label="须上传佐证材料", required=False)
    position = forms.IntegerField(label="序号", required=False, min_value=0, max_value=999)
    effective_from = forms.DateField(label="生效日期", widget=DATE_INPUT)

    def draft(self) -> ExclusionReasonDraft:
        d = self.cleaned_data
        return ExclusionReasonDraft(
            kind=d["kind"],
            code=d["code"],
            label=d["label"],
            effective_from=d["effective_from"],
            default_scope=d["default_scope"],
            description=d.get("description") or "",
            request_within_days=d.get("request_within_days"),
            evidence_required=bool(d.get("evidence_required")),
            position=d.get("position") or 0,
        )


class RetireForm(ChineseForm):
    effective_to = forms.DateField(label="失效日期", widget=DATE_INPUT, help_text="自该日起不再适用（不含当日）")


def _manager(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not exclusion_reasons_can_manage(user):
        raise PermissionDenied("只有热线中心的系统管理员或班长可以维护剔除原因清单")
    return user


def _add_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.details.get("field")
    form.add_error(field if isinstance(field, str) and field in form.fields else None, exc.message)


@login_required
def exclusion_reasons(request: HttpRequest) -> HttpResponse:
    """The list in force today and every version; POST adds a version."""
    user = _manager(request)
    initial: dict[str, Any] = {"effective_from": timezone.localdate(), "kind": request.GET.get("kind") or None}
    form = ReasonForm(data=request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                reason = exclusion_reason_add(actor=user, draft=form.draft())
            except DomainError as exc:
                _add_error(form, exc)
                status = exc.status
            else:
                messages.success(request, f"已添加「{reason.label}」，自 {reason.effective_from:%Y-%m-%d} 起生效")
                return redirect("web:exclusion_reasons")
        else:
            status = 400
    context = {
        "form": form,
        "in_force": exclusion_reasons_in_force(on=timezone.localdate()),
        "history": exclusion_reasons_history(),
        "today": timezone.localdate(),
    }
    return render(request, "web/exclusions/reasons.html", context, status=status)


@login_required
def exclusion_reason_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _manager(request)
    reason = get_object_or_404(ExclusionReason, pk=pk)
    form = RetireForm(data=request.POST or None, initial={"effective_to": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                exclusion_reason_retire(actor=user, reason=reason, effective_to=form.cleaned_data["effective_to"])
            except DomainError as exc:
                _add_error(form, exc)
                status = exc.status
            else:
                messages.success(request, f"「{reason.label}」自 {form.cleaned_data['effective_to']:%Y-%m-%d} 起停用")
                return redirect("web:exclusion_reasons")
        else:
            status = 400
    return render(request, "web/exclusions/retire.html", {"reason": reason, "form": form}, status=status)
