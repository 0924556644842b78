"""Login in up to three steps (password, second factor, new password if expired) and logout.

Until the last step passes, the session holds only a short-lived "pending login" (the user's
id, never a password); the user is logged in — and the session key rotated — at the end.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from jiesu.core.errors import ValidationFailed
from jiesu.orgs.models import User
from jiesu.orgs.security.login import (
    FailureReason,
    LoginLocked,
    login_code_check,
    login_refused,
    login_succeeded,
    logout_record,
)
from jiesu.orgs.security.passwords import password_is_expired, user_set_password
from jiesu.orgs.security.sessions import client_address, idle_seconds, session_mark_second_factor
from jiesu.web.forms.auth import LoginForm, NewPasswordForm, SecondFactorForm

PENDING = "jiesu_login_pending"
PENDING_SECONDS = 300
NOTICES = {
    "idle": "您已超过 {minutes} 分钟未操作，为保护账号安全已自动退出，请重新登录。",
    "expired": "本次登录已超过最长会话时间，请重新登录。",
    "second_factor": "请重新登录并输入动态验证码。",
    "pending": "登录步骤已超时或未完成，请重新登录。",
}


def _notice(reason: str) -> str:
    return NOTICES.get(reason, "").format(minutes=max(1, idle_seconds() // 60))


@dataclass
class PendingLogin:
    """A login whose password was right but which needs more steps."""

    user_id: int
    started: float
    next_url: str
    backend: str
    second_factor: str = ""
    password_changed: bool = False


def _pending(request: HttpRequest) -> tuple[PendingLogin, User] | None:
    data = request.session.get(PENDING)
    if not isinstance(data, dict):
        return None
    try:
        pending = PendingLogin(**data)
    except TypeError:  # left by another version of this view: start again
        request.session.pop(PENDING, None)
        return None
    user = User.objects.filter(pk=pending.user_id, is_active=True).first()
    if user is None or time.time() - pending.started > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending, user


def _safe_next(request: HttpRequest, url: str) -> str:
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else resolve_url(settings.LOGIN_REDIRECT_URL)


def _advance(request: HttpRequest, pending: PendingLogin, user: User) -> HttpResponse:
    """Send the login to its next missing step, or finish it."""
    address = client_address(request)
    if user.totp_enabled and not pending.second_factor:
        request.session[PENDING] = asdict(pending)
        return redirect("web:login_code")
    if password_is_expired(user) and not pending.password_changed:
        login_refused(username=user.username, source_address=address, reason=FailureReason.PASSWORD_EXPIRED, user=user)
        request.session[PENDING] = asdict(pending)
        return redirect("web:login_password")
    request.session.pop(PENDING, None)
    auth_login(request, user, backend=pending.backend)
    if pending.second_factor:
        session_mark_second_factor(request.session)
    login_succeeded(user=user, source_address=address, second_factor=pending.second_factor)
    return HttpResponseRedirect(_safe_next(request, pending.next_url))


def _restart(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?reason=pending")


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["notice"] = _notice(self.request.GET.get("reason", ""))
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        pending = PendingLogin(
            user_id=user.pk, started=time.time(), next_url=self.get_redirect_url(), backend=user.backend
        )
        return _advance(self.request, pending, user)


def login_code(request: HttpRequest) -> HttpResponse:
    """Second step: a TOTP code or a recovery code."""
    found = _pending(request)
    if found is None:
        return _restart(request)
    pending, user = found
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            method = login_code_check(user=user, code=form.cleaned_data["code"], source_address=client_address(request))
        except LoginLocked as exc:
            request.session.pop(PENDING, None)
            form.add_error(None, exc.message)
        except ValidationFailed as exc:
            form.add_error("code", exc.message)
        else:
            pending.second_factor = method
            return _advance(request, pending, user)
    return render(request, "web/login_code.html", {"form": form})


def login_password(request: HttpRequest) -> HttpResponse:
    """Last step when the password has expired or was set by an admin: choose a new one."""
    found = _pending(request)
    if found is None:
        return _restart(request)
    pending, user = found
    if user.totp_enabled and not pending.second_factor:
        return redirect("web:login_code")
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_set_password(
                user=user, raw=form.cleaned_data["new_password"], actor=user, source_address=client_address(request)
            )
        except ValidationFailed as exc:
            for message in exc.details.get("errors") or [exc.message]:
                form.add_error("new_password", message)
        else:
            pending.password_changed = True
            return _advance(request, pending, user)
    return render(request, "web/login_password.html", {"form": form, "forced": user.must_change_password})


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if isinstance(request.user, User):
            logout_record(user=request.user, source_address=client_address(request))
        return super().post(request, *args, **kwargs)
