"""Login, logout, the login requirement and the Chinese error pages."""

import pytest
from django.test import Client

from jiesu.orgs.testing import PASSWORD, World
from jiesu.web.tests.conftest import LoginAs
from jiesu.web.tests.support import page_text

PROTECTED = ["/", "/tickets/", "/tickets/new", "/tickets/import", "/tickets/20260101000001/"]


@pytest.mark.django_db
def test_the_login_page_is_chinese_and_needs_no_login(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    assert "登录" in page_text(response) and "用户名" in page_text(response) and "密码" in page_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PROTECTED)
def test_every_page_sends_anonymous_visitors_to_login(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.django_db
def test_a_wrong_password_shows_a_chinese_error_and_keeps_the_username(client: Client, world: World) -> None:
    response = client.post("/login/", {"username": "agent", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    text = page_text(response)
    assert "用户名或密码错误" in text
    assert 'value="agent"' in text


@pytest.mark.django_db
def test_an_empty_login_says_which_fields_are_required(client: Client, world: World) -> None:
    response = client.post("/login/", {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert page_text(response).count("此项必填") == 2


@pytest.mark.django_db
def test_login_leads_home_where_the_top_bar_shows_user_unit_and_roles(client: Client, world: World) -> None:
    response = client.post("/login/", {"username": "lead", "password": PASSWORD}, follow=True)
    text = page_text(response)
    assert response.redirect_chain[-1][0] == "/"
    assert "民政热线分中心" in text and "班长" in text and "坐席" in text and "退出" in text


@pytest.mark.django_db
def test_logout_is_a_post_and_ends_the_session(login_as: LoginAs, world: World) -> None:
    client = login_as(world.agent)
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_unknown_pages_get_the_chinese_404(login_as: LoginAs, world: World) -> None:
    response = login_as(world.agent).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in page_text(response)


@pytest.mark.django_db
def test_forbidden_pages_get_the_chinese_403(login_as: LoginAs, world: World) -> None:
    response = login_as(world.township_staff).get("/tickets/new")
    assert response.status_code == 403
    assert "无权访问" in page_text(response)
