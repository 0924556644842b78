"""The ticket list's filter form and the new-ticket form."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from jiesu.orgs.choices import UnitKind
from jiesu.orgs.models import Unit
from jiesu.tickets.choices import AssessmentScope, Channel, Kind, TicketStatus, Urgency
from jiesu.tickets.models import Category
from jiesu.tickets.selectors import TicketSearch
from jiesu.tickets.selectors_queues import QUEUES
from jiesu.tickets.selectors_search import CALLBACK_OUTCOMES, TAGS
from jiesu.tickets.services.intake import TicketDraft
from jiesu.web.forms.base import ChineseForm, Pickers, with_blank

ORDER_LABELS = {
    "-received": "受理时间（新→旧）",
    "received": "受理时间（旧→新）",
    "deadline": "反馈时限（近→远）",
    "-deadline": "反馈时限（远→近）",
    "-closed": "办结时间（新→旧）",
    "closed": "办结时间（旧→新）",
    "number": "工单编号（小→大）",
    "-number": "工单编号（大→小）",
    "status": "状态",
    "-status": "状态（倒序）",
    "-urgency": "紧急程度（紧急在前）",
    "urgency": "紧急程度（一般在前）",
}
PHONE_RE = re.compile(r"^[0-9+\-() ]{3,32}$")
YES_NO = [("yes", "是"), ("no", "否")]
DATE_RANGES = (("received_from", "received_to"), ("closed_from", "closed_to"), ("deadline_from", "deadline_to"))


def _id_field(label: str, choices: list[Any], blank: str = "全部") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=with_blank(choices, blank), coerce=int, empty_value=None, required=False
    )


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class TicketFilterForm(ChineseForm):
    """GET filters of /tickets/; every field is optional."""

    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "标题、内容、工单编号或完整联系电话"}),
    )
    queue = forms.ChoiceField(label="队列", required=False)
    status = forms.MultipleChoiceField(
        label="状态（可多选）",
        required=False,
        choices=TicketStatus.choices,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    channel = forms.ChoiceField(label="受理渠道", required=False, choices=with_blank(Channel.choices))
    kind = forms.ChoiceField(label="诉求类型", required=False, choices=with_blank(Kind.choices))
    urgency = forms.ChoiceField(label="紧急程度", required=False, choices=with_blank(Urgency.choices))
    received_from = _date_field("受理日期从")
    received_to = _date_field("受理日期至")
    closed_from = _date_field("办结日期从")
    closed_to = _date_field("办结日期至")
    deadline_from = _date_field("反馈时限从")
    deadline_to = _date_field("反馈时限至")
    tags = forms.MultipleChoiceField(
        label="标签（含任一）",
        required=False,
        choices=[(key, label) for key, (_, label) in TAGS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    is_repeat = forms.ChoiceField(label="重复诉求", required=False, choices=with_blank(YES_NO))
    callback = forms.ChoiceField(
        label="回访结果",
        required=False,
        choices=with_blank([(k, label) for k, (_, label) in CALLBACK_OUTCOMES.items()]),
    )
    assessment_scope = forms.ChoiceField(label="考核范围", required=False, choices=with_blank(AssessmentScope.choices))
    overdue = forms.BooleanField(label="只看已超期", required=False)
    order = forms.ChoiceField(label="排序", required=False, choices=[(k, ORDER_LABELS[k]) for k in ORDER_LABELS])

    def __init__(self, *args: Any, pickers: Pickers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].choices = with_blank([(q.key, q.label) for q in QUEUES.values()])  # type: ignore[attr-defined]
        self.fields["district"] = _id_field("所属区", pickers.districts)
        self.fields["township"] = _id_field("所属街乡镇", pickers.townships)
        self.fields["community"] = _id_field("所属社区村", self._communities(), "全部（先选街乡镇）")
        self.fields["lead_unit"] = _id_field("主办单位（含下级）", pickers.handling_units)
        self.fields["category"] = _id_field("问题分类（含下级）", pickers.categories)
        self.order_fields(
            ["q", "status", "channel", "kind", "urgency", "district", "township", "community", "lead_unit", "category"]
        )

    def _communities(self) -> list[tuple[int, str]]:
        """The communities of the chosen township; a chosen community stays listed without one."""
        data = self.data if self.is_bound else {}
        township, community = data.get("township"), data.get("community")
        units = Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True)
        if township and str(township).isdigit():
            units = units.filter(parent_id=int(township))
        elif community and str(community).isdigit():
            units = units.filter(pk=int(community))
        else:
            return []
        return list(units.order_by("path").values_list("pk", "name")[:500])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for start, end in DATE_RANGES:
            if data.get(start) and data.get(end) and data[start] > data[end]:
                self.add_error(end, "结束日期不能早于开始日期")
        return data

    def search(self) -> TicketSearch:
        """The valid filters; a field in error is left out rather than failing the whole page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        dates: dict[str, Any] = {name: data.get(name) for pair in DATE_RANGES for name in pair}
        return TicketSearch(
            queue=data.get("queue") or "",
            statuses=tuple(data.get("status") or ()),
            channel=data.get("channel") or "",
            kind=data.get("kind") or "",
            urgency=data.get("urgency") or "",
            district_id=data.get("district"),
            township_id=data.get("township"),
            community_id=data.get("community"),
            lead_unit_id=data.get("lead_unit"),
            category_id=data.get("category"),
            **dates,
            keyword=data.get("q") or "",
            overdue=True if data.get("overdue") else None,
            is_repeat=_yes_no(data.get("is_repeat")),
            tags=tuple(data.get("tags") or ()),
            callback=data.get("callback") or "",
            assessment_scope=data.get("assessment_scope") or "",
            order=data.get("order") or "-received",
        )


