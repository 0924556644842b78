from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from jiesu.core.errors import DomainError, NotFound
from jiesu.core.keyring import keyring, phone_normalise
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import Unit, User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Category, Ticket, TicketEvent, TicketUnit
from jiesu.tickets.permissions import requester_phone_searchable, ticket_ensure_allowed
from jiesu.tickets.workflow import TRANSITIONS, TransitionRefused, check, events_allowed_from

# What a typed phone number looks like: digits (also full-width), an optional +, dashes, brackets.
PHONE_KEYWORD = re.compile(r"^\+?[0-9０-９][0-9０-９\-() ]{5,30}$")
PHONE_MIN_DIGITS = 7  # a local landline number without its area code
TERRITORIAL = {UnitKind.DISTRICT, UnitKind.TOWNSHIP, UnitKind.COMMUNITY, UnitKind.CITY}


def tickets_visible_to(*, viewer: User | None) -> QuerySet[Ticket]:
    """Every ticket the viewer may read; the one place data scope is applied to lists."""
    scope = user_scope(viewer)
    qs = Ticket.objects.all()
    if scope.everything:
        return qs
    if scope.unit_path is None or viewer is None or viewer.unit is None:
        return qs.none()
    prefix = scope.unit_path
    assisted = TicketUnit.objects.filter(is_active=True, unit__path__startswith=prefix).values("ticket_id")
    condition = Q(lead_unit__path__startswith=prefix) | Q(pk__in=assisted)
    if viewer.unit.kind in TERRITORIAL:
        condition |= (
            Q(district__path__startswith=prefix)
            | Q(township__path__startswith=prefix)
            | Q(community__path__startswith=prefix)
        )
    return qs.filter(condition)


def ticket_get_for(*, viewer: User | None, pk: int | None = None, number: str | None = None) -> Ticket:
    qs = tickets_visible_to(viewer=viewer).select_related("district", "township", "community", "category", "lead_unit")
    ticket = (qs.filter(pk=pk) if pk is not None else qs.filter(number=number)).first()
    if ticket is None:
        raise NotFound("工单不存在或您无权查看")
    return ticket


def ticket_timeline(*, ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor", "actor_unit").order_by("occurred_at", "id")


def ticket_assisting_units(*, ticket: Ticket) -> list[Unit]:
    return [
        a.unit
        for a in ticket.assignments.filter(is_active=True, role="assisting").select_related("unit").order_by("id")
    ]


def ticket_actions_for(*, ticket: Ticket, viewer: User | None) -> list[str]:
    """The events this viewer could try now (table + role + side; guards checked on submit)."""
    allowed: list[str] = []
    for event in events_allowed_from(ticket.status):
        rule = TRANSITIONS[event]
        try:
            check(state=ticket, event=event, reason="-" if rule.needs_reason else "")
            ticket_ensure_allowed(actor=viewer, rule=rule, ticket=ticket)
        except (TransitionRefused, DomainError):
            continue
        allowed.append(event.value)
    return allowed


# --- Work queues and list search (shared by the web pages and the API) ---

S = TicketStatus
NOT_OPEN = (S.CLOSED, S.RETURNED_TO_CITY, S.MERGED)
# Statuses in which the lead unit still owes a reply; a suspended ticket's clock is stopped and a
# replied ticket owes nothing more, so neither counts as overdue.
AWAITING_REPLY = (S.DISPATCHED, S.HANDLING, S.RETURN_REQUESTED)


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
        TicketQueue("to_dispatch", "待分拣/派单"),
        TicketQueue("return_requested", "退单待审"),
        TicketQueue("replied", "反馈待审核"),
        TicketQueue("callback", "待回访"),
        TicketQueue("unit_received", "待签收"),
        TicketQueue("unit_handling", "办理中"),
        TicketQueue("overdue", "已超期"),
    )
}
CENTER_QUEUE_KEYS = ("received", "to_dispatch", "return_requested", "replied", "callback", "overdue")
UNIT_QUEUE_KEYS = ("unit_received", "unit_handling", "overdue")


def _queue_condition(key: str, viewer: User | None) -> Q:
    unit_id = viewer.unit_id if viewer is not None else None
    conditions = {
        "received": Q(status=S.RECEIVED),
        "to_dispatch": Q(status__in=(S.ACKNOWLEDGED, S.TRIAGED)),
        "return_requested": Q(status=S.RETURN_REQUESTED),
        "replied": Q(status=S.REPLIED),
        "callback": Q(status=S.CLOSED, callback_at__isnull=True),
        "unit_received": Q(status=S.DISPATCHED, lead_unit_id=unit_id),
        "unit_handling": Q(status=S.HANDLING, lead_unit_id=unit_id),
        "overdue": overdue_condition(),
    }
    return conditions[key]


