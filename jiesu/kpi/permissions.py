"""Who may see KPIs, and over which tickets: one rule for the web pages, the API and the CLI.

Leaders, analysts and shift leads of the centre see the whole hotline. A leader or analyst of a
unit sees the KPIs of the tickets assessed against the unit's subtree: those it leads and, for a
district, township or community, those located in its area. Tickets it only assists are not
assessed against it, so they are not counted (they stay visible in its ticket lists).
"""

from __future__ import annotations

from django.db.models import Q

from jiesu.core.errors import PermissionDenied
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope

KPI_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SHIFT_LEAD})
# Territorial units answer for the tickets located in their area (四级联动).
TERRITORIAL = frozenset({UnitKind.CITY, UnitKind.DISTRICT, UnitKind.TOWNSHIP, UnitKind.COMMUNITY})
KPI_DENIED = "只有领导、分析员和班长可以查看考核指标"


def can_see_kpis(user: User | None) -> bool:
    try:
        kpi_viewer_where(user)
    except PermissionDenied:
        return False
    return True


def kpi_viewer_where(user: User | None) -> Q | None:
    """None: the whole hotline (the system itself, or a centre viewer); a Q on Ticket narrowing to
    the viewer's unit subtree; PermissionDenied for anyone else."""
    if user is None:
        return None
    if not user.is_active or not user.has_role(*KPI_ROLES):
        raise PermissionDenied(KPI_DENIED)
    scope = user_scope(user)
    if scope.everything:
        return None
    if scope.unit_path is None or user.unit is None:
        raise PermissionDenied(KPI_DENIED)
    prefix = scope.unit_path
    where = Q(lead_unit__path__startswith=prefix)
    if user.unit.kind in TERRITORIAL:
        where |= (
            Q(district__path__startswith=prefix)
            | Q(township__path__startswith=prefix)
            | Q(community__path__startswith=prefix)
        )
    return where
