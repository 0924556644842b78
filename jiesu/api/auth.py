"""Who is calling: a bearer token (scripts, other systems) or the logged-in session (the web UI)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from jiesu.orgs.models import User
from jiesu.orgs.services import api_token_authenticate


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; only the token's SHA-256 is stored."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        return api_token_authenticate(token)


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
        return user if isinstance(user, User) and user.is_active else None


def request_user(request: HttpRequest) -> User:
    """The authenticated user of an endpoint that requires authentication."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise TypeError("endpoint called without authentication")
    return user
