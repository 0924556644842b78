"""POST /api/intel/sensitive-check, GET /api/intel/lexicon and GET /api/tickets/{number}/remit."""

from __future__ import annotations

import pytest

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.testing import World
from jiesu.tickets.tests.helpers import new_ticket

pytestmark = pytest.mark.django_db


def test_a_text_is_checked_with_spans(agent: ApiClient) -> None:
    response = agent.post("/api/intel/sensitive-check", {"text": "我不想活了，要找记者"})
    assert response.status_code == 200
    body = response.json()
    assert body["lexicon"] == "sensitive-default"
    assert [(h["category"], h["text"], h["start"], h["end"]) for h in body["hits"]] == [
        ("threat_to_life", "不想活了", 1, 5),
        ("public_opinion", "找记者", 7, 10),
    ]
    assert body["hits"][0]["category_label"] == "危及生命"
    assert agent.post("/api/intel/sensitive-check", {"text": "暖气不热"}).json()["hits"] == []


def test_the_lexicon_in_force(agent: ApiClient) -> None:
    body = agent.get("/api/intel/lexicon").json()
    assert body["code"] == "sensitive-default" and body["valid_from"] == "2020-01-01"
    term = {"category": "threat_to_life", "category_label": "危及生命", "pattern": "不想活了", "is_regex": False}
    assert term in body["terms"]


def test_units_may_not_use_them(world: World, as_user: ClientFor) -> None:
    unit = as_user(world.township_staff)
    assert_error(unit.post("/api/intel/sensitive-check", {"text": "x"}), 403, "permission_denied")
    assert_error(unit.get("/api/intel/lexicon"), 403, "permission_denied")


def test_the_remit_verdict(world: World, agent: ApiClient, as_user: ClientFor) -> None:
    ticket = new_ticket(world)
    body = agent.get(f"/api/tickets/{ticket.number}/remit").json()
    assert body["likely_outside"] is False and body["entries"] == [] and body["returns"] == []
    assert_error(as_user(world.analyst).get(f"/api/tickets/{ticket.number}/remit"), 403, "permission_denied")
    assert_error(as_user(world.outsider).get(f"/api/tickets/{ticket.number}/remit"), 404, "not_found")
