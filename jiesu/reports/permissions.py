"""Who may read and who may make report packs. Packs cover the whole hotline: center leaders read
them; center analysts and shift leads also generate them, upload templates and edit schedules."""

from __future__ import annotations

from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope

REPORT_READER_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SHIFT_LEAD})
REPORT_MAKER_ROLES = frozenset({Role.ANALYST, Role.SHIFT_LEAD})
READ_DENIED = "报告仅对热线中心的领导、分析员和班长开放"
MAKE_DENIED = "只有分析员和班长可以生成报告，领导可查看和下载"


def can_read_reports(user: User | None) -> bool:
    """Preview, download and read the delivery ledger."""
    if user is None or not user.is_active or not user.has_role(*REPORT_READER_ROLES):
        return False
    return user_scope(user).everything


def can_make_reports(user: User | None) -> bool:
    """Generate, upload templates and edit schedules."""
    return can_read_reports(user) and user is not None and user.has_role(*REPORT_MAKER_ROLES)
