"""A small real period for the document tests: tickets made through the ticket services, the
facts computed by `report_facts`, the narrative by `report_narrative`."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from jiesu.orgs.testing import World
from jiesu.reports.facts import ReportFacts, report_facts
from jiesu.reports.narrative import report_narrative
from jiesu.reports.periods import ReportPeriod, period_containing, period_special
from jiesu.tickets.choices import Channel, Kind, Satisfaction, TicketStatus, Urgency
from jiesu.tickets.models import Category, Ticket
from jiesu.tickets.services.attachments import attachment_store
from jiesu.tickets.services.callbacks import CallbackAnswers, ticket_callback
from jiesu.tickets.services.oversight import ticket_supervise
from jiesu.tickets.tests.helpers import PATHS, REQUESTER_NAME, REQUESTER_PHONE, new_ticket


@dataclass(frozen=True)
class Period:
    period: ReportPeriod
    facts: ReportFacts
    narrative: list[str]
    tickets: list[Ticket]


def _ticket(world: World, status: str, title: str, **fields: object) -> Ticket:
    ticket = new_ticket(world, title, requester_name=REQUESTER_NAME, requester_phone=REQUESTER_PHONE, **fields)
    PATHS[status](world, ticket)
    return Ticket.objects.get(pk=ticket.pk)


def month_with_tickets(world: World) -> Period:
    """This month: five tickets in two categories, one closed with a callback and an attachment,
    one supervised and urgent, one whose return was requested; one ticket of last month."""
    heating = Category.objects.create(code="r2-heat", name="供暖", level=1)
    noise = Category.objects.create(code="r2-noise", name="噪音扰民", level=1)
    closed = _ticket(world, TicketStatus.CLOSED, "小区暖气不热", category=heating, kind=Kind.COMPLAINT)
    ticket_callback(
        ticket=closed,
        actor=world.agent,
        answers=CallbackAnswers(contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED),
    )
    attachment_store(
        ticket=closed, stream=io.BytesIO(b"ID3 recording"), original_name="来电录音.mp3",
        content_type="audio/mpeg", actor=world.agent,
    )  # fmt: skip
    urgent = _ticket(world, TicketStatus.HANDLING, "夜间施工噪音", category=noise, urgency=Urgency.URGENT)
    ticket_supervise(ticket=urgent, actor=world.shift_lead, reason="群众反映强烈")
    _ticket(world, TicketStatus.RETURN_REQUESTED, "楼道噪音", category=noise, channel=Channel.WECHAT)
    _ticket(world, TicketStatus.RECEIVED, "暖气漏水", category=heating, kind=Kind.HELP)
    _ticket(world, TicketStatus.DISPATCHED, "咨询供暖时间", category=heating, kind=Kind.CONSULTATION)
    old = _ticket(world, TicketStatus.RECEIVED, "上月诉求", category=heating)
    today = timezone.localdate()
    period = period_containing("monthly", today)
    Ticket.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=40))
    return _period(period, list(Ticket.objects.exclude(pk=old.pk).order_by("received_at", "id")))


def empty_week() -> Period:
    """Last week, in a database without tickets."""
    period = period_containing("weekly", timezone.localdate() - timedelta(days=7))
    return _period(period, [])


def special_window(world: World, topic: str) -> Period:
    month = month_with_tickets(world)
    period = period_special(month.period.start, timezone.localdate())
    facts = report_facts(period=period, topic=topic)
    return Period(period, facts, report_narrative(facts), month.tickets)


def _period(period: ReportPeriod, tickets: list[Ticket]) -> Period:
    facts = report_facts(period=period)
    return Period(period, facts, report_narrative(facts), tickets)
