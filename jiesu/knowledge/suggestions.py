"""What the knowledge base offers for one ticket (the panel on the ticket page): policies, standard
answers and sector issues matching the appeal, the responsible units from the responsibility list,
and similar closed tickets with their replies.

The query is the ticket's title and the key words of its content, not the whole content: a
caller's account is long and full of words every appeal shares (来电, 反映, 希望), which would
drown the few that say what the matter is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from jiesu.knowledge.choices import Library
from jiesu.knowledge.permissions import can_read_knowledge
from jiesu.knowledge.search.query import SearchHit, knowledge_search
from jiesu.orgs.models import Unit, User
from jiesu.tickets.models import Ticket
from jiesu.tickets.selectors_similar import KEY_WORDS, SimilarTicket, key_words, tickets_similar_closed

PER_LIBRARY = 3


@dataclass
class ResponsibleUnit:
    """A responsibility-list entry matching the ticket and the unit it names."""

    hit: SearchHit
    unit: Unit


@dataclass
class TicketKnowledge:
    policies: list[SearchHit] = field(default_factory=list)
    standard_answers: list[SearchHit] = field(default_factory=list)
    sector_issues: list[SearchHit] = field(default_factory=list)
    responsible_units: list[ResponsibleUnit] = field(default_factory=list)
    similar_tickets: list[SimilarTicket] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return (
            not (self.policies or self.standard_answers or self.sector_issues or self.responsible_units)
            and not self.similar_tickets
        )


def ticket_query_text(ticket: Ticket) -> str:
    """The ticket's title and the key words of its content that the title does not already say."""
    extra = [w for w in key_words("", ticket.content, limit=2 * KEY_WORDS) if w not in ticket.title]
    return " ".join([ticket.title, *extra[:KEY_WORDS]])


def _hits(text: str, viewer: User | None, library: str) -> list[SearchHit]:
    today = timezone.localdate()
    return knowledge_search(text, viewer=viewer, libraries=[library], valid_on=today, limit=PER_LIBRARY).hits


def _responsible(ticket: Ticket, hits: list[SearchHit]) -> list[ResponsibleUnit]:
    """Entries naming a unit, those of the ticket's category first (the search ranks the rest)."""
    named = [hit for hit in hits if hit.entry.unit is not None]
    named.sort(key=lambda hit: ticket.category_id is None or hit.entry.category_id != ticket.category_id)
    return [ResponsibleUnit(hit=hit, unit=hit.entry.unit) for hit in named if hit.entry.unit is not None]


def knowledge_for_ticket(*, ticket: Ticket, viewer: User | None) -> TicketKnowledge:
    """Suggestions for `ticket` as `viewer` may see them: entries only for a reader of the
    knowledge base (None is the system), similar tickets only within the viewer's ticket scope."""
    similar = tickets_similar_closed(ticket=ticket, viewer=viewer)
    if viewer is not None and not can_read_knowledge(viewer):
        return TicketKnowledge(similar_tickets=similar)
    text = ticket_query_text(ticket)
    return TicketKnowledge(
        policies=_hits(text, viewer, Library.POLICY),
        standard_answers=_hits(text, viewer, Library.STANDARD_ANSWER),
        sector_issues=_hits(text, viewer, Library.SECTOR_ISSUE),
        responsible_units=_responsible(ticket, _hits(text, viewer, Library.RESPONSIBILITY)),
        similar_tickets=similar,
    )
