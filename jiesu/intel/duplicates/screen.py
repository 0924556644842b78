"""Screening one ticket for repeats and duplicates (a step of jiesu.intel.screening.ticket_screen).

- same requester: an earlier ticket of the same phone (keyed digest) within repeat_window_days;
- same place and topic: an earlier ticket of the same level-2 category subtree at the same
  community (else township, else normalised address) within place_topic_window_days;
- near duplicate: an earlier ticket whose text's shingles are near_duplicate_threshold alike,
  within near_duplicate_window_days, whoever called (a merge suggestion only).

The first two set the ticket's repeat flag through the workflow's FLAGGED event, once. Links are
idempotent: screening a ticket again adds nothing, and a dismissed link stays dismissed.
"""

from __future__ import annotations

from django.utils import timezone

from jiesu.intel.choices import LinkKind
from jiesu.intel.duplicates.near import near_duplicates
from jiesu.intel.duplicates.rules import ScreeningRules, screening_rules_on
from jiesu.intel.duplicates.selectors import same_place_topic_earlier, same_requester_earlier
from jiesu.intel.models import TicketLink
from jiesu.tickets.choices import FINAL_STATUSES, EventKind
from jiesu.tickets.models import Ticket
from jiesu.tickets.services.transitions import ticket_transition

REPEAT_LINKS = 3  # the most recent earlier tickets linked per repeat detector
NEAR_LINKS = 5


def _link(ticket: Ticket, kind: LinkKind, others: list[tuple[Ticket | int, float]]) -> list[TicketLink]:
    rows = [
        TicketLink(ticket=ticket, other_id=o if isinstance(o, int) else o.pk, kind=kind, score=score)
        for o, score in others
    ]
    TicketLink.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def _flag_repeat(ticket: Ticket, numbers: list[str]) -> None:
    if ticket.is_repeat or ticket.status in FINAL_STATUSES or not numbers:
        return
    ticket_transition(
        ticket=ticket,
        event=EventKind.FLAGGED,
        actor=None,
        payload={"screen": "repeat", "links": numbers},
        changes={"is_repeat": True},
    )


def duplicates_screen(ticket: Ticket, rules: ScreeningRules | None = None) -> list[TicketLink]:
    """Link `ticket` to the earlier tickets it repeats or duplicates; returns the links found
    (including those stored by an earlier screening)."""
    rules = rules or screening_rules_on(timezone.localdate(ticket.received_at))
    same_requester = same_requester_earlier(ticket, rules.repeat_window_days, REPEAT_LINKS)
    place_topic = same_place_topic_earlier(ticket, rules.place_topic_window_days, REPEAT_LINKS)
    near = near_duplicates(
        ticket,
        days=rules.near_duplicate_window_days,
        threshold=rules.near_duplicate_threshold,
        cap=NEAR_LINKS,
    )
    _link(ticket, LinkKind.SAME_REQUESTER, [(t, 1.0) for t in same_requester])
    _link(ticket, LinkKind.SAME_PLACE_TOPIC, [(t, 1.0) for t in place_topic])
    _link(ticket, LinkKind.NEAR_DUPLICATE, [(d.pk, d.score) for d in near])
    repeats = list(dict.fromkeys(t.number for t in [*same_requester, *place_topic]))
    _flag_repeat(ticket, repeats)
    return list(TicketLink.objects.filter(ticket=ticket).select_related("other").order_by("kind", "-score", "id"))