class TicketCreateForm(ChineseForm):
    """What an agent types when taking an appeal; `draft()` turns it into a TicketDraft."""

    title = forms.CharField(label="标题", max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    content = forms.CharField(label="诉求内容", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    channel = forms.ChoiceField(label="受理渠道", choices=Channel.choices, initial=Channel.PHONE)
    kind = forms.ChoiceField(label="诉求类型", choices=Kind.choices, initial=Kind.CONSULTATION)
    urgency = forms.ChoiceField(label="紧急程度", choices=Urgency.choices, initial=Urgency.NORMAL)
    is_complex = forms.BooleanField(label="复杂疑难", required=False)
    requester_name = forms.CharField(label="诉求人姓名", required=False, max_length=64)
    requester_phone = forms.CharField(label="联系电话", required=False, max_length=32)
    requester_confidential = forms.BooleanField(label="诉求人要求保密", required=False)
    address = forms.CharField(label="发生地址", required=False, max_length=300)

    def __init__(self, *args: Any, pickers: Pickers, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"] = _id_field("所属区", pickers.districts, "请选择")
        self.fields["township"] = _id_field("所属街乡镇", pickers.townships, "请选择")
        self.fields["category"] = _id_field("问题分类", pickers.categories, "请选择")

    def clean_title(self) -> str:
        title: str = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("标题不能为空")
        return title

    def clean_requester_phone(self) -> str:
        phone: str = self.cleaned_data["requester_phone"].strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError("联系电话只能包含数字、空格和 + - ( )")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        district, township = data.get("district"), data.get("township")
        if district is not None and township is not None:
            inside = Unit.objects.filter(pk=township, path__contains=f"/{district}/").exists()
            if not inside:
                self.add_error("township", "所选街乡镇不属于所选区")
        return data

    def draft(self) -> TicketDraft:
        data = self.cleaned_data
        units = Unit.objects.in_bulk([pk for pk in (data.get("district"), data.get("township")) if pk])
        category = Category.objects.filter(pk=data["category"]).first() if data.get("category") else None
        return TicketDraft(
            title=data["title"],
            content=data["content"],
            channel=data["channel"],
            kind=data["kind"],
            urgency=data["urgency"],
            is_complex=data["is_complex"],
            requester_name=data["requester_name"],
            requester_phone=data["requester_phone"],
            requester_confidential=data["requester_confidential"],
            address=data["address"],
            district=units.get(data["district"]) if data.get("district") else None,
            township=units.get(data["township"]) if data.get("township") else None,
            category=category,
        )
