"""The login steps: password, second factor, expired password; lockout; session timeouts."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.orgs.security.mfa import totp_enrol_confirm, totp_enrol_start
from jiesu.orgs.security.passwords import user_set_password
from jiesu.orgs.security.sessions import SECOND_FACTOR_AT
from jiesu.orgs.security.testing import totp_enrolled
from jiesu.orgs.security.totp import secret_from_base32, totp
from jiesu.orgs.testing import PASSWORD, World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db


def password_step(client: Client, username: str, password: str = PASSWORD, address: str = "127.0.0.1") -> Any:
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def logins(result: str) -> list[dict[str, Any]]:
    rows = AuditEntry.objects.filter(action="auth.login", result=result).order_by("id")
    return [{**r.detail, "address": r.source_address} for r in rows]


def test_a_user_without_a_second_factor_logs_in_in_one_step(world: World) -> None:
    client = Client()
    response = password_step(client, "agent")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert logins("success") == [{"second_factor": "", "address": "127.0.0.1"}]


def test_with_totp_the_password_alone_does_not_log_in(world: World) -> None:
    key = totp_enrolled(world.agent)
    client = Client()
    response = password_step(client, "agent")
    assert response["Location"] == "/login/code/"
    assert client.get("/").status_code == 302  # not logged in yet
    page = client.get("/login/code/")
    assert "动态验证码" in page_text(page)
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        done = client.post("/login/code/", {"code": totp(key, time.time())})
        assert done.status_code == 302 and done["Location"] == "/"
        assert client.get("/").status_code == 200
    assert SECOND_FACTOR_AT in client.session
    assert logins("success")[0]["second_factor"] == "totp"


def test_a_wrong_or_replayed_code_is_refused_in_chinese(world: World) -> None:
    key = totp_enrolled(world.agent)
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        code = totp(key, time.time())
        first = Client()
        password_step(first, "agent")
        assert first.post("/login/code/", {"code": code}).status_code == 302
        second = Client()
        password_step(second, "agent")
        refused = second.post("/login/code/", {"code": code})
        assert refused.status_code == 200 and "动态验证码不正确或已使用过" in page_text(refused)
        assert second.get("/").status_code == 302
    assert logins("failure")[-1]["reason"] == "bad_code"


def test_a_recovery_code_logs_in_once(world: World) -> None:
    key = secret_from_base32(totp_enrol_start(user=world.agent).secret)
    codes = totp_enrol_confirm(user=world.agent, code=totp(key, time.time()))
    client = Client()
    password_step(client, "agent")
    assert client.post("/login/code/", {"code": codes[0]})["Location"] == "/"
    again = Client()
    password_step(again, "agent")
    assert again.post("/login/code/", {"code": codes[0]}).status_code == 200
    assert logins("success")[0]["second_factor"] == "recovery_code"


def test_the_code_step_needs_a_recent_password_step(world: World) -> None:
    totp_enrolled(world.agent)
    assert Client().get("/login/code/")["Location"] == "/login/?reason=pending"
    client = Client()
    password_step(client, "agent")
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert client.get("/login/code/")["Location"] == "/login/?reason=pending"
    assert "登录步骤已超时" in page_text(client.get("/login/?reason=pending"))


def test_the_next_page_survives_the_second_step_but_not_an_outside_url(world: World) -> None:
    key = totp_enrolled(world.agent)
    client = Client()
    client.post("/login/?next=/tickets/", {"username": "agent", "password": PASSWORD, "next": "/tickets/"})
    with time_machine.travel(timezone.now() + timedelta(seconds=60), tick=False):
        assert client.post("/login/code/", {"code": totp(key, time.time())})["Location"] == "/tickets/"
    evil = Client()
    evil.post("/login/", {"username": "lead", "password": PASSWORD, "next": "https://evil.example/"})
    assert evil.get("/").status_code == 200


def test_an_expired_password_must_be_changed_before_anything_else(world: World) -> None:
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        client = Client()
        response = password_step(client, "agent")
        assert response["Location"] == "/login/password/"
        assert client.get("/").status_code == 302
        assert "您的密码已过期" in page_text(client.get("/login/password/"))
        weak = client.post("/login/password/", {"new_password": "abc", "new_password_again": "abc"})
        assert "密码长度不能少于 8 位" in page_text(weak)
        same = client.post("/login/password/", {"new_password": PASSWORD, "new_password_again": PASSWORD})
        assert "不能与最近 5 次使用过的密码相同" in page_text(same)
        done = client.post(
            "/login/password/", {"new_password": "Fresh-pass-2027", "new_password_again": "Fresh-pass-2027"}
        )
        assert done["Location"] == "/" and client.get("/").status_code == 200
    world.agent.refresh_from_db()
    assert world.agent.check_password("Fresh-pass-2027")
    assert [r["reason"] for r in logins("failure")] == ["password_expired"]


def test_a_password_set_by_an_admin_must_be_replaced_at_login(world: World) -> None:
    user_set_password(user=world.agent, raw="Temporary-2026", actor=world.system_admin)
    client = Client()
    assert password_step(client, "agent", "Temporary-2026")["Location"] == "/login/password/"
    assert "由管理员设置" in page_text(client.get("/login/password/"))


def test_the_login_page_says_when_an_account_is_locked(world: World) -> None:
    client = Client()
    for _ in range(4):
        assert "用户名或密码错误" in page_text(password_step(client, "agent", "wrong"))
    assert "账号已锁定" in page_text(password_step(client, "agent", "wrong"))  # the fifth failure locks
    refused = password_step(client, "agent")
    assert refused.status_code == 200 and "账号已锁定" in page_text(refused)
    assert client.get("/").status_code == 302


def test_the_login_page_refuses_a_spraying_address(world: World) -> None:
    client = Client()
    for index in range(20):
        password_step(client, f"guess{index}", "wrong", address="10.8.8.8")
    refused = password_step(client, "agent", address="10.8.8.8")
    assert "该网络地址登录失败次数过多" in page_text(refused)
    assert password_step(Client(), "agent", address="10.8.8.9").status_code == 302


def test_the_django_admin_login_is_the_web_login(world: World) -> None:
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_logout_is_audited(login_as: LoginAs, world: World) -> None:
    login_as(world.agent).post("/logout/")
    entry = AuditEntry.objects.get(action="auth.logout")
    assert entry.actor_id == world.agent.pk and entry.detail["reason"] == "user"


def test_an_idle_session_is_ended_on_the_server(login_as: LoginAs, world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login_as(world.agent)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=500), tick=False):
        assert client.get("/").status_code == 200  # activity keeps it alive
    with time_machine.travel(start + timedelta(seconds=1099), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(seconds=1701), tick=False):
        response = client.get("/tickets/")
        assert response.status_code == 302 and response["Location"] == "/login/?reason=idle&next=%2Ftickets%2F"
        assert "您已超过 10 分钟未操作" in page_text(client.get(response["Location"]))
        assert client.get("/").status_code == 302
    entry = AuditEntry.objects.get(action="auth.logout")
    assert entry.detail["reason"] == "idle"


def test_the_idle_timeout_also_ends_api_sessions(world: World) -> None:
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        client.login(username="agent", password=PASSWORD)
        assert client.get("/api/tickets").status_code == 200
    with time_machine.travel(start + timedelta(seconds=601), tick=False):
        assert client.get("/api/tickets").status_code == 401


def test_a_session_ends_after_its_maximum_lifetime_even_when_active(login_as: LoginAs, world: World) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login_as(world.agent)
    for step in range(1, 87):  # every 500 s for just under 12 hours
        with time_machine.travel(start + timedelta(seconds=500 * step), tick=False):
            assert client.get("/tickets/new").status_code in {200, 403}
    with time_machine.travel(start + timedelta(hours=12, seconds=60), tick=False):
        response = client.get("/")
        assert response["Location"].startswith("/login/?reason=expired")
    assert "最长会话时间" in page_text(client.get("/login/?reason=expired"))
