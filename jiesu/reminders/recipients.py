"""Who a reminder step reaches for a given ticket."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User
from jiesu.reminders.choices import RecipientRole
from jiesu.tickets.models import Ticket

R = RecipientRole
CENTER_ROLES: dict[str, tuple[str, ...]] = {
    R.CENTER_SHIFT_LEAD: (Role.SHIFT_LEAD,),
    R.SUPERVISOR: (Role.SHIFT_LEAD, Role.LEADER),
    R.CENTER_AGENT: (Role.AGENT,),
    R.CALLBACK_AGENT: (Role.CALLBACK_AGENT,),
}


class RecipientResolver:
    """Resolves recipient roles to active users, remembering answers for one worker run (center
    roles are the same for every ticket, unit roles the same for every ticket of a unit)."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int | None], list[User]] = {}

    def users(self, role: str, ticket: Ticket) -> list[User]:
        unit_id = ticket.lead_unit_id if role in (R.UNIT_STAFF, R.UNIT_LEADER) else None
        key = (role, unit_id)
        if key not in self._cache:
            self._cache[key] = list(self._query(role, ticket).distinct().order_by("id"))
        return self._cache[key]

    def _query(self, role: str, ticket: Ticket) -> QuerySet[User]:
        active = User.objects.filter(is_active=True)
        if role in CENTER_ROLES:
            return active.filter(unit__kind=UnitKind.CENTER, role_grants__role__in=CENTER_ROLES[role])
        unit = ticket.lead_unit
        if unit is None:
            return active.none()
        if role == R.UNIT_STAFF:
            return active.filter(unit=unit, role_grants__role=Role.UNIT_STAFF)
        # A unit's leader: a user with the leader role in the unit itself or the unit above it.
        units = Q(unit=unit) | Q(unit_id=unit.parent_id) if unit.parent_id else Q(unit=unit)
        return active.filter(units, role_grants__role=Role.LEADER)
