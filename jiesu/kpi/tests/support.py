"""A small March 2024 ledger with explicit facts, and the answers worked out by hand.

Tickets are written directly with the ORM: the KPI engine reads stored facts only, so the facts
are what the test must pin down, not the workflow that would have produced them.

| ticket | scope | received | callback (valid / contacted / resolved / satisfaction) | other facts |
| A | full | 03-10 | yes / yes / yes / satisfied | ack, dispatch, reply, close on time |
| B | full | 03-10 | yes / yes / no / fairly satisfied | complex; dispatched late; replied and |
|   |      |       |                                  | closed after the reply deadline; returned once |
| C | full | 03-10 | yes / yes / yes / dissatisfied | direct answer, closed 03-10, acknowledged on time |
| D | response only | 03-11 | yes / yes / yes / satisfied | other township (other district) |
| E | excluded | 03-11 | yes / no / no / dissatisfied | |
| F | full | 03-20 | invalid callback | repeat appeal; never acknowledged (late); closed 04-02 |
| G | full | 02-28 | yes / yes / yes / satisfied | reply deadline 03-02, replied and closed 03-01 |
| H | full | 03-12 | none yet | lead unit = the district; closed 03-12 |
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, Satisfaction
from jiesu.tickets.models import Ticket

BEIJING = ZoneInfo("Asia/Shanghai")
_numbers = itertools.count(1)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=BEIJING)


def ticket(world: World, **facts: Any) -> Ticket:
    fields: dict[str, Any] = {
        "number": f"KPI{next(_numbers):08d}",
        "title": "测试工单",
        "district": world.district,
        "township": world.township,
        "lead_unit": world.township,
    }
    fields.update(facts)
    return Ticket.objects.create(**fields)


def callback(valid: bool, contacted: bool, resolved: bool, satisfaction: str) -> dict[str, Any]:
    return {
        "callback_valid": valid,
        "callback_contacted": contacted,
        "callback_resolved": resolved,
        "callback_satisfaction": satisfaction,
    }


def on_time_path(received: datetime) -> dict[str, Any]:
    """Acknowledged, dispatched, replied and closed before each deadline."""
    return {
        "received_at": received,
        "acknowledge_due_at": received + timedelta(hours=2),
        "acknowledged_at": received + timedelta(minutes=30),
        "dispatch_due_at": received + timedelta(hours=2),
        "dispatched_at": received + timedelta(hours=1),
        "reply_due_at": at(3, 15, 18),
        "replied_at": at(3, 14, 10),
        "closed_at": at(3, 14, 18),
    }


def build_march_ledger(world: World) -> dict[str, Ticket]:
    s, f, d = Satisfaction.SATISFIED, Satisfaction.FAIRLY_SATISFIED, Satisfaction.DISSATISFIED
    late_b = on_time_path(at(3, 10)) | {
        "dispatched_at": at(3, 10, 12),
        "replied_at": at(3, 16, 10),
        "closed_at": at(3, 16, 18),
    }
    return {
        "A": ticket(world, **on_time_path(at(3, 10)), **callback(True, True, True, s)),
        "B": ticket(world, **late_b, **callback(True, True, False, f), is_complex=True, return_count=1),
        "C": ticket(
            world,
            received_at=at(3, 10),
            acknowledge_due_at=at(3, 10, 11),
            acknowledged_at=at(3, 10, 9, 5),
            closed_at=at(3, 10, 9, 20),
            is_direct_answer=True,
            **callback(True, True, True, d),
        ),
        "D": ticket(
            world,
            received_at=at(3, 11),
            district=world.other_district,
            township=world.other_township,
            lead_unit=world.other_township,
            assessment_scope=AssessmentScope.RESPONSE_ONLY,
            **callback(True, True, True, s),
        ),
        "E": ticket(
            world, received_at=at(3, 11), assessment_scope=AssessmentScope.EXCLUDED, **callback(True, False, False, d)
        ),
        "F": ticket(
            world,
            received_at=at(3, 20),
            acknowledge_due_at=at(3, 20, 11),
            closed_at=at(4, 2, 10),
            is_repeat=True,
            **callback(False, True, True, s),
        ),
        "G": ticket(
            world,
            received_at=at(2, 28, 10),
            reply_due_at=at(3, 2, 18),
            replied_at=at(3, 1, 9),
            closed_at=at(3, 1, 10),
            **callback(True, True, True, s),
        ),
        "H": ticket(world, received_at=at(3, 12), lead_unit=world.district, closed_at=at(3, 12, 15)),
    }
