"""Session lifetime: an idle timeout and an absolute limit, enforced on the server.

A login leaves two timestamps in the session (`session_begin`, also run for every `login()` by
the `user_logged_in` receiver). `SessionTimeoutMiddleware` ends the session — flushed on the
server, not just an expired cookie — when the user has been idle for
`JIESU_SESSION_IDLE_SECONDS` (default 600) or logged in for `JIESU_SESSION_MAX_SECONDS`
(default 12 h). A page request is then sent to the login page, which says why; an API request
simply continues unauthenticated and gets 401.

To spare a database write per request, the last-seen time is only rewritten once it is
`idle / 10` (at most a minute) old; the idle timeout is therefore exact to within that.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils import timezone

from jiesu.orgs.models import User
from jiesu.orgs.security.login import logout_record

AUTH_AT = "jiesu_auth_at"
SEEN_AT = "jiesu_seen_at"
SECOND_FACTOR_AT = "jiesu_second_factor_at"
API_PREFIX = "/api/"  # the JSON API answers 401 itself instead of redirecting
IDLE = "idle"
EXPIRED = "expired"


def idle_seconds() -> int:
    return int(getattr(settings, "JIESU_SESSION_IDLE_SECONDS", 600))


def max_seconds() -> int:
    return int(getattr(settings, "JIESU_SESSION_MAX_SECONDS", 12 * 3600))


def session_begin(session: SessionBase, *, second_factor: bool = False) -> None:
    now = timezone.now().timestamp()
    session[AUTH_AT] = now
    session[SEEN_AT] = now
    if second_factor:
        session[SECOND_FACTOR_AT] = now


def session_mark_second_factor(session: SessionBase) -> None:
    session[SECOND_FACTOR_AT] = timezone.now().timestamp()


def session_has_second_factor(session: SessionBase) -> bool:
    return SECOND_FACTOR_AT in session


def session_expiry_reason(session: SessionBase, now: float) -> str | None:
    """IDLE or EXPIRED when the session must end now, else None."""
    seen = float(session.get(SEEN_AT, now))
    started = float(session.get(AUTH_AT, now))
    if now - seen > idle_seconds():
        return IDLE
    if now - started > max_seconds():
        return EXPIRED
    return None


def session_touch(session: SessionBase, now: float) -> None:
    if AUTH_AT not in session:
        session[AUTH_AT] = now
    if now - float(session.get(SEEN_AT, 0)) >= min(60, idle_seconds() / 10):
        session[SEEN_AT] = now


def client_address(request: HttpRequest) -> str | None:
    """The caller's IP address: REMOTE_ADDR, or the address the `JIESU_PROXY_COUNT`-th trusted
    reverse proxy saw, from X-Forwarded-For. None when it is not a valid IP address."""
    proxies = int(getattr(settings, "JIESU_PROXY_COUNT", 0))
    raw = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = [a.strip() for a in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if a.strip()]
    if proxies > 0 and forwarded:
        raw = forwarded[-min(proxies, len(forwarded))]
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def on_user_logged_in(sender: object, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Start the clocks for every login, including the test client's `force_login`."""
    if request is not None and hasattr(request, "session"):
        session_begin(request.session)


class SessionTimeoutMiddleware:
    """Log out (server-side) sessions that are idle or too old; see the module docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            reason = session_expiry_reason(request.session, now)
            if reason is None:
                session_touch(request.session, now)
            else:
                return self._end(request, user, reason) or self.get_response(request)
        return self.get_response(request)

    def _end(self, request: HttpRequest, user: User, reason: str) -> HttpResponse | None:
        logout_record(user=user, source_address=client_address(request), reason=reason)
        logout(request)
        if request.method != "GET" or request.path.startswith(API_PREFIX):
            return None
        query = urlencode({"reason": reason, "next": request.get_full_path()})
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{query}")
