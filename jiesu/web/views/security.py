"""Account security pages: one's own password and authenticator; the security admin's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from jiesu.core.errors import DomainError
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.security.duties import ADMIN_ROLES
from jiesu.orgs.security.lockout import login_lock_clear, login_locks_active
from jiesu.orgs.security.mfa import (
    recovery_codes_left,
    totp_enrol_confirm,
    totp_enrol_start,
    totp_enrolment_pending,
    totp_reset,
)
from jiesu.orgs.security.passwords import password_change
from jiesu.orgs.security.policy import auth_policy_current, auth_policy_update
from jiesu.orgs.security.sessions import client_address, session_mark_second_factor
from jiesu.web.forms.auth import PasswordChangeForm, SecondFactorForm
from jiesu.web.forms.security import AccountForm, AuthPolicyForm
from jiesu.web.http import current_user


@login_required
def account_password(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            password_change(
                user=user, old=data["old_password"], new=data["new_password"], source_address=client_address(request)
            )
        except DomainError as exc:
            for message in exc.details.get("errors") or [exc.message]:
                form.add_error(None, message)
        else:
            update_session_auth_hash(request, user)  # stay logged in with the new password
            messages.success(request, "密码已修改")
            return redirect("web:home")
    return render(request, "web/account/password.html", {"form": form})


@login_required
def totp(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: start (a new secret), then confirm with a first code."""
    user = current_user(request)
    form = SecondFactorForm(request.POST or None)
    context: dict[str, object] = {"form": form, "required": user.has_role(*ADMIN_ROLES)}
    if request.method == "POST" and request.POST.get("step") == "start":
        try:
            totp_enrol_start(user=user)
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("web:totp")
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_enrol_confirm(
                user=user, code=form.cleaned_data["code"], source_address=client_address(request)
            )
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            session_mark_second_factor(request.session)
            return render(request, "web/account/totp.html", {**context, "recovery_codes": codes})
    if user.totp_enabled:
        context["codes_left"] = recovery_codes_left(user=user)
    else:
        context["enrolment"] = totp_enrolment_pending(user=user)
    return render(request, "web/account/totp.html", context)


def _security_admin(request: HttpRequest) -> User:
    user = current_user(request)
    if not user.has_role(Role.SECURITY_ADMIN):
        raise PermissionDenied
    return user


def _act(request: HttpRequest, actor: User, policy_form: AuthPolicyForm) -> bool:
    """Carry out one POSTed action; True when the page should redirect (it succeeded or failed)."""
    step = request.POST.get("step", "")
    address = client_address(request)
    try:
        if step == "unlock":
            login_lock_clear(
                scope=request.POST.get("scope", ""),
                key=request.POST.get("key", ""),
                actor=actor,
                source_address=address,
            )
            messages.success(request, "已解除锁定")
        elif step == "totp_reset":
            account = AccountForm(request.POST)
            target = User.objects.filter(username=request.POST.get("username", "")).first()
            if not account.is_valid() or target is None:
                messages.error(request, "用户不存在")
                return True
            totp_reset(user=target, actor=actor, source_address=address)
            messages.success(request, f"已重置 {target.username} 的动态口令")
        elif step == "policy":
            if not policy_form.is_valid():
                return False
            policy = auth_policy_update(actor=actor, values=policy_form.values(), source_address=address)
            messages.success(request, f"身份鉴别策略已更新为第 {policy.version} 版")
    except DomainError as exc:
        messages.error(request, exc.message)
    return True


@login_required
def security_admin(request: HttpRequest) -> HttpResponse:
    """Locks in force (unlock), second-factor reset, and the password and lockout policy."""
    actor = _security_admin(request)
    policy = auth_policy_current()
    is_policy_post = request.method == "POST" and request.POST.get("step") == "policy"
    policy_form = AuthPolicyForm(request.POST if is_policy_post else None, instance=policy)
    if request.method == "POST" and _act(request, actor, policy_form):
        return redirect("web:security_admin")
    context = {
        "locks": login_locks_active(),
        "policy": policy,
        "policy_form": policy_form,
        "account_form": AccountForm(),
    }
    return render(request, "web/security/admin.html", context)
