"""Display helpers for the pages: masking, labels and remaining time, all in Chinese."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

from jiesu.core.masking import mask_id_number, mask_name, mask_phone
from jiesu.knowledge.permissions import can_draft_knowledge, can_publish_knowledge, can_read_knowledge
from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.reports.permissions import can_read_reports
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_callbacks import callbacks_may_view
from jiesu.tickets.selectors_exclusions import exclusion_requests_may_view
from jiesu.tickets.selectors_queues import ticket_is_overdue
from jiesu.tickets.services.exclusion_reasons import exclusion_reasons_can_manage
from jiesu.tickets.services.pii import RequesterView, requester_view
from jiesu.web.access import can_intake, can_see_dashboard
from jiesu.web.presenters import format_duration

register = template.Library()

register.filter("mask_phone", mask_phone)
register.filter("mask_name", mask_name)
register.filter("mask_id_number", mask_id_number)


@register.filter
def requester_for(ticket: Ticket, user: object) -> RequesterView:
    """The requester as `user` may see them: masked, and no number of a confidential one for units."""
    viewer = user if isinstance(user, User) else User()  # no roles: sees the least
    return requester_view(ticket=ticket, viewer=viewer)


@register.filter
def role_labels(user: User) -> str:
    labels = [Role(r).label for r in sorted(user.roles) if r in Role.values]
    return "、".join(labels) or "无角色"


@register.filter
def may_intake(user: User) -> bool:
    return can_intake(user)


@register.filter
def may_see_dashboard(user: User) -> bool:
    return can_see_dashboard(user)


@register.filter
def may_use_callbacks(user: User) -> bool:
    return callbacks_may_view(user) if isinstance(user, User) else False


@register.filter
def may_review_exclusions(user: User) -> bool:
    """The nav link, for those who file, decide or follow requests (others may still open it)."""
    if not isinstance(user, User) or not exclusion_requests_may_view(user):
        return False
    return user.has_role(Role.SHIFT_LEAD, Role.UNIT_STAFF, Role.LEADER, Role.ANALYST)


@register.filter
def may_manage_exclusion_reasons(user: User) -> bool:
    return exclusion_reasons_can_manage(user) if isinstance(user, User) else False


@register.filter
def may_read_reports(user: User) -> bool:
    return can_read_reports(user)


@register.filter
def may_read_knowledge(user: User) -> bool:
    return can_read_knowledge(user)


@register.filter
def may_draft_knowledge(user: User) -> bool:
    return can_draft_knowledge(user)


@register.filter
def may_publish_knowledge(user: User) -> bool:
    return can_publish_knowledge(user)


@register.filter
def status_label(status: str) -> str:
    return TicketStatus(status).label if status in TicketStatus.values else status


@register.filter
def is_past(moment: datetime | None) -> bool:
    return moment is not None and moment < timezone.now()


@register.filter
def is_overdue(ticket: Ticket) -> bool:
    """Past its reply deadline and still open (the same rule as the 已超期 queue)."""
    return ticket_is_overdue(ticket)


@register.filter
def remaining(moment: datetime | None) -> str:
    """ "剩余 2天3小时" before the moment, "超期 5小时" after it."""
    if moment is None:
        return ""
    seconds = int((moment - timezone.now()).total_seconds())
    if seconds >= 0:
        return f"剩余 {format_duration(seconds)}"
    return f"超期 {format_duration(-seconds)}"
