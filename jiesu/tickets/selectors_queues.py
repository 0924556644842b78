"""Work queues: named slices of the viewer's tickets that ask for an action (待签收, 已超期 …).

Every queue is a condition on stored facts (status, deadlines, pending flags), so a count on the
home page and the list behind it (`/tickets/?queue=key`) always agree. The center's queues cover
every ticket it sees; a handling unit's queues cover only the tickets its own unit leads, so a
district never counts what waits at one of its townships as its own work. The data scope itself
(`tickets_visible_to`) is applied on top by the callers in `jiesu.tickets.selectors`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q
from django.utils import timezone

from jiesu.orgs.choices import Role
from jiesu.orgs.models import User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.conditions import CALLBACK_DUE, EXCLUSION_PENDING, EXTENSION_PENDING, SECTOR_PENDING
from jiesu.tickets.models import Ticket

S = TicketStatus
NOT_OPEN = (S.CLOSED, S.RETURNED_TO_CITY, S.MERGED)
OPEN_STATUSES = tuple(s for s in S if s not in NOT_OPEN)
# Every ticket that may still ask for an action: each work queue and each due stage selects only
# from these. Each branch is served by an index (status, or a partial one), so counting reads the
# live slice and never the closed history that makes up most of the table.
LIVE = Q(status__in=OPEN_STATUSES) | CALLBACK_DUE | SECTOR_PENDING | EXCLUSION_PENDING | EXTENSION_PENDING
# Statuses in which the lead unit still owes a reply; a suspended ticket's clock is stopped and a
# replied ticket owes nothing more, so neither counts as overdue.
AWAITING_REPLY = (S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED)
AT_CENTER = (S.ACKNOWLEDGED, S.TRIAGED)
WITH_UNIT = (S.DISPATCHED, S.HANDLING, S.SUSPENDED)


def overdue_condition(now: datetime | None = None) -> Q:
    """The one definition of 'overdue' (已超期) used by pages, API and queues."""
    return Q(status__in=AWAITING_REPLY, reply_due_at__lt=now or timezone.now())


def ticket_is_overdue(ticket: Ticket, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return ticket.status in AWAITING_REPLY and ticket.reply_due_at is not None and ticket.reply_due_at < now


@dataclass(frozen=True)
class TicketQueue:
    """A named slice of the viewer's tickets that asks for their action (待签收, 已超期 …)."""

    key: str
    label: str


QUEUES: dict[str, TicketQueue] = {
    q.key: q
    for q in (
        TicketQueue("received", "待签收"),
        TicketQueue("to_contact", "待联系"),
        TicketQueue("to_triage", "待分类审核"),
        TicketQueue("to_dispatch", "待分拣/派单"),
        TicketQueue("in_handling", "单位办理中"),
        TicketQueue("replied", "反馈待审核"),
        TicketQueue("overdue", "已超期"),
        TicketQueue("return_requested", "退单待审"),
        TicketQueue("callback", "待回访"),
        TicketQueue("extension_pending", "延期待审批"),
        TicketQueue("exclusion_pending", "剔除待审核"),
        TicketQueue("sector_pending", "行业待确认"),
        TicketQueue("unit_received", "待签收"),
        TicketQueue("unit_to_contact", "待联系"),
        TicketQueue("unit_handling", "办理中"),
        TicketQueue("unit_returned", "退回重办"),
        TicketQueue("unit_extension_pending", "延期申请中"),
        TicketQueue("unit_return_requested", "退单申请中"),
        TicketQueue("unit_sector_pending", "行业待确认"),
    )
}
# In display order; the decisions (extension, exclusion, sector) belong to shift leads.
CENTER_QUEUE_KEYS = (
    "received",
    "to_contact",
    "to_triage",
    "to_dispatch",
    "in_handling",
    "replied",
    "overdue",
    "return_requested",
    "callback",
)
SHIFT_LEAD_QUEUE_KEYS = ("extension_pending", "exclusion_pending", "sector_pending")
CALLBACK_QUEUE_KEYS = ("callback",)
# "overdue" stays the scope-wide definition (as the list's overdue filter): a unit above others
# also sees what is late below it.
UNIT_QUEUE_KEYS = (
    "unit_received",
    "unit_to_contact",
    "unit_handling",
    "unit_returned",
    "overdue",
    "unit_extension_pending",
    "unit_return_requested",
    "unit_sector_pending",
)


CENTER_CONDITIONS: dict[str, Callable[[datetime], Q]] = {
    "received": lambda now: Q(status=S.RECEIVED),
    "to_contact": lambda now: Q(status__in=AT_CENTER, first_contacted_at__isnull=True),
    "to_triage": lambda now: Q(status=S.ACKNOWLEDGED),
    "to_dispatch": lambda now: Q(status__in=AT_CENTER),
    "in_handling": lambda now: Q(status__in=WITH_UNIT),
    "replied": lambda now: Q(status=S.REPLIED),
    "overdue": overdue_condition,
    "return_requested": lambda now: Q(status=S.RETURN_REQUESTED),
    "callback": lambda now: CALLBACK_DUE,
    "extension_pending": lambda now: EXTENSION_PENDING,
    "exclusion_pending": lambda now: EXCLUSION_PENDING,
    "sector_pending": lambda now: SECTOR_PENDING,
}
# Conditions on the tickets led by the viewer's own unit (the lead-unit filter is added once).
UNIT_CONDITIONS: dict[str, Callable[[datetime], Q]] = {
    "unit_received": lambda now: Q(status=S.DISPATCHED),
    "unit_to_contact": lambda now: Q(status__in=(S.DISPATCHED, S.HANDLING), first_contacted_at__isnull=True),
    "unit_handling": lambda now: Q(status=S.HANDLING),
    # Back in handling after a reply made since the current dispatch: sent back by review, or rework.
    "unit_returned": lambda now: Q(status=S.HANDLING, replied_at__gte=F("dispatched_at")),
    "unit_extension_pending": lambda now: Q(extension_pending=True, status__in=WITH_UNIT),
    "unit_return_requested": lambda now: Q(status=S.RETURN_REQUESTED),
    "unit_sector_pending": lambda now: SECTOR_PENDING,
}


def queue_condition(key: str, viewer: User | None, now: datetime | None = None) -> Q:
    """The filter of queue `key` for `viewer` (without the data scope, which callers apply)."""
    now = now or timezone.now()
    if key in CENTER_CONDITIONS:
        return CENTER_CONDITIONS[key](now)
    unit_id = viewer.unit_id if viewer is not None else None
    if unit_id is None:
        return Q(pk__in=[])  # "led by my unit" means nothing without a unit
    return UNIT_CONDITIONS[key](now) & Q(lead_unit_id=unit_id)


def ticket_queues_for(*, viewer: User | None) -> list[TicketQueue]:
    """The work queues of the viewer's roles, in display order, without duplicates."""
    if viewer is None:
        return []
    scope = user_scope(viewer)
    keys: list[str] = []
    if scope.everything:
        if viewer.has_role(Role.AGENT, Role.SHIFT_LEAD):
            keys += CENTER_QUEUE_KEYS
        if viewer.has_role(Role.SHIFT_LEAD):
            keys += SHIFT_LEAD_QUEUE_KEYS
        if viewer.has_role(Role.CALLBACK_AGENT):
            keys += CALLBACK_QUEUE_KEYS
    elif not scope.nothing and viewer.has_role(Role.UNIT_STAFF):
        keys += UNIT_QUEUE_KEYS
    return [QUEUES[k] for k in dict.fromkeys(keys)]
