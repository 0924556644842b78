"""One small form per workflow action; each carries exactly the fields its action needs.

Field names follow `ActionInput`; the form is prefixed with the action so that all forms of a
detail page can live side by side, and carries the ticket `version` it was rendered from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from jiesu.tickets.choices import (
    AssessmentScope,
    CallbackOutcome,
    EventKind,
    ExclusionKind,
    Kind,
    Satisfaction,
    SectorAnswer,
    Urgency,
)
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_exclusions import exclusion_reasons_in_force
from jiesu.tickets.services.actions import ActionInput
from jiesu.tickets.services.reply_elements import reply_element_scheme_at
from jiesu.tickets.workflow import TRANSITIONS
from jiesu.web.forms.base import ChineseForm, Pickers, with_blank

E = EventKind
YES_NO = [("yes", "是"), ("no", "否")]

FIELDS: dict[str, tuple[str, ...]] = {
    E.ACKNOWLEDGED: (),
    E.CONTACTED: ("reached", "reason"),
    E.TRIAGED: ("category", "kind", "urgency", "is_complex", "reason"),
    E.SELF_HANDLED: ("text", "elements"),
    E.DISPATCHED: ("lead_unit", "assisting_units", "reason"),
    E.FORWARDED: ("lead_unit", "reason"),
    E.REDISPATCHED: ("lead_unit", "assisting_units", "reason"),
    E.UNIT_ACKNOWLEDGED: (),
    E.RETURN_REQUESTED: ("reason",),
    E.RETURN_APPROVED: ("reason",),
    E.RETURNED_TO_CITY: ("reason",),
    E.RETURN_REJECTED: ("reason",),
    E.URGED: ("reason",),
    E.SUPERVISED: ("reason",),
    E.EXTENSION_REQUESTED: ("until", "reason"),
    E.EXTENSION_APPROVED: ("until", "reason"),
    E.EXTENSION_REJECTED: ("reason",),
    E.SUSPENDED: ("reason",),
    E.RESUMED: ("reason",),
    E.REPLIED: ("text", "elements", "files"),
    E.CLOSED: ("reason",),
    E.REPLY_SENT_BACK: ("reason",),
    E.CALLBACK_RECORDED: ("contacted", "resolved", "satisfaction", "is_valid", "reason"),
    E.CALLBACK_ATTEMPTED: ("outcome", "contacted", "resolved", "satisfaction", "is_valid", "reason"),
    E.REWORK: ("reason",),
    E.REOPENED: ("reason",),
    E.MERGED: ("master_number", "reason"),
    E.EXCLUSION_REQUESTED: ("reason_code", "scope", "reason", "evidence"),
    E.EXCLUSION_APPROVED: ("reason",),
    E.EXCLUSION_REJECTED: ("reason",),
    E.UNREASONABLE_REQUESTED: ("reason_code", "scope", "reason", "evidence"),
    E.UNREASONABLE_APPROVED: ("reason",),
    E.UNREASONABLE_REJECTED: ("reason",),
    E.SECTOR_PUSHED: (),
    E.SECTOR_CONFIRMED: ("answer", "reason"),
    E.NOTE_ADDED: ("reason",),
}

REASON_LABELS: dict[str, str] = {
    E.CONTACTED: "联系情况",
    E.NOTE_ADDED: "备注内容",
    E.CALLBACK_RECORDED: "回访记录",
    E.CALLBACK_ATTEMPTED: "拨打情况说明",
    E.URGED: "催办内容",
    E.SUPERVISED: "督办意见",
    E.CLOSED: "审核意见",
    E.REPLY_SENT_BACK: "退回理由",
    E.DISPATCHED: "派单说明",
    E.FORWARDED: "下派说明",
    E.EXCLUSION_REQUESTED: "申请说明",
    E.UNREASONABLE_REQUESTED: "申请说明",
    E.EXCLUSION_APPROVED: "审核意见",
    E.EXCLUSION_REJECTED: "审核意见",
    E.UNREASONABLE_APPROVED: "审核意见",
    E.UNREASONABLE_REJECTED: "审核意见",
}
TEXT_LABELS: dict[str, str] = {E.REPLIED: "办理结果", E.SELF_HANDLED: "答复内容"}


def _yes_no(label: str, initial: str | None = None) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "yes", widget=forms.RadioSelect, initial=initial
    )


def _reason(event: str, ticket: Ticket, pickers: Pickers) -> forms.Field:
    label = REASON_LABELS.get(event, "原因/说明")
    return forms.CharField(
        label=label, required=TRANSITIONS[E(event)].needs_reason, widget=forms.Textarea(attrs={"rows": 2})
    )


# Actions whose unit selects get a search box and a deadline preview (web/tickets/_unit_search.html).
UNIT_SEARCH_EVENTS = frozenset({E.DISPATCHED, E.REDISPATCHED})


def _lead_unit(event: str, ticket: Ticket, pickers: Pickers) -> forms.Field:
    attrs: dict[str, str] = {}
    if event == E.FORWARDED:
        choices: list[Any] = pickers.units_below(ticket.lead_unit)
        label = "下派至"
    else:
        choices, label = pickers.handling_units, "主办单位"
    if event in UNIT_SEARCH_EVENTS:
        # Choosing a lead unit asks the server for the deadline the dispatch would set.
        attrs = {
            "hx-get": reverse("web:dispatch_preview", args=[ticket.number]),
            "hx-trigger": "change",
            "hx-target": f"#deadline-preview-{event}",
            "aria-describedby": f"deadline-preview-{event}",
        }
    return forms.TypedChoiceField(
        label=label,
        choices=with_blank(choices, "请选择…"),
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs=attrs),
    )


def _elements(event: str, ticket: Ticket, pickers: Pickers) -> forms.Field | None:
    """The checklist of the reply-element scheme in force; no field when none is set."""
    scheme = reply_element_scheme_at(timezone.now())
    if scheme is None:
        return None
    elements = list(scheme.elements.all())
    required = "、".join(e.label for e in elements if e.required)
    return forms.MultipleChoiceField(
        label=f"反馈要素（{scheme.name}）",
        required=False,
        choices=[(e.code, f"{e.label}{'' if e.required else '（选填）'}") for e in elements],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "reply-elements"}),
        help_text=f"请逐项确认反馈内容已写明：{required}" if required else "",
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more uploaded files (the reply's attachments)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items if item]


def _assisting(event: str, ticket: Ticket, pickers: Pickers) -> forms.Field:
    return forms.TypedMultipleChoiceField(
        label="协办单位",
        required=False,
        coerce=int,
        choices=pickers.handling_units,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="可多选（按住 Ctrl）",
    )


def _category(event: str, ticket: Ticket, pickers: Pickers) -> forms.Field:
    return forms.TypedChoiceField(
        label="问题分类",
        required=False,
        coerce=int,
        empty_value=None,
        choices=with_blank(pickers.categories, "（未分类）"),
        initial=ticket.category_id,
    )


def _until(event: str, ticket: Ticket, pickers: Pickers) -> forms.Field:
    return forms.DateTimeField(
        label="新的反馈时限" if event == E.EXTENSION_REQUESTED else "批准的时限（不填则按申请）",
        required=event == E.EXTENSION_REQUESTED,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _reason_code(event: str, ticket: Ticket, pickers: Pickers) -> forms.Field:
    """The reasons of the list in force today, of the request's kind, with their conditions."""
    kind = ExclusionKind.UNREASONABLE if event == E.UNREASONABLE_REQUESTED else ExclusionKind.EXCLUSION
    choices = []
    for reason in exclusion_reasons_in_force(on=timezone.localdate(), kind=kind):
        notes = [AssessmentScope(reason.default_scope).label]
        if reason.request_within_days is not None:
            notes.append(f"办结后{reason.request_within_days}天内")
        if reason.evidence_required:
            notes.append("须佐证材料")
        choices.append((reason.code, f"{reason.label}（{'，'.join(notes)}）"))
    label = "认定依据" if kind == ExclusionKind.UNREASONABLE else "剔除原因"
    return forms.ChoiceField(label=label, choices=with_blank(choices, "请选择…"))


