"""Who may change whose roles and credentials (三员分立); the rule itself is in the package docstring.

Each `*_refusal` function returns the Chinese reason an action is refused, or None when it is
allowed; `denied` audits the refusal and builds the error to raise.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from jiesu.audit.models import AuditResult
from jiesu.audit.services import audit_record
from jiesu.core.errors import PermissionDenied
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def holds_admin_role(user: User) -> bool:
    return user.has_role(*ADMIN_ROLES)


def _active(actor: User) -> str | None:
    return None if actor.is_active else "操作人账号已停用"


def role_change_refusal(*, actor: User | None, user: User, role: str) -> str | None:
    """Why `actor` may not grant or revoke `role` for `user`; None (the system) is always allowed."""
    if actor is None:
        return None
    if reason := _active(actor):
        return reason
    if actor.pk == user.pk:
        return "不能修改自己的角色"
    if role in ADMIN_ROLES or holds_admin_role(user):
        if not actor.has_role(Role.SECURITY_ADMIN):
            return "只有安全管理员可以授予或撤销管理员角色，或调整管理员账号的角色"
    elif not actor.has_role(Role.SYSTEM_ADMIN):
        return "只有系统管理员可以授予或撤销业务角色"
    return None


def account_reset_refusal(*, actor: User | None, user: User) -> str | None:
    """Why `actor` may not reset the password of another account `user`."""
    if actor is None or actor.pk == user.pk:
        return None
    if reason := _active(actor):
        return reason
    if holds_admin_role(user):
        return None if actor.has_role(Role.SECURITY_ADMIN) else "只有安全管理员可以重置管理员账号的密码"
    return None if actor.has_role(Role.SYSTEM_ADMIN) else "只有系统管理员可以重置用户密码"


def security_admin_refusal(*, actor: User | None, user: User | None = None) -> str | None:
    """Policy, lockouts and second-factor resets belong to the security admin, never on oneself."""
    if actor is None:
        return None
    if reason := _active(actor):
        return reason
    if not actor.has_role(Role.SECURITY_ADMIN):
        return "只有安全管理员可以执行此操作"
    if user is not None and user.pk == actor.pk:
        return "不能对自己的账号执行此操作"
    return None


def denied(
    *,
    actor: User | None,
    action: str,
    reason: str,
    obj: models.Model | None = None,
    source_address: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> PermissionDenied:
    """Record a refused security action in the audit trail and return the error to raise.

    Callers raise it outside their own transaction, so the audit line survives the refusal."""
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        result=AuditResult.FAILURE,
        source_address=source_address,
        detail={"reason": reason, **(detail or {})},
    )
    return PermissionDenied(reason)