def ticket_queues_for(*, viewer: User | None) -> list[TicketQueue]:
    """The work queues of the viewer's roles, in display order, without duplicates."""
    if viewer is None or user_scope(viewer).nothing:
        return []
    keys: list[str] = []
    if user_scope(viewer).everything:
        if viewer.has_role(Role.AGENT, Role.SHIFT_LEAD):
            keys += CENTER_QUEUE_KEYS
        elif viewer.has_role(Role.CALLBACK_AGENT):
            keys += ("callback",)
    elif viewer.has_role(Role.UNIT_STAFF):
        keys += UNIT_QUEUE_KEYS
    return [QUEUES[k] for k in dict.fromkeys(keys)]


def ticket_queue_counts(*, viewer: User | None) -> list[tuple[TicketQueue, int]]:
    """Each of the viewer's queues with its size, in one aggregate query."""
    queues = ticket_queues_for(viewer=viewer)
    if not queues:
        return []
    counts = tickets_visible_to(viewer=viewer).aggregate(
        **{q.key: Count("pk", filter=_queue_condition(q.key, viewer)) for q in queues}
    )
    return [(q, counts[q.key]) for q in queues]


def ticket_status_counts(*, viewer: User | None) -> dict[str, int]:
    """How many visible tickets are in each status (every status present, zeros included)."""
    rows = tickets_visible_to(viewer=viewer).order_by().values_list("status").annotate(n=Count("pk"))
    found = dict(rows)
    return {status: found.get(status, 0) for status in TicketStatus.values}


def viewer_sees_status_totals(viewer: User | None) -> bool:
    """Leaders and analysts watch totals rather than work queues."""
    return viewer is not None and viewer.has_role(Role.LEADER, Role.ANALYST)


@dataclass(frozen=True)
class TicketSearch:
    """Filters of the ticket list; empty values mean "any"."""

    queue: str = ""
    statuses: tuple[str, ...] = ()
    channel: str = ""
    kind: str = ""
    urgency: str = ""
    district_id: int | None = None
    township_id: int | None = None
    lead_unit_id: int | None = None
    category_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    keyword: str = ""
    overdue: bool = False
    order: str = "-received"


ORDERINGS = {
    "-received": (F("received_at").desc(), F("id").desc()),
    "received": (F("received_at").asc(), F("id").asc()),
    "deadline": (F("reply_due_at").asc(nulls_last=True), F("id").asc()),
    "-deadline": (F("reply_due_at").desc(nulls_last=True), F("id").desc()),
}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _search_condition(search: TicketSearch, viewer: User | None) -> Q:
    cond = Q()
    if search.queue in QUEUES:
        cond &= _queue_condition(search.queue, viewer)
    if search.statuses:
        cond &= Q(status__in=search.statuses)
    for field, value in (("channel", search.channel), ("kind", search.kind), ("urgency", search.urgency)):
        if value:
            cond &= Q(**{field: value})
    for field, pk in (
        ("district_id", search.district_id),
        ("township_id", search.township_id),
        ("lead_unit_id", search.lead_unit_id),
    ):
        if pk is not None:
            cond &= Q(**{field: pk})
    if search.category_id is not None:
        category_path = Category.objects.filter(pk=search.category_id).values_list("path", flat=True).first()
        cond &= Q(category__path__startswith=category_path) if category_path else Q(pk__in=[])
    if search.received_from is not None:
        cond &= Q(received_at__gte=_day_start(search.received_from))
    if search.received_to is not None:
        cond &= Q(received_at__lt=_day_start(search.received_to + timedelta(days=1)))
    if search.keyword.strip():
        cond &= keyword_condition(search.keyword, viewer)
    if search.overdue:
        cond &= _queue_condition("overdue", viewer)
    return cond


def keyword_condition(keyword: str, viewer: User | None) -> Q:
    """A word of the title or content, a ticket number, or a requester's full phone number.

    Phone numbers are sealed, so they are found through their keyed digest (under every key of
    the ring, so that a search during a key rotation misses nothing); units never find a
    confidential requester's ticket by the number."""
    word = keyword.strip()
    cond = Q(title__icontains=word) | Q(content__icontains=word) | Q(number=word)
    if PHONE_KEYWORD.match(word) and len(phone_normalise(word)) >= PHONE_MIN_DIGITS:
        try:
            digests = keyring().phone_digests(word)
        except ImproperlyConfigured:
            digests = []  # no field key: nothing can have been stored sealed either
        if digests:
            cond |= Q(requester_phone_digest__in=digests) & requester_phone_searchable(viewer)
    return cond


def tickets_search(*, viewer: User | None, search: TicketSearch) -> QuerySet[Ticket]:
    """The viewer's tickets matching `search`, ordered, with what a list row shows pre-loaded."""
    ordering = ORDERINGS.get(search.order, ORDERINGS["-received"])
    return (
        tickets_visible_to(viewer=viewer)
        .filter(_search_condition(search, viewer))
        .select_related("district", "township", "lead_unit", "category")
        .order_by(*ordering)
    )
