"""The list page's new filters, errors that keep the input, sort links and saved searches."""

from __future__ import annotations

import pytest

from jiesu.orgs.testing import World
from jiesu.tickets.models import SavedSearch, Ticket
from jiesu.tickets.tests.helpers import new_ticket
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db


def test_a_reversed_date_range_is_refused_beside_the_field_and_kept(login_as: LoginAs, world: World) -> None:
    response = login_as(world.agent).get("/tickets/?closed_from=2026-11-20&closed_to=2026-11-01&q=噪音")
    html = response.content.decode()
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in html
    assert 'value="2026-11-01"' in html and 'value="2026-11-20"' in html and 'value="噪音"' in html


def test_two_character_words_tags_and_several_statuses_filter_the_page(login_as: LoginAs, world: World) -> None:
    noise = new_ticket(world, "夜间噪音", content="工地施工")
    parking = new_ticket(world, "占道停车", content="堵住消防通道")
    Ticket.objects.filter(pk=parking.pk).update(is_sensitive=True)
    client = login_as(world.agent)

    def numbers(query: str) -> set[str]:
        text = page_text(client.get("/tickets/?" + query))
        return {t.number for t in (noise, parking) if t.number in text}

    assert numbers("q=噪音") == {noise.number}
    assert numbers("q=停车") == {parking.number}
    assert numbers("tags=sensitive") == {parking.number}
    assert numbers("status=received&status=handling") == {noise.number, parking.number}
    assert numbers("callback=none&is_repeat=no") == {noise.number, parking.number}


def test_column_headers_sort_both_ways_and_keep_the_filters(login_as: LoginAs, world: World) -> None:
    new_ticket(world, "甲")
    client = login_as(world.agent)
    html = client.get("/tickets/?q=甲&order=number").content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?q=%E7%94%B2&amp;order=-number" in html  # clicking again reverses, the keyword stays
    assert "order=-closed" in html and "order=-urgency" in html and "order=status" in html
    html = client.get("/tickets/?order=-number").content.decode()
    assert 'aria-sort="descending"' in html


def test_saving_listing_and_deleting_a_search(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    response = client.post("/tickets/saved-searches", {"name": "噪音投诉", "query": "q=噪音&page=2"})
    assert response.status_code == 302 and response["Location"] == "/tickets/?q=%E5%99%AA%E9%9F%B3"
    saved = SavedSearch.objects.get(owner=world.agent)
    html = client.get("/tickets/").content.decode()
    assert "噪音投诉" in html and "保存当前查询" in html
    again = client.post("/tickets/saved-searches", {"name": "噪音投诉", "query": "q=停车"})
    assert again.status_code == 400
    text = again.content.decode()
    assert "已有同名的查询" in text and 'value="噪音投诉"' in text and 'value="停车"' in text
    assert client.post(f"/tickets/saved-searches/{saved.pk}/delete").status_code == 302
    assert not SavedSearch.objects.exists()


def test_a_search_by_phone_number_is_not_saved(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    response = client.post(
        "/tickets/saved-searches", {"name": "老张的工单", "query": "q=139-0000-1111&status=handling"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert '<span class="error">保存的查询不能包含联系电话' in text and 'value="老张的工单"' in text
    assert not SavedSearch.objects.exists()


def test_nobody_sees_or_deletes_anothers_saved_searches(login_as: LoginAs, world: World) -> None:
    login_as(world.agent).post("/tickets/saved-searches", {"name": "我的私人查询", "query": "q=x"})
    saved = SavedSearch.objects.get()
    other = login_as(world.shift_lead)
    assert "我的私人查询" not in other.get("/tickets/").content.decode()
    other.post(f"/tickets/saved-searches/{saved.pk}/delete")
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
