"""The audit viewer's filter form (GET)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from jiesu.audit.models import AuditResult
from jiesu.audit.selectors import AuditSearch
from jiesu.web.forms.base import ChineseForm, with_blank


def _day_start(day: date | None, *, plus_days: int = 0) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day + timedelta(days=plus_days), time.min))


class AuditFilterForm(ChineseForm):
    """Every field is optional; dates are whole days in local time, both ends included."""

    occurred_from = forms.DateField(label="日期从", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    occurred_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label="操作人账号", required=False, max_length=150)
    action = forms.CharField(label="操作（前缀）", required=False, max_length=64)
    object_type = forms.CharField(label="对象类型", required=False, max_length=64)
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    result = forms.ChoiceField(label="结果", required=False, choices=with_blank(AuditResult.choices))
    source_address = forms.GenericIPAddressField(label="来源地址", required=False)

    def search(self) -> AuditSearch:
        """The validated filters; an invalid form filters nothing rather than failing."""
        data = self.cleaned_data if self.is_valid() else {}
        return AuditSearch(
            occurred_from=_day_start(data.get("occurred_from")),
            occurred_to=_day_start(data.get("occurred_to"), plus_days=1),
            actor=(data.get("actor") or "").strip(),
            action=(data.get("action") or "").strip(),
            object_type=(data.get("object_type") or "").strip(),
            object_id=(data.get("object_id") or "").strip(),
            result=data.get("result") or "",
            source_address=data.get("source_address") or "",
        )
