"""The "保存当前查询" form of the ticket list."""

from __future__ import annotations

from django import forms

from jiesu.tickets.services.saved_searches import NAME_MAX_LENGTH
from jiesu.web.forms.base import ChineseForm


class SavedSearchForm(ChineseForm):
    name = forms.CharField(
        label="查询名称",
        max_length=NAME_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "如：本周朝阳区噪音投诉"}),
    )

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("请填写查询名称")
        return name
