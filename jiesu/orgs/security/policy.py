"""The password and lockout policy: the newest AuthPolicy row, or the defaults of domain-rules §12.1."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from jiesu.audit.services import audit_record
from jiesu.core.errors import ValidationFailed
from jiesu.orgs.models import AuthPolicy, User
from jiesu.orgs.security.duties import denied, security_admin_refusal

# The four character classes of the usual 等保 rule, in the order they are named to users.
CHARACTER_CLASSES = ("小写字母", "大写字母", "数字", "符号")
POLICY_FIELDS = (
    "min_length",
    "min_classes",
    "history_count",
    "max_age_days",
    "min_age_days",
    "lockout_failures",
    "address_lockout_failures",
    "failure_window_seconds",
    "lockout_seconds",
)


def auth_policy_current() -> AuthPolicy:
    """The policy in force: the newest version, or an unsaved row holding the defaults."""
    return AuthPolicy.objects.order_by("-version").first() or AuthPolicy(version=0)


def character_classes(raw: str) -> set[str]:
    found: set[str] = set()
    for ch in raw:
        if "a" <= ch <= "z":
            found.add(CHARACTER_CLASSES[0])
        elif "A" <= ch <= "Z":
            found.add(CHARACTER_CLASSES[1])
        elif "0" <= ch <= "9":
            found.add(CHARACTER_CLASSES[2])
        elif not ch.isspace():
            found.add(CHARACTER_CLASSES[3])
    return found


def password_rule_text(policy: AuthPolicy) -> str:
    return (
        f"至少 {policy.min_length} 位，包含{'、'.join(CHARACTER_CLASSES)}中的至少 {policy.min_classes} 类，"
        "不能包含用户名"
    )


def password_problems(raw: str, *, policy: AuthPolicy, username: str = "") -> list[str]:
    """Every way `raw` breaks the policy's composition rules, in Chinese (empty when it is fine)."""
    problems = []
    if len(raw) < policy.min_length:
        problems.append(f"密码长度不能少于 {policy.min_length} 位")
    classes = character_classes(raw)
    if len(classes) < policy.min_classes:
        missing = "、".join(c for c in CHARACTER_CLASSES if c not in classes)
        problems.append(f"密码须包含{'、'.join(CHARACTER_CLASSES)}中的至少 {policy.min_classes} 类（缺少：{missing}）")
    if username and len(username) >= 3 and username.lower() in raw.lower():
        problems.append("密码不能包含用户名")
    return problems


class PolicyPasswordValidator:
    """Django password validator (AUTH_PASSWORD_VALIDATORS) that applies the current AuthPolicy."""

    def validate(self, password: str, user: Any = None) -> None:
        username = str(getattr(user, "username", "") or "")
        problems = password_problems(password, policy=auth_policy_current(), username=username)
        if problems:
            raise ValidationError([ValidationError(p, code="password_policy") for p in problems])

    def get_help_text(self) -> str:
        return password_rule_text(auth_policy_current())


def _policy_problems(policy: AuthPolicy) -> list[str]:
    try:
        policy.full_clean(exclude=["version", "changed_by", "created_at"])
    except ValidationError as exc:
        labels = {f.name: str(f.verbose_name) for f in AuthPolicy._meta.fields}
        return [f"{labels.get(name, name)}：{m}" for name, ms in exc.message_dict.items() for m in ms]
    return []


def auth_policy_update(
    *, actor: User | None, values: Mapping[str, int], source_address: str | None = None
) -> AuthPolicy:
    """Put a new version of the policy in force (security admin only); unchanged fields carry over."""
    if reason := security_admin_refusal(actor=actor):
        raise denied(actor=actor, action="auth.policy_change", reason=reason, source_address=source_address)
    unknown = sorted(set(values) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationFailed(f"未知的策略项：{'、'.join(unknown)}")
    current = auth_policy_current()
    fields = {name: int(values.get(name, getattr(current, name))) for name in POLICY_FIELDS}
    with transaction.atomic():
        latest = AuthPolicy.objects.aggregate(v=Max("version"))["v"] or 0
        policy = AuthPolicy(version=latest + 1, changed_by=actor, **fields)
        if problems := _policy_problems(policy):
            raise ValidationFailed("；".join(problems), errors=problems)
        policy.save()
        changed = {k: [getattr(current, k), v] for k, v in fields.items() if getattr(current, k) != v}
        audit_record(
            actor=actor,
            action="auth.policy_change",
            obj=policy,
            source_address=source_address,
            detail={"version": policy.version, "changed": changed},
        )
    return policy
