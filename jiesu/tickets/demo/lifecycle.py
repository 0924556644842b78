"""The life of one demo ticket: realistic delays between its steps, and the callback verdict.

Delays are log-normal (most steps are quick, a few take much longer). Steps that would happen
after the anchor are cut off, together with everything after them: the ticket stays open in the
stage it had reached, as it would in a real ledger exported at that moment.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from jiesu.tickets.choices import Channel, Satisfaction

RETURN_SHARE = 0.05  # returned by the first unit and dispatched again
STUCK_SHARE = 0.012  # still without a reply long after the deadline (overdue work for the demo)
OVERDUE_SHARE = 0.06  # replied, but after the time limit
UNCALLED_SHARE = 0.06  # closed, but no valid callback yet (not reached, or still to be made)
RESOLVED_SHARE = 0.9
# Satisfaction depends on whether the appeal was resolved.
SATISFACTION_IF_RESOLVED = (0.925, 0.065)  # satisfied, fairly satisfied; the rest dissatisfied
SATISFACTION_IF_UNRESOLVED = (0.25, 0.3)


@dataclass(frozen=True)
class TicketFacts:
    received: datetime
    channel: str
    urgent: bool
    direct: bool
    reply_days: float
    lead: str
    assisting: str
    reply: str


@dataclass
class Life:
    acknowledged: datetime | None = None
    contacted: datetime | None = None
    dispatched: datetime | None = None
    unit_acknowledged: datetime | None = None
    replied: datetime | None = None
    closed: datetime | None = None
    callback: datetime | None = None
    lead: str = ""
    assisting: str = ""
    returned: bool = False
    reply_text: str = ""
    callback_contacted: str = ""
    callback_resolved: str = ""
    satisfaction: str = ""


def _lognormal(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    return min(max(median * math.exp(rng.gauss(0.0, sigma)), low), high)


def _minutes(value: float) -> timedelta:
    return timedelta(seconds=round(value * 60))


def _hours(value: float) -> timedelta:
    return timedelta(seconds=round(value * 3600))


def _acknowledge(rng: random.Random, facts: TicketFacts) -> datetime:
    if facts.channel == Channel.PHONE:
        return facts.received + _minutes(_lognormal(rng, 4, 0.8, 1, 60))
    return facts.received + _minutes(_lognormal(rng, 45, 0.9, 5, 600))


def _callback(rng: random.Random, life: Life, closed: datetime) -> None:
    if rng.random() < UNCALLED_SHARE:
        return
    life.callback = closed + _hours(_lognormal(rng, 20, 0.7, 1, 96))
    resolved = rng.random() < RESOLVED_SHARE
    satisfied, fairly = SATISFACTION_IF_RESOLVED if resolved else SATISFACTION_IF_UNRESOLVED
    roll = rng.random()
    verdict = Satisfaction.SATISFIED if roll < satisfied else Satisfaction.FAIRLY_SATISFIED
    if roll >= satisfied + fairly:
        verdict = Satisfaction.DISSATISFIED
    life.callback_contacted, life.callback_resolved = "是", "是" if resolved else "否"
    life.satisfaction = verdict.label


def _direct(rng: random.Random, facts: TicketFacts, life: Life, acknowledged: datetime) -> None:
    """Answered at intake: the agent who took the appeal answers it and closes it minutes later."""
    life.contacted = acknowledged
    life.closed = acknowledged + _minutes(_lognormal(rng, 6, 0.6, 1, 45))
    life.reply_text = facts.reply
    _callback(rng, life, life.closed)


def _dispatched(rng: random.Random, facts: TicketFacts, life: Life, acknowledged: datetime) -> None:
    delay = _minutes(_lognormal(rng, 20, 0.5, 5, 55)) if facts.urgent else _hours(_lognormal(rng, 1.5, 0.9, 0.1, 30))
    life.dispatched = dispatched = acknowledged + delay
    life.lead, life.assisting = facts.lead, facts.assisting
    life.returned = rng.random() < RETURN_SHARE
    life.unit_acknowledged = dispatched + _minutes(_lognormal(rng, 10 if facts.urgent else 40, 1.0, 1, 1440))
    contact_hours = _lognormal(rng, 0.5 if facts.urgent else 3, 0.8, 0.1, 48)
    life.contacted = life.unit_acknowledged + _hours(contact_hours)
    if rng.random() < STUCK_SHARE:
        return
    reply_days = _lognormal(rng, 0.4 if facts.urgent else facts.reply_days, 0.6, 0.05, 14)
    if life.returned:
        reply_days += _lognormal(rng, 1, 0.5, 0.2, 4)
    if rng.random() < OVERDUE_SHARE:
        reply_days *= 2.5
    life.replied = max(dispatched + timedelta(days=reply_days), life.contacted + timedelta(minutes=30))
    life.reply_text = facts.reply
    life.closed = life.replied + _hours(_lognormal(rng, 4, 0.8, 0.2, 48))
    _callback(rng, life, life.closed)


def _cut(life: Life, anchor: datetime) -> Life:
    """Drop every step at or after the anchor, and every step after a dropped one."""
    chain = ("acknowledged", "dispatched", "unit_acknowledged", "replied", "closed", "callback")
    cut = False
    for name in chain:
        moment = getattr(life, name)
        if moment is None:
            continue
        cut = cut or moment >= anchor
        if cut:
            setattr(life, name, None)
    if life.contacted is not None and (life.contacted >= anchor or life.acknowledged is None):
        life.contacted = None
    if life.acknowledged is None:
        life.lead = life.assisting = ""
    if life.dispatched is None and life.closed is None:
        life.lead, life.assisting, life.returned = "", "", False
    if life.closed is None:
        life.reply_text = "" if life.replied is None else life.reply_text
    if life.callback is None:
        life.callback_contacted = life.callback_resolved = life.satisfaction = ""
    return life


def life_for(rng: random.Random, facts: TicketFacts, anchor: datetime) -> Life:
    """Draw the whole life first (so the rng advances the same way), then cut at the anchor."""
    life = Life()
    life.acknowledged = acknowledged = _acknowledge(rng, facts)
    if facts.direct:
        _direct(rng, facts, life, acknowledged)
    else:
        _dispatched(rng, facts, life, acknowledged)
    return _cut(life, anchor)
