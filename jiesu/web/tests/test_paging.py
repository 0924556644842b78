"""A broad search stops counting at the cap and says so; below it the count is exact."""

import pytest

from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket
from jiesu.web import paging
from jiesu.web.paging import CappedPaginator
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.views import tickets as views_tickets


@pytest.mark.django_db
def test_the_count_is_exact_below_the_cap_and_capped_above(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(5):
        new_ticket(world)
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    exact = CappedPaginator(Ticket.objects.order_by("pk"), 2)
    assert (exact.count, exact.capped, exact.num_pages) == (5, False, 3)
    new_ticket(world)
    capped = CappedPaginator(Ticket.objects.order_by("pk"), 2)
    assert (capped.count, capped.capped) == (6, True)


@pytest.mark.django_db
def test_the_list_says_when_it_stopped_counting(
    login_as: LoginAs, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(4):
        new_ticket(world)
    client = login_as(world.agent)
    assert "共 4 件" in client.get("/tickets/").content.decode()
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    text = client.get("/tickets/").content.decode()
    assert "超过 3 件" in text and "共 4 件" not in text


@pytest.mark.django_db
def test_a_keyword_search_stops_counting_sooner_than_a_filtered_list(
    login_as: LoginAs, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(4):
        new_ticket(world, title="小区噪音扰民")
    new_ticket(world, title="路灯不亮")
    monkeypatch.setattr(paging, "COUNT_CAP", 4)
    monkeypatch.setattr(views_tickets, "KEYWORD_COUNT_CAP", 2)
    client = login_as(world.agent)
    assert "超过 4 件" in client.get("/tickets/").content.decode()
    text = client.get("/tickets/", {"q": "噪音"}).content.decode()
    assert "超过 2 件，只列出前 2 件" in text
    text = client.get("/tickets/", {"q": "路灯"}).content.decode()
    assert "共 1 件" in text
