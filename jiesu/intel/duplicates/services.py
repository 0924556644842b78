"""A center operator's decisions on a link: not a repeat (dismiss), or merge the later ticket into
the earlier one through the workflow's ordinary merge (并单). Who and when is recorded on the link."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from jiesu.audit.services import audit_record
from jiesu.core.errors import Conflict, PermissionDenied
from jiesu.intel.choices import LinkStatus
from jiesu.intel.models import TicketLink
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import EventKind
from jiesu.tickets.services.intake import ticket_merge
from jiesu.tickets.workflow import TRANSITIONS

MERGE_REASON = "智能识别的重复诉求，并单处理"


def link_can_decide(user: User | None) -> bool:
    """The center operators who may merge (the roles of the workflow's merge step)."""
    if user is None or not user.is_active:
        return False
    return user_scope(user).everything and user.has_role(*TRANSITIONS[EventKind.MERGED].roles)


def _decide(*, link: TicketLink, actor: User, status: LinkStatus) -> TicketLink:
    if not link_can_decide(actor):
        raise PermissionDenied("只有热线中心坐席或班长可以处理重复诉求关联")
    now = timezone.now()
    moved = TicketLink.objects.filter(pk=link.pk, status=LinkStatus.OPEN).update(
        status=status, decided_by=actor, decided_at=now
    )
    if moved != 1:
        raise Conflict("该关联已被处理，请刷新后查看")
    link.status, link.decided_by, link.decided_at = status, actor, now
    audit_record(
        actor=actor,
        action=f"intel.link_{status}",
        obj=link,
        detail={"ticket_id": link.ticket_id, "other_id": link.other_id, "kind": link.kind},
    )
    return link


@transaction.atomic
def link_dismiss(*, link: TicketLink, actor: User) -> TicketLink:
    """Not a repeat: the link stays, marked dismissed, and screening never reopens it."""
    return _decide(link=link, actor=actor, status=LinkStatus.DISMISSED)


@transaction.atomic
def link_mark_merged(*, link: TicketLink, actor: User) -> TicketLink:
    return _decide(link=link, actor=actor, status=LinkStatus.MERGED)


@transaction.atomic
def link_merge(*, link: TicketLink, actor: User, reason: str = "") -> TicketLink:
    """Merge the later ticket into the earlier (the workflow refuses what it must), then mark the
    link merged, in one transaction."""
    if not link_can_decide(actor):
        raise PermissionDenied("只有热线中心坐席或班长可以并单")
    if link.status != LinkStatus.OPEN:
        raise Conflict("该关联已被处理，请刷新后查看")
    ticket_merge(ticket=link.ticket, master=link.other, actor=actor, reason=reason.strip() or MERGE_REASON)
    return link_mark_merged(link=link, actor=actor)
