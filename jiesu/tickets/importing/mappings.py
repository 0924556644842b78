"""Named column mappings: which header means which field, and how values translate.

A mapping is data (`mappings/<name>.json`), so a new export layout needs no code:

    {"name": "…", "title": "…", "timezone": "Asia/Shanghai", "source": "import",
     "required": ["external_number", "title", "received_at"],
     "columns": {"<field>": ["<header>", "<alias>", …]},
     "values": {"<field>": {"<cell text>": "<our value>", …}},
     "booleans": {"是": true, "否": false, …}}

The fields are listed in FIELDS below; docs/import.md describes them for users.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import models

from jiesu.tickets.choices import AssessmentScope, Channel, Kind, Satisfaction, Urgency
from jiesu.tickets.importing.errors import ImportFileError

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class FieldType(StrEnum):
    TEXT = "text"
    DATETIME = "datetime"
    BOOL = "bool"
    CHOICE = "choice"
    UNIT = "unit"
    UNITS = "units"
    CATEGORY = "category"


@dataclass(frozen=True)
class FieldSpec:
    label: str  # the default (jiesu) header
    kind: FieldType
    max_length: int = 0
    choices: type[models.TextChoices] | None = None


T = FieldType
FIELDS: dict[str, FieldSpec] = {
    "external_number": FieldSpec("工单编号", T.TEXT, 64),
    "source": FieldSpec("来源平台", T.TEXT, 64),
    "channel": FieldSpec("受理渠道", T.CHOICE, choices=Channel),
    "received_at": FieldSpec("来电时间", T.DATETIME),
    "requester_name": FieldSpec("诉求人", T.TEXT, 64),
    "requester_phone": FieldSpec("联系电话", T.TEXT, 32),
    "requester_id_number": FieldSpec("证件号码", T.TEXT, 32),
    "requester_confidential": FieldSpec("是否保密", T.BOOL),
    "kind": FieldSpec("诉求类型", T.CHOICE, choices=Kind),
    "urgency": FieldSpec("紧急程度", T.CHOICE, choices=Urgency),
    "is_complex": FieldSpec("是否复杂", T.BOOL),
    "title": FieldSpec("标题", T.TEXT, 200),
    "content": FieldSpec("诉求内容", T.TEXT),
    "category": FieldSpec("问题分类", T.CATEGORY),
    "address": FieldSpec("发生地址", T.TEXT, 300),
    "district": FieldSpec("所属区", T.UNIT),
    "township": FieldSpec("所属街乡镇", T.UNIT),
    "community": FieldSpec("所属社区", T.UNIT),
    "lead_unit": FieldSpec("主办单位", T.UNIT),
    "assisting_units": FieldSpec("协办单位", T.UNITS),
    "acknowledged_at": FieldSpec("签收时间", T.DATETIME),
    "first_contacted_at": FieldSpec("首次联系时间", T.DATETIME),
    "dispatched_at": FieldSpec("派单时间", T.DATETIME),
    "unit_acknowledged_at": FieldSpec("单位签收时间", T.DATETIME),
    "replied_at": FieldSpec("反馈时间", T.DATETIME),
    "closed_at": FieldSpec("办结时间", T.DATETIME),
    "reply_text": FieldSpec("办理结果", T.TEXT),
    "returned": FieldSpec("是否退单", T.BOOL),
    "callback_at": FieldSpec("回访时间", T.DATETIME),
    "callback_valid": FieldSpec("是否有效回访", T.BOOL),
    "callback_contacted": FieldSpec("是否联系", T.BOOL),
    "callback_resolved": FieldSpec("是否解决", T.BOOL),
    "callback_satisfaction": FieldSpec("满意度", T.CHOICE, choices=Satisfaction),
    "assessment_scope": FieldSpec("考核范围", T.CHOICE, choices=AssessmentScope),
    "is_sensitive": FieldSpec("是否敏感", T.BOOL),
    "is_monthly_topic": FieldSpec("是否每月一题", T.BOOL),
    "is_repeat": FieldSpec("是否重复诉求", T.BOOL),
}

# Without these a row cannot become a ticket with a history, whatever the layout.
ESSENTIAL = ("external_number", "title", "received_at")
DEFAULT_BOOLEANS: dict[str, bool] = {"是": True, "否": False}


def fold(text: str) -> str:
    """The form cell values and headers are compared in: trimmed, inner blanks removed, casefolded."""
    return "".join(text.split()).casefold()


@dataclass(frozen=True)
class Mapping:
    name: str
    title: str
    timezone: ZoneInfo
    source: str
    required: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]  # field → header aliases, in order of preference
    values: dict[str, dict[str, str]]  # field → folded cell text → our value ("" = empty)
    booleans: dict[str, bool]  # folded cell text → value

    def header_label(self, field: str) -> str:
        aliases = self.columns.get(field)
        return aliases[0] if aliases else FIELDS[field].label


def mappings_available() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.json"))


def _text_dict(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ImportFileError(f"映射文件格式错误：{where} 必须是对象")
    return raw


def _parse(name: str, raw: dict[str, Any]) -> Mapping:
    columns: dict[str, tuple[str, ...]] = {}
    for field, aliases in _text_dict(raw.get("columns"), "columns").items():
        if field not in FIELDS:
            raise ImportFileError(f"映射「{name}」中有未知字段：{field}")
        alias_list = [aliases] if isinstance(aliases, str) else list(aliases)
        columns[field] = tuple(str(a) for a in alias_list)
    values = {
        field: {fold(str(k)): str(v) for k, v in _text_dict(table, f"values.{field}").items()}
        for field, table in _text_dict(raw.get("values", {}), "values").items()
    }
    booleans = {fold(str(k)): bool(v) for k, v in _text_dict(raw.get("booleans", DEFAULT_BOOLEANS), "booleans").items()}
    required = tuple(raw.get("required", ESSENTIAL))
    lacking = [f for f in ESSENTIAL if f not in required]
    if lacking:
        raise ImportFileError(f"映射「{name}」的 required 必须包含：{'、'.join(lacking)}")
    unknown = [f for f in (*required, *values) if f not in FIELDS]
    if unknown:
        raise ImportFileError(f"映射「{name}」中有未知字段：{'、'.join(unknown)}")
    try:
        zone = ZoneInfo(str(raw.get("timezone", "Asia/Shanghai")))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportFileError(f"映射「{name}」的时区无效：{raw.get('timezone')}") from exc
    return Mapping(
        name=name,
        title=str(raw.get("title", name)),
        timezone=zone,
        source=str(raw.get("source", "import")),
        required=required,
        columns=columns,
        values=values,
        booleans=booleans,
    )


def mapping_load(name: str) -> Mapping:
    """The mapping `name` from mappings/<name>.json, validated."""
    if not _NAME.match(name):
        raise ImportFileError(f"映射名称无效：{name}")
    path = MAPPINGS_DIR / f"{name}.json"
    if not path.is_file():
        raise ImportFileError(f"没有名为「{name}」的映射，可用的映射：{'、'.join(mappings_available())}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImportFileError(f"映射文件「{name}」无法读取：{exc}") from exc
    return _parse(name, _text_dict(raw, name))
