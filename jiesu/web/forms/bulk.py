"""The bulk bar of the ticket list: which action, on which tickets, with what (unit, note)."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from jiesu.tickets.choices import EventKind
from jiesu.tickets.services.actions import ActionInput
from jiesu.web.forms.base import ChineseForm, Pickers, with_blank

# The buttons of the bar; 签收 becomes the unit's own acknowledgement for unit staff (see event()).
BULK_CHOICES = [("acknowledge", "签收"), ("dispatch", "派单"), ("urge", "催办"), ("export", "导出所选")]
NUMBER = re.compile(r"^[0-9A-Za-z_-]{1,32}$")


class NumbersField(forms.MultipleChoiceField):
    """Ticket numbers ticked in the list's table; any well-formed number is accepted here because
    the services keep only those in the user's scope."""

    widget = forms.MultipleHiddenInput

    def valid_value(self, value: str) -> bool:
        return bool(NUMBER.match(value))


class BulkForm(ChineseForm):
    action = forms.ChoiceField(label="操作", choices=BULK_CHOICES)
    numbers = NumbersField(label="工单", required=False)
    lead_unit = forms.TypedChoiceField(label="主办单位", coerce=int, required=False, empty_value=None)
    assisting_units = forms.TypedMultipleChoiceField(
        label="协办单位", coerce=int, required=False, widget=forms.SelectMultiple(attrs={"size": 6})
    )
    reason = forms.CharField(
        label="派单说明 / 催办内容", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, data: Any = None, *, pickers: Pickers, initial: dict[str, Any] | None = None) -> None:
        super().__init__(data, initial=initial)
        self.fields["lead_unit"].choices = with_blank(pickers.handling_units, "请选择")  # type: ignore[attr-defined]
        self.fields["assisting_units"].choices = pickers.handling_units  # type: ignore[attr-defined]

    def clean_numbers(self) -> list[str]:
        numbers: list[str] = self.cleaned_data.get("numbers") or []
        if not numbers:
            raise forms.ValidationError("请先勾选工单")
        return numbers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "dispatch" and not data.get("lead_unit"):
            self.add_error("lead_unit", "批量派单请选择主办单位")
        if action == "urge" and not (data.get("reason") or "").strip():
            self.add_error("reason", "请填写催办内容")
        return data

    def event(self, *, center: bool) -> str:
        action = self.cleaned_data["action"]
        if action == "acknowledge":
            return EventKind.ACKNOWLEDGED if center else EventKind.UNIT_ACKNOWLEDGED
        return {"dispatch": EventKind.DISPATCHED, "urge": EventKind.URGED}[action]

    def action_input(self) -> ActionInput:
        d = self.cleaned_data
        return ActionInput(
            reason=d.get("reason") or "",
            lead_unit_id=d.get("lead_unit"),
            assisting_unit_ids=list(d.get("assisting_units") or []),
        )
