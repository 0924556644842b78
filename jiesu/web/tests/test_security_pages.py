"""Admins cannot skip the second factor; the enrolment, password and security admin pages."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from jiesu.audit.models import AuditEntry
from jiesu.orgs.models import User
from jiesu.orgs.security.policy import auth_policy_current
from jiesu.orgs.security.testing import client_with_second_factor, totp_enrolled
from jiesu.orgs.security.totp import secret_from_base32, totp
from jiesu.orgs.testing import PASSWORD, World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

pytestmark = pytest.mark.django_db

PAGES = ["/", "/tickets/", "/tickets/new", "/security/", "/account/password/", "/admin/"]


@pytest.mark.parametrize("who", ["system_admin", "security_admin", "audit_admin"])
@pytest.mark.parametrize("url", PAGES)
def test_an_admin_without_totp_is_sent_to_enrolment_from_every_page(
    login_as: LoginAs, world: World, who: str, url: str
) -> None:
    response = login_as(getattr(world, who)).get(url)
    assert response.status_code == 302 and response["Location"] == "/account/totp/"


def test_an_admin_with_a_password_only_session_is_logged_out(login_as: LoginAs, world: World) -> None:
    totp_enrolled(world.security_admin)
    client = login_as(world.security_admin)  # a session that never saw the code
    response = client.get("/security/")
    assert response["Location"] == "/login/?reason=second_factor&next=%2Fsecurity%2F"
    assert client.get("/account/totp/").status_code == 302  # the session is gone


def test_an_admin_enrols_on_the_page_and_then_works(world: World) -> None:
    client = Client()
    assert client.post("/login/", {"username": "secadmin", "password": PASSWORD})["Location"] == "/"
    assert client.get("/")["Location"] == "/account/totp/"
    page = page_text(client.get("/account/totp/"))
    assert "管理员账号必须绑定动态口令" in page and "开始绑定" in page
    client.post("/account/totp/", {"step": "start"})
    page = page_text(client.get("/account/totp/"))
    secret = re.search(r'class="totp-secret">([A-Z2-7]+)<', page)
    assert secret is not None and "otpauth://totp/" in page
    key = secret_from_base32(secret.group(1))
    wrong = client.post("/account/totp/", {"code": "12345"})
    assert "验证码不正确" in page_text(wrong)
    done = page_text(client.post("/account/totp/", {"code": totp(key, time.time())}))
    assert "恢复码只显示这一次" in done and done.count("<code>") == 10
    assert client.get("/security/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.totp_enrol", result="success").count() == 1


def test_an_ordinary_user_may_enrol_and_then_needs_the_code(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    assert client.get("/").status_code == 200
    assert "开始绑定" in page_text(client.get("/account/totp/"))
    assert "必须绑定" not in page_text(client.get("/account/totp/"))
    totp_enrolled(world.agent)
    assert "剩余可用恢复码：10 个" in page_text(client_with_second_factor(world.agent).get("/account/totp/"))
    fresh = Client()
    assert fresh.post("/login/", {"username": "agent", "password": PASSWORD})["Location"] == "/login/code/"


def test_the_api_refuses_an_admin_session_without_the_second_factor(world: World) -> None:
    client = Client()
    client.login(username="sysadmin", password=PASSWORD)
    assert client.get("/api/tickets").status_code == 401


@pytest.mark.parametrize("who", ["system_admin", "audit_admin"])
def test_only_the_security_admin_opens_the_security_page(world: World, who: str) -> None:
    assert client_with_second_factor(getattr(world, who)).get("/security/").status_code == 403


def test_agents_do_not_open_the_security_page(login_as: LoginAs, world: World) -> None:
    assert login_as(world.agent).get("/security/").status_code == 403


def test_the_security_admin_unlocks_an_account_with_a_button(world: World) -> None:
    for _ in range(5):
        Client().post("/login/", {"username": "agent", "password": "wrong"})
    admin = client_with_second_factor(world.security_admin)
    page = page_text(admin.get("/security/"))
    assert "agent" in page and "解除锁定" in page
    response = admin.post("/security/", {"step": "unlock", "scope": "account", "key": "agent"}, follow=True)
    assert "已解除锁定" in page_text(response)
    assert Client().post("/login/", {"username": "agent", "password": PASSWORD})["Location"] == "/"


def test_the_security_admin_resets_an_authenticator_with_the_form(world: World) -> None:
    totp_enrolled(world.audit_admin)
    admin = client_with_second_factor(world.security_admin)
    response = admin.post("/security/", {"step": "totp_reset", "username": "auditadmin"}, follow=True)
    assert "已重置 auditadmin 的动态口令" in page_text(response)
    assert not User.objects.get(pk=world.audit_admin.pk).totp_enabled
    refused = admin.post("/security/", {"step": "totp_reset", "username": "secadmin"}, follow=True)
    assert "不能对自己的账号执行此操作" in page_text(refused)


def test_the_security_admin_edits_the_policy(world: World) -> None:
    admin = client_with_second_factor(world.security_admin)
    values = {
        "min_length": 12, "min_classes": 4, "history_count": 8, "max_age_days": 60, "min_age_days": 1,
        "lockout_failures": 5, "address_lockout_failures": 30, "failure_window_seconds": 900, "lockout_seconds": 600,
    }  # fmt: skip
    response = admin.post("/security/", {"step": "policy", **values}, follow=True)
    assert "身份鉴别策略已更新为第 1 版" in page_text(response)
    policy = auth_policy_current()
    assert (policy.min_length, policy.min_classes, policy.changed_by_id) == (12, 4, world.security_admin.pk)
    bad = admin.post("/security/", {"step": "policy", **values, "min_length": 2})
    assert bad.status_code == 200 and auth_policy_current().version == 1


def test_changing_ones_password_on_the_account_page(login_as: LoginAs, world: World) -> None:
    start = timezone.now() + timedelta(days=2)  # past the minimum age
    with time_machine.travel(start, tick=False):
        client = login_as(world.agent)
        wrong = client.post(
            "/account/password/",
            {"old_password": "nope", "new_password": "New-pass-2026", "new_password_again": "New-pass-2026"},
        )
        assert "原密码不正确" in page_text(wrong)
        mismatch = client.post(
            "/account/password/",
            {"old_password": PASSWORD, "new_password": "New-pass-2026", "new_password_again": "Other-2026"},
        )
        assert "两次输入的新密码不一致" in page_text(mismatch)
        done = client.post(
            "/account/password/",
            {"old_password": PASSWORD, "new_password": "New-pass-2026", "new_password_again": "New-pass-2026"},
            follow=True,
        )
        assert "密码已修改" in page_text(done)
        assert client.get("/").status_code == 200  # still logged in
