"""Separation of duties (三员分立) for role changes, and the append-only trail."""

from __future__ import annotations

import pytest

from jiesu.audit.models import AuditEntry
from jiesu.core.errors import DomainError, PermissionDenied
from jiesu.orgs.choices import Role
from jiesu.orgs.models import RoleGrant, User
from jiesu.orgs.security.roles import role_grant, role_revoke
from jiesu.orgs.testing import World

pytestmark = pytest.mark.django_db


def roles_of(user: User) -> set[str]:
    return set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


def test_the_system_admin_grants_and_revokes_ordinary_roles(world: World) -> None:
    role_grant(user=world.agent, role=Role.CALLBACK_AGENT, actor=world.system_admin, source_address="10.0.0.1")
    assert roles_of(world.agent) == {Role.AGENT, Role.CALLBACK_AGENT}
    assert world.agent.has_role(Role.CALLBACK_AGENT)
    assert role_revoke(user=world.agent, role=Role.CALLBACK_AGENT, actor=world.system_admin)
    assert roles_of(world.agent) == {Role.AGENT}
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "result", "actor_id"))
    assert actions == [
        ("role.grant", "success", world.system_admin.pk),
        ("role.revoke", "success", world.system_admin.pk),
    ]


def test_the_security_admin_grants_and_revokes_admin_roles(world: World) -> None:
    role_grant(user=world.leader, role=Role.AUDIT_ADMIN, actor=world.security_admin)
    assert Role.AUDIT_ADMIN in roles_of(world.leader)
    role_grant(user=world.analyst, role=Role.SYSTEM_ADMIN, actor=world.security_admin)
    world.analyst.refresh_from_db()
    assert world.analyst.is_staff
    role_revoke(user=world.analyst, role=Role.SYSTEM_ADMIN, actor=world.security_admin)
    world.analyst.refresh_from_db()
    assert not world.analyst.is_staff


REFUSALS = [
    # (actor, target, role, grant?, message)
    ("system_admin", "leader", Role.SECURITY_ADMIN, True, "只有安全管理员"),
    ("system_admin", "leader", Role.AUDIT_ADMIN, True, "只有安全管理员"),
    ("system_admin", "leader", Role.SYSTEM_ADMIN, True, "只有安全管理员"),
    ("system_admin", "audit_admin", Role.AGENT, True, "只有安全管理员"),  # an admin's account
    ("system_admin", "security_admin", Role.SECURITY_ADMIN, False, "只有安全管理员"),
    ("security_admin", "leader", Role.AGENT, True, "只有系统管理员"),
    ("security_admin", "agent", Role.AGENT, False, "只有系统管理员"),
    ("audit_admin", "leader", Role.AGENT, True, "只有系统管理员"),
    ("audit_admin", "leader", Role.AUDIT_ADMIN, True, "只有安全管理员"),
    ("agent", "leader", Role.AGENT, True, "只有系统管理员"),
    ("leader", "agent", Role.AGENT, False, "只有系统管理员"),
    ("system_admin", "system_admin", Role.AGENT, True, "不能修改自己的角色"),
    ("security_admin", "security_admin", Role.AUDIT_ADMIN, True, "不能修改自己的角色"),
    ("security_admin", "security_admin", Role.SECURITY_ADMIN, False, "不能修改自己的角色"),
    ("security_admin", "system_admin", Role.AUDIT_ADMIN, True, "三员分立"),
    ("security_admin", "audit_admin", Role.SECURITY_ADMIN, True, "三员分立"),
]


@pytest.mark.parametrize(("actor", "target", "role", "grant", "message"), REFUSALS)
def test_role_changes_outside_ones_duty_are_refused_and_audited(
    world: World, actor: str, target: str, role: str, grant: bool, message: str
) -> None:
    user, by = getattr(world, target), getattr(world, actor)
    before = roles_of(user)
    change = role_grant if grant else role_revoke
    with pytest.raises(PermissionDenied, match=message):
        change(user=user, role=role, actor=by)
    assert roles_of(user) == before
    entry = AuditEntry.objects.get()
    assert entry.action == ("role.grant" if grant else "role.revoke")
    assert (entry.result, entry.actor_id, entry.detail["role"]) == ("failure", by.pk, role)


def test_a_deactivated_security_admin_changes_nothing(world: World) -> None:
    world.security_admin.is_active = False
    world.security_admin.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied, match="已停用"):
        role_grant(user=world.leader, role=Role.AUDIT_ADMIN, actor=world.security_admin)


def test_the_last_security_admin_keeps_the_role(world: World) -> None:
    with pytest.raises(PermissionDenied, match="最后一名安全管理员"):
        role_revoke(user=world.security_admin, role=Role.SECURITY_ADMIN, actor=None)
    role_grant(user=world.leader, role=Role.SECURITY_ADMIN, actor=world.security_admin)
    assert role_revoke(user=world.security_admin, role=Role.SECURITY_ADMIN, actor=world.leader)


def test_no_role_can_edit_or_erase_the_trail(world: World) -> None:
    role_grant(user=world.agent, role=Role.CALLBACK_AGENT, actor=world.system_admin)
    entry = AuditEntry.objects.get(action="role.grant")
    entry.result = "failure"
    # Whatever role the caller holds, the model refuses (the audit app owns the exact error).
    with pytest.raises((ValueError, DomainError)):
        entry.save()
    with pytest.raises((ValueError, DomainError)):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).result == "success"


def test_django_admin_permissions_follow_the_admin_roles() -> None:
    from jiesu.orgs.choices import admin_role_allows, admin_role_allows_app

    system = frozenset({"system_admin"})
    assert admin_role_allows(system, "sla.change_calendarday")
    assert admin_role_allows(system, "tickets.change_category")
    assert not admin_role_allows(system, "tickets.change_ticket")
    assert not admin_role_allows(system, "orgs.change_rolegrant")  # roles change through services only
    assert not admin_role_allows(system, "audit.delete_auditentry")
    for other in ("security_admin", "audit_admin", "agent", "leader"):
        assert not admin_role_allows(frozenset({other}), "sla.change_calendarday")
        assert not admin_role_allows_app(frozenset({other}), "sla")
