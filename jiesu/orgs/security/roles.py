"""Granting and revoking roles under the separation of duties, and creating admin accounts.

The rule (see the package docstring) lives in `duties.role_change_refusal`; every refusal is
audited. One person holds at most one of the three admin roles, and the last active security
admin cannot lose the role (nobody would be left to manage the admin roles).
"""

from __future__ import annotations

from django.db import transaction

from jiesu.audit.services import audit_record
from jiesu.core.errors import ValidationFailed
from jiesu.orgs.choices import Role
from jiesu.orgs.models import RoleGrant, Unit, User
from jiesu.orgs.security.duties import ADMIN_ROLES, denied, role_change_refusal
from jiesu.orgs.security.passwords import password_check, user_set_password
from jiesu.orgs.services import user_create


def _forget_roles(user: User) -> None:
    if hasattr(user, "_roles_cache"):
        del user._roles_cache


def _grant_refusal(user: User, role: str) -> str | None:
    if role not in Role.values:
        return f"未知的角色：{role}"
    if role in ADMIN_ROLES and (user.roles & ADMIN_ROLES) - {role}:
        return "三员分立：一人只能担任系统管理员、安全管理员、审计管理员中的一个"
    return None


def role_grant(*, user: User, role: str, actor: User | None, source_address: str | None = None) -> RoleGrant:
    """Give `user` the role `role`; granting a role already held returns the existing grant."""
    detail = {"role": role}
    if reason := role_change_refusal(actor=actor, user=user, role=role) or _grant_refusal(user, role):
        raise denied(
            actor=actor, action="role.grant", reason=reason, obj=user, source_address=source_address, detail=detail
        )
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(user=user, role=role)
        if created:
            if role == Role.SYSTEM_ADMIN and not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            audit_record(actor=actor, action="role.grant", obj=user, source_address=source_address, detail=detail)
    _forget_roles(user)
    return grant


def _last_security_admin(user: User) -> bool:
    others = RoleGrant.objects.filter(role=Role.SECURITY_ADMIN, user__is_active=True).exclude(user=user)
    return not others.exists()


def role_revoke(*, user: User, role: str, actor: User | None, source_address: str | None = None) -> bool:
    """Take the role `role` from `user`; False if they did not hold it."""
    detail = {"role": role}
    reason = role_change_refusal(actor=actor, user=user, role=role)
    if reason is None and role == Role.SECURITY_ADMIN and user.has_role(role) and _last_security_admin(user):
        reason = "不能撤销最后一名安全管理员的角色"
    if reason:
        raise denied(
            actor=actor, action="role.revoke", reason=reason, obj=user, source_address=source_address, detail=detail
        )
    with transaction.atomic():
        removed, _ = RoleGrant.objects.filter(user=user, role=role).delete()
        if removed:
            if role == Role.SYSTEM_ADMIN and user.is_staff:
                user.is_staff = False
                user.save(update_fields=["is_staff"])
            audit_record(actor=actor, action="role.revoke", obj=user, source_address=source_address, detail=detail)
    _forget_roles(user)
    return bool(removed)


def admin_create(
    *, username: str, password: str, role: str = Role.SYSTEM_ADMIN, display_name: str = "", unit: Unit | None = None
) -> User:
    """Create an admin account from the server's command line (`jiesu createadmin`).

    The password is chosen by the operator and must pass the policy: there is no default one.
    The account holds exactly one admin role and is never a Django superuser."""
    username = username.strip()
    if role not in ADMIN_ROLES:
        raise ValidationFailed("只能创建系统管理员、安全管理员或审计管理员账号")
    if not username:
        raise ValidationFailed("用户名不能为空")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"用户名已存在：{username}")
    if problems := password_check(password, user=User(username=username, display_name=display_name)):
        raise ValidationFailed("；".join(problems), errors=problems)
    with transaction.atomic():
        user = user_create(username=username, password=None, unit=unit, roles=[], display_name=display_name)
        role_grant(user=user, role=role, actor=None)
        user_set_password(user=user, raw=password, actor=None)
        audit_record(actor=None, action="account.create_admin", obj=user, detail={"username": username, "role": role})
    return user
