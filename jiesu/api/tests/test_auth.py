from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from jiesu.api.tests.conftest import ApiClient, ClientFor, assert_error
from jiesu.orgs.models import ApiToken
from jiesu.orgs.testing import PASSWORD, World


def test_a_request_without_credentials_gets_401(world: World) -> None:
    response = Client().get("/api/tickets")
    assert_error(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_anonymous_post_gets_401_not_a_csrf_error(world: World) -> None:
    response = Client(enforce_csrf_checks=True).post("/api/tickets", {"title": "x"}, content_type="application/json")
    assert_error(response, 401, "unauthenticated")


def test_an_unknown_token_gets_401(world: World) -> None:
    assert_error(ApiClient("js_not-a-real-token").get("/api/tickets"), 401, "unauthenticated")


def test_a_malformed_authorization_header_gets_401(world: World) -> None:
    response = Client(headers={"Authorization": "Token abc"}).get("/api/tickets")
    assert_error(response, 401, "unauthenticated")


def test_a_valid_token_authenticates_and_records_its_use(world: World, agent: ApiClient) -> None:
    assert agent.get("/api/tickets").status_code == 200
    assert ApiToken.objects.get(user=world.agent).last_used_at is not None


def test_a_token_of_a_deactivated_user_gets_401(world: World, as_user: ClientFor) -> None:
    client = as_user(world.township_staff)
    world.township_staff.is_active = False
    world.township_staff.save(update_fields=["is_active"])
    assert_error(client.get("/api/tickets"), 401, "unauthenticated")


def test_the_logged_in_session_works_with_csrf_protection(world: World) -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username="agent", password=PASSWORD)
    assert browser.get("/api/tickets").status_code == 200
    body = {"title": "楼道灯坏了"}
    refused = browser.post("/api/tickets", body, content_type="application/json")
    assert_error(refused, 403, "csrf_failed")
    browser.get("/api/docs")  # sets the CSRF cookie, as the page does for Swagger
    token = browser.cookies["csrftoken"].value
    created = browser.post("/api/tickets", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert created.status_code == 201, created.content


def test_health_needs_no_credentials(db: None) -> None:
    response = Client().get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def _run(*args: str) -> str:
    out = StringIO()
    call_command("tokens", *args, stdout=out)
    return out.getvalue()


def test_tokens_create_prints_the_raw_token_once_and_it_works(world: World) -> None:
    output = _run("create", "agent", "--name", "市级平台对接")
    raw = output.strip().splitlines()[-1]
    assert raw.startswith("js_")
    token = ApiToken.objects.get(user=world.agent)
    assert token.name == "市级平台对接"
    assert raw not in token.token_hash
    assert ApiClient(raw).get("/api/tickets").status_code == 200
    assert raw not in _run("list")


def test_tokens_revoke_makes_the_token_fail_at_once(world: World) -> None:
    raw = _run("create", "agent", "--name", "临时").strip().splitlines()[-1]
    token = ApiToken.objects.get(user=world.agent)
    assert "已吊销" in _run("revoke", str(token.pk))
    assert_error(ApiClient(raw).get("/api/tickets"), 401, "unauthenticated")
    assert "已吊销" in _run("list", "agent")
    with pytest.raises(CommandError, match="早已吊销"):
        _run("revoke", str(token.pk))


def test_tokens_refuses_unknown_users_and_tokens(world: World) -> None:
    with pytest.raises(CommandError, match="用户不存在"):
        _run("create", "nobody", "--name", "x")
    with pytest.raises(CommandError, match="令牌不存在"):
        _run("revoke", "999999")
