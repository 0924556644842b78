"""API rate limits per user and per source address: 429 in the single error shape."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.models import RateCounter
from jiesu.orgs.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


@override_settings(JIESU_API_RATE_PER_USER=3, JIESU_API_RATE_PER_ADDRESS=100)
def test_a_user_beyond_the_limit_gets_429_until_the_minute_ends(world: World, as_user: ClientFor) -> None:
    start = timezone.now().replace(second=5, microsecond=0)
    with time_machine.travel(start, tick=False):
        agent = as_user(world.agent)
        for _ in range(3):
            assert agent.get("/api/tickets").status_code == 200
        refused = agent.get("/api/tickets")
        body = assert_error(refused, 429, "throttled")
        assert body["message"] == "请求过于频繁，请稍后再试"
        assert refused["Retry-After"] == "55"
        assert as_user(world.leader).get("/api/tickets").status_code == 200  # others are not affected
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        assert agent.get("/api/tickets").status_code == 200


@override_settings(JIESU_API_RATE_PER_USER=100, JIESU_API_RATE_PER_ADDRESS=4)
def test_one_address_is_limited_across_users_and_bad_tokens(world: World, as_user: ClientFor) -> None:
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        for raw in ("js_guess-1", "js_guess-2", "js_guess-3"):
            assert_error(ApiClient(raw).get("/api/tickets"), 401, "unauthenticated")
        assert as_user(world.agent).get("/api/tickets").status_code == 200
        assert_error(as_user(world.leader).get("/api/tickets"), 429, "throttled")
        assert_error(ApiClient("js_guess-4").get("/api/tickets"), 429, "throttled")
        other = as_user(world.analyst).client
        assert other.get("/api/tickets", REMOTE_ADDR="10.20.30.40").status_code == 200


@override_settings(JIESU_API_RATE_PER_USER=2, JIESU_API_RATE_PER_ADDRESS=100)
def test_the_session_is_limited_like_a_token(world: World) -> None:
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        browser = Client()
        assert browser.login(username="agent", password=PASSWORD)
        assert browser.get("/api/tickets").status_code == 200
        assert browser.get("/api/tickets").status_code == 200
        assert_error(browser.get("/api/tickets"), 429, "throttled")


@override_settings(JIESU_API_RATE_PER_USER=0, JIESU_API_RATE_PER_ADDRESS=0)
def test_a_zero_limit_turns_the_check_off(world: World, agent: ApiClient) -> None:
    for _ in range(5):
        assert agent.get("/api/tickets").status_code == 200
    assert not RateCounter.objects.exists()


def test_the_counters_are_shared_rows_in_the_database(world: World, agent: ApiClient) -> None:
    with time_machine.travel(timezone.now().replace(second=1), tick=False):
        agent.get("/api/tickets")
        agent.get("/api/tickets")
        hits = dict(RateCounter.objects.values_list("key", "hits"))
    assert hits == {"api:address:127.0.0.1": 2, f"api:user:{world.agent.pk}": 2}


def test_health_is_never_limited(db: None) -> None:
    with override_settings(JIESU_API_RATE_PER_ADDRESS=1):
        for _ in range(3):
            assert Client().get("/api/health").status_code == 200


def test_the_openapi_document_declares_429(world: World, agent: ApiClient) -> None:
    spec = agent.get("/api/openapi.json").json()
    assert "429" in spec["paths"]["/api/tickets"]["get"]["responses"]
