from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jiesu.core.errors import DomainError, NotFound
from jiesu.core.keyring import keyring, phone_normalise
from jiesu.orgs.choices import Role, UnitKind
from jiesu.orgs.models import Unit, User
from jiesu.orgs.permissions import user_scope
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Category, Ticket, TicketEvent, TicketUnit
from jiesu.tickets.permissions import requester_phone_searchable, ticket_ensure_allowed
from jiesu.tickets.selectors_queues import LIVE, QUEUES, TicketQueue, queue_condition, ticket_queues_for
from jiesu.tickets.selectors_search import ORDERINGS, callback_condition, moment_range, tags_condition, text_condition
from jiesu.tickets.workflow import TRANSITIONS, TransitionRefused, check, events_allowed_from

# What a typed phone number looks like: digits (also full-width), an optional +, dashes, brackets.
PHONE_KEYWORD = re.compile(r"^\+?[0-9０-９][0-9０-９\-() ]{5,30}$")
PHONE_MIN_DIGITS = 7  # a local landline number without its area code
PHONE_MAX_DIGITS = 13  # a mobile number with the country code (86 + 11 digits)
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
# Queues are defined in selectors_queues, the search's building blocks in selectors_search.


def ticket_queue_counts(*, viewer: User | None) -> list[tuple[TicketQueue, int]]:
    """Each of the viewer's queues with its size, in one aggregate query."""
    return ticket_queue_and_extra_counts(viewer=viewer)[0]


def ticket_queue_and_extra_counts(
    *, viewer: User | None, extra: dict[str, Q] | None = None, now: datetime | None = None
) -> tuple[list[tuple[TicketQueue, int]], dict[str, int]]:
    """Each of the viewer's queues with its size, and the count of each `extra` condition over the
    visible tickets, all in one aggregate query: the home page's slowest part is the reading of
    open tickets, which this does once. An `extra` condition must select live tickets only."""
    queues = ticket_queues_for(viewer=viewer)
    extra = extra or {}
    if not queues and not extra:
        return [], {}
    now = now or timezone.now()  # one moment for every queue, so that the counts add up
    conditions = {q.key: queue_condition(q.key, viewer, now) for q in queues}
    conditions.update({f"extra__{key}": condition for key, condition in extra.items()})
    # Filtering on the union of the conditions instead would be exact too, but its row estimate is
    # so poor that PostgreSQL then scans the whole table.
    counts = (
        tickets_visible_to(viewer=viewer)
        .filter(LIVE)
        .aggregate(**{key: Count("pk", filter=condition) for key, condition in conditions.items()})
    )
    return [(q, counts[q.key]) for q in queues], {key: counts[f"extra__{key}"] for key in extra}


def ticket_status_counts(*, viewer: User | None, statuses: Iterable[str] | None = None) -> dict[str, int]:
    """How many visible tickets are in each of `statuses` (default: all), zeros included. Counting
    only the open statuses reads a small slice through the status index instead of the history."""
    wanted = [s for s in TicketStatus.values if statuses is None or s in set(statuses)]
    qs = tickets_visible_to(viewer=viewer).order_by()
    if statuses is not None:
        qs = qs.filter(status__in=wanted)
    found = dict(qs.values_list("status").annotate(n=Count("pk")))
    return {status: found.get(status, 0) for status in wanted}


def viewer_sees_status_totals(viewer: User | None) -> bool:
    """Leaders and analysts watch totals rather than work queues."""
    return viewer is not None and viewer.has_role(Role.LEADER, Role.ANALYST)


@dataclass(frozen=True)
class TicketSearch:
    """Filters of the ticket list (page and API alike); empty values mean "any".

    Date ranges take dates (whole days, both ends included) or datetimes (from included, to
    excluded). `lead_unit_id` includes the units below it; `category_id` the categories below it.
    A caller that has already loaded that unit or category may give its path too (`*_path`, which
    must be the path of the given id), sparing the search a query."""

    queue: str = ""
    statuses: tuple[str, ...] = ()
    channel: str = ""
    kind: str = ""
    urgency: str = ""
    district_id: int | None = None
    township_id: int | None = None
    community_id: int | None = None
    lead_unit_id: int | None = None
    lead_unit_path: str = ""
    category_id: int | None = None
    category_path: str = ""
    received_from: date | None = None
    received_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None
    keyword: str = ""
    overdue: bool | None = None
    is_repeat: bool | None = None
    tags: tuple[str, ...] = ()
    callback: str = ""
    assessment_scope: str = ""
    order: str = "-received"


def _subtree_condition(field: str, model: type[Unit] | type[Category], pk: int, path: str) -> Q:
    """`field` is `pk` or one of the units/categories below it; `path` is pk's path if known."""
    path = path or model.objects.filter(pk=pk).values_list("path", flat=True).first() or ""
    if not path:
        return Q(pk__in=[])
    has_below = model.objects.filter(path__startswith=path).exclude(pk=pk).exists()
    # A unit without units below it (the usual case) is an exact match the composite indexes serve.
    return Q(**{f"{field}__path__startswith": path}) if has_below else Q(**{f"{field}_id": pk})


def _search_condition(search: TicketSearch, viewer: User | None) -> Q:
    cond = Q()
    if search.queue in QUEUES:
        cond &= queue_condition(search.queue, viewer)
    if search.statuses:
        cond &= Q(status__in=search.statuses)
    exact = (
        ("channel", search.channel),
        ("kind", search.kind),
        ("urgency", search.urgency),
        ("assessment_scope", search.assessment_scope),
        ("district_id", search.district_id),
        ("township_id", search.township_id),
        ("community_id", search.community_id),
        ("is_repeat", search.is_repeat),
    )
    cond &= Q(**{field: value for field, value in exact if value is not None and value != ""})
    if search.lead_unit_id is not None:
        cond &= _subtree_condition("lead_unit", Unit, search.lead_unit_id, search.lead_unit_path)
    if search.category_id is not None:
        cond &= _subtree_condition("category", Category, search.category_id, search.category_path)
    cond &= moment_range("received_at", search.received_from, search.received_to)
    cond &= moment_range("closed_at", search.closed_from, search.closed_to)
    cond &= moment_range("reply_due_at", search.deadline_from, search.deadline_to)
    cond &= tags_condition(search.tags) & callback_condition(search.callback)
    if search.keyword.strip():
        cond &= keyword_condition(search.keyword, viewer)
    if search.overdue is not None:
        late = queue_condition("overdue", viewer)
        cond &= late if search.overdue else ~late
    return cond


def keyword_is_phone(keyword: str) -> bool:
    """True when a search keyword is looked up as a requester's phone number: personal data, so
    it is masked in logs and never stored. Ticket numbers (14 digits) are longer than any phone."""
    word = keyword.strip()
    digits = len(phone_normalise(word))
    return bool(PHONE_KEYWORD.match(word)) and PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS


def keyword_condition(keyword: str, viewer: User | None) -> Q:
    """A word of the title or content, a ticket number, or a requester's full phone number.

    Phone numbers are sealed, so they are found through their keyed digest (under every key of
    the ring, so that a search during a key rotation misses nothing); units never find a
    confidential requester's ticket by the number."""
    word = keyword.strip()
    cond = text_condition(word)
    if not word.isascii() and not PHONE_KEYWORD.match(word):
        # Numbers are ASCII and phones digits: leaving out an OR that can never match lets
        # PostgreSQL answer a Chinese word from the bigram index alone instead of rechecking
        # every row it finds against the whole condition.
        return cond
    cond |= Q(number=word)
    if keyword_is_phone(word):
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
