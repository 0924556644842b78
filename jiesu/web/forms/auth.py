"""The login forms, with Chinese labels and messages whatever the browser's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from jiesu.orgs.security.lockout import login_lock_get
from jiesu.orgs.security.policy import auth_policy_current, password_rule_text
from jiesu.orgs.security.sessions import client_address
from jiesu.web.forms.base import ChineseForm


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误，请重新输入。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.error_messages = {**field.error_messages, "required": "此项必填"}
        self.fields["username"].widget.attrs.update({"autofocus": True, "autocomplete": "username"})
        self.fields["password"].widget = forms.PasswordInput(attrs={"autocomplete": "current-password"})

    def get_invalid_login_error(self) -> ValidationError:
        # A locked account or address is refused even with the right password: say so.
        username = str(self.cleaned_data.get("username") or "")
        address = client_address(self.request) if self.request is not None else None
        lock = login_lock_get(username=username, address=address) if username else None
        if lock is not None:
            return ValidationError(lock.message, code="locked")
        return super().get_invalid_login_error()


class SecondFactorForm(ChineseForm):
    code = forms.CharField(
        label="动态验证码",
        max_length=32,
        help_text="手机验证器上当前显示的 6 位数字；手机丢失时可输入一个恢复码",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class NewPasswordForm(ChineseForm):
    new_password = forms.CharField(
        label="新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label="再次输入新密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password"].help_text = password_rule_text(auth_policy_current())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "两次输入的新密码不一致")
        return data


class PasswordChangeForm(NewPasswordForm):
    old_password = forms.CharField(
        label="原密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    field_order = ["old_password", "new_password", "new_password_again"]
