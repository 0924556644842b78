"""Knowledge entries for the web tests, written through the services as production data is."""

from __future__ import annotations

from typing import Any

from jiesu.knowledge.choices import Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.services import entry_create, entry_publish
from jiesu.orgs.testing import World
from jiesu.tickets.models import Category

HEATING_ANSWER = "您好，供暖期内室温低于十八度的，可联系供热单位入户检测，检测不达标的按日退还供暖费。"


def category(code: str, name: str) -> Category:
    made = Category.objects.create(code=code, name=name, level=1)
    made.path, made.full_name = f"/{made.pk}/", name
    made.save(update_fields=["path", "full_name"])
    return made


def published(world: World, library: str, **fields: Any) -> KnowledgeEntry:
    entry = entry_create(actor=world.knowledge_editor, library=library, **fields)
    return entry_publish(entry=entry, actor=world.knowledge_editor)


def heating_policy(world: World, **extra: Any) -> KnowledgeEntry:
    return published(
        world,
        Library.POLICY,
        title="居民供暖费补贴发放办法",
        issuing_body="市城市管理委员会",
        document_number="京管发〔2026〕3号",
        body="享受低保待遇的家庭可以申请供暖费补贴，由街道审核后按季度发放。室温不达标的可申请退费。",
        **extra,
    )


def heating_answer(world: World) -> KnowledgeEntry:
    return published(
        world,
        Library.STANDARD_ANSWER,
        title="暖气不热的答复口径",
        question="家中暖气不热、室温不达标怎么办",
        body=HEATING_ANSWER,
    )