FieldFactory = Callable[[str, Ticket, Pickers], forms.Field | None]

FACTORIES: dict[str, FieldFactory] = {
    "reason": _reason,
    "text": lambda e, t, p: forms.CharField(label=TEXT_LABELS.get(e, "内容"), widget=forms.Textarea(attrs={"rows": 4})),
    "lead_unit": _lead_unit,
    "assisting_units": _assisting,
    "category": _category,
    "kind": lambda e, t, p: forms.ChoiceField(label="诉求类型", choices=Kind.choices, initial=t.kind),
    "urgency": lambda e, t, p: forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=t.urgency),
    "is_complex": lambda e, t, p: forms.BooleanField(label="复杂疑难", required=False, initial=t.is_complex),
    "until": _until,
    "reached": lambda e, t, p: _yes_no("是否联系上诉求人", "yes"),
    "contacted": lambda e, t, p: _yes_no("是否联系"),
    "resolved": lambda e, t, p: _yes_no("是否解决"),
    "satisfaction": lambda e, t, p: forms.ChoiceField(
        label="满意度", choices=Satisfaction.choices, widget=forms.RadioSelect
    ),
    "is_valid": lambda e, t, p: forms.BooleanField(label="有效回访", required=False, initial=True),
    "outcome": lambda e, t, p: forms.ChoiceField(
        label="拨打结果", choices=CallbackOutcome.choices, widget=forms.RadioSelect, initial=CallbackOutcome.REACHED
    ),
    "master_number": lambda e, t, p: forms.CharField(label="主工单编号", max_length=32),
    "reason_code": _reason_code,
    "scope": lambda e, t, p: forms.ChoiceField(
        label="申请的考核范围",
        required=False,
        choices=with_blank(
            [(s, AssessmentScope(s).label) for s in (AssessmentScope.EXCLUDED, AssessmentScope.RESPONSE_ONLY)],
            "按所选原因的默认范围",
        ),
    ),
    "answer": lambda e, t, p: forms.ChoiceField(
        label="是否属于本行业", choices=SectorAnswer.choices, widget=forms.RadioSelect
    ),
    "elements": _elements,
    "files": lambda e, t, p: MultipleFileField(label="附件（可多选）", required=False),
    "evidence": lambda e, t, p: MultipleFileField(label="佐证材料（可多选）", required=False),
}


