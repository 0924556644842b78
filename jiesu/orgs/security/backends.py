"""The authentication backend: Django's ModelBackend behind the lockout of `lockout.py`.

Every password check goes through it — the web login, and anything else that calls
`django.contrib.auth.authenticate()` — so no login path escapes the lockout or the audit.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from jiesu.orgs.models import User
from jiesu.orgs.security.lockout import login_lock_get
from jiesu.orgs.security.login import FailureReason, login_failed, login_refused
from jiesu.orgs.security.sessions import client_address


class LockoutModelBackend(ModelBackend):
    """Refuse locked account names and addresses; count and audit every wrong password."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if not username or password is None:
            return None
        address = client_address(request) if request is not None else None
        if login_lock_get(username=username, address=address) is not None:
            login_refused(username=username, source_address=address, reason=FailureReason.LOCKED)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if not isinstance(user, User):
            login_failed(username=username, source_address=address, reason=FailureReason.BAD_PASSWORD)
            return None
        return user
