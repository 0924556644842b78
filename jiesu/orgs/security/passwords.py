"""Setting and changing passwords: composition, history, minimum and maximum age; all audited."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.errors import ValidationFailed
from jiesu.orgs.models import AuthPolicy, PasswordHistory, User
from jiesu.orgs.security.duties import account_reset_refusal, denied
from jiesu.orgs.security.policy import PolicyPasswordValidator, auth_policy_current, password_problems

# The longest history the policy may ask for (AuthPolicy.history_count); older hashes are dropped.
HISTORY_KEPT = 24


def password_is_expired(user: User, *, policy: AuthPolicy | None = None, now: datetime | None = None) -> bool:
    """True when the user must choose a new password before working: reset by an admin, or too old."""
    if user.must_change_password:
        return True
    policy = policy or auth_policy_current()
    if policy.max_age_days == 0:
        return False
    changed = user.password_changed_at or user.date_joined
    return (now or timezone.now()) - changed > timedelta(days=policy.max_age_days)


def _validator_messages(raw: str, user: User) -> list[str]:
    """Messages of the other configured validators (common passwords …); the policy runs separately."""
    messages: list[str] = []
    for validator in get_default_password_validators():
        if isinstance(validator, PolicyPasswordValidator):
            continue
        try:
            validator.validate(raw, user)
        except ValidationError as exc:
            messages.extend(exc.messages)
    return messages


def _reused(raw: str, user: User, policy: AuthPolicy) -> bool:
    if policy.history_count == 0:
        return False
    hashes = list(user.password_history.values_list("password_hash", flat=True)[: policy.history_count])
    if user.password:
        hashes.append(user.password)
    return any(check_password(raw, encoded) for encoded in hashes)


def password_check(raw: str, *, user: User, policy: AuthPolicy | None = None) -> list[str]:
    """Every reason `raw` may not become `user`'s password, in Chinese (empty when it may)."""
    policy = policy or auth_policy_current()
    problems = password_problems(raw, policy=policy, username=user.username)
    problems += _validator_messages(raw, user)
    if user.pk is not None and _reused(raw, user, policy):
        problems.append(f"不能与最近 {max(policy.history_count, 1)} 次使用过的密码相同")
    return problems


def _refuse(user: User, actor: User | None, problems: list[str], source_address: str | None) -> ValidationFailed:
    audit_record(
        actor=actor,
        action="auth.password_change",
        obj=user,
        result=AuditResult.FAILURE,
        source_address=source_address,
        detail={"reason": "policy", "problems": problems},
    )
    return ValidationFailed("；".join(problems), errors=problems)


def user_set_password(*, user: User, raw: str, actor: User | None, source_address: str | None = None) -> None:
    """Set `user`'s password after checking the policy and history.

    `actor` is the user themselves, another account allowed by the separation of duties (the
    new password is then temporary: it must be changed at the next login), or None for the
    system (the `createadmin` command)."""
    by_other = actor is not None and actor.pk != user.pk
    if reason := account_reset_refusal(actor=actor, user=user):
        raise denied(actor=actor, action="auth.password_change", reason=reason, obj=user, source_address=source_address)
    if problems := password_check(raw, user=user):
        raise _refuse(user, actor, problems, source_address)
    with transaction.atomic():
        user.set_password(raw)
        user.password_changed_at = timezone.now()
        user.must_change_password = by_other
        user.save(update_fields=["password", "password_changed_at", "must_change_password"])
        PasswordHistory.objects.create(user=user, password_hash=user.password)
        stale = user.password_history.values_list("pk", flat=True)[HISTORY_KEPT:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()
        audit_record(
            actor=actor,
            action="auth.password_change",
            obj=user,
            source_address=source_address,
            detail={"by": "other" if by_other else "self" if actor is not None else "system"},
        )


def password_change(*, user: User, old: str, new: str, source_address: str | None = None) -> None:
    """A user changes their own password: the old one is required and the minimum age applies."""
    if not user.check_password(old):
        raise _refuse(user, user, ["原密码不正确"], source_address)
    policy = auth_policy_current()
    changed = user.password_changed_at or user.date_joined
    earliest = changed + timedelta(days=policy.min_age_days)
    if not password_is_expired(user, policy=policy) and timezone.now() < earliest:
        message = (
            f"密码修改后 {policy.min_age_days} 天内不能再次修改（最早 {timezone.localtime(earliest):%Y-%m-%d %H:%M}）"
        )
        raise _refuse(user, user, [message], source_address)
    user_set_password(user=user, raw=new, actor=user, source_address=source_address)
