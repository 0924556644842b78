"""Saved searches through the API, and the list filters the API shares with the page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from jiesu.api.tests.conftest import ApiClient, ClientFor
from jiesu.orgs.testing import World
from jiesu.tickets.models import Ticket
from jiesu.tickets.tests.helpers import new_ticket, ticket_in

pytestmark = pytest.mark.django_db


def test_create_list_delete_and_errors(world: World, as_user: ClientFor) -> None:
    agent = as_user(world.agent)
    created = agent.post("/api/saved-searches", {"name": "噪音", "query": "q=噪音&page=4"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "噪音" and body["query"] == "q=%E5%99%AA%E9%9F%B3"
    assert [s["name"] for s in agent.get("/api/saved-searches").json()] == ["噪音"]
    duplicate = agent.post("/api/saved-searches", {"name": "噪音"})
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "validation_failed" and "同名" in duplicate.json()["message"]
    assert agent.post("/api/saved-searches", {"name": " "}).json()["message"] == "请填写查询名称"
    gone = agent.client.delete(f"/api/saved-searches/{body['id']}")
    assert gone.status_code == 204
    assert agent.get("/api/saved-searches").json() == []


def test_a_search_by_phone_number_is_refused(world: World, as_user: ClientFor) -> None:
    agent = as_user(world.agent)
    for query in ("q=13900001111", "status=handling&q=%2B86+139+0000+1111"):
        refused = agent.post("/api/saved-searches", {"name": "某人", "query": query})
        assert refused.status_code == 400, refused.content
        body = refused.json()
        assert body["code"] == "validation_failed" and body["message"].startswith("保存的查询不能包含联系电话")
        assert body["details"]["field"] == "query"
    assert agent.get("/api/saved-searches").json() == []
    assert agent.post("/api/saved-searches", {"name": "路灯", "query": "q=路灯"}).status_code == 201


def test_a_user_never_sees_or_deletes_anothers(world: World, as_user: ClientFor) -> None:
    mine = as_user(world.agent).post("/api/saved-searches", {"name": "私人", "query": "q=x"}).json()
    other = as_user(world.shift_lead)
    assert other.get("/api/saved-searches").json() == []
    response = other.client.delete(f"/api/saved-searches/{mine['id']}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert len(as_user(world.agent).get("/api/saved-searches").json()) == 1


def test_the_api_has_the_new_list_filters(world: World, as_user: ClientFor) -> None:
    agent: ApiClient = as_user(world.agent)
    noise = new_ticket(world, "夜间噪音")
    closed = ticket_in(world, "closed")
    Ticket.objects.filter(pk=noise.pk).update(is_repeat=True, is_monthly_topic=True)

    def numbers(**params: Any) -> set[str]:
        response = agent.get("/api/tickets", **params)
        assert response.status_code == 200, response.content
        return {t["number"] for t in response.json()["items"]}

    assert numbers(q="噪音") == {noise.number}
    assert numbers(status=["received", "closed"]) == {noise.number, closed.number}
    assert numbers(is_repeat="true") == {noise.number}
    assert numbers(tags="monthly_topic") == {noise.number}
    assert numbers(callback="none", status="closed") == {closed.number}
    today = timezone.localdate()
    start = f"{today.isoformat()}T00:00:00+08:00"
    assert numbers(closed_from=start) == {closed.number}
    assert numbers(ordering="-closed_at")
    refused = agent.get("/api/tickets", closed_from=start, closed_to="2000-01-01T00:00:00+08:00")
    assert refused.status_code == 400 and refused.json()["details"]["field"] == "closed_to"
