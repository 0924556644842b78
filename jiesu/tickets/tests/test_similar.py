"""Similar closed tickets: the same matter in other words is found with its reply, an unrelated
appeal is not; only closed tickets in the viewer's scope, never the ticket itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from pytest import MonkeyPatch

from jiesu.orgs.testing import World
from jiesu.tickets import selectors_similar
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_similar import key_words, tickets_similar_closed
from jiesu.tickets.services import dispatch, handling, intake
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db

NOISE = "市民来电反映小区旁工地夜间施工，噪音很大，晚上十一点还在打桩，影响休息。"
NOISE_REPLY = "经城管执法队现场核查，工地已停止夜间施工，并处以罚款。"


def _closed(world: World, title: str, content: str, reply: str, **fields: object) -> Ticket:
    """Dispatched to the township, replied by it, reviewed and closed by the center."""
    ticket = new_ticket(world, title, content=content, **fields)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    dispatch.ticket_dispatch(ticket=ticket, actor=world.agent, lead_unit=world.township)
    dispatch.ticket_unit_acknowledge(ticket=ticket, actor=world.township_staff)
    handling.ticket_reply(ticket=ticket, actor=world.township_staff, text=reply)
    handling.ticket_review(ticket=ticket, actor=world.agent, accept=True)
    return Ticket.objects.get(pk=ticket.pk)


def _self_handled(world: World, title: str, content: str, answer: str, **fields: object) -> Ticket:
    ticket = new_ticket(world, title, content=content, **fields)
    dispatch.ticket_acknowledge(ticket=ticket, actor=world.agent)
    handling.ticket_self_handle(ticket=ticket, actor=world.agent, answer=answer)
    return Ticket.objects.get(pk=ticket.pk)


def test_key_words_are_the_words_of_the_matter_not_of_every_appeal() -> None:
    words = key_words("小区旁工地夜间施工噪音扰民", NOISE)
    assert {"施工", "噪音"} <= set(words)
    assert not {"市民", "来电", "反映"} & set(words)


def test_a_reworded_appeal_finds_the_closed_ticket_and_its_reply(world: World) -> None:
    earlier = _closed(world, "工地夜里施工太吵", "附近工地夜间施工噪音大，孩子没法睡觉。", NOISE_REPLY)
    _closed(world, "路灯不亮", "小区门口路灯坏了一个月，晚上很黑。", "已联系路灯管理所修复。")
    current = new_ticket(world, "小区旁工地夜间施工噪音扰民", content=NOISE)
    found = tickets_similar_closed(ticket=current, viewer=world.agent)
    assert [s.ticket.pk for s in found] == [earlier.pk]
    assert found[0].reply_text == NOISE_REPLY
    assert 0 < found[0].score <= 1.1


def test_an_unrelated_appeal_finds_nothing(world: World) -> None:
    _closed(world, "工地夜里施工太吵", "附近工地夜间施工噪音大，孩子没法睡觉。", NOISE_REPLY)
    current = new_ticket(world, "医保报销咨询", content="来电人咨询异地就医的医保报销比例和所需材料。")
    assert tickets_similar_closed(ticket=current, viewer=world.agent) == []


def test_only_closed_tickets_other_than_the_ticket_itself_are_listed(world: World) -> None:
    closed = _closed(world, "工地夜间施工噪音扰民", NOISE, NOISE_REPLY)
    open_one = new_ticket(world, "工地夜间施工噪音扰民", content=NOISE)
    current = new_ticket(world, "小区旁工地夜间施工噪音扰民", content=NOISE)
    duplicate = new_ticket(world, "工地夜间施工噪音", content=NOISE)
    intake.ticket_merge(ticket=duplicate, master=current, actor=world.agent)
    found = {s.ticket.pk for s in tickets_similar_closed(ticket=current, viewer=world.agent)}
    assert found == {closed.pk}
    assert open_one.pk not in found and duplicate.pk not in found
    assert closed.pk not in {s.ticket.pk for s in tickets_similar_closed(ticket=closed, viewer=world.agent)}


def test_the_viewer_sees_only_what_the_scope_allows(world: World) -> None:
    here = _closed(world, "工地夜间施工噪音扰民", NOISE, NOISE_REPLY)
    there = _self_handled(
        world,
        "工地夜间施工噪音扰民",
        NOISE,
        "已告知诉求人向海淀区城管执法局反映。",
        district=world.other_district,
        township=world.other_township,
    )
    current = new_ticket(world, "小区旁工地夜间施工噪音扰民", content=NOISE)

    def seen(viewer: object) -> set[int]:
        return {s.ticket.pk for s in tickets_similar_closed(ticket=current, viewer=viewer)}  # type: ignore[arg-type]

    assert seen(world.agent) == {here.pk, there.pk}
    assert seen(world.township_staff) == {here.pk}
    assert seen(world.other_staff) == {there.pk}
    assert seen(world.office_staff) == set()
    assert seen(world.outsider) == set()
    assert seen(None) == {here.pk, there.pk}  # the system itself


def test_a_self_handled_answer_is_the_reply_and_newer_ranks_first_among_equals(world: World) -> None:
    older = _self_handled(world, "工地夜间施工噪音扰民", NOISE, "已转城管执法部门。")
    newer = _self_handled(world, "工地夜间施工噪音扰民", NOISE, "已告知夜间施工许可查询方式。")
    Ticket.objects.filter(pk=older.pk).update(received_at=older.received_at - timedelta(days=300))
    current = new_ticket(world, "工地夜间施工噪音扰民", content=NOISE)
    found = tickets_similar_closed(ticket=current, viewer=world.agent)
    assert [s.ticket.pk for s in found] == [newer.pk, older.pk]
    assert [s.reply_text for s in found] == ["已告知夜间施工许可查询方式。", "已转城管执法部门。"]
    assert tickets_similar_closed(ticket=current, viewer=world.agent, limit=1)[0].ticket.pk == newer.pk


def test_beyond_the_recent_slice_only_postgresql_looks_further_back(world: World, monkeypatch: MonkeyPatch) -> None:
    """The newest RECENT_SCAN closed tickets are tested row by row on both databases; a rare matter
    is then looked up further back through the bigram index, which only PostgreSQL has."""
    monkeypatch.setattr(selectors_similar, "RECENT_SCAN", 2)
    old = _self_handled(world, "工地夜间施工噪音扰民", NOISE, "已转城管执法部门。")
    Ticket.objects.filter(pk=old.pk).update(received_at=old.received_at - timedelta(days=200))
    _self_handled(world, "路灯不亮", "小区门口路灯坏了一个月。", "已联系路灯管理所修复。")
    _self_handled(world, "低保申请咨询", "来电人咨询低保申请条件。", "已告知申请条件。")
    current = new_ticket(world, "小区旁工地夜间施工噪音扰民", content=NOISE)
    found = [s.ticket.pk for s in tickets_similar_closed(ticket=current, viewer=world.agent)]
    assert found == ([old.pk] if connection.vendor == "postgresql" else [])


def _planner_settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')")
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner settings are PostgreSQL's")
def test_bitmap_scans_only_never_outlive_the_lookup_even_on_error() -> None:
    """The lookup runs inside the caller's transaction (here the test's): the settings are back
    after a successful query and after a failing one, whose own error is the one raised."""
    with selectors_similar._bitmap_scans_only():
        assert _planner_settings() == ("off", "off")
    assert _planner_settings() == ("on", "on")
    failing = pytest.raises(DatabaseError, match="division by zero")
    with failing, selectors_similar._bitmap_scans_only(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 / 0")
    assert _planner_settings() == ("on", "on")
