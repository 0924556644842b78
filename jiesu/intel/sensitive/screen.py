"""Sensitive and urgent content on intake: the lexicon in force on the day the appeal came in is
run over the ticket's title and content. On a hit the ticket becomes sensitive and urgent (one
FLAGGED event whose payload lists the hits) and the center's shift leads are told at once.

A ticket that is already sensitive and urgent is left alone (no event, no notice): whoever marked
it so knows; the ticket page still shows the hits of the lexicon in force.
"""

from __future__ import annotations

import logging
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jiesu.intel.sensitive.lexicon import LABELS, lexicon_in_force, lexicon_matcher
from jiesu.intel.sensitive.matching import Hit
from jiesu.notify.choices import DeliveryChannel
from jiesu.notify.services import notification_enqueue
from jiesu.orgs.choices import Role
from jiesu.orgs.selectors import users_with_role
from jiesu.tickets.choices import FINAL_STATUSES, EventKind, Urgency
from jiesu.tickets.models import Ticket, TicketEvent
from jiesu.tickets.services.transitions import ticket_transition

log = logging.getLogger(__name__)
SCREEN = "sensitive"
FIELDS = ("title", "content")
# Every channel notify has; the ones not configured are skipped by notify itself, and an urgent
# message is never held back by quiet hours.
URGENT_CHANNELS = (DeliveryChannel.INAPP, DeliveryChannel.SMS, DeliveryChannel.WECOM)


def ticket_sensitive_hits(ticket: Ticket) -> list[tuple[str, Hit]]:
    """(field, hit) of the lexicon in force on the day `ticket` was received, title first."""
    lexicon = lexicon_in_force(on=timezone.localdate(ticket.received_at))
    if lexicon is None:
        return []
    matcher = lexicon_matcher(lexicon)
    return [(name, hit) for name in FIELDS for hit in matcher.find(getattr(ticket, name) or "")]


def _payload(ticket: Ticket, hits: list[tuple[str, Hit]]) -> dict[str, Any]:
    lexicon = lexicon_in_force(on=timezone.localdate(ticket.received_at))
    return {
        "screen": SCREEN,
        "lexicon": lexicon.code if lexicon else "",
        "hits": [{"field": name, **hit.as_dict()} for name, hit in hits],
    }


def _changes(ticket: Ticket) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if not ticket.is_sensitive:
        changes["is_sensitive"] = True
    if ticket.urgency != Urgency.URGENT:
        changes["urgency"] = Urgency.URGENT
    return changes


def hits_summary(hits: list[tuple[str, Hit]]) -> str:
    """“危及生命（不想活了）、舆情风险（媒体、曝光）” — categories in lexicon order, words once."""
    found: dict[str, list[str]] = {}
    for _, hit in hits:
        words = found.setdefault(hit.category, [])
        if hit.text not in words:
            words.append(hit.text)
    return "、".join(f"{LABELS.get(c, c)}（{'、'.join(w)}）" for c, w in found.items())


def _link(ticket: Ticket) -> str:
    try:
        return reverse("web:ticket_detail", kwargs={"number": ticket.number})
    except NoReverseMatch:
        return ""


def _notify(ticket: Ticket, event: TicketEvent, hits: list[tuple[str, Hit]]) -> None:
    leads = list(users_with_role(roles=[Role.SHIFT_LEAD], center=True))
    if not leads:
        log.warning("sensitive ticket %s: the center has no active shift lead to tell", ticket.number)
    summary = hits_summary(hits)
    # No requester data: the message may leave the system by SMS or a WeCom group.
    notification_enqueue(
        recipients=leads,
        subject=f"敏感紧急工单 {ticket.number}：{summary}"[:200],
        body=f"工单 {ticket.number}「{ticket.title}」命中敏感词：{summary}。已标记为敏感、紧急，请立即关注。",
        link=_link(ticket),
        urgent=True,
        dedupe_key=f"intel:sensitive:{ticket.pk}:{event.pk}",
        channels=URGENT_CHANNELS,
    )


def sensitive_screen(ticket: Ticket) -> list[Hit]:
    """Screen `ticket`; returns its hits (empty: nothing was done)."""
    hits = ticket_sensitive_hits(ticket)
    if not hits:
        return []
    changes = _changes(ticket)
    if not changes or ticket.status in FINAL_STATUSES:
        return [hit for _, hit in hits]
    event = ticket_transition(
        ticket=ticket, event=EventKind.FLAGGED, actor=None, payload=_payload(ticket, hits), changes=changes
    )
    _notify(ticket, event, hits)
    return [hit for _, hit in hits]


def ticket_sensitive_flags(ticket: Ticket) -> list[TicketEvent]:
    """The FLAGGED events of the sensitive screen on `ticket`, oldest first."""
    events = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.FLAGGED).order_by("occurred_at", "id")
    return [e for e in events if isinstance(e.payload, dict) and e.payload.get("screen") == SCREEN]
