"""Who a reminder step reaches for a given ticket."""

from __future__ import annotations

from django.db.models import QuerySet

from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.selectors import users_with_role
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
            self._cache[key] = list(self._query(role, ticket))
        return self._cache[key]

    def _query(self, role: str, ticket: Ticket) -> QuerySet[User]:
        if role in CENTER_ROLES:
            return users_with_role(roles=CENTER_ROLES[role], center=True)
        unit = ticket.lead_unit
        if unit is None:
            return User.objects.none()
        if role == R.UNIT_STAFF:
            return users_with_role(roles=[Role.UNIT_STAFF], unit_ids=[unit.pk])
        # A unit's leader: a user with the leader role in the unit itself or the unit above it.
        units = [unit.pk, unit.parent_id] if unit.parent_id else [unit.pk]
        return users_with_role(roles=[Role.LEADER], unit_ids=units)
