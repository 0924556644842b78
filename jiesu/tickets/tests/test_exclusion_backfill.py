"""Migration 0012 gives every exclusion request filed before the rows existed its row."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from jiesu.orgs.testing import World
from jiesu.tickets.choices import AssessmentScope, EventKind, ExclusionDecision, TicketStatus
from jiesu.tickets.models import ExclusionRequest, Ticket
from jiesu.tickets.services.transitions import ticket_transition
from jiesu.tickets.tests.helpers import ticket_in

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("jiesu.tickets.migrations.0012_backfill_exclusion_requests").backfill


def legacy(world: World, ticket: Ticket, event: EventKind, **payload: str) -> None:
    """What the code before the rows wrote: the event and the flag only."""
    requested = event == EventKind.EXCLUSION_REQUESTED
    ticket_transition(
        ticket=ticket,
        event=event,
        actor=world.township_staff if requested else world.shift_lead,
        reason="说明",
        payload=payload,
        changes={"exclusion_pending": requested},
    )


def test_each_request_event_gets_a_row_with_its_decision(world: World) -> None:
    first = ticket_in(world, TicketStatus.CLOSED)
    legacy(world, first, EventKind.EXCLUSION_REQUESTED, reason_code="repeat", scope=AssessmentScope.RESPONSE_ONLY)
    legacy(world, first, EventKind.EXCLUSION_APPROVED)
    legacy(world, first, EventKind.EXCLUSION_REQUESTED, reason_code="emergency", scope="bogus")
    second = ticket_in(world, TicketStatus.HANDLING)
    legacy(world, second, EventKind.EXCLUSION_REQUESTED, reason_code="other", scope=AssessmentScope.EXCLUDED)
    legacy(world, second, EventKind.EXCLUSION_REJECTED)

    backfill(apps, None)
    backfill(apps, None)  # a second run adds nothing

    rows = list(ExclusionRequest.objects.order_by("submitted_at", "id"))
    assert [(r.ticket_id, r.reason_code, r.scope, r.decision) for r in rows] == [
        (first.pk, "repeat", AssessmentScope.RESPONSE_ONLY, ExclusionDecision.APPROVED),
        (first.pk, "emergency", AssessmentScope.EXCLUDED, ExclusionDecision.PENDING),
        (second.pk, "other", AssessmentScope.EXCLUDED, ExclusionDecision.REJECTED),
    ]
    approved = rows[0]
    assert approved.reviewer == world.shift_lead and approved.submitted_by == world.township_staff
    assert approved.decision_event is not None and approved.decision_event.kind == EventKind.EXCLUSION_APPROVED
    assert approved.decided_at == approved.decision_event.occurred_at
