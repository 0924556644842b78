"""Web hardening: every page carries a strict CSP (a nonce, no 'unsafe-inline') and contains nothing
inline that the policy would block; the production settings pass `jiesu check --deploy`."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from jiesu.orgs.security.testing import client_with_second_factor
from jiesu.orgs.testing import World
from jiesu.tickets.services.intake import TicketDraft, ticket_create
from jiesu.web.jobs import ImportJob, _save
from jiesu.web.tests.conftest import LoginAs

REPO = Path(__file__).resolve().parents[3]
SCRIPT_TYPES = {"text/javascript", "application/javascript", "module"}


class InlineCodeFinder(HTMLParser):
    """Collects what a nonce-based CSP without 'unsafe-inline' would refuse to run or apply."""

    def __init__(self, nonce: str) -> None:
        super().__init__()
        self.nonce = nonce
        self.problems: list[str] = []
        self.nonced_scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…>")
            if name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}=javascript:…>")
        if tag == "script" and values.get("nonce") == self.nonce:
            self.nonced_scripts.append(values.get("src") or "(inline)")
        # A JSON data block (Swagger UI's settings) is never run, so the policy does not apply to it.
        runnable = (values.get("type") or "text/javascript").lower() in SCRIPT_TYPES
        inline = tag == "style" or (tag == "script" and runnable and not values.get("src"))
        if inline and values.get("nonce") != self.nonce:
            self.problems.append(f"inline <{tag}> without the nonce")


def inline_problems(html: str, nonce: str) -> InlineCodeFinder:
    finder = InlineCodeFinder(nonce)
    finder.feed(html)
    finder.close()
    return finder


def policy_nonce(policy: str) -> str:
    """The nonce of script-src, after checking the policy allows nothing inline without it."""
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    nonces = [s for s in directives["script-src"] if s.startswith("'nonce-")]
    assert len(nonces) == 1 and nonces[0] in directives["style-src"]
    return nonces[0].removeprefix("'nonce-").removesuffix("'")


def assert_hardened(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/html")
    nonce = policy_nonce(response["Content-Security-Policy"])
    assert len(nonce) >= 22
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
    html = response.content.decode()
    finder = inline_problems(html, nonce)
    assert finder.problems == [], (url, finder.problems)
    if "htmx-2.min.js" in html:  # the context processor hands {% htmx_script %} this request's nonce
        assert any(src.endswith("htmx-2.min.js") for src in finder.nonced_scripts), url
        assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in html
    return nonce


@pytest.fixture
def ticket_number(world: World) -> str:
    draft = TicketDraft(
        title="望京西园路灯不亮",
        content="东门两盏路灯晚上不亮",
        requester_phone="13812341234",
        district=world.district,
        township=world.township,
    )
    return ticket_create(draft=draft, actor=world.agent).number


@pytest.fixture
def import_job(world: World) -> str:
    job = ImportJob(id="c" * 32, owner_id=world.agent.pk, file_name="a.csv", mapping="jiesu", dry_run=False)
    job.state, job.processed, job.total = "running", 10, 100
    _save(job)
    return job.id


@pytest.mark.django_db
def test_the_login_page_is_hardened(client: Client) -> None:
    assert_hardened(client, "/login/")


@pytest.mark.django_db
def test_every_page_of_an_agent_is_hardened(
    login_as: LoginAs, world: World, ticket_number: str, import_job: str
) -> None:
    client = login_as(world.agent)
    urls = [
        "/",
        "/tickets/",
        f"/tickets/{ticket_number}/",
        "/tickets/new",
        "/tickets/due/",
        "/tickets/import",
        f"/tickets/import/{import_job}/",
        "/notifications/",
        "/account/password/",
        "/account/totp/",
    ]
    nonces = [assert_hardened(client, url) for url in urls]
    assert len(set(nonces)) == len(nonces)  # fresh for every response


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "url"), [("audit_admin", "/audit/"), ("security_admin", "/security/")])
def test_the_admin_pages_are_hardened(world: World, role: str, url: str) -> None:
    assert_hardened(client_with_second_factor(getattr(world, role)), url)


@pytest.mark.django_db
def test_the_api_docs_keep_the_strict_policy(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    nonce = policy_nonce(response["Content-Security-Policy"])
    assert 'type="application/json" id="swagger-settings"' in response.content.decode()
    assert inline_problems(response.content.decode(), nonce).problems == []


def test_the_checker_finds_what_the_policy_would_block() -> None:
    html = (
        '<div style="color:red"><button onclick="go()">x</button></div><script>alert(1)</script>'
        '<style nonce="other">p{}</style><a href="javascript:go()">y</a><script nonce="n">ok()</script>'
        '<script type="application/json">{}</script><script type="module">x()</script>'
    )
    assert inline_problems(html, "n").problems == [
        "<div style=…>",
        "<button onclick=…>",
        "inline <script> without the nonce",
        "inline <style> without the nonce",
        "<a href=javascript:…>",
        "inline <script> without the nonce",
    ]


def run_with_production_env(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter, so that jiesu.settings is evaluated under the production environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIESU_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="jiesu.settings",
        JIESU_HTTPS="1",
        JIESU_DEBUG="0",
        JIESU_SECRET_KEY=secrets.token_urlsafe(64),
        JIESU_ALLOWED_HOSTS="jiesu.example.gov.cn",
        JIESU_VAR_DIR=str(tmp_path),
    )
    env.update(extra)
    return subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    result = run_with_production_env(tmp_path, "-m", "jiesu", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_https_settings_follow_the_environment(tmp_path: Path) -> None:
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
    )
    behind_proxy = run_with_production_env(tmp_path, "-c", show, JIESU_BEHIND_PROXY="1")
    assert behind_proxy.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]
    plain = run_with_production_env(tmp_path, "-c", show, JIESU_HTTPS="0")
    assert plain.stdout.split() == ["False", "0", "False", "False", "False", "None"], plain.stderr
