"""Which columns of `KnowledgeEntry` each library uses, their Chinese labels, and validation.

One table holds all five libraries (see models.py); this module is the one place that says what a
policy or a liaison entry consists of. Forms, the API, the Excel exchange and the services all read
it, so a label or a required field changes here only.

`entry_fields_clean` refuses with a `ValidationFailed` whose details carry `fields` (column →
Chinese message), `errors` (the messages) and `field` (the first failing column), the shapes the
web forms and the API already understand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from jiesu.core.errors import ValidationFailed
from jiesu.knowledge.choices import Library
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    BOOL = "bool"
    UNIT = "unit"
    CATEGORY = "category"
    TAGS = "tags"
    CONTACTS = "contacts"
    PHONE = "phone"


@dataclass(frozen=True)
class FieldSpec:
    name: str  # the KnowledgeEntry column
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    max_length: int | None = None


@dataclass(frozen=True)
class LibrarySpec:
    library: Library
    fields: tuple[FieldSpec, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def label(self, name: str) -> str:
        return self.field(name).label


CONTACT_KEYS = ("name", "role", "phone", "mobile", "email")
CONTACT_LABELS = {"name": "姓名", "role": "职务", "phone": "电话", "mobile": "手机", "email": "邮箱"}
# Digits with optional +country code, area-code dashes, spaces, brackets and an extension
# ("转 8001", "-8001", "ext. 8001"); the directory keeps numbers as people write them.
_PHONE = re.compile(r"^\+?[\d\s\-()（）]{3,24}((转|分机|ext\.?|x)\s*\d{1,6})?$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_TAGS = FieldSpec("tags", "标签", Kind.TAGS)
_CATEGORY = FieldSpec("category", "问题分类", Kind.CATEGORY)
_VALID_FROM = FieldSpec("valid_from", "生效日期", Kind.DATE)
_VALID_TO = FieldSpec("valid_to", "失效日期", Kind.DATE)

LIBRARIES: dict[str, LibrarySpec] = {
    Library.POLICY: LibrarySpec(
        Library.POLICY,
        (
            FieldSpec("title", "标题", required=True, max_length=255),
            FieldSpec("document_number", "文号", max_length=128),
            FieldSpec("issuing_body", "发文机关", required=True, max_length=255),
            FieldSpec("issued_on", "发布日期", Kind.DATE),
            _VALID_FROM,
            _VALID_TO,
            _CATEGORY,
            _TAGS,
            FieldSpec("body", "全文", Kind.LONG_TEXT, required=True),
        ),
    ),
    Library.LIAISON: LibrarySpec(
        Library.LIAISON,
        (
            FieldSpec("title", "名录名称", required=True, max_length=255),
            FieldSpec("unit", "单位", Kind.UNIT, required=True),
            FieldSpec("contacts", "联系人", Kind.CONTACTS),
            FieldSpec("duty_phone", "值班电话", Kind.PHONE, max_length=64),
            FieldSpec("wecom_group", "企业微信群", max_length=255),
            _CATEGORY,
            _TAGS,
            FieldSpec("body", "备注", Kind.LONG_TEXT),
        ),
    ),
    Library.STANDARD_ANSWER: LibrarySpec(
        Library.STANDARD_ANSWER,
        (
            FieldSpec("title", "标题", required=True, max_length=255),
            _CATEGORY,
            FieldSpec("question", "问题", required=True, max_length=500),
            FieldSpec("body", "答复口径", Kind.LONG_TEXT, required=True),
            FieldSpec("script", "话术", Kind.LONG_TEXT),
            _VALID_FROM,
            _VALID_TO,
            _TAGS,
        ),
    ),
    Library.SECTOR_ISSUE: LibrarySpec(
        Library.SECTOR_ISSUE,
        (
            FieldSpec("title", "问题名称", required=True, max_length=255),
            FieldSpec("unit", "责任单位", Kind.UNIT, required=True),
            _CATEGORY,
            FieldSpec("body", "处理指引", Kind.LONG_TEXT, required=True),
            FieldSpec("excludable", "可申请剔除", Kind.BOOL, required=True),
            _VALID_FROM,
            _VALID_TO,
            _TAGS,
        ),
    ),
    Library.RESPONSIBILITY: LibrarySpec(
        Library.RESPONSIBILITY,
        (
            FieldSpec("title", "事项名称", required=True, max_length=255),
            FieldSpec("unit", "责任单位", Kind.UNIT, required=True),
            FieldSpec("legal_basis", "法定依据", Kind.LONG_TEXT, required=True),
            _CATEGORY,
            FieldSpec("body", "事项说明", Kind.LONG_TEXT),
            _TAGS,
        ),
    ),
}

# Every column a library may use; the services copy exactly these into a version snapshot.
CONTENT_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(n for spec in LIBRARIES.values() for n in spec.names))


def library_spec(library: str) -> LibrarySpec:
    try:
        return LIBRARIES[library]
    except KeyError:
        raise ValidationFailed(f"未知的知识库：{library}", field="library") from None


def phone_valid(value: str) -> bool:
    return bool(_PHONE.match(value.strip()))


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


def _clean_contacts(value: Any) -> tuple[list[dict[str, str]], str | None]:
    if not isinstance(value, list):
        return [], "联系人格式不正确"
    contacts: list[dict[str, str]] = []
    for number, raw in enumerate(value, start=1):
        if not isinstance(raw, Mapping):
            return [], f"第 {number} 位联系人格式不正确"
        contact = {key: str(raw.get(key) or "").strip() for key in CONTACT_KEYS}
        if not contact["name"]:
            return [], f"第 {number} 位联系人缺少姓名"
        for key in ("phone", "mobile"):
            if contact[key] and not phone_valid(contact[key]):
                return [], f"联系人{contact['name']}的{CONTACT_LABELS[key]}格式不正确：{contact[key]}"
        if contact["email"] and not _EMAIL.match(contact["email"]):
            return [], f"联系人{contact['name']}的邮箱格式不正确：{contact['email']}"
        contacts.append(contact)
    return contacts, None


def _clean_value(spec: FieldSpec, value: Any) -> tuple[Any, str | None]:
    """The value normalised for the column, and a Chinese error or None."""
    if spec.kind in (Kind.TEXT, Kind.LONG_TEXT, Kind.PHONE):
        text = str(value or "").strip()
        if spec.max_length and len(text) > spec.max_length:
            return text, f"{spec.label}不能超过 {spec.max_length} 个字"
        if spec.kind == Kind.PHONE and text and not phone_valid(text):
            return text, f"{spec.label}格式不正确：{text}"
        return text, None
    if spec.kind == Kind.DATE:
        if value is None or isinstance(value, date):
            return value, None
        return None, f"{spec.label}应为日期"
    if spec.kind == Kind.BOOL:
        return (value, None) if value is None or isinstance(value, bool) else (None, f"{spec.label}应为是或否")
    if spec.kind == Kind.UNIT:
        return (value, None) if value is None or isinstance(value, Unit) else (None, f"{spec.label}不存在")
    if spec.kind == Kind.CATEGORY:
        return (value, None) if value is None or isinstance(value, Category) else (None, f"{spec.label}不存在")
    if spec.kind == Kind.TAGS:
        if value is None:
            return [], None
        if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
            return [], f"{spec.label}格式不正确"
        return list(dict.fromkeys(t.strip() for t in value if t.strip())), None
    return _clean_contacts([] if value is None else value)


def _library_rules(library: str, cleaned: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if library == Library.LIAISON and not cleaned.get("contacts") and not cleaned.get("duty_phone"):
        errors["contacts"] = "请至少填写一位联系人或值班电话"
    start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["valid_to"] = "失效日期不能早于生效日期"
    return errors


def entry_fields_clean(library: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a complete set of `library`'s columns (missing ones count as empty).

    Returns the normalised values for every column of the library; columns of other libraries
    are refused, so that nothing is saved that the library's pages would never show."""
    spec = library_spec(library)
    errors: dict[str, str] = {}
    for name in values:
        if name not in spec.names:
            errors[name] = f"{Library(library).label}没有此项：{name}"
    cleaned: dict[str, Any] = {}
    for field in spec.fields:
        value, error = _clean_value(field, values.get(field.name))
        cleaned[field.name] = value
        if error is None and field.required and _blank(value):
            error = f"请填写{field.label}"
        if error is not None:
            errors[field.name] = error
    for name, error in _library_rules(library, cleaned).items():
        errors.setdefault(name, error)
    if errors:
        raise ValidationFailed(
            "；".join(errors.values()), fields=errors, errors=list(errors.values()), field=next(iter(errors))
        )
    return cleaned
