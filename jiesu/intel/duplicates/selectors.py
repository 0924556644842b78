"""Reads of the repeat and duplicate screening: the earlier tickets each detector compares a
ticket with (system reads, unscoped, always bounded by an index and a row cap), and a ticket's
links as one viewer may see them (never a ticket outside the viewer's data scope)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from jiesu.core.errors import NotFound
from jiesu.intel.choices import LinkStatus
from jiesu.intel.models import TicketLink
from jiesu.orgs.models import User
from jiesu.tickets.choices import TicketStatus
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.selectors import tickets_visible_to
from jiesu.tickets.selectors_related import address_normalise, ticket_phone_digests

# Topics are compared at this level of the category tree: two leaves under one level-2 category
# (供暖/室温不达标 and 供暖/暖气漏水) are the same topic at the same place.
TOPIC_LEVEL = 2
ADDRESS_SCAN = 500  # rows of the topic in the window read to compare addresses by text


def earlier(ticket: Ticket, days: int) -> QuerySet[Ticket]:
    """Tickets received before `ticket` within `days` (ties broken by id), merged ones left out:
    they are represented by the ticket they were merged into."""
    since = ticket.received_at - timedelta(days=days)
    before = Q(received_at__lt=ticket.received_at) | Q(received_at=ticket.received_at, pk__lt=ticket.pk)
    return (
        Ticket.objects.filter(before, received_at__gte=since)
        .exclude(pk=ticket.pk)
        .exclude(status=TicketStatus.MERGED)
        .order_by("-received_at", "-id")
    )


def same_requester_earlier(ticket: Ticket, days: int, cap: int) -> list[Ticket]:
    digests = ticket_phone_digests(ticket)
    if not digests:
        return []
    return list(earlier(ticket, days).filter(requester_phone_digest__in=digests)[:cap])


def topic_category_ids(category: Category) -> list[int]:
    """The categories counted as the same topic: everything under the category's level-2
    ancestor, or the category alone when it sits at level 1."""
    if category.level < TOPIC_LEVEL:
        return [category.pk]
    prefix = "/".join(category.path.split("/")[: TOPIC_LEVEL + 1]) + "/"
    return list(Category.objects.filter(path__startswith=prefix).values_list("pk", flat=True))


def same_place_topic_earlier(ticket: Ticket, days: int, cap: int) -> list[Ticket]:
    """Same topic, and the same community, else township, else normalised address text."""
    if ticket.category is None:
        return []
    qs = earlier(ticket, days).filter(category_id__in=topic_category_ids(ticket.category))
    if ticket.community_id is not None:
        return list(qs.filter(community_id=ticket.community_id)[:cap])
    if ticket.township_id is not None:
        return list(qs.filter(township_id=ticket.township_id)[:cap])
    own = address_normalise(ticket.address)
    if not own:
        return []
    rows = qs.values_list("pk", "address")[:ADDRESS_SCAN]
    found = [pk for pk, address in rows if address_normalise(address) == own][:cap]
    by_pk = Ticket.objects.in_bulk(found)
    return [by_pk[pk] for pk in found]


@dataclass(frozen=True)
class LinkView:
    """One link seen from a ticket: `outgoing` when this ticket repeats `counterpart`."""

    link: TicketLink
    counterpart: Ticket
    outgoing: bool

    @property
    def status(self) -> str:
        """Merged also when the later ticket was merged into the earlier by the ordinary form."""
        if self.link.status == LinkStatus.OPEN and self.link.ticket.merged_into_id == self.link.other_id:
            return LinkStatus.MERGED
        return str(self.link.status)

    @property
    def status_label(self) -> str:
        return str(LinkStatus(self.status).label)


def links_of(*, ticket: Ticket, viewer: User | None) -> list[LinkView]:
    """The ticket's links both ways whose other ticket the viewer may see, newest first."""
    visible = tickets_visible_to(viewer=viewer).values("pk")
    related = ("ticket", "other", "decided_by", "ticket__lead_unit", "other__lead_unit")
    outgoing = TicketLink.objects.filter(ticket=ticket, other_id__in=visible).select_related(*related)
    incoming = TicketLink.objects.filter(other=ticket, ticket_id__in=visible).select_related(*related)
    views = [LinkView(link, link.other, True) for link in outgoing]
    views += [LinkView(link, link.ticket, False) for link in incoming]
    return sorted(views, key=lambda v: (_moment(v.link.detected_at), v.link.pk), reverse=True)


def _moment(value: datetime) -> float:
    return value.timestamp()


def link_get_for(*, viewer: User | None, pk: int) -> TicketLink:
    """The link if the viewer may see both of its tickets; otherwise NotFound, revealing nothing."""
    visible = tickets_visible_to(viewer=viewer).values("pk")
    link = (
        TicketLink.objects.filter(pk=pk, ticket_id__in=visible, other_id__in=visible)
        .select_related("ticket", "other")
        .first()
    )
    if link is None:
        raise NotFound("关联不存在或无权查看")
    return link
