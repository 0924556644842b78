"""Which pages a user may open; the rules themselves come from the workflow table and the scope."""

from __future__ import annotations

from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import EventKind
from jiesu.tickets.workflow import TRANSITIONS

# Uploading evidence is part of working a ticket, so the roles that work tickets may do it.
ATTACHMENT_ROLES = frozenset({Role.AGENT, Role.SHIFT_LEAD, Role.UNIT_STAFF, Role.CALLBACK_AGENT})
# The steps whose forms search the handling units (the unit picker).
DISPATCH_EVENTS = (EventKind.DISPATCHED, EventKind.REDISPATCHED)
# Those who watch the hotline as a whole rather than work single tickets.
DASHBOARD_ROLES = frozenset({Role.LEADER, Role.ANALYST, Role.SHIFT_LEAD})


def can_intake(user: User | None) -> bool:
    """Creating or importing tickets is the 受理 step of the table: center operators only."""
    if user is None or not user.is_active:
        return False
    rule = TRANSITIONS[EventKind.RECEIVED]
    return user_scope(user).everything and user.has_role(*rule.roles)


def can_dispatch(user: User | None) -> bool:
    """Dispatching and redispatching are center steps of the table: center operators only."""
    if user is None or not user.is_active:
        return False
    roles = frozenset().union(*(TRANSITIONS[e].roles for e in DISPATCH_EVENTS))
    return user_scope(user).everything and user.has_role(*roles)


def can_forward(user: User | None) -> bool:
    """Forwarding (下派) is a unit step of the table: the unit's staff, below their own unit."""
    if user is None or not user.is_active or user.unit is None:
        return False
    return not user_scope(user).everything and user.has_role(*TRANSITIONS[EventKind.FORWARDED].roles)


def can_attach(user: User) -> bool:
    return user.is_active and user.has_role(*ATTACHMENT_ROLES)


def can_see_dashboard(user: User | None) -> bool:
    """The read-only dashboard: leaders, analysts and shift leads who see some tickets."""
    if user is None or not user.is_active or not user.has_role(*DASHBOARD_ROLES):
        return False
    return not user_scope(user).nothing
