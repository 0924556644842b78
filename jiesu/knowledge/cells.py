"""Turning knowledge-entry values into spreadsheet cells and back (used by `exchange`).

Units and categories are written as "名称（编码）" and read back by code, by that form or by an
unambiguous name; contacts as "姓名/职务/电话；…" with 手机 and 邮箱 appended when present; tags
separated by "、"; yes/no as 是/否.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, TypeVar

from jiesu.knowledge.libraries import CONTACT_LABELS, Kind
from jiesu.knowledge.selectors import contact_display
from jiesu.orgs.models import Unit
from jiesu.tickets.models import Category

_CODE_SUFFIX = re.compile(r"^(?P<name>.*?)[（(](?P<code>[^（）()]+)[）)]\s*$")
_TAG_SPLIT = re.compile(r"[、，,；;\n]+")
_CONTACT_SPLIT = re.compile(r"[；;\n]+")
_EXTRA_KEYS = {label: key for key, label in CONTACT_LABELS.items()}
T = TypeVar("T")
TRUE_WORDS = frozenset({"是", "可", "可以", "y", "yes", "true", "1"})
FALSE_WORDS = frozenset({"否", "不可", "不可以", "n", "no", "false", "0"})


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and names no row (the caller adds it)."""


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or code typed as a number
    return str(value).strip()


def cell_write(kind: Kind, value: Any) -> Any:
    """The cell value for one column of an entry."""
    if value is None:
        return ""
    if kind == Kind.BOOL:
        return "是" if value else "否"
    if kind == Kind.UNIT:
        return f"{value.name}（{value.code}）" if value.code else value.name
    if kind == Kind.CATEGORY:
        return f"{value.full_name or value.name}（{value.code}）"
    if kind == Kind.TAGS:
        return "、".join(value)
    if kind == Kind.CONTACTS:
        return "；".join(contact_display(c) for c in value)
    return value


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value).replace("/", "-").replace(".", "-")
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        parts = text.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
        raise CellError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"应填写“是”或“否”：{text}")


def _one(found: list[T], text: str, what: str) -> T:
    if len(found) == 1:
        return found[0]
    if not found:
        raise CellError(f"{what}不存在：{text}")
    raise CellError(f"{what}名称不唯一，请写编码：{text}")


def unit_find(text: str) -> Unit:
    match = _CODE_SUFFIX.match(text)
    code = match.group("code").strip() if match else text
    found = list(Unit.objects.filter(code=code)[:2])
    if not found and not match:
        found = list(Unit.objects.filter(name=text)[:2])
    return _one(found, text, "单位")


def category_find(text: str) -> Category:
    match = _CODE_SUFFIX.match(text)
    code = match.group("code").strip() if match else text
    found = list(Category.objects.filter(code=code)[:2])
    if not found and not match:
        found = list(Category.objects.filter(full_name=text)[:2]) or list(Category.objects.filter(name=text)[:2])
    return _one(found, text, "问题分类")


def _contact(text: str) -> dict[str, str]:
    parts = [p.strip() for p in text.split("/")]
    contact = dict.fromkeys(CONTACT_LABELS, "")
    positional = [p for p in parts if not re.match(r"^(手机|邮箱)[:：]", p)]
    if len(positional) > 3:
        raise CellError(f"联系人应写成“姓名/职务/电话”：{text}")
    for key, value in zip(("name", "role", "phone"), positional, strict=False):
        contact[key] = value
    for part in parts:
        if match := re.match(r"^(手机|邮箱)[:：]\s*(.*)$", part):
            contact[_EXTRA_KEYS[match.group(1)]] = match.group(2).strip()
    return contact


def cell_read(kind: Kind, value: Any) -> Any:
    """The entry value for a cell; raises CellError with a Chinese message."""
    if kind == Kind.DATE:
        return _date(value)
    if kind == Kind.BOOL:
        return _bool(value)
    text = cell_text(value)
    if kind == Kind.UNIT:
        return unit_find(text) if text else None
    if kind == Kind.CATEGORY:
        return category_find(text) if text else None
    if kind == Kind.TAGS:
        return [t.strip() for t in _TAG_SPLIT.split(text) if t.strip()]
    if kind == Kind.CONTACTS:
        return [_contact(c) for c in _CONTACT_SPLIT.split(text) if c.strip()]
    return text
