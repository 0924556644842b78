"""The list search: each filter, combinations, orderings, keywords of two characters, saved searches."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from jiesu.core.errors import NotFound, ValidationFailed
from jiesu.orgs.choices import UnitKind
from jiesu.orgs.services import unit_create
from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, TicketStatus
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.selectors import TicketSearch, tickets_search
from jiesu.tickets.selectors_search import saved_searches_of, text_condition
from jiesu.tickets.services.categories import categories_load_csv
from jiesu.tickets.services.saved_searches import SAVED_SEARCH_LIMIT, saved_search_create, saved_search_delete
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

pytestmark = pytest.mark.django_db


def found(world: World, **filters: object) -> set[str]:
    search = TicketSearch(**filters)  # type: ignore[arg-type]
    return set(tickets_search(viewer=world.agent, search=search).values_list("number", flat=True))


def test_dates_closed_and_deadline_ranges(world: World) -> None:
    closed = ticket_in(world, TicketStatus.CLOSED)
    handling = ticket_in(world, TicketStatus.HANDLING)
    today = timezone.localdate()
    assert found(world, closed_from=today, closed_to=today) == {closed.number}
    assert found(world, closed_to=today - timedelta(days=1)) == set()
    due = timezone.localtime(Ticket.objects.get(pk=handling.pk).reply_due_at).date()
    assert handling.number in found(world, deadline_from=due, deadline_to=due)
    assert handling.number not in found(world, deadline_from=due + timedelta(days=1))


def test_several_statuses_community_and_assessment_scope(world: World) -> None:
    received = new_ticket(world, "路灯不亮")
    handling = ticket_in(world, TicketStatus.HANDLING)
    closed = ticket_in(world, TicketStatus.CLOSED)
    community = unit_create(name="望京西园社区", kind=UnitKind.COMMUNITY, parent=world.township, code="C-1")
    Ticket.objects.filter(pk=received.pk).update(community=community, assessment_scope=AssessmentScope.EXCLUDED)
    assert found(world, statuses=("received", "handling")) == {received.number, handling.number}
    assert found(world, community_id=community.pk) == {received.number}
    assert found(world, assessment_scope="excluded") == {received.number}
    assert closed.number in found(world, assessment_scope="full")


def test_repeat_tags_and_callback_outcomes(world: World) -> None:
    repeat = new_ticket(world, "重复反映")
    sensitive = new_ticket(world, "敏感事项")
    plain = new_ticket(world, "普通事项")
    called = ticket_in(world, TicketStatus.CLOSED)
    Ticket.objects.filter(pk=repeat.pk).update(is_repeat=True)
    Ticket.objects.filter(pk=sensitive.pk).update(is_sensitive=True, is_monthly_topic=True)
    Ticket.objects.filter(pk=called.pk).update(
        callback_at=timezone.now(), callback_resolved=False, callback_satisfaction="dissatisfied"
    )
    assert found(world, is_repeat=True) == {repeat.number}
    assert plain.number in found(world, is_repeat=False) and repeat.number not in found(world, is_repeat=False)
    assert found(world, tags=("repeat", "sensitive")) == {repeat.number, sensitive.number}
    assert found(world, tags=("monthly_topic",)) == {sensitive.number}
    assert found(world, callback="unresolved") == {called.number}
    assert found(world, callback="dissatisfied") == {called.number}
    assert found(world, callback="resolved") == set()
    assert called.number not in found(world, callback="none") and plain.number in found(world, callback="none")


def test_filters_combine(world: World) -> None:
    noise = new_ticket(world, "夜间噪音", content="工地施工", urgency="urgent")
    new_ticket(world, "夜间噪音", content="工地施工", district=world.other_district, township=world.other_township)
    new_ticket(world, "停车难", urgency="urgent")
    combined = found(world, keyword="噪音", urgency="urgent", district_id=world.district.pk, statuses=("received",))
    assert combined == {noise.number}


def test_the_category_filter_includes_descendants(world: World, tmp_path: Path) -> None:
    tree = tmp_path / "tree.csv"
    tree.write_text("一级分类,二级分类\n城乡建设,施工扰民\n", encoding="utf-8")
    categories_load_csv(path=tree)
    parent, child = Category.objects.get(name="城乡建设"), Category.objects.get(name="施工扰民")
    inside = new_ticket(world, "施工", category=child)
    new_ticket(world, "别的")
    assert found(world, category_id=parent.pk) == {inside.number}
    assert found(world, category_id=child.pk) == {inside.number}


@pytest.mark.parametrize(
    "keyword",
    ["噪音", "停车", "音扰", "噪音扰民", "WIFI", "wifi", "扰", "无此词"],
)
def test_keywords_match_substrings_alike_on_both_databases(world: World, keyword: str) -> None:
    texts = [("小区噪音扰民", "晚上施工"), ("占道停车", "停车位不足"), ("公共WiFi", "信号差"), ("其他", "噪")]
    tickets = [new_ticket(world, title, content=content) for title, content in texts]
    word = keyword.upper()
    expected = {
        t.number
        for t, (title, content) in zip(tickets, texts, strict=True)
        if word in title.upper() + "|" + content.upper()
    }
    assert found(world, keyword=keyword) == expected
    plain = Ticket.objects.filter(Q(title__icontains=keyword) | Q(content__icontains=keyword))
    assert set(plain.values_list("number", flat=True)) == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bigram index exists on PostgreSQL only")
def test_on_postgresql_a_keyword_goes_through_the_bigram_index(world: World) -> None:
    new_ticket(world, "占道停车")
    sql = str(Ticket.objects.filter(text_condition("停车")).query)
    assert "text_bigrams" in sql and "jiesu_bigram_query" in sql
    with connection.cursor() as cursor:
        cursor.execute("SELECT jiesu_bigrams('停车场'), jiesu_bigrams('x')")
        assert cursor.fetchone() == (["停车", "车场"], [])
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'ticket_text_bigrams'")
        assert cursor.fetchone() == (1,)


def test_orderings_are_stable_and_cover_the_sortable_columns(world: World) -> None:
    first, second = new_ticket(world, "甲"), new_ticket(world, "乙")
    Ticket.objects.filter(pk__in=[first.pk, second.pk]).update(received_at=timezone.now())
    ids = [first.pk, second.pk]
    for order in ("received", "-received", "number", "-number", "status", "urgency", "closed", "-closed"):
        got = list(tickets_search(viewer=world.agent, search=TicketSearch(order=order)).values_list("pk", flat=True))
        assert sorted(got) == sorted(ids)
        assert got == (ids if not order.startswith("-") else ids[::-1]) or order in ("status", "urgency")
    newest = list(
        tickets_search(viewer=world.agent, search=TicketSearch(order="-received")).values_list("pk", flat=True)
    )
    assert newest == [second.pk, first.pk]  # same moment: the later id first


def test_saved_searches_validate_and_stay_with_their_owner(world: World) -> None:
    mine = saved_search_create(owner=world.agent, name=" 噪音投诉 ", query="?q=噪音&page=3")
    assert mine.name == "噪音投诉" and mine.query == "q=%E5%99%AA%E9%9F%B3"
    with pytest.raises(ValidationFailed, match="请填写查询名称"):
        saved_search_create(owner=world.agent, name="  ", query="")
    with pytest.raises(ValidationFailed, match="已有同名的查询"):
        saved_search_create(owner=world.agent, name="噪音投诉", query="")
    saved_search_create(owner=world.shift_lead, name="噪音投诉", query="")  # another user's names are theirs
    assert [s.name for s in saved_searches_of(owner=world.agent)] == ["噪音投诉"]
    with pytest.raises(NotFound):
        saved_search_delete(owner=world.shift_lead, pk=mine.pk)
    saved_search_delete(owner=world.agent, pk=mine.pk)
    assert not saved_searches_of(owner=world.agent).exists()


def test_a_user_may_keep_at_most_fifty_saved_searches(world: World) -> None:
    for i in range(SAVED_SEARCH_LIMIT):
        saved_search_create(owner=world.agent, name=f"查询{i}", query=f"q={i}")
    with pytest.raises(ValidationFailed, match="最多保存 50 个"):
        saved_search_create(owner=world.agent, name="再一个", query="")