CALLBACK_ANSWERS = ("contacted", "resolved", "satisfaction")


class ActionForm(ChineseForm):
    """The form of one action on one ticket."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *, event: str, ticket: Ticket, pickers: Pickers, data: Any = None, files: Any = None) -> None:
        super().__init__(data=data, files=files, prefix=event, initial={"version": ticket.version})
        self.event = event
        self.label = E(event).label
        for name in FIELDS[event]:
            field = FACTORIES[name](event, ticket, pickers)
            if field is not None:
                self.fields[name] = field
        if event == E.CALLBACK_ATTEMPTED:
            for name in CALLBACK_ANSWERS:  # asked only when the call got through (see clean)
                self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.event == E.CALLBACK_ATTEMPTED and data.get("outcome") == CallbackOutcome.REACHED:
            for name in CALLBACK_ANSWERS:
                if data.get(name) in (None, ""):
                    self.add_error(name, "已接通的回访须填写此项")
        return data

    @property
    def has_unit_search(self) -> bool:
        return self.event in UNIT_SEARCH_EVENTS

    def uploaded_files(self) -> list[UploadedFile]:
        return [*(self.cleaned_data.get("files") or []), *(self.cleaned_data.get("evidence") or [])]

    @property
    def is_plain(self) -> bool:
        """True when the action needs nothing but a click."""
        return not FIELDS[self.event]

    def refresh_version(self, version: int) -> None:
        """Keep the typed input but take the current version, so a deliberate resubmit applies."""
        if isinstance(self.data, QueryDict):
            data = self.data.copy()
            data[self.add_prefix("version")] = str(version)
            self.data = data

    def action_input(self) -> ActionInput:
        d = self.cleaned_data
        return ActionInput(
            reason=d.get("reason") or "",
            text=d.get("text") or "",
            lead_unit_id=d.get("lead_unit"),
            assisting_unit_ids=list(d.get("assisting_units") or []),
            category_id=d.get("category"),
            kind=d.get("kind") or None,
            urgency=d.get("urgency") or None,
            is_complex=d.get("is_complex"),
            until=d.get("until"),
            reached=d.get("reached", True),
            contacted=d.get("contacted"),
            resolved=d.get("resolved"),
            satisfaction=d.get("satisfaction") or "",
            is_valid=d.get("is_valid", True),
            outcome=d.get("outcome") or "",
            master_number=d.get("master_number") or "",
            reason_code=d.get("reason_code") or "",
            scope=d.get("scope") or "",
            answer=d.get("answer") or "",
            elements=list(d.get("elements") or []),
        )
