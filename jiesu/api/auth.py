"""Who is calling: a bearer token (scripts, other systems) or the logged-in session (the web UI).

Both ways are rate limited per source address (before the credentials are checked, so guessing
tokens is slowed down too) and per user: JIESU_API_RATE_PER_ADDRESS and JIESU_API_RATE_PER_USER
requests a minute, counted in the database; beyond that the answer is 429 `throttled`.
A session counts only once its second factor is done when the user needs one (as for pages).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import Throttled
from ninja.security import APIKeyCookie, HttpBearer

from jiesu.orgs.models import User
from jiesu.orgs.security.mfa import user_requires_totp
from jiesu.orgs.security.ratelimit import rate_limit_hit
from jiesu.orgs.security.sessions import client_address, session_has_second_factor
from jiesu.orgs.services import api_token_authenticate

_COUNTED = "_jiesu_rate_counted"


def _limit(key: str, limit: int) -> None:
    decision = rate_limit_hit(key=key, limit=limit)
    if not decision.allowed:
        raise Throttled(wait=decision.retry_after)


def rate_limit_address(request: HttpRequest) -> None:
    """Count the request once for its source address (several auth classes may look at it)."""
    if getattr(request, _COUNTED, False):
        return
    setattr(request, _COUNTED, True)
    address = client_address(request)
    if address:
        _limit(f"api:address:{address}", int(settings.JIESU_API_RATE_PER_ADDRESS))


def rate_limit_user(user: User) -> None:
    _limit(f"api:user:{user.pk}", int(settings.JIESU_API_RATE_PER_USER))


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; only the token's SHA-256 is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        rate_limit_address(request)
        if not token or len(token) > 200:
            return None
        user = api_token_authenticate(token)
        if user is not None:
            rate_limit_user(user)
        return user


class SessionUser(APIKeyCookie):
    """The Django session, with CSRF protection on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        # Anonymous callers must get 401, not the CSRF 403 the cookie check would raise first.
        if not request.user.is_authenticated:
            return None
        result = super().__call__(request)
        return result if isinstance(result, User) else None

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        if user_requires_totp(user) and not session_has_second_factor(request.session):
            return None
        rate_limit_address(request)
        rate_limit_user(user)
        return user


def request_user(request: HttpRequest) -> User:
    """The authenticated user of an endpoint that requires authentication."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("endpoint called without authentication")
    return user
