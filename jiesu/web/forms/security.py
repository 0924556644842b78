"""Forms of the security admin's page: the policy and the account to act on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from jiesu.orgs.models import AuthPolicy
from jiesu.orgs.security.policy import POLICY_FIELDS
from jiesu.web.forms.base import ChineseForm

# Generic only for the type checker (no django_stubs_ext monkeypatch at run time).
if TYPE_CHECKING:
    PolicyFormBase = forms.ModelForm[AuthPolicy]
else:
    PolicyFormBase = forms.ModelForm


class AuthPolicyForm(PolicyFormBase):
    """The editable numbers of the policy; saving adds a version through `auth_policy_update`."""

    class Meta:
        model = AuthPolicy
        fields = list(POLICY_FIELDS)

    def values(self) -> dict[str, int]:
        return {name: int(self.cleaned_data[name]) for name in POLICY_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages = {**field.error_messages, "required": "此项必填", "invalid": "请输入整数"}


class AccountForm(ChineseForm):
    username = forms.CharField(label="用户名", max_length=150)
