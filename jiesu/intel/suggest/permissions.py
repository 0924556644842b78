"""Who sees suggestions and who manages model versions."""

from __future__ import annotations

from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import User
from jiesu.orgs.permissions import is_center_user
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket

SUGGESTION_ROLES = frozenset({Role.AGENT, Role.SHIFT_LEAD})
MODEL_READER_ROLES = frozenset({Role.ANALYST, Role.SHIFT_LEAD, Role.SYSTEM_ADMIN})
MODEL_ACTIVATOR_ROLES = frozenset({Role.SHIFT_LEAD, Role.SYSTEM_ADMIN})
# Suggestions help classify and dispatch: they matter while the ticket is still at the center.
AT_CENTER = frozenset({TicketStatus.RECEIVED, TicketStatus.ACKNOWLEDGED, TicketStatus.TRIAGED})


def can_see_suggestions(user: User) -> bool:
    return is_center_user(user) and user.has_role(*SUGGESTION_ROLES)


def suggestions_shown(user: User, ticket: Ticket) -> bool:
    return can_see_suggestions(user) and ticket.status in AT_CENTER


def can_read_models(user: User) -> bool:
    return (
        user.is_active
        and user.unit is not None
        and user.unit.kind == UnitKind.CENTER
        and user.has_role(*MODEL_READER_ROLES)
    )


def can_activate_models(user: User) -> bool:
    return can_read_models(user) and user.has_role(*MODEL_ACTIVATOR_ROLES)
