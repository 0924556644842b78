"""Knowledge-base forms: the search box with its filters, one entry form per library (built from
`jiesu.knowledge.libraries`, so labels and required fields are said once), reject, diff, import."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from jiesu.core.errors import DomainError
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.libraries import CONTACT_LABELS, FieldSpec, Kind, library_spec
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.services import REASON_MAX
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category
from jiesu.web.forms.base import ChineseForm, Pickers, with_blank

YES_NO_BLANK = [("", "请选择"), ("yes", "是"), ("no", "否")]
_TAG_SPLIT = re.compile(r"[、，,；;\s]+")
# 5,000 rows (exchange.MAX_ROWS) of long policy texts stay well below this; a bigger upload is refused
# before openpyxl unpacks it.
IMPORT_MAX_BYTES = 20 * 1024 * 1024
CONTACTS_HELP = "每行一位：姓名 职务 电话，可再加手机、邮箱，以空格分隔，如：张伟 科长 010-84001234"


class KnowledgeSearchForm(ChineseForm):
    q = forms.CharField(label="搜索", required=False, max_length=200)
    library = forms.MultipleChoiceField(
        label="知识库", required=False, choices=Library.choices, widget=forms.CheckboxSelectMultiple
    )
    valid = forms.BooleanField(label="仅显示有效期内", required=False)

    def __init__(self, *args: Any, pickers: Pickers, editor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        box = self.fields["q"].widget
        box.input_type = "search"
        box.attrs["placeholder"] = "输入关键词，如：供暖 补贴"
        self.fields["category"] = forms.TypedChoiceField(
            label="问题分类", required=False, choices=with_blank(pickers.categories), coerce=int, empty_value=None
        )
        if editor:
            self.fields["status"] = forms.MultipleChoiceField(
                label="状态", required=False, choices=EntryStatus.choices, widget=forms.CheckboxSelectMultiple
            )

    def category(self) -> Category | None:
        pk = self.cleaned_data.get("category")
        return Category.objects.filter(pk=pk).first() if pk else None

    def statuses(self) -> tuple[str, ...]:
        chosen = tuple(self.cleaned_data.get("status") or ())
        return chosen or (EntryStatus.PUBLISHED,)

    def valid_on(self) -> date | None:
        return timezone.localdate() if self.cleaned_data.get("valid") else None


def contacts_format(contacts: list[dict[str, str]]) -> str:
    """The contacts as the textarea shows them: one per line, fields separated by spaces."""
    lines = []
    for contact in contacts:
        parts = [contact.get(key, "") or "-" for key in ("name", "role", "phone")]
        parts += [contact[key] for key in ("mobile", "email") if contact.get(key)]
        lines.append(" ".join(parts))
    return "\n".join(lines)


def contacts_parse(text: str) -> list[dict[str, str]]:
    """One contact per line: 姓名 职务 电话 [手机] [邮箱]; "-" leaves a field empty."""
    contacts = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        email = next((p for p in parts if "@" in p), "")
        rest = [p for p in parts if p != email]
        if len(rest) > 4:
            raise forms.ValidationError(f"第 {number} 行多了内容，应为：姓名 职务 电话 手机 邮箱（以空格分隔）")
        contact = dict.fromkeys(CONTACT_LABELS, "")
        for key, value in zip(("name", "role", "phone", "mobile"), rest, strict=False):
            contact[key] = "" if value == "-" else value
        contact["email"] = email
        contacts.append(contact)
    return contacts


def _unit_choices() -> list[tuple[int, str]]:
    return [(u.pk, u.name) for u in Unit.objects.filter(is_active=True).order_by("path")]


def _form_field(spec: FieldSpec, pickers: Pickers) -> forms.Field:
    required = spec.required and spec.kind != Kind.BOOL
    if spec.kind == Kind.LONG_TEXT:
        return forms.CharField(label=spec.label, required=required, widget=forms.Textarea(attrs={"rows": 6}))
    if spec.kind == Kind.DATE:
        return forms.DateField(
            label=spec.label, required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        )
    if spec.kind == Kind.BOOL:
        return forms.ChoiceField(label=spec.label, required=spec.required, choices=YES_NO_BLANK)
    if spec.kind == Kind.UNIT:
        choices = with_blank(_unit_choices(), "请选择")
        return forms.TypedChoiceField(
            label=spec.label, required=required, choices=choices, coerce=int, empty_value=None
        )
    if spec.kind == Kind.CATEGORY:
        choices = with_blank(pickers.categories, "请选择")
        return forms.TypedChoiceField(
            label=spec.label, required=required, choices=choices, coerce=int, empty_value=None
        )
    if spec.kind == Kind.TAGS:
        return forms.CharField(label=spec.label, required=required, help_text="多个标签以顿号或空格分隔")
    if spec.kind == Kind.CONTACTS:
        return forms.CharField(
            label=spec.label, required=required, help_text=CONTACTS_HELP, widget=forms.Textarea(attrs={"rows": 4})
        )
    return forms.CharField(label=spec.label, required=required, max_length=spec.max_length)


def _initial(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return None
    if spec.kind == Kind.BOOL:
        return "yes" if value else "no"
    if spec.kind in (Kind.UNIT, Kind.CATEGORY):
        return value.pk
    if spec.kind == Kind.TAGS:
        return "、".join(value)
    if spec.kind == Kind.CONTACTS:
        return contacts_format(value)
    return value


class EntryForm(ChineseForm):
    """The fields of one library; `values()` gives the columns the services take."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, library: str, pickers: Pickers, entry: KnowledgeEntry | None = None, **kwargs: Any
    ) -> None:
        self.spec = library_spec(library)
        if entry is not None and "initial" not in kwargs:
            kwargs["initial"] = {f.name: _initial(f, getattr(entry, f.name)) for f in self.spec.fields}
            kwargs["initial"]["version"] = entry.version
        super().__init__(*args, **kwargs)
        self.editing = entry is not None
        for spec in self.spec.fields:
            self.fields[spec.name] = _form_field(spec, pickers)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.editing and data.get("version") is None:
            # Without the version the form was opened at, the optimistic lock would be skipped.
            raise forms.ValidationError("页面已过期，请刷新后重新编辑")
        if "contacts" in self.spec.names and "contacts" in data:
            try:
                data["contacts"] = contacts_parse(data["contacts"] or "")
            except forms.ValidationError as exc:
                self.add_error("contacts", exc)
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {}
        units = Unit.objects.in_bulk([data[f.name] for f in self.spec.fields if f.kind == Kind.UNIT and data[f.name]])
        for spec in self.spec.fields:
            value = data.get(spec.name)
            if spec.kind == Kind.BOOL:
                value = {"yes": True, "no": False}.get(value or "")
            elif spec.kind == Kind.UNIT:
                value = units.get(value) if value else None
            elif spec.kind == Kind.CATEGORY:
                value = Category.objects.filter(pk=value).first() if value else None
            elif spec.kind == Kind.TAGS:
                value = [t for t in _TAG_SPLIT.split(value or "") if t]
            values[spec.name] = value
        return values

    def show_domain_error(self, exc: DomainError) -> None:
        """Put a service's refusal beside the fields it names, else above the form."""
        fields = exc.details.get("fields")
        if isinstance(fields, dict) and fields:
            for name, message in fields.items():
                self.add_error(name if name in self.fields else None, str(message))
            return
        field = exc.details.get("field")
        self.add_error(field if isinstance(field, str) and field in self.fields else None, exc.message)


class RejectForm(ChineseForm):
    reason = forms.CharField(label="退回原因", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(ChineseForm):
    library = forms.ChoiceField(label="知识库", choices=Library.choices)
    file = forms.FileField(label="Excel 文件", help_text="使用本页导出的 .xlsx 格式：第一行为列名")

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if Path(upload.name or "").suffix.lower() != ".xlsx":
            raise forms.ValidationError("只支持 .xlsx 文件")
        if (upload.size or 0) > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"文件过大：最大 {IMPORT_MAX_BYTES // (1024 * 1024)} MB")
        return upload


class ExportForm(ChineseForm):
    library = forms.ChoiceField(label="知识库", choices=Library.choices)


class AttachmentForm(ChineseForm):
    """The file itself is checked by `jiesu.knowledge.attachments` (types, size), whose Chinese
    refusal the view puts beside this field."""

    file = forms.FileField(label="附件", help_text="PDF、OFD、Word、Excel、WPS、文本或 JPG/PNG 图片")
