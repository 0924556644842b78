"""Knowledge for a ticket: the matching policy, standard answer, sector issue and responsible
unit, and similar closed tickets; readers only, within the viewer's scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.search.index import entry_reindex
from jiesu.knowledge.suggestions import knowledge_for_ticket, ticket_query_text
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch, handling
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db

NOISE = "市民来电反映小区旁工地夜间施工，噪音很大，晚上十一点还在打桩，影响休息。"


def _entry(library: str, title: str, body: str, **fields: Any) -> KnowledgeEntry:
    fields.setdefault("status", EntryStatus.PUBLISHED)
    entry = KnowledgeEntry.objects.create(library=library, title=title, body=body, **fields)
    entry_reindex(entry)
    return entry


@pytest.fixture
def library(world: World) -> dict[str, KnowledgeEntry]:
    """One entry about night construction noise in each library, and one unrelated beside it."""
    return {
        "policy": _entry(
            Library.POLICY, "建筑施工噪声污染防治规定", "夜间施工须取得夜间施工许可，禁止夜间施工噪音扰民。"
        ),
        "other_policy": _entry(Library.POLICY, "最低生活保障审核办法", "家庭人均收入低于低保标准的可以申请低保。"),
        "answer": _entry(
            Library.STANDARD_ANSWER,
            "夜间施工噪音投诉答复口径",
            "您反映的工地夜间施工噪音问题，已转城管执法部门核查。",
            question="工地夜间施工噪音扰民怎么办",
        ),
        "issue": _entry(
            Library.SECTOR_ISSUE, "工地夜间施工噪音", "由属地街道会同城管执法队处理。", unit=world.township
        ),
        "duty": _entry(
            Library.RESPONSIBILITY,
            "建设工程夜间施工噪音的查处",
            "对未经许可夜间施工造成噪音污染的行为进行查处。",
            unit=world.district,
            legal_basis="《中华人民共和国噪声污染防治法》",
        ),
        "other_duty": _entry(
            Library.RESPONSIBILITY, "最低生活保障的审核确认", "对低保申请进行审核确认。", unit=world.office
        ),
        "draft": _entry(Library.POLICY, "夜间施工噪音管理办法（草稿）", "夜间施工噪音。", status=EntryStatus.DRAFT),
    }


def _closed_noise_ticket(world: World) -> Ticket:
    ticket = new_ticket(world, "工地夜里施工太吵", content="附近工地夜间施工噪音大，孩子没法睡觉。")
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    handling.ticket_self_handle(ticket=ticket, actor=world.agent, answer="已转城管执法部门核查。")
    return Ticket.objects.get(pk=ticket.pk)


def test_the_query_is_the_title_and_key_words_not_the_whole_content(world: World) -> None:
    ticket = new_ticket(world, "工地夜间施工扰民", content=NOISE)
    text = ticket_query_text(ticket)
    assert text.startswith("工地夜间施工扰民") and "噪音" in text
    assert "来电" not in text and "十一点" not in text


def test_a_ticket_gets_the_matching_policy_answer_issue_and_responsible_unit(
    world: World, library: dict[str, KnowledgeEntry]
) -> None:
    closed = _closed_noise_ticket(world)
    ticket = new_ticket(world, "小区旁工地夜间施工噪音扰民", content=NOISE)
    found = knowledge_for_ticket(ticket=ticket, viewer=world.agent)
    assert [h.entry for h in found.policies] == [library["policy"]]  # not the draft, not 低保
    assert [h.entry for h in found.standard_answers] == [library["answer"]]
    assert [h.entry for h in found.sector_issues] == [library["issue"]]
    assert [(r.hit.entry, r.unit) for r in found.responsible_units] == [(library["duty"], world.district)]
    assert [(s.ticket, s.reply_text) for s in found.similar_tickets] == [(closed, "已转城管执法部门核查。")]
    assert "<mark>" in found.policies[0].title_html


def test_an_expired_entry_is_not_suggested(world: World, library: dict[str, KnowledgeEntry]) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    KnowledgeEntry.objects.filter(pk=library["policy"].pk).update(valid_to=yesterday)
    ticket = new_ticket(world, "小区旁工地夜间施工噪音扰民", content=NOISE)
    assert knowledge_for_ticket(ticket=ticket, viewer=world.agent).policies == []


def test_an_unrelated_ticket_gets_nothing_about_noise(world: World, library: dict[str, KnowledgeEntry]) -> None:
    _closed_noise_ticket(world)
    ticket = new_ticket(world, "路灯不亮", content="小区门口路灯坏了一个月，晚上很黑。")
    found = knowledge_for_ticket(ticket=ticket, viewer=world.agent)
    assert found.is_empty


def test_similar_tickets_follow_the_ticket_scope_and_entries_need_a_reader(
    world: World, library: dict[str, KnowledgeEntry]
) -> None:
    _closed_noise_ticket(world)
    ticket = new_ticket(world, "小区旁工地夜间施工噪音扰民", content=NOISE)
    other_unit = knowledge_for_ticket(ticket=ticket, viewer=world.other_staff)
    assert other_unit.similar_tickets == [] and other_unit.policies  # the library is not scoped
    admin = knowledge_for_ticket(ticket=ticket, viewer=world.system_admin)
    assert admin.is_empty  # an admin role reads neither tickets nor the knowledge base
