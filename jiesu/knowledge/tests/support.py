"""Shared helpers for the knowledge tests: entries built through the services, as in production."""

from __future__ import annotations

from datetime import date
from typing import Any

from jiesu.knowledge.choices import Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.services import entry_create, entry_publish, entry_submit
from jiesu.orgs.models import User
from jiesu.orgs.testing import World


def policy_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "最低生活保障审核办法",
        "document_number": "测试〔2026〕1号",
        "issuing_body": "北京市民政局",
        "issued_on": date(2026, 1, 5),
        "body": "共同生活的家庭成员人均收入低于低保标准的，可以申请最低生活保障。",
        "tags": ["低保"],
    }
    fields.update(overrides)
    return fields


def make_policy(actor: User | None, **overrides: Any) -> KnowledgeEntry:
    return entry_create(actor=actor, library=Library.POLICY, **policy_fields(**overrides))


def published_policy(world: World, **overrides: Any) -> KnowledgeEntry:
    entry = make_policy(world.agent, **overrides)
    entry_submit(entry=entry, actor=world.agent)
    return entry_publish(entry=entry, actor=world.knowledge_editor)


def make_liaison(world: World, **overrides: Any) -> KnowledgeEntry:
    fields: dict[str, Any] = {
        "title": "望京街道民生保障办",
        "unit": world.township,
        "contacts": [
            {"name": "杨静", "role": "专员", "phone": "010-0052 6001", "mobile": "", "email": ""},
            {"name": "李明", "role": "主任", "phone": "010-0052 6002 转 18", "mobile": "", "email": "li@example.org"},
        ],
        "duty_phone": "010-0052 6000",
        "wecom_group": "望京·接诉即办",
    }
    fields.update(overrides)
    return entry_create(actor=world.knowledge_editor, library=Library.LIAISON, **fields)
