"""The remit check: a matching responsibility-list entry naming a body outside the center, or
earlier tickets about the same matter that were returned, give a return suggestion with reasons."""

from __future__ import annotations

from typing import Any

import pytest

from jiesu.intel.remit import CITY_OWNER, remit_check
from jiesu.knowledge.choices import EntryStatus, Library
from jiesu.knowledge.models import KnowledgeEntry
from jiesu.knowledge.search.index import entry_reindex
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.services import dispatch
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db
FUND = "小区房屋维修资金使用不透明"
FUND_TEXT = "业主反映房屋维修资金的使用情况从未公示，希望查明资金去向。"
BIKES = "小区门口共享单车乱停乱放"
BIKES_TEXT = "共享单车堆满小区门口人行道，无法通行。"


def _duty(title: str, **fields: Any) -> KnowledgeEntry:
    entry = KnowledgeEntry.objects.create(
        library=Library.RESPONSIBILITY, status=EntryStatus.PUBLISHED, title=title, legal_basis="演示依据", **fields
    )
    entry_reindex(entry)
    return entry


def test_an_entry_naming_a_body_outside_the_center(world: World) -> None:
    housing = unit_create(name="市住房和城乡建设委员会", kind=UnitKind.DEPARTMENT, code="ZJW")
    entry = _duty("房屋维修资金的使用和管理", unit=housing)
    verdict = remit_check(new_ticket(world, title=FUND, content=FUND_TEXT))
    assert verdict is not None and verdict.outside_center
    assert [e.entry_id for e in verdict.entries] == [entry.pk]
    assert verdict.likely_owner == "市住房和城乡建设委员会" and verdict.likely_owner_unit_id == housing.pk
    assert "权责清单「房屋维修资金的使用和管理」" in verdict.reasons[0]
    assert "建议申请退单" in verdict.suggestion


def test_an_entry_tagged_as_not_the_centers(world: World) -> None:
    _duty("房屋维修资金的使用和管理", unit=world.district, tags=["非本中心职责"])
    verdict = remit_check(new_ticket(world, title=FUND, content=FUND_TEXT))
    assert verdict is not None and verdict.likely_owner == "朝阳区"


def test_an_entry_inside_the_center_or_about_another_matter_says_nothing(world: World) -> None:
    _duty("房屋维修资金的使用和管理", unit=world.township)
    _duty("婚姻登记", unit=unit_create(name="外部机关", kind=UnitKind.DEPARTMENT, code="WB"))
    assert remit_check(new_ticket(world, title=FUND, content=FUND_TEXT)) is None


def _returned(world: World, decision: str, reason: str) -> Ticket:
    ticket = new_ticket(world, title=BIKES, content=BIKES_TEXT)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    dispatch.ticket_triage(ticket=ticket, actor=world.agent)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.township)
    dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.township_staff)
    dispatch.ticket_return_request(ticket=ticket, actor=world.township_staff, reason="共享单车不归街道管理")
    dispatch.ticket_return_decide(ticket=ticket, actor=world.shift_lead, decision=decision, reason=reason)
    return ticket


def test_earlier_returns_of_the_same_matter(world: World) -> None:
    first = _returned(world, "city", "共享单车由市交通委管理")
    second = _returned(world, "triage", "")
    unrelated = new_ticket(world, title="暖气不热", content="室温不足16度")
    new = new_ticket(world, title="共享单车乱停放", content="小区门口共享单车太多，堵住了人行道。")
    verdict = remit_check(new)
    assert verdict is not None and verdict.outside_center and verdict.returned_tickets == 2
    assert {r.number for r in verdict.returns} == {first.number, second.number}
    by_number = {r.number: r for r in verdict.returns}
    assert by_number[first.number].reason == "共享单车由市交通委管理"
    assert by_number[second.number].reason == "共享单车不归街道管理"  # the unit's request, none given later
    assert by_number[first.number].returned_by == "望京街道"
    assert verdict.likely_owner == CITY_OWNER
    assert "2 件相似的历史工单曾被退单" in verdict.reasons[0] and first.number in verdict.reasons[0]
    assert remit_check(unrelated) is None


def test_one_earlier_return_is_not_enough_and_scope_applies(world: World) -> None:
    _returned(world, "triage", "")
    new = new_ticket(world, title="共享单车乱停放", content="小区门口共享单车太多，堵住了人行道。")
    assert remit_check(new) is None
    _returned(world, "triage", "")
    assert remit_check(new, viewer=world.agent) is not None
    assert remit_check(new, viewer=world.other_staff) is None
