from django.db import models


class UnitKind(models.TextChoices):
    CENTER = "center", "热线中心/分中心"
    CITY = "city", "市"
    DISTRICT = "district", "区"
    TOWNSHIP = "township", "街道/乡镇"
    COMMUNITY = "community", "社区/村"
    OFFICE = "office", "处室"
    SECTION = "section", "科室"
    AFFILIATED_UNIT = "affiliated_unit", "二级直属单位"
    ENTERPRISE = "enterprise", "企业"
    DEPARTMENT = "department", "部门"


# The four territorial levels (四级联动); departments take the level of where they hang.
TERRITORIAL_LEVELS: dict[str, int] = {
    UnitKind.CITY: 1,
    UnitKind.DISTRICT: 2,
    UnitKind.TOWNSHIP: 3,
    UnitKind.COMMUNITY: 4,
}


class Role(models.TextChoices):
    AGENT = "agent", "坐席"
    SHIFT_LEAD = "shift_lead", "班长"
    UNIT_STAFF = "unit_staff", "承办单位人员"
    CALLBACK_AGENT = "callback_agent", "回访员"
    ANALYST = "analyst", "分析员"
    LEADER = "leader", "领导"
    KNOWLEDGE_EDITOR = "knowledge_editor", "知识库编辑"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# What each admin role may edit in the Django admin, as "app" or "app.model". Users, roles and the
# password policy are not here: they change only through the services that enforce the separation
# of duties (the security admin's page), and the audit trail is read-only for everyone.
ADMIN_MODELS: dict[str, frozenset[str]] = {
    Role.SYSTEM_ADMIN: frozenset({"sla", "notify", "reminders", "tickets.category", "orgs.unit"}),
}


def admin_role_allows(roles: frozenset[str], perm: str) -> bool:
    """`perm` is "app_label.action_model", e.g. "sla.change_calendarday"."""
    app_label, _, codename = perm.partition(".")
    model = codename.split("_", 1)[1] if "_" in codename else ""
    return any(
        app_label in ADMIN_MODELS.get(role, ()) or f"{app_label}.{model}" in ADMIN_MODELS.get(role, ())
        for role in roles
    )


def admin_role_allows_app(roles: frozenset[str], app_label: str) -> bool:
    return any(
        entry == app_label or entry.startswith(f"{app_label}.")
        for role in roles
        for entry in ADMIN_MODELS.get(role, ())
    )
