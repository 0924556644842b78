"""Who may do what to a ticket: the role from the workflow table, and the side (center / unit)."""

from __future__ import annotations

from django.db.models import Q

from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import EventKind, TicketStatus
from jiesu.tickets.errors import ActionForbidden
from jiesu.tickets.models import Ticket
from jiesu.tickets.workflow import Side, Transition

# Events a unit may only do as the lead unit, not as an assisting unit.
LEAD_ONLY = frozenset(
    {
        EventKind.RETURN_REQUESTED,
        EventKind.EXCLUSION_REQUESTED,
        EventKind.UNREASONABLE_REQUESTED,
        EventKind.SECTOR_CONFIRMED,
    }
)


def _unit_path_of(ticket: Ticket) -> str:
    return ticket.lead_unit.path if ticket.lead_unit is not None else ""


def ticket_is_visible(*, ticket: Ticket, viewer: User | None) -> bool:
    scope = user_scope(viewer)
    if scope.everything:
        return True
    if scope.unit_path is None:
        return False
    prefix = scope.unit_path
    paths = [
        _unit_path_of(ticket),
        ticket.district.path if ticket.district else "",
        ticket.township.path if ticket.township else "",
        ticket.community.path if ticket.community else "",
    ]
    if any(p and p.startswith(prefix) for p in paths):
        return True
    return ticket.assignments.filter(is_active=True, unit__path__startswith=prefix).exists()


def ticket_ensure_allowed(*, actor: User | None, rule: Transition, ticket: Ticket) -> None:
    if actor is None:
        return  # the system (worker, importer)
    label = rule.event.label
    if not actor.is_active or not actor.has_role(*rule.roles):
        raise ActionForbidden(f"您的角色无权执行「{label}」")
    scope = user_scope(actor)
    if rule.side is Side.CENTER:
        if not scope.everything:
            raise ActionForbidden(f"「{label}」只能由热线中心执行")
        return
    if scope.everything:
        if rule.side is Side.UNIT:
            raise ActionForbidden(f"「{label}」只能由承办单位执行")
        return
    lead_path = _unit_path_of(ticket)
    is_lead = bool(lead_path and scope.unit_path and lead_path.startswith(scope.unit_path))
    if rule.side is Side.UNIT or rule.event in LEAD_ONLY:
        if not is_lead:
            raise ActionForbidden(f"只有主办单位可以执行「{label}」")
        return
    if not ticket_is_visible(ticket=ticket, viewer=actor):
        raise ActionForbidden("无权访问该工单")


ATTACH_ROLES = frozenset({Role.AGENT, Role.SHIFT_LEAD, Role.UNIT_STAFF, Role.CALLBACK_AGENT})


def ticket_ensure_can_attach(*, actor: User | None, ticket: Ticket) -> None:
    """Working roles who can see the ticket may attach files; read-only roles may not."""
    if actor is None:
        return
    if not actor.has_role(*ATTACH_ROLES) or not ticket_is_visible(ticket=ticket, viewer=actor):
        raise ActionForbidden("您的角色无权上传附件")


# --- Personal data of the requester (docs/personal-data.md) ---

PII_CENTER_ROLES = frozenset({Role.AGENT, Role.SHIFT_LEAD, Role.CALLBACK_AGENT})
# While a unit works on the ticket; once replied and closed the center speaks to the requester.
PII_UNIT_STATUSES = frozenset(
    {
        TicketStatus.DISPATCHED,
        TicketStatus.HANDLING,
        TicketStatus.RETURN_REQUESTED,
        TicketStatus.SUSPENDED,
        TicketStatus.REPLIED,
    }
)
REVEAL_REFUSED = "您的角色无权查看诉求人的完整信息"


def requester_number_hidden(*, viewer: User | None, ticket: Ticket) -> bool:
    """A confidential requester's phone and ID number are never shown outside the center."""
    return ticket.requester_confidential and not user_scope(viewer).everything


def requester_phone_searchable(viewer: User | None) -> Q:
    """Tickets the viewer may find by the requester's phone number (not the confidential ones, for units)."""
    return Q() if user_scope(viewer).everything else Q(requester_confidential=False)


def _assigned_to_unit_of(actor: User, ticket: Ticket) -> bool:
    """The actor's own unit leads or assists (not a unit above it: least privilege)."""
    if actor.unit_id is None:
        return False
    if ticket.lead_unit_id == actor.unit_id:
        return True
    return ticket.assignments.filter(is_active=True, unit_id=actor.unit_id).exists()


def requester_reveal_refusal(*, actor: User | None, ticket: Ticket) -> str | None:
    """Why `actor` may not see the requester's data in full, or None if they may.

    Center agents, shift leads and callback staff may; a handling unit's staff only while the
    ticket is with their unit and never for a requester who asked for confidentiality."""
    if actor is None:
        return None
    if not actor.is_active:
        return REVEAL_REFUSED
    scope = user_scope(actor)
    if scope.everything:
        return None if actor.has_role(*PII_CENTER_ROLES) else REVEAL_REFUSED
    if not actor.has_role(Role.UNIT_STAFF) or not ticket_is_visible(ticket=ticket, viewer=actor):
        return REVEAL_REFUSED
    if ticket.requester_confidential:
        return "诉求人要求保密，承办单位不能查看其完整信息，如需联系请通过热线中心"
    if ticket.status not in PII_UNIT_STATUSES or not _assigned_to_unit_of(actor, ticket):
        return "只有正在办理该工单的承办单位可以查看诉求人的完整信息"
    return None
