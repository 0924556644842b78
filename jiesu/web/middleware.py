"""The second-factor gate: admins cannot use any page before enrolling TOTP and giving a code.

A session needs the second factor when its user must use TOTP (the three admin roles) or has
turned it on. The login view only starts such a session after the code, so the gate matters for
sessions started otherwise (the Django admin login, test clients) and for admins who have not
enrolled yet: those are sent to the enrolment page; an enrolled user whose session lacks the
code is logged out and sent to the login page. The JSON API applies the same rule itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from jiesu.orgs.models import User
from jiesu.orgs.security.mfa import user_requires_totp
from jiesu.orgs.security.sessions import session_has_second_factor

# Pages reachable before the second factor: the login steps, logout and the enrolment itself.
EXEMPT = frozenset({"web:login", "web:login_code", "web:login_password", "web:logout", "web:totp"})


class SecondFactorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        match = request.resolver_match
        if not isinstance(user, User) or match is None or match.view_name in EXEMPT or "api" in match.namespaces:
            return None
        if session_has_second_factor(request.session) or not user_requires_totp(user):
            return None
        if user.totp_enabled:
            logout(request)
            query = urlencode({"reason": "second_factor", "next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('web:login')}?{query}")
        return HttpResponseRedirect(reverse("web:totp"))
