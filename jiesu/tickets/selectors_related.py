"""Tickets related to one ticket, within the viewer's scope: the same requester, the same
address, and possible duplicates (similar text, recent, same place).

Every candidate set is bounded by an indexed query (the requester's phone digest, the community,
or the district's received-time index) and a row cap before any text comparison in Python, so the
ticket page stays fast on millions of tickets. Similarity is rapidfuzz's (C++): difflib took
30-50 ms per page for the 300 duplicate candidates.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.db.models.functions import Left
from rapidfuzz import fuzz

from jiesu.core.keyring import keyring
from jiesu.orgs.models import User
from jiesu.tickets.models import Ticket
from jiesu.tickets.permissions import requester_number_hidden, requester_phone_searchable
from jiesu.tickets.selectors import tickets_visible_to

LIMIT = 10
ADDRESS_WINDOW = timedelta(days=365)
DUPLICATE_WINDOW = timedelta(days=30)
CANDIDATE_CAP = 300
ADDRESS_SIMILARITY = 0.85  # same community and nearly the same words: 3号楼2单元 vs 3号楼2单元门口
DUPLICATE_SIMILARITY = 0.6
TEXT_PREFIX = 120  # the opening of the content says what the appeal is about

_NOISE = re.compile(r"[\s\-—_,，.。;；:：、()（）\[\]【】\"'“”‘’#]+")
_CITY_PREFIX = re.compile(r"^(北京市|北京)")


def address_normalise(address: str) -> str:
    """Comparable form of an address: full-width folded, punctuation and spaces dropped, city
    prefix dropped (callers write 北京市朝阳区… and 朝阳区… for the same place)."""
    text = unicodedata.normalize("NFKC", address).lower()
    return _CITY_PREFIX.sub("", _NOISE.sub("", text))


def _similar(a: str, b: str, threshold: float) -> bool:
    """Normalised longest-common-subsequence similarity (rapidfuzz's ratio) ≥ threshold."""
    if not a or not b:
        return False
    return fuzz.ratio(a, b, score_cutoff=threshold * 100) > 0


def _text_of(title: str, content: str) -> str:
    return address_normalise(f"{title}{content[:TEXT_PREFIX]}")


@dataclass
class RelatedTickets:
    same_requester: list[Ticket] = field(default_factory=list)
    same_address: list[Ticket] = field(default_factory=list)
    possible_duplicates: list[Ticket] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.same_requester or self.same_address or self.possible_duplicates)


def _base(ticket: Ticket, viewer: User | None) -> QuerySet[Ticket]:
    return (
        tickets_visible_to(viewer=viewer)
        .exclude(pk=ticket.pk)
        .select_related("township", "lead_unit")
        .order_by("-received_at", "-id")
    )


def _in_order(ticket: Ticket, viewer: User | None, pks: list[int]) -> list[Ticket]:
    """Whole rows only for the few found: candidates are compared on two or three columns."""
    rows = _base(ticket, viewer).in_bulk(pks)
    return [rows[pk] for pk in pks if pk in rows]


def ticket_phone_digests(ticket: Ticket) -> list[str]:
    """The phone's digest under every key of the ring, so a key rotation splits no requester."""
    try:
        digests = keyring().phone_digests(ticket.requester_phone) if ticket.requester_phone else []
    except ImproperlyConfigured:
        digests = []
    stored = ticket.requester_phone_digest
    return list(dict.fromkeys([*digests, *([stored] if stored else [])]))


def tickets_same_requester(*, ticket: Ticket, viewer: User | None) -> list[Ticket]:
    """Other tickets of the same phone number; never for a unit looking at (or for) a confidential
    requester, exactly as the keyword search by phone number."""
    if requester_number_hidden(viewer=viewer, ticket=ticket):
        return []
    digests = ticket_phone_digests(ticket)
    if not digests:
        return []
    qs = _base(ticket, viewer).filter(Q(requester_phone_digest__in=digests) & requester_phone_searchable(viewer))
    return list(qs[:LIMIT])


def _address_candidates(ticket: Ticket, viewer: User | None) -> QuerySet[Ticket]:
    since = ticket.received_at - ADDRESS_WINDOW
    qs = _base(ticket, viewer).filter(received_at__gte=since)
    if ticket.community_id is not None:
        return qs.filter(community_id=ticket.community_id)
    if ticket.district_id is not None:
        place = qs.filter(district_id=ticket.district_id)  # the (district, -received_at) index
        return place.filter(township_id=ticket.township_id) if ticket.township_id is not None else place
    return qs.none()


def tickets_same_address(*, ticket: Ticket, viewer: User | None) -> list[Ticket]:
    """The same normalised address; or, in the same community, a very similar one."""
    own = address_normalise(ticket.address)
    if not own:
        return []
    found: list[int] = []
    candidates = _address_candidates(ticket, viewer).values_list("pk", "address", "community_id")
    for pk, address, community_id in candidates[:CANDIDATE_CAP]:
        theirs = address_normalise(address)
        same_community = ticket.community_id is not None and community_id == ticket.community_id
        if theirs == own or (same_community and _similar(own, theirs, ADDRESS_SIMILARITY)):
            found.append(pk)
            if len(found) == LIMIT:
                break
    return _in_order(ticket, viewer, found)


def tickets_possible_duplicates(*, ticket: Ticket, viewer: User | None) -> list[Ticket]:
    """Similar title and opening of the content, received within 30 days either side, in the same
    township (or district when the township is unknown). Advisory: an agent decides on a merge."""
    if ticket.district_id is None:
        return []
    window = (ticket.received_at - DUPLICATE_WINDOW, ticket.received_at + DUPLICATE_WINDOW)
    qs = _base(ticket, viewer).filter(district_id=ticket.district_id, received_at__range=window)
    if ticket.township_id is not None:
        qs = qs.filter(township_id=ticket.township_id)
    own = _text_of(ticket.title, ticket.content)
    candidates = qs.annotate(opening=Left("content", TEXT_PREFIX)).values_list("pk", "title", "opening")
    found = [
        pk
        for pk, title, opening in candidates[:CANDIDATE_CAP]
        if _similar(own, _text_of(title, opening), DUPLICATE_SIMILARITY)
    ]
    return _in_order(ticket, viewer, found[:LIMIT])


def tickets_related(*, ticket: Ticket, viewer: User | None) -> RelatedTickets:
    return RelatedTickets(
        same_requester=tickets_same_requester(ticket=ticket, viewer=viewer),
        same_address=tickets_same_address(ticket=ticket, viewer=viewer),
        possible_duplicates=tickets_possible_duplicates(ticket=ticket, viewer=viewer),
    )
